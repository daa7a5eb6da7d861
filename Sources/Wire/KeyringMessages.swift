/// The cluster-wide keyring change of `agent keyring install|use|remove|list`: the node the
/// operator talks to sends a request to every live member and collects their responses.
/// Both travel sealed like every other datagram, so only a key holder can change keys.
/// Applying a request is idempotent (installing a held key, using the primary, removing an
/// absent key all succeed), so a request whose response was lost is simply sent again.
public struct KeyringRequest: WireMessage, Hashable {
    public static let tag = MessageTag.keyringRequest

    public enum Operation: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        case list = 1
        case install = 2
        case use = 3
        case remove = 4

        public var description: String {
            switch self {
            case .list: "list"
            case .install: "install"
            case .use: "use"
            case .remove: "remove"
            }
        }
    }

    /// Chosen by the requester; the response echoes it.
    public var id: UInt64
    public var operation: Operation
    /// The raw key for install, use and remove; empty for list.
    public var key: [UInt8]

    public init(id: UInt64, operation: Operation, key: [UInt8]) {
        self.id = id
        self.operation = operation
        self.key = key
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(id)
        writer.write(operation.rawValue)
        writer.write(UInt8(key.count))
        writer.write(bytes: key)
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        id = try reader.read(UInt64.self, "keyring.request id")
        let raw = try reader.readUInt8("keyring.request operation")
        guard let operation = Operation(rawValue: raw) else {
            throw .invalid(field: "keyring.request operation", offset: reader.offset - 1, reason: "\(raw) is not an operation (1-4)")
        }
        self.operation = operation
        let length = Int(try reader.readUInt8("keyring.request key length"))
        key = Array(try reader.readBytes(length, "keyring.request key"))
    }
}

/// One member's answer to a `KeyringRequest`: whether it applied the change, why not, and
/// the keys it holds afterwards, primary first.
public struct KeyringResponse: WireMessage, Hashable {
    public static let tag = MessageTag.keyringResponse

    public var id: UInt64
    /// Empty when the change was applied.
    public var error: String
    public var keys: [[UInt8]]

    public init(id: UInt64, error: String = "", keys: [[UInt8]]) {
        self.id = id
        self.error = error
        self.keys = keys
    }

    public func encode(into writer: inout ByteWriter) {
        writer.write(id)
        writer.writeString(error)
        writer.write(UInt8(keys.count))
        for key in keys {
            writer.write(UInt8(key.count))
            writer.write(bytes: key)
        }
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        id = try reader.read(UInt64.self, "keyring.response id")
        error = try reader.readString("keyring.response error")
        let count = Int(try reader.readUInt8("keyring.response key count"))
        var keys: [[UInt8]] = []
        for _ in 0..<count {
            let length = Int(try reader.readUInt8("keyring.response key length"))
            keys.append(Array(try reader.readBytes(length, "keyring.response key")))
        }
        self.keys = keys
    }
}

extension MessageTag {
    public static let keyringRequest = MessageTag(rawValue: 7)
    public static let keyringResponse = MessageTag(rawValue: 8)
}
