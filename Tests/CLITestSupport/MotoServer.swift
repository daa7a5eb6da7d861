import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

#if canImport(Glibc)
import Glibc
#endif

/// moto's server (every AWS service it mocks on one port) on 127.0.0.1, for tests of the
/// `aws-elbv2` provider. It can be stopped for a while and brought back on the same port, as
/// an endpoint that goes away and returns.
///
/// moto keeps everything in memory, so a restart forgets what was made. Its identifiers are
/// drawn from a generator seeded at every start, so what a test creates again in the same
/// order after a restart gets the same IDs (a VPC, subnets the settings name).
///
/// Started with posix_spawn, not Foundation's Process, which hangs under the Swift test
/// runner here; stopped with SIGTERM, then SIGKILL, by process ID, on every path (`deinit`
/// included), so no server outlives its test.
public final class MotoServer: Sendable {
    public let port: Int
    /// moto's output, for the message when it does not come up.
    public let logPath: String
    private let executable: String
    private let seed: Int
    private let pid = Mutex<pid_t?>(nil)

    /// `http://127.0.0.1:<port>/`, for both ELBv2 and EC2.
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// How to get moto_server, for the failure under CI and the reason for skipping outside.
    public static let installHint =
        "moto_server not found (set MOTO_SERVER, or install it in the package: python3 -m venv .venv && .venv/bin/pip install 'moto[server]')"

    /// `MOTO_SERVER`, else `<package root>/.venv/bin/moto_server`, else `moto_server` on PATH.
    public static let executablePath: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["MOTO_SERVER"], !configured.isEmpty {
            return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates =
            [packageRoot.appendingPathComponent(".venv/bin/moto_server").path]
            + (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/moto_server" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    public static var isAvailable: Bool { executablePath != nil }

    /// Starts moto on a free port and waits until it answers.
    ///
    /// - Throws: ``Failure`` with ``installHint`` when there is no moto_server, or with the
    ///   end of its log when it does not come up.
    public init(seed: Int = 1) async throws {
        guard let executable = Self.executablePath else { throw Failure(Self.installHint) }
        self.executable = executable
        self.seed = seed
        self.port = try Self.freePort()
        self.logPath = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port)-\(UUID().uuidString).log").path
        try await start()
    }

    deinit { stop() }

    /// Brings moto back on the same port after ``stop()``. What it held before is gone:
    /// moto keeps everything in memory.
    public func restart() async throws {
        stop()
        try await start()
    }

    /// Freezes moto (SIGSTOP), keeping all it holds: calls then go unanswered until
    /// ``resume()``, as when an endpoint hangs.
    public func pause() {
        pid.withLock { pid in if let running = pid { kill(running, SIGSTOP) } }
    }

    /// Lets a paused moto go on (SIGCONT); it answers what waited meanwhile.
    public func resume() {
        pid.withLock { pid in if let running = pid { kill(running, SIGCONT) } }
    }

    /// SIGTERM, and SIGKILL if it has not ended within 5 s. Does nothing when stopped.
    public func stop() {
        pid.withLock { pid in
            guard let running = pid else { return }
            pid = nil
            kill(running, SIGCONT)
            kill(running, SIGTERM)
            var status: Int32 = 0
            for _ in 0..<50 {
                if waitpid(running, &status, WNOHANG) == running { return }
                usleep(100_000)
            }
            kill(running, SIGKILL)
            while waitpid(running, &status, 0) == -1 && errno == EINTR {}
        }
    }

    private func start() async throws {
        let started = try Self.spawn([executable, "-H", "127.0.0.1", "-p", "\(port)"], log: logPath)
        pid.withLock { $0 = started }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.answers(port: port) { return try await seedIdentifiers() }
            var status: Int32 = 0
            if waitpid(started, &status, WNOHANG) == started {
                pid.withLock { $0 = nil }
                throw Failure("moto_server exited (status \(status)) before answering on port \(port): \(logTail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw Failure("moto_server did not answer on port \(port) within 30 s: \(logTail())")
    }

    /// moto's `/moto-api/seed`: the same seed, the same sequence of IDs.
    private func seedIdentifiers() async throws {
        var request = URLRequest(
            url: endpoint.appendingPathComponent("moto-api/seed").appending(queryItems: [.init(name: "a", value: "\(seed)")]))
        request.httpMethod = "POST"
        let (_, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw Failure("moto refused the seed: \(response)") }
    }

    private func logTail() -> String {
        String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(2_000))
    }

    /// Whether something accepts a TCP connection on 127.0.0.1:`port`.
    private static func answers(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A port the kernel had free a moment ago.
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure("socket: errno \(errno)") }
        defer { close(socket) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure("bind: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
        return address
    }

    /// moto with its output and errors appended to `log`.
    private static func spawn(_ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        return try CLITestSupport.spawn(arguments, &actions)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
