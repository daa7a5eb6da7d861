import Foundation
import Testing

@Suite("The agent command line")
struct CommandLineTests {
    @Test("agent keygen prints a different key each call, each base64 of exactly 32 bytes")
    func keygen() throws {
        let keys = try (0..<5).map { _ in
            let result = try AgentBinary.run("keygen")
            #expect(result.status == 0, "\(result.standardError)")
            return result.standardOutput.trimmingCharacters(in: .newlines)
        }
        #expect(Set(keys).count == 5)
        for key in keys {
            #expect(Data(base64Encoded: key)?.count == 32, "\(key)")
        }
    }

    @Test("agent version names the release, the wire protocol and libsodium")
    func version() throws {
        let result = try AgentBinary.run("version")
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("agent 0."))
        #expect(result.standardOutput.contains("wire protocol 1"))
        #expect(result.standardOutput.contains("libsodium 1."))
    }

    @Test("agent --help lists every command that exists")
    func help() throws {
        let result = try AgentBinary.run("--help")
        #expect(result.status == 0)
        for command in ["keygen", "version"] {
            #expect(result.standardOutput.contains("\n  \(command) "), "\(command) missing from help")
        }
    }

    @Test("an unknown command is bad usage: exit 2 and a message saying what was wrong")
    func unknownCommand() throws {
        let result = try AgentBinary.run("frobnicate")
        #expect(result.status == 2)
        #expect(result.standardError.contains("frobnicate"))
        #expect(result.standardError.contains("agent --help"))
    }

    @Test("an unexpected argument to a command is bad usage: exit 2")
    func unexpectedArgument() throws {
        let result = try AgentBinary.run("keygen", "--bits", "128")
        #expect(result.status == 2)
        #expect(result.standardError.contains("--bits"))
    }
}
