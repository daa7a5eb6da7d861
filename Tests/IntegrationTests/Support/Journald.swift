import Foundation
import Synchronization
import Testing

/// A real journald for integration tests, so they can check what `agent` wrote to the journal
/// (`SYSLOG_IDENTIFIER=agent`, `AGENT_NODE`, metadata fields) with the same `journalctl` users run.
///
/// How to run journald without systemd as PID 1 (found on Debian 12, systemd 252, as root):
/// 1. `/etc/machine-id` must hold an ID; `systemd-machine-id-setup` writes one if it is missing.
/// 2. Start `/lib/systemd/systemd-journald` with no arguments and a bare environment (no
///    inherited `NOTIFY_SOCKET` or `LISTEN_FDS`). Without socket activation it binds its own
///    sockets in `/run/systemd/journal/` (`socket` for the native protocol, `stdout` for
///    `systemd-cat` and services' output, `dev-log` for syslog), and with no `/var/log/journal`
///    (`Storage=auto`) writes `/run/log/journal/<machine-id>/system.journal`.
/// 3. It is ready once `socket` and `stdout` exist (no `READY=1` to wait for: nobody listens).
/// 4. Read it with `journalctl --directory=/run/log/journal/<machine-id> -o json SYSLOG_IDENTIFIER=…`.
///    journald writes an entry into the file as soon as it reads it, but reads asynchronously,
///    so readers poll (`waitForEntries`).
/// 5. Stop it with SIGTERM, then remove `/run/systemd/journal` and the journal directory if
///    this helper created it.
///
/// If a journald is already running (a host booted with systemd), the helper uses it, says so,
/// and never stops it; `journalctl` then reads the host's journal without `--directory`.
/// Entries older than `start()` are never returned, so leftovers of earlier runs do not count.
///
/// Use `Journald.withRunning { … }`: concurrent tests share one journald, and it is stopped
/// and cleaned up when the last of them finishes, also when one fails. (A test process that
/// crashes leaves it running; the next run finds it and uses it.)
final class Journald: Sendable {
    static let binary = "/lib/systemd/systemd-journald"
    static let runtimeDirectory = "/run/systemd/journal"
    /// Where `agent --log-format journald` writes: journald's native-protocol socket.
    static let socketPath = runtimeDirectory + "/socket"

    enum Origin: Sendable, Equatable {
        /// Started by this helper; `stop()` ends it.
        case started(pid: Int32)
        /// Found running (not ours); `stop()` leaves it alone.
        case alreadyRunning(pid: Int32)
    }

    let origin: Origin
    /// The directory `journalctl --directory` reads; nil to read the host's journal.
    let journalDirectory: String?
    /// Wall-clock microseconds at start; earlier entries are ignored.
    let startedAt: UInt64
    private let running: Mutex<Process?>
    private let pathsToRemove: [String]
    private let logFile: String?

    /// Whether a test may start journald here: as root, or under CI, where a failure to
    /// start must fail the test rather than skip it.
    static var mayStart: Bool {
        geteuid() == 0 || ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } == true
    }

    /// Starts a journald, or attaches to the one already running.
    static func start(timeout: Duration = .seconds(10)) throws -> Journald {
        let startedAt = wallClockMicroseconds()
        if let pid = runningJournaldPID() {
            print("Journald: a journald is already running (pid \(pid)); using it and leaving it running")
            return Journald(
                origin: .alreadyRunning(pid: pid), journalDirectory: nil, startedAt: startedAt,
                process: nil, pathsToRemove: [], logFile: nil)
        }
        guard geteuid() == 0 else { throw JournaldUnavailable.notRoot }
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw JournaldUnavailable.binaryMissing(binary) }
        let machineID = try ensureMachineID()
        let journalDirectory = "/run/log/journal/\(machineID)"
        var pathsToRemove = [runtimeDirectory]  // journald's own; nothing else uses it while none runs
        for path in ["/run/log/journal", journalDirectory] where !FileManager.default.fileExists(atPath: path) {
            pathsToRemove.append(path)
        }
        // Sockets left by a journald that died must not pass for a ready one.
        try? FileManager.default.removeItem(atPath: runtimeDirectory)

        let logFile = FileManager.default.temporaryDirectory.appendingPathComponent("journald-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        process.standardInput = FileHandle.nullDevice
        let log = FileHandle(forWritingAtPath: logFile)
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: logFile)
            throw JournaldUnavailable.didNotStart("\(binary): \(error)")
        }
        let journald = Journald(
            origin: .started(pid: process.processIdentifier), journalDirectory: journalDirectory,
            startedAt: startedAt, process: process, pathsToRemove: pathsToRemove.reversed(), logFile: logFile)
        // From here on, any failure stops it and removes what it made (deinit → stop()).
        let deadline = ContinuousClock.now + timeout
        while !(FileManager.default.fileExists(atPath: socketPath) && FileManager.default.fileExists(atPath: runtimeDirectory + "/stdout"))
        {
            guard process.isRunning else {
                throw JournaldUnavailable.didNotStart("it exited with status \(process.terminationStatus): \(journald.output)")
            }
            guard ContinuousClock.now < deadline else {
                throw JournaldUnavailable.didNotStart("\(socketPath) did not appear within \(timeout): \(journald.output)")
            }
            usleep(20_000)
        }
        return journald
    }

    private init(
        origin: Origin, journalDirectory: String?, startedAt: UInt64, process: Process?, pathsToRemove: [String],
        logFile: String?
    ) {
        self.origin = origin
        self.journalDirectory = journalDirectory
        self.startedAt = startedAt
        self.running = Mutex(process)
        self.pathsToRemove = pathsToRemove
        self.logFile = logFile
    }

    deinit {
        stop()
    }

    /// Ends the journald this helper started and removes its sockets and journal files;
    /// does nothing for one that was already running. Safe to call more than once.
    func stop() {
        guard
            let process = running.withLock({ process -> Process? in
                defer { process = nil }; return process
            })
        else { return }
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        for path in pathsToRemove { try? FileManager.default.removeItem(atPath: path) }
        if let logFile { try? FileManager.default.removeItem(atPath: logFile) }
    }

    /// The entries with `SYSLOG_IDENTIFIER=identifier` since `start()`, oldest first, each as
    /// `journalctl -o json` prints it (a field sent several times keeps its last value).
    func entries(identifier: String) throws -> [[String: String]] {
        // --all: without it journalctl prints null for values over 4 KiB.
        var arguments = ["--no-pager", "--all", "-o", "json", "SYSLOG_IDENTIFIER=\(identifier)"]
        if let journalDirectory { arguments.insert("--directory=\(journalDirectory)", at: 0) }
        let journalctl = Process()
        journalctl.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        journalctl.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        journalctl.standardOutput = output
        journalctl.standardError = errors
        journalctl.standardInput = FileHandle.nullDevice
        try journalctl.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        journalctl.waitUntilExit()
        guard journalctl.terminationStatus == 0 else {
            throw JournaldUnavailable.unreadable(
                "journalctl \(arguments.joined(separator: " ")) exited \(journalctl.terminationStatus): \(errorText)")
        }
        return try data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return nil }
            let entry = object.compactMapValues(Self.text(ofJournalValue:))
            guard let time = entry["__REALTIME_TIMESTAMP"].flatMap(UInt64.init), time >= startedAt else { return nil }
            return entry
        }
    }

    /// Polls `entries(identifier:)` until `done` accepts them, for up to `timeout`, and returns
    /// the last ones read either way, so the test's own expectations report what was there.
    func waitForEntries(
        identifier: String, timeout: Duration = .seconds(10),
        until done: ([[String: String]]) -> Bool = { !$0.isEmpty }
    ) throws -> [[String: String]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let entries = try entries(identifier: identifier)
            if done(entries) || ContinuousClock.now >= deadline { return entries }
            usleep(50_000)
        }
    }

    /// What journald printed, for error messages.
    var output: String {
        logFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    }

    // MARK: One journald shared by concurrent tests

    private static let lease = Mutex<(journald: Journald?, users: Int)>((nil, 0))

    /// Runs `body` with a journald running, started for the first concurrent user and
    /// stopped after the last, whether `body` returns or throws.
    static func withRunning<R>(_ body: (Journald) async throws -> R) async throws -> R {
        let journald = try lease.withLock { lease in
            if lease.journald == nil { lease.journald = try start() }
            lease.users += 1
            return lease.journald!
        }
        defer {
            let last = lease.withLock { lease -> Journald? in
                lease.users -= 1
                guard lease.users == 0 else { return nil }
                defer { lease.journald = nil }
                return lease.journald
            }
            last?.stop()
        }
        return try await body(journald)
    }

    // MARK: Helpers

    private static func wallClockMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }

    /// The PID of a running `systemd-journald` (its `comm` is cut to 15 characters), if any.
    private static func runningJournaldPID() -> Int32? {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.first { pid in
            (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) == "systemd-journal"
        }
    }

    /// The machine ID, written by `systemd-machine-id-setup` only if `/etc/machine-id` has none.
    private static func ensureMachineID() throws -> String {
        func read() -> String {
            ((try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if !read().isEmpty { return read() }
        let setup = Process()
        setup.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-machine-id-setup")
        try setup.run()
        setup.waitUntilExit()
        let id = read()
        guard setup.terminationStatus == 0, !id.isEmpty else {
            throw JournaldUnavailable.didNotStart("/etc/machine-id is missing and systemd-machine-id-setup could not write it")
        }
        return id
    }

    /// A `journalctl -o json` value as text: strings as they are, byte arrays (non-printable
    /// values) decoded as UTF-8, and for a field sent several times, its last value.
    private static func text(ofJournalValue value: Any) -> String? {
        switch value {
        case let text as String:
            return text
        case let bytes as [Int]:
            return String(decoding: bytes.map { UInt8(truncatingIfNeeded: $0) }, as: UTF8.self)
        case let values as [Any]:
            return values.last.flatMap(text(ofJournalValue:))
        default:
            return nil
        }
    }
}

enum JournaldUnavailable: Error, CustomStringConvertible {
    case notRoot
    case binaryMissing(String)
    case didNotStart(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .notRoot: "starting journald needs root (no journald is running to use instead)"
        case .binaryMissing(let path): "\(path) is missing: install the Debian package systemd (apt-get install -y systemd)"
        case .didNotStart(let reason): "journald did not start: \(reason)"
        case .unreadable(let reason): "the journal could not be read: \(reason)"
        }
    }
}

@Suite(.serialized) struct JournaldHarnessTests {
    @Test(.enabled(if: Journald.mayStart, "starting journald needs root; under CI=true this test runs and fails instead"))
    func entriesSentToTheTestJournaldAreReadBackByIdentifier() async throws {
        try await Journald.withRunning { journald in
            let identifier = "agent-harness-\(UUID().uuidString.prefix(8))"

            let cat = try Self.run("/usr/bin/systemd-cat", ["-t", identifier, "echo", "hi"])
            #expect(cat == 0)
            // logger --journald sends the native protocol, as `agent --log-format journald` does.
            let logger = try Self.run(
                "/usr/bin/logger", ["--journald"],
                input: "SYSLOG_IDENTIFIER=\(identifier)\nMESSAGE=peer is suspect\nPRIORITY=4\nPEER=n2\n")
            #expect(logger == 0)

            let entries = try journald.waitForEntries(identifier: identifier) { $0.count >= 2 }
            #expect(entries.map { $0["MESSAGE"] } == ["hi", "peer is suspect"])
            #expect(entries.map { $0["_TRANSPORT"] } == ["stdout", "journal"])
            #expect(entries.last?["PEER"] == "n2")
            #expect(entries.last?["PRIORITY"] == "4")
            #expect(try journald.entries(identifier: identifier + "-nobody").isEmpty)
        }
    }

    @Test(.enabled(if: Journald.mayStart, "starting journald needs root; under CI=true this test runs and fails instead"))
    func stoppingRemovesTheJournaldItStartedAndLeavesOneItFoundRunning() throws {
        let journald = try Journald.start()
        journald.stop()
        switch journald.origin {
        case .started(let pid):
            #expect(kill(pid, 0) == -1 && errno == ESRCH)
            #expect(!FileManager.default.fileExists(atPath: Journald.socketPath))
        case .alreadyRunning(let pid):
            #expect(kill(pid, 0) == 0)
            #expect(FileManager.default.fileExists(atPath: Journald.socketPath))
        }
    }

    private static func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
