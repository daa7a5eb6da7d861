import CSodium

/// SHA-256 and HMAC-SHA-256, the two primitives Signature Version 4 is built from, through
/// libsodium (the agent's one cryptography library) rather than a second one.
enum SHA256 {
    private static let ready: Bool = sodium_init() >= 0

    static func hash(_ message: [UInt8]) -> [UInt8] {
        precondition(ready, "libsodium could not initialise (sodium_init failed)")
        var digest = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        _ = crypto_hash_sha256(&digest, message, UInt64(message.count))
        return digest
    }

    /// HMAC with a key of any length: SigV4's first key is `"AWS4" + secret`, longer than
    /// the 32 bytes `crypto_auth_hmacsha256` takes, hence the init/update/final calls.
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        precondition(ready, "libsodium could not initialise (sodium_init failed)")
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, message, UInt64(message.count))
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        return mac
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal, as SigV4 writes hashes and signatures.
    var hexadecimal: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
