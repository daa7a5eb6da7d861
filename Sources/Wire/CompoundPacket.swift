/// The payload of one datagram: messages packed back to back, each framed as
///
///     tag (1) | length (2, big-endian) | body (length bytes)
///
/// and read until the payload ends. Packing many small messages into one datagram is what
/// lets gossip piggyback on probes; the frame length lets a receiver skip a message whose
/// tag it does not know yet (a newer agent during a rolling upgrade) and read the rest.
public struct Frame: Hashable, Sendable {
    public static let headerLength = 3

    public var tag: MessageTag
    public var body: ArraySlice<UInt8>

    public init(tag: MessageTag, body: ArraySlice<UInt8>) {
        self.tag = tag
        self.body = body
    }

    public init(_ message: some WireMessage) {
        self.init(tag: type(of: message).tag, body: message.encodedBody[...])
    }

    public var encodedLength: Int { Self.headerLength + body.count }
}

/// The default datagram size budget: below the 1,500-byte Ethernet MTU with room for IP and
/// UDP headers and a tunnel, so nothing relies on IP fragmentation.
public let defaultMTU = 1_400

extension Frame {
    /// One datagram payload holding just this frame.
    public var payload: [UInt8] {
        var builder = PacketBuilder(budget: Int(UInt16.max) + Frame.headerLength)
        _ = builder.append(self)
        return builder.bytes
    }
}

/// Fills one datagram's payload with frames until the budget is spent.
public struct PacketBuilder: Sendable {
    public let budget: Int
    private var writer: ByteWriter

    public init(budget: Int) {
        self.budget = budget
        self.writer = ByteWriter(capacity: min(budget, 2_048))
    }

    public var bytes: [UInt8] { writer.bytes }
    public var isEmpty: Bool { writer.count == 0 }
    public var remainingBudget: Int { budget - writer.count }

    /// Adds the frame if it fits in what remains of the budget; says whether it did.
    @discardableResult
    public mutating func append(_ frame: Frame) -> Bool {
        guard frame.encodedLength <= remainingBudget, frame.body.count <= Int(UInt16.max) else { return false }
        writer.write(frame.tag.rawValue)
        writer.write(UInt16(frame.body.count))
        writer.write(bytes: frame.body)
        return true
    }

    @discardableResult
    public mutating func append(_ message: some WireMessage) -> Bool {
        append(Frame(message))
    }
}

public enum CompoundPacket {
    /// Packs frames in order into as few payloads as greedy filling gives, each within
    /// `budget` bytes. A frame that alone exceeds the budget is an error: large state must
    /// be split by its owner into messages that fit, never fragmented by IP.
    public static func pack(_ frames: [Frame], budget: Int) throws(FrameTooLarge) -> [[UInt8]] {
        var payloads: [[UInt8]] = []
        var builder = PacketBuilder(budget: budget)
        for frame in frames {
            if builder.append(frame) { continue }
            guard frame.encodedLength <= budget else { throw FrameTooLarge(tag: frame.tag, length: frame.encodedLength, budget: budget) }
            payloads.append(builder.bytes)
            builder = PacketBuilder(budget: budget)
            builder.append(frame)
        }
        if !builder.isEmpty { payloads.append(builder.bytes) }
        return payloads
    }

    /// Splits a payload into its frames. The frames are views into `payload`: nothing is
    /// copied, and a forged length is caught before it is believed.
    public static func unpack(_ payload: ArraySlice<UInt8>) throws(DecodeError) -> [Frame] {
        var reader = ByteReader(payload)
        var frames: [Frame] = []
        while !reader.isAtEnd {
            let tag = MessageTag(rawValue: try reader.readUInt8("frame tag"))
            let length = Int(try reader.read(UInt16.self, "frame length"))
            frames.append(Frame(tag: tag, body: try reader.readBytes(length, "frame body")))
        }
        return frames
    }
}

public struct FrameTooLarge: Error, Equatable, Sendable, CustomStringConvertible {
    public let tag: MessageTag
    public let length: Int
    public let budget: Int
    public var description: String { "a \(tag) frame of \(length) bytes exceeds the datagram budget of \(budget) bytes" }
}
