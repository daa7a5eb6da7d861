import Foundation

/// The one JSON dialect of the control API, shared by server and client so that dates and
/// key order agree on both ends.
public enum ControlJSON {
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        // Sorted keys make answers diffable and tests exact; unescaped slashes keep CIDRs
        // such as 10.96.0.0/12 readable.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
