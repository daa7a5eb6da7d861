import CLITestSupport
import Foundation

/// Hosts, Pods and a client built from network namespaces by `scripts/netns-lab`, with a
/// real `agent run` on each host: the system tests' cluster. Everything it made (namespaces,
/// processes) is removed when the test lets go of it, and before it starts, in case an
/// earlier run was killed.
final class Lab: @unchecked Sendable {
    let prefix: String
    let hosts: Int
    let state: String
    private(set) var key = ""
    private var agents: [Int: Child] = [:]

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = repository.appendingPathComponent("scripts/netns-lab").path

    /// Builds the lab; `prefix` must be unique among the labs that may run at once.
    init(prefix: String, hosts: Int) throws {
        self.prefix = prefix
        self.hosts = hosts
        state = "/run/netns-lab/\(prefix)"
        try Self.run([Self.script, "down", prefix])
        try Self.run([Self.script, "up", prefix, "\(hosts)"])
        key = try Self.run([AgentBinary.path, "keygen"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        for process in agents.values { process.signal(SIGTERM) }
        _ = try? Self.run([Self.script, "down", prefix])
    }

    func address(of host: Int) -> String { "10.99.0.\(host)" }
    func socket(of host: Int) -> String { "\(state)/h\(host).sock" }
    func log(of host: Int) -> String { (try? String(contentsOfFile: "\(state)/h\(host).log", encoding: .utf8)) ?? "" }

    // MARK: Agents

    /// Starts `agent run` in host `host`'s namespace, as the demo does, and waits until its
    /// control socket answers.
    func startAgent(_ host: Int, extraArguments: [String] = []) throws {
        try FileManager.default.createDirectory(atPath: "\(state)/h\(host)-data", withIntermediateDirectories: true)
        let logPath = "\(state)/h\(host).log"
        let process = try Child(
            [
                Self.script, "exec", prefix, "h\(host)", AgentBinary.path, "run", "--node-name", "h\(host)", "--bind", "\(address(of: host)):7950",
                "--advertise", address(of: host), "--socket", socket(of: host), "--data-dir", "\(state)/h\(host)-data",
                "--metrics-addr", "off", "--log-format", "text", "--encrypt", key, "--pod-cidr", "10.244.\(host).0/24",
                "--routes", "host-gw",
            ] + extraArguments, log: logPath)
        agents[host] = process
        try waitUntil("h\(host)'s agent answers", limit: 30) { (try? self.agent(host, "members").status) == 0 }
    }

    /// Stops host `host`'s agent as systemd would (SIGTERM), and waits for it to exit.
    func stopAgent(_ host: Int) throws {
        guard let process = agents.removeValue(forKey: host) else { return }
        process.signal(SIGTERM)
        try waitUntil("h\(host)'s agent exits", limit: 20) { !process.isRunning }
    }

    /// Starts agents on every host and joins them all through h1.
    func startCluster() throws {
        for host in 1...hosts { try startAgent(host) }
        for host in 2...max(2, hosts) where host <= hosts {
            let joined = try agent(host, "join", address(of: 1))
            guard joined.status == 0 else { throw LabFailure("h\(host) could not join h1: \(joined.standardError)") }
        }
        try waitUntil("every host sees \(hosts) alive members", limit: 30) {
            (1...self.hosts).allSatisfy { host in
                ((try? self.agent(host, "members").standardOutput) ?? "").components(separatedBy: " alive ").count - 1 == self.hosts
            }
        }
    }

    /// The CLI against host `host`'s agent.
    @discardableResult
    func agent(_ host: Int, _ arguments: String..., input: String? = nil) throws -> (status: Int32, standardOutput: String, standardError: String) {
        let result = try Self.runAllowingFailure(["AGENT_SOCKET=\(socket(of: host))", AgentBinary.path] + arguments, input: input)
        return (result.status, result.output, result.errors)
    }

    func apply(_ manifest: String, on host: Int = 1) throws {
        let result = try agent(host, "apply", "-f", "-", input: manifest)
        guard result.status == 0 else { throw LabFailure("apply failed: \(result.standardError)") }
    }

    // MARK: Pods and traffic

    /// A Pod on `host`, at 10.244.<host>.<index + 1>, answering HTTP and UDP on 8080 with its name.
    @discardableResult
    func startPod(_ name: String, on host: Int, index: Int) throws -> String {
        try Self.run([Self.script, "pod", prefix, "\(host)", name, "\(index)"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Kills with -9 the agent of `host` and every Pod process on it.
    func killHost(_ host: Int) throws {
        agents.removeValue(forKey: host)
        try Self.run([Self.script, "kill-host", prefix, "\(host)"])
    }

    /// `curl` from namespace `PREFIX-name` (h1, client, …): the body, or nil with curl's exit status.
    func curl(from name: String, _ url: String, maxTime: Int = 3) -> (body: String?, exitStatus: Int32) {
        let result = try? Self.runAllowingFailure(
            [Self.script, "exec", prefix, name, "curl", "-sS", "--max-time", "\(maxTime)", url])
        guard let result else { return (nil, -1) }
        return result.status == 0 ? (result.output.trimmingCharacters(in: .whitespacesAndNewlines), 0) : (nil, result.status)
    }

    /// One UDP datagram to `address:port` from namespace `PREFIX-name`; the reply, or nil.
    func udp(from name: String, _ address: String, _ port: Int) -> String? {
        let program = """
            import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
            s.sendto(b"ping", ("\(address)", \(port))); print(s.recvfrom(2048)[0].decode())
            """
        let result = try? Self.runAllowingFailure([Self.script, "exec", prefix, name, "/usr/bin/python3", "-c", program])
        guard let result, result.status == 0 else { return nil }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A command in namespace `PREFIX-name`; its standard output.
    @discardableResult
    func exec(_ name: String, _ arguments: String...) throws -> String {
        try exec(name, arguments: arguments)
    }

    @discardableResult
    func exec(_ name: String, arguments: [String]) throws -> String {
        try Self.run([Self.script, "exec", prefix, name] + arguments)
    }

    // MARK: Waiting

    /// Polls `condition` every 100 ms until it holds; throws, naming `what`, after `limit` seconds.
    func waitUntil(_ what: String, limit: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw LabFailure("\(what): not within \(limit) s. Logs:\n" + (1...hosts).map { "---- h\($0)\n\(log(of: $0).suffix(3000))" }.joined())
    }

    // MARK: Running commands

    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) throws -> String {
        let result = try runAllowingFailure(arguments, input: input)
        guard result.status == 0 else {
            throw LabFailure("\(arguments.joined(separator: " ")) exited \(result.status): \(result.errors)")
        }
        return result.output
    }

    /// Runs a command to its end with posix_spawn and waitpid. Not Foundation's Process:
    /// with agents running under it, it missed the end of a short command now and then and
    /// waited on a zombie forever.
    static func runAllowingFailure(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String, errors: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files, not pipes: a pod server started in the background keeps a pipe open forever.
        let (inPath, outPath, errPath) = (scratch.appendingPathComponent("in").path, scratch.appendingPathComponent("out").path, scratch.appendingPathComponent("err").path)
        try (input ?? "").write(toFile: inPath, atomically: true, encoding: .utf8)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let pid = try spawn(arguments, &actions)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (
            exitStatus, (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        )
    }
}

/// A process of the lab's, started with posix_spawn and reaped with waitpid (see
/// ``Lab/runAllowingFailure(_:input:)`` for why not Foundation's Process).
final class Child: @unchecked Sendable {
    let pid: pid_t
    private var exitStatus: Int32?

    /// Starts `arguments` (through /usr/bin/env) with standard output and error appended to
    /// `log`, and no standard input.
    init(_ arguments: [String], log: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        pid = try spawn(arguments, &actions)
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = wait()
        }
    }

    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return true }
        exitStatus = status
        return false
    }

    func signal(_ signal: Int32) { if isRunning { kill(pid, signal) } }

    /// Waits for the end; the raw wait status.
    @discardableResult
    func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        exitStatus = status
        return status
    }
}

struct LabFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// System tests need root for network namespaces. Under CI they always run, so that a
/// missing privilege fails loudly instead of skipping.
let systemTestsEnabled = getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil
