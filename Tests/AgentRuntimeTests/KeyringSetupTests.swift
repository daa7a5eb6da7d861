import Foundation
import Sealing
import Testing

@testable import AgentRuntime

@Suite("Where the keyring comes from at start")
struct KeyringSetupTests {
    let directory: String

    init() throws {
        directory = "/tmp/agent-runtime-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test("--encrypt seeds the keyring file on first start, and the file wins afterwards")
    func encryptSeedsThenFileWins() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = ClusterKey.generate()
        let seeded = try KeyringSetup.resolve(encrypt: first.base64, keyringFile: nil, insecureDev: false, dataDirectory: directory)
        #expect(seeded.keyring.keys == [first])
        #expect(try KeyringFile(dataDirectory: directory).load()?.keys == [first])

        let other = ClusterKey.generate()
        let later = try KeyringSetup.resolve(encrypt: other.base64, keyringFile: nil, insecureDev: false, dataDirectory: directory)
        #expect(later.keyring.keys == [first], "a rotated keyring is not undone by the --encrypt of the unit file")
        #expect(later.notice?.contains("--encrypt is ignored") == true)
    }

    @Test("no key at all is refused as bad input, saying the three ways to give one")
    func noKey() {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try KeyringSetup.resolve(encrypt: nil, keyringFile: nil, insecureDev: false, dataDirectory: directory)
        } throws: { error in
            guard case .badInput(let message) = error as? StartupError else { return false }
            return message.contains("--encrypt KEY") && message.contains("--keyring-file") && message.contains("--insecure-dev")
        }
    }

    @Test("a malformed key and a corrupt keyring file are refused as bad input and change nothing")
    func badInput() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: StartupError.self) {
            try KeyringSetup.resolve(encrypt: "not-base64!", keyringFile: nil, insecureDev: false, dataDirectory: directory)
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/keyring.json"))
        try "[\"oops\"".write(toFile: directory + "/keyring.json", atomically: true, encoding: .utf8)
        #expect {
            try KeyringSetup.resolve(encrypt: nil, keyringFile: nil, insecureDev: true, dataDirectory: directory)
        } throws: { error in
            guard case .badInput(let message) = error as? StartupError else { return false }
            return message.contains(directory + "/keyring.json")
        }
        #expect(try String(contentsOfFile: directory + "/keyring.json", encoding: .utf8) == "[\"oops\"")
    }

    @Test("--insecure-dev runs on the published all-zero key and persists nothing")
    func insecure() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try KeyringSetup.resolve(encrypt: nil, keyringFile: nil, insecureDev: true, dataDirectory: directory)
        #expect(outcome.keyring.primary.bytes == [UInt8](repeating: 0, count: 32))
        #expect(outcome.file == nil)
        #expect(!FileManager.default.fileExists(atPath: directory + "/keyring.json"))
    }
}
