import CLITestSupport
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
        for command in ["apply", "get", "describe", "delete", "keygen", "simulate", "version"] {
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

@Suite("agent simulate")
struct SimulateCommandTests {
    func report(_ arguments: String...) throws -> [String: Any] {
        let result = try AgentBinary.run(["simulate"] + arguments)
        #expect(result.status == 0, "\(result.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    }

    @Test("a small simulation reports every figure, with the killed nodes detected and no false failures")
    func figures() throws {
        let json = try report("--nodes", "40", "--fail", "2", "--seed", "7", "--duration", "90s", "-o", "json")
        #expect(json["nodes"] as? Int == 40)
        #expect(json["failed"] as? Int == 2)
        #expect(json["falseFailureDeclarations"] as? Int == 0)
        #expect((json["joinConvergenceSeconds"] as? Double ?? 0) > 0)
        #expect((json["disseminationSeconds100"] as? Double ?? 0) > 0)
        let detection = try #require(json["fullDetectionSeconds"] as? [String: Any])
        #expect(detection["completed"] as? Int == 2)
        #expect((detection["p50"] as? Double ?? 0) > 0)
        #expect((json["messagesPerNodePerSecond"] as? Double ?? 0) > 0)
    }

    @Test("the same seed replays the same run exactly")
    func replay() throws {
        var first = try report("--nodes", "30", "--seed", "42", "--loss", "0.05", "--duration", "40s", "-o", "json")
        var second = try report("--nodes", "30", "--seed", "42", "--loss", "0.05", "--duration", "40s", "-o", "json")
        first["wallSeconds"] = nil
        second["wallSeconds"] = nil
        #expect(NSDictionary(dictionary: first) == NSDictionary(dictionary: second))
    }

    @Test("the table names each figure")
    func table() throws {
        let result = try AgentBinary.run("simulate", "--nodes", "20", "--seed", "3", "--duration", "30s")
        #expect(result.status == 0)
        for label in ["Join convergence:", "Dissemination 99.99%:", "Detection, all nodes:", "False failures:", "Bytes per node:"] {
            #expect(result.standardOutput.contains(label), "\(label) missing")
        }
    }

    @Test("impossible parameters are bad usage: exit 2 and what would be accepted")
    func badParameters() throws {
        let tooFew = try AgentBinary.run("simulate", "--nodes", "2")
        #expect(tooFew.status == 2)
        #expect(tooFew.standardError.contains("--nodes must be at least 3"))
        let badLoss = try AgentBinary.run("simulate", "--loss", "1.5")
        #expect(badLoss.status == 2 && badLoss.standardError.contains("--loss"))
        let badDuration = try AgentBinary.run("simulate", "--duration", "soon")
        #expect(badDuration.status == 2 && badDuration.standardError.contains("90s"))
    }
}
