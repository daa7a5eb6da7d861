import CLITestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One real `agent run` process on a loopback address, with its own data directory, control
/// socket and log file in a temporary directory. It is killed when the test lets go of it,
/// whatever the test's outcome.
final class AgentProcess: @unchecked Sendable {
    let name: String
    let host: String
    let port = 7950
    let directory: URL
    let key: String?
    var extraArguments: [String]
    var environment: [String: String]
    var logFormat = "text"
    private(set) var process: Process?

    init(name: String, host: String, key: String?, extraArguments: [String] = [], environment: [String: String] = [:], directory: URL) {
        self.name = name
        self.host = host
        self.key = key
        self.extraArguments = extraArguments
        self.environment = environment
        self.directory = directory.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    deinit { kill(signal: SIGKILL) }

    var socket: String { directory.appendingPathComponent("agent.sock").path }
    var dataDirectory: String { directory.appendingPathComponent("data").path }
    var logPath: String { directory.appendingPathComponent("agent.log").path }
    var address: String { "\(host):\(port)" }
    var metricsAddress: String { "\(host):9950" }

    var arguments: [String] {
        var arguments = [
            "run", "--node-name", name, "--bind", address, "--advertise", address, "--socket", socket, "--data-dir", dataDirectory,
            "--metrics-addr", metricsAddress, "--log-format", logFormat,
            // On loopback in the host's own namespace: rules are the system tests' business.
            "--dataplane", "none",
        ]
        if let key { arguments += ["--encrypt", key] }
        return arguments + extraArguments
    }

    /// Starts `agent run`, appending its output to the log, and waits until its control
    /// socket answers.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: AgentBinary.path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try log.close()
        self.process = process
        try waitUntil("\(name)'s control socket answers", timeout: 20) {
            guard process.isRunning else { throw HarnessError("\(name) exited with status \(process.terminationStatus):\n\(self.log)") }
            return (try? cli(["members", "-o", "json"]).status) == 0
        }
    }

    var isRunning: Bool { process?.isRunning ?? false }

    func kill(signal: Int32) {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        if signal == SIGKILL { process.waitUntilExit() }
    }

    /// Sends SIGTERM and returns the exit status once it has exited.
    func terminate() throws -> Int32 {
        guard let process else { throw HarnessError("\(name) was never started") }
        kill(signal: SIGTERM)
        try waitUntil("\(name) exits after SIGTERM", timeout: 20) { !process.isRunning }
        return process.terminationStatus
    }

    /// Runs `agent ARGS --socket THIS-AGENT'S-SOCKET`.
    func cli(_ arguments: [String]) throws -> AgentBinary.Result {
        try AgentBinary.run(arguments + ["--socket", socket])
    }

    struct Member: Decodable, Equatable {
        var name: String
        var address: String
        var port: Int
        var status: String
        var incarnation: UInt64
        var labels: [String: String]
    }

    /// `agent members -o json`, or nil when the agent does not answer.
    func members() -> [Member]? {
        guard let result = try? cli(["members", "-o", "json"]), result.status == 0 else { return nil }
        return try? JSONDecoder().decode([Member].self, from: Data(result.standardOutput.utf8))
    }

    /// Status of each member by name, as this agent lists them.
    func statuses() -> [String: String] {
        Dictionary((members() ?? []).map { ($0.name, $0.status) }, uniquingKeysWith: { first, _ in first })
    }

    /// `GET /metrics`, as Prometheus would scrape it.
    func metrics() throws -> String {
        try HTTP.get(host: host, port: 9950, path: "/metrics")
    }

    /// The value of one series in `metrics()`, e.g. `agent_packets_rejected_total{reason="auth"}`.
    func metric(_ series: String) throws -> Double? {
        for line in try metrics().split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` until it holds. The timeout is a guard against hanging, not a claim
/// about speed: timings belong in benchmarks.
func waitUntil(_ what: String, timeout: Double, interval: Double = 0.2, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return }
        if Date() > deadline { throw HarnessError("gave up after \(Int(timeout)) s waiting until \(what)") }
        Thread.sleep(forTimeInterval: interval)
    }
}

/// A cluster of agents on `127.0.<subnet>.1...`, all in one temporary directory that is
/// removed, with every process killed, when the cluster is released.
final class TestCluster: @unchecked Sendable {
    let directory: URL
    let subnet: Int
    private(set) var agents: [AgentProcess] = []

    init(subnet: Int) throws {
        self.subnet = subnet
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("agent-it-\(subnet)-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        for agent in agents { agent.kill(signal: SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Adds (does not start) agent `n<index>` at `127.0.<subnet>.<index>`.
    @discardableResult
    func add(_ index: Int, key: String?, extraArguments: [String] = [], environment: [String: String] = [:]) -> AgentProcess {
        let agent = AgentProcess(
            name: "n\(index)", host: "127.0.\(subnet).\(index)", key: key, extraArguments: extraArguments, environment: environment,
            directory: directory)
        agents.append(agent)
        return agent
    }

    /// Every log, for a failure message.
    var logs: String {
        agents.map { "---- \($0.name) ----\n\($0.log)" }.joined(separator: "\n")
    }
}

/// A one-shot HTTP/1.1 GET over TCP, enough for `/metrics`.
enum HTTP {
    static func get(host: String, port: Int, path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("connect to \(host):\(port): errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw HarnessError("no HTTP answer from \(host):\(port)") }
        return String(text[split.upperBound...])
    }
}
