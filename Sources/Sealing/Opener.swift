import ClusterModel

/// A datagram that authenticated and was not seen before.
public struct OpenedDatagram: Sendable {
    public let sender: NodeName
    public let session: UInt64
    public let sequence: UInt64
    public let sentAt: Timestamp
    public let keyID: KeyID
    /// What the sender sealed: a compound packet for `Wire` to decode.
    public let payload: ArraySlice<UInt8>
}

/// Why a datagram was refused. The raw values are the `reason` label of
/// `agent_packets_rejected_total`.
public enum RejectionReason: String, Sendable, CaseIterable {
    /// It did not authenticate: unknown key, or any byte changed.
    case auth
    /// It authenticated but was delivered before, or is older than the replay window.
    case replay
    /// It is too short to be a datagram, or its contents do not decode.
    case malformed
    /// Its version byte is not one this build speaks.
    case version
}

public struct Rejection: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: RejectionReason
    public let detail: String

    public init(_ reason: RejectionReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// Opens incoming datagrams: checks the version, finds the key by its identifier,
/// authenticates and decrypts, then asks the replay window whether it is new.
public struct Opener: Sendable {
    public private(set) var replayWindow: ReplayWindow

    public init(replaySettings: ReplayWindow.Settings = ReplayWindow.Settings()) {
        self.replayWindow = ReplayWindow(settings: replaySettings)
    }

    public mutating func open(_ datagram: [UInt8], keyring: Keyring, now: Timestamp) throws(Rejection) -> OpenedDatagram {
        guard datagram.count >= DatagramLayout.minimumLength else {
            throw Rejection(.malformed, "\(datagram.count) bytes is shorter than the smallest sealed datagram (\(DatagramLayout.minimumLength))")
        }
        guard datagram[DatagramLayout.versionOffset] == DatagramLayout.version else {
            throw Rejection(.version, "version \(datagram[DatagramLayout.versionOffset]); this agent speaks version \(DatagramLayout.version)")
        }
        let (keyID, session, sequence, sentAt) = datagram.withUnsafeBytes { bytes in
            (
                KeyID(rawValue: bytes.loadBigEndianUInt32(at: DatagramLayout.keyIDOffset)),
                bytes.loadBigEndianUInt64(at: DatagramLayout.sessionOffset),
                bytes.loadBigEndianUInt64(at: DatagramLayout.sequenceOffset),
                Timestamp(millisecondsSinceEpoch: bytes.loadBigEndianUInt64(at: DatagramLayout.sentAtOffset))
            )
        }
        guard let key = keyring.key(for: keyID) else {
            throw Rejection(.auth, "sealed with key \(keyID), which is not in this node's keyring")
        }
        let headerLength = DatagramLayout.headerLength
        var plaintext = [UInt8](repeating: 0, count: datagram.count - headerLength - DatagramLayout.tagLength)
        let authentic = datagram.withUnsafeBytes { bytes in
            plaintext.withUnsafeMutableBytes { output in
                key.bytes.withUnsafeBytes { keyBytes in
                    let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[..<headerLength])
                    return XChaCha20Poly1305.open(
                        ciphertext: UnsafeRawBufferPointer(rebasing: bytes[headerLength...]),
                        additionalData: headerBytes,
                        nonce: UnsafeRawBufferPointer(rebasing: headerBytes[DatagramLayout.nonceOffset...]),
                        key: keyBytes,
                        into: output)
                }
            }
        }
        guard authentic else { throw Rejection(.auth, "authentication failed under key \(keyID)") }

        let senderLength = Int(plaintext[0])
        guard senderLength > 0, 1 + senderLength <= plaintext.count,
              let name = String(validating: plaintext[1..<(1 + senderLength)], as: UTF8.self),
              let sender = try? NodeName(name)
        else {
            throw Rejection(.malformed, "the sender's name is missing or not a valid node name")
        }
        switch replayWindow.admit(sender: sender, session: session, sequence: sequence, sentAt: sentAt, now: now) {
        case .accepted:
            break
        case .stale:
            throw Rejection(.replay, "sent by \(sender) at \(sentAt), outside the freshness window of \(replayWindow.settings.freshness) around \(now)")
        case .duplicate:
            throw Rejection(.replay, "datagram \(sequence) of \(sender) was delivered before")
        case .tooOld:
            throw Rejection(.replay, "datagram \(sequence) of \(sender) is older than the replay window")
        }
        return OpenedDatagram(
            sender: sender, session: session, sequence: sequence, sentAt: sentAt, keyID: keyID,
            payload: plaintext[(1 + senderLength)...])
    }
}
