import CSodium

/// The few libsodium calls the agent makes, behind one door, so that `sodium_init` is
/// guaranteed to have run first.
public enum Sodium {
    private static let ready: Bool = sodium_init() >= 0

    static func ensureReady() {
        precondition(ready, "libsodium could not initialise (sodium_init failed)")
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        ensureReady()
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { randombytes_buf($0.baseAddress!, count) }
        return bytes
    }

    static func randomUInt64() -> UInt64 {
        ensureReady()
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { randombytes_buf($0.baseAddress!, 8) }
        return value
    }

    /// BLAKE2b of `input` into `outputLength` bytes.
    static func genericHash(_ input: [UInt8], outputLength: Int) -> [UInt8] {
        ensureReady()
        var output = [UInt8](repeating: 0, count: outputLength)
        let status = crypto_generichash(&output, outputLength, input, UInt64(input.count), nil, 0)
        precondition(status == 0, "crypto_generichash failed")
        return output
    }
}

/// XChaCha20-Poly1305-IETF, the AEAD that seals every datagram.
public enum XChaCha20Poly1305 {
    public static let keyLength = Int(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    public static let nonceLength = Int(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES)
    public static let tagLength = Int(crypto_aead_xchacha20poly1305_ietf_ABYTES)

    /// Encrypts `plaintext` and appends ciphertext and tag to `output`.
    /// `additionalData` and `nonce` are pointers into memory the caller owns.
    public static func seal(
        plaintext: UnsafeRawBufferPointer,
        additionalData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) {
        precondition(nonce.count == nonceLength && key.count == keyLength)
        precondition(output.count >= plaintext.count + tagLength)
        Sodium.ensureReady()
        var written: UInt64 = 0
        let status = crypto_aead_xchacha20poly1305_ietf_encrypt(
            output.baseAddress!.assumingMemoryBound(to: UInt8.self), &written,
            plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plaintext.count),
            additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData.count),
            nil,
            nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        precondition(status == 0 && written == UInt64(plaintext.count + tagLength))
    }

    /// Decrypts and verifies `ciphertext` (which ends in the tag) into `output`.
    /// Returns false, writing nothing meaningful, when the tag does not verify.
    public static func open(
        ciphertext: UnsafeRawBufferPointer,
        additionalData: UnsafeRawBufferPointer,
        nonce: UnsafeRawBufferPointer,
        key: UnsafeRawBufferPointer,
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        precondition(nonce.count == nonceLength && key.count == keyLength)
        guard ciphertext.count >= tagLength, output.count >= ciphertext.count - tagLength else { return false }
        Sodium.ensureReady()
        var written: UInt64 = 0
        let status = crypto_aead_xchacha20poly1305_ietf_decrypt(
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), &written,
            nil,
            ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt64(ciphertext.count),
            additionalData.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(additionalData.count),
            nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
            key.baseAddress!.assumingMemoryBound(to: UInt8.self))
        return status == 0
    }
}

extension Sodium {
    /// The version of the libsodium the agent runs with, for `agent version`.
    public static var libraryVersion: String { String(cString: sodium_version_string()) }
}
