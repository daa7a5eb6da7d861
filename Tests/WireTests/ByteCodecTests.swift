import Testing

@testable import Wire

@Suite("Reading and writing fields")
struct ByteCodecTests {
    @Test("integers are written big-endian and read back")
    func integers() throws {
        var writer = ByteWriter()
        writer.write(UInt8(0x01))
        writer.write(UInt16(0x0203))
        writer.write(UInt32(0x0405_0607))
        writer.write(UInt64(0x0809_0A0B_0C0D_0E0F))
        writer.write(true)
        #expect(writer.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1])

        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUInt8("a") == 0x01)
        #expect(try reader.read(UInt16.self, "b") == 0x0203)
        #expect(try reader.read(UInt32.self, "c") == 0x0405_0607)
        #expect(try reader.read(UInt64.self, "d") == 0x0809_0A0B_0C0D_0E0F)
        #expect(try reader.readBool("e"))
        #expect(reader.isAtEnd)
    }

    @Test("strings carry their length and come back equal")
    func strings() throws {
        var writer = ByteWriter()
        writer.writeShortString("n1")
        writer.writeString("zoné")
        #expect(Array(writer.bytes.prefix(3)) == [2, 0x6E, 0x31])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readShortString("name") == "n1")
        #expect(try reader.readString("label") == "zoné")
    }

    @Test("reading past the end names the field, where it was, and how much was missing")
    func truncation() {
        var reader = ByteReader([0, 1, 2])
        _ = try? reader.readUInt8("first")
        #expect(throws: DecodeError.truncated(field: "incarnation", offset: 1, needed: 8, remaining: 2)) {
            try reader.read(UInt64.self, "incarnation")
        }
        #expect(DecodeError.truncated(field: "incarnation", offset: 1, needed: 8, remaining: 2).description
            == "incarnation at byte 1 needs 8 bytes, 2 remain")
    }

    @Test("a forged count larger than the bytes could hold is refused before anything is reserved")
    func forgedCount() {
        var reader = ByteReader([0xFF, 0xFF, 1, 2, 3])
        #expect(throws: DecodeError.self) {
            try reader.readArray("members", minimumElementSize: 4) { (r: inout ByteReader) throws(DecodeError) in try r.read(UInt32.self, "member") }
        }
    }

    @Test("invalid UTF-8 and non-boolean bytes are refused with the field's name")
    func invalidValues() {
        var reader = ByteReader([2, 0xC3, 0x28])
        #expect(throws: DecodeError.invalid(field: "name", offset: 0, reason: "not valid UTF-8")) { try reader.readShortString("name") }
        var flags = ByteReader([7])
        #expect(throws: DecodeError.self) { try flags.readBool("flag") }
    }

    @Test("a length-prefixed field reads as its own bounded reader")
    func lengthPrefixed() throws {
        var writer = ByteWriter()
        writer.writeLengthPrefixed { inner in
            inner.write(UInt32(7))
            inner.writeShortString("x")
        }
        writer.write(UInt8(9))
        #expect(writer.bytes == [0, 6, 0, 0, 0, 7, 1, 0x78, 9])
        var reader = ByteReader(writer.bytes)
        var inner = try reader.readLengthPrefixed("body")
        #expect(try inner.read(UInt32.self, "n") == 7)
        #expect(try inner.readShortString("s") == "x")
        #expect(inner.isAtEnd)
        #expect(try reader.readUInt8("after") == 9)
    }
}
