import Foundation
import Testing

@testable import Sealing

@Suite("The keyring")
struct KeyringTests {
    @Test("after use of a new key the old one still opens until it is removed")
    func rotation() throws {
        let sender = Sealer(sender: Fixture.name("n1"))
        var receiverRing = Keyring(primary: Fixture.keyA)
        let sealedWithOld = sender.seal([1], keyring: Keyring(primary: Fixture.keyA), now: Fixture.now)

        try receiverRing.install(Fixture.keyB)
        try receiverRing.use(Fixture.keyB)
        #expect(receiverRing.primary == Fixture.keyB)
        var opener = Opener()
        #expect(throws: Never.self) { try opener.open(sealedWithOld, keyring: receiverRing, now: Fixture.now) }

        // New datagrams are sealed with the new primary.
        let sealedWithNew = sender.seal([2], keyring: receiverRing, now: Fixture.now)
        #expect(Array(sealedWithNew[1..<5]) == withUnsafeBytes(of: Fixture.keyB.id.rawValue.bigEndian, Array.init))

        try receiverRing.remove(Fixture.keyA)
        let sealedWithOldAgain = sender.seal([3], keyring: Keyring(primary: Fixture.keyA), now: Fixture.now)
        #expect(Fixture.rejection { () throws(Rejection) in try opener.open(sealedWithOldAgain, keyring: receiverRing, now: Fixture.now) } == .auth)
    }

    @Test("removing the primary key is refused with a message saying what to do instead")
    func removingPrimary() {
        var ring = Keyring(primary: Fixture.keyA)
        #expect(throws: KeyringError.removingPrimary(Fixture.keyA.id)) { try ring.remove(Fixture.keyA) }
        #expect(KeyringError.removingPrimary(Fixture.keyA.id).description.contains("agent keyring use"))
        #expect(ring.keys == [Fixture.keyA])
    }

    @Test("using or removing a key that is not installed is refused and changes nothing")
    func notInstalled() throws {
        var ring = try Keyring(keys: [Fixture.keyA, Fixture.keyB])
        #expect(throws: KeyringError.self) { try ring.use(Fixture.keyC) }
        #expect(throws: KeyringError.self) { try ring.remove(Fixture.keyC) }
        #expect(ring.keys == [Fixture.keyA, Fixture.keyB])
    }

    @Test("installing a key twice keeps one copy")
    func idempotentInstall() throws {
        var ring = Keyring(primary: Fixture.keyA)
        try ring.install(Fixture.keyB)
        try ring.install(Fixture.keyB)
        #expect(ring.keys == [Fixture.keyA, Fixture.keyB])
    }

    @Test("a key must be base64 of exactly 32 bytes; the message says what would be accepted")
    func parsing() throws {
        #expect(try ClusterKey(base64: Fixture.keyA.base64) == Fixture.keyA)
        #expect(throws: ClusterKeyError.notBase64) { try ClusterKey(base64: "not base64!") }
        #expect(throws: ClusterKeyError.wrongLength(31)) { try ClusterKey(base64: Data(count: 31).base64EncodedString()) }
        #expect(throws: ClusterKeyError.empty) { try ClusterKey(base64: "  ") }
        #expect(ClusterKeyError.notBase64.description.contains("base64 of 32 bytes"))
    }

    @Test("generated keys differ and are 32 bytes")
    func generation() {
        let keys = (0..<16).map { _ in ClusterKey.generate() }
        #expect(Set(keys).count == 16)
        #expect(keys.allSatisfy { $0.bytes.count == 32 })
    }

    @Test("a key's description shows only its identifier, never the key")
    func noLeaks() {
        #expect(!"\(Fixture.keyA)".contains(Fixture.keyA.base64))
    }
}

@Suite("The keyring file")
struct KeyringFileTests {
    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "agent-keyring-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a saved keyring loads back with the same primary and keys, from a file of mode 0600")
    func roundTrip() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = KeyringFile(dataDirectory: directory)
        let previous = umask(0o022)
        defer { umask(previous) }
        try file.save(try Keyring(keys: [Fixture.keyB, Fixture.keyA]))
        let loaded = try #require(try file.load())
        #expect(loaded.keys == [Fixture.keyB, Fixture.keyA])
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [KeyringFile.defaultName])
    }

    @Test("a missing file means no keyring yet")
    func missing() throws {
        #expect(try KeyringFile(path: "/nonexistent-dir-\(UUID())/keyring.json").load() == nil)
    }

    @Test("a corrupt file is reported with its path and what is wrong", arguments: [
        ("{not json", "not valid JSON"),
        ("{\"keys\": []}", "not a JSON array"),
        ("[]", "holds no keys"),
        ("[42]", "entry 1 is not a string"),
        ("[\"\(Fixture.keyA.base64)\", \"abc!\"]", "entry 2: the key is not valid base64"),
        ("[\"AAAA\"]", "entry 1: the key decodes to 3 bytes, not 32"),
    ])
    func corrupt(contents: String, problem: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = KeyringFile(dataDirectory: directory)
        try contents.write(toFile: file.path, atomically: false, encoding: .utf8)
        let error = try #require(throws: KeyringFileError.self) { try file.load() }
        #expect(error.description.contains(file.path))
        #expect(error.description.contains(problem), "\(error)")
    }

    @Test("an unreadable file is reported with its path")
    func unreadable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = KeyringFile(dataDirectory: directory)
        try FileManager.default.createDirectory(atPath: file.path, withIntermediateDirectories: false)
        let error = try #require(throws: KeyringFileError.self) { try file.load() }
        #expect(error.description.contains(file.path) && error.description.contains("cannot be read"))
    }

    @Test("a refused change leaves the file byte for byte as it was")
    func refusedChange() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = KeyringFile(dataDirectory: directory)
        try file.save(try Keyring(keys: [Fixture.keyA, Fixture.keyB]))
        let before = try Data(contentsOf: URL(fileURLWithPath: file.path))
        let error = try #require(throws: KeyringFileError.self) {
            try file.update { (ring) throws(KeyringError) in try ring.remove(Fixture.keyA) }
        }
        #expect(error.description.contains("is the primary key"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == before)
    }

    @Test("an accepted change is saved")
    func acceptedChange() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = KeyringFile(dataDirectory: directory)
        try file.save(Keyring(primary: Fixture.keyA))
        _ = try file.update { (ring) throws(KeyringError) in
            try ring.install(Fixture.keyB)
            try ring.use(Fixture.keyB)
        }
        #expect(try file.load()?.primary == Fixture.keyB)
    }
}
