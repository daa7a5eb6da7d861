import CLITestSupport
import Foundation
import Testing

@Suite("Deploy/")
struct DeployTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy")

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("systemd-analyze verify finds nothing wrong with agent.service, and security rates its exposure")
    func unitVerifies() throws {
        let result = try Self.run("/bin/bash", [Self.deploy.appendingPathComponent("verify-unit.sh").path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("== systemd-analyze verify (must print nothing)\nclean\n"), "\(result.output)")
        #expect(result.output.contains("Overall exposure level for agent.service:"), "\(result.output)")
    }

    @Test("the unit is Type=notify with a watchdog and only CAP_NET_ADMIN and CAP_NET_RAW")
    func unitContract() throws {
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("agent.service"), encoding: .utf8)
        let lines = Set(unit.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for line in ["Type=notify", "Restart=on-failure", "StateDirectory=agent", "RuntimeDirectory=agent", "ConfigurationDirectory=agent"] {
            #expect(lines.contains(line), "agent.service lacks \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("WatchdogSec=") })
        #expect(lines.contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW"))
    }

    @Test("the example agent.yaml is accepted as it is, and its values are the ones agent run uses")
    func exampleConfigLoads() throws {
        let example = Self.deploy.appendingPathComponent("agent.yaml").path
        let result = try AgentBinary.run(["run", "--config", example, "--dry-run", "--node-name", "probe"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("nodeName: probe\n"))
        #expect(result.standardOutput.contains("serviceCIDR: 10.96.0.0/12\n"))
        #expect(result.standardOutput.contains("serviceNodePortRange: 30000-32767\n"))
    }

    @Test("a config file with an unknown key stops agent run with exit 2, naming the file, line and key")
    func badConfigRefused() throws {
        let path = "/tmp/agent-deploy-bad-\(getpid()).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "bind: 0.0.0.0:7950\nbindd: nope\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try AgentBinary.run(["run", "--config", path, "--dry-run"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("\(path):2"), "\(result.standardError)")
        #expect(result.standardError.contains("bindd"))
    }
}
