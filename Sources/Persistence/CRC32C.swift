/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of ext4, iSCSI and
/// LevelDB's log: it catches every burst error up to 32 bits, which is what a torn or
/// partly written sector looks like. Table-driven, byte at a time: the journal checksums
/// a few hundred bytes per write, far below what the fsync after it costs.
public enum CRC32C {
    /// The checksum of `bytes`; pass a previous result as `continuing` to checksum a
    /// sequence in pieces.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = ~previous
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
            }
        }
        return ~crc
    }

    public static func checksum(_ bytes: [UInt8], continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: previous) }
    }

    public static func checksum(_ bytes: ArraySlice<UInt8>, continuing previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: previous) }
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }
}
