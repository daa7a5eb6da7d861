/// A message that travels inside a compound packet. Its body is encoded without the tag or
/// length; the compound frame carries both.
public protocol WireMessage: Sendable {
    static var tag: MessageTag { get }
    func encode(into writer: inout ByteWriter)
    init(from reader: inout ByteReader) throws(DecodeError)
}

extension WireMessage {
    /// The body alone, as a golden fixture shows it.
    public var encodedBody: [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a whole body, refusing bytes left over.
    public init(body: ArraySlice<UInt8>) throws(DecodeError) {
        var reader = ByteReader(body)
        try self.init(from: &reader)
        try reader.expectEnd("\(Self.tag)")
    }
}
