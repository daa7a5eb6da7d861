import Foundation
import Synchronization
import Testing

/// A test-owned `NOTIFY_SOCKET`: what systemd would hear from an `agent` started with
/// `NOTIFY_SOCKET=<path>` in its environment (`READY=1`, `STATUS=…`, `WATCHDOG=1`, `STOPPING=1`).
///
/// It binds an `AF_UNIX` datagram socket in a fresh temporary directory, writable by any
/// user so an agent run as another user can still reach it; `close()` (or deinit) closes
/// it and removes the directory.
final class NotifySocket: Sendable {
    /// The value for `NOTIFY_SOCKET`.
    let path: String
    private let directory: String
    private let state: Mutex<State>

    private struct State {
        var descriptor: Int32
        var history: [String] = []
    }

    init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-notify-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let path = directory + "/notify.sock"
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            closeDescriptor(descriptor)
            throw POSIXError(.ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o666) == 0 else {
            let code = errno
            closeDescriptor(descriptor)
            try? FileManager.default.removeItem(atPath: directory)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.path = path
        self.directory = directory
        self.state = Mutex(State(descriptor: descriptor))
    }

    deinit {
        close()
    }

    /// The next message (one datagram, e.g. `READY=1\nSTATUS=3 members`), waiting up to
    /// `timeout`; nil if none came or the socket is closed.
    func receive(timeout: Duration = .seconds(10)) -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let message = state.withLock({ Self.take(from: &$0) }) { return message }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            // Wait outside the lock so `messages` and `close` are never held up.
            let descriptor = state.withLock { $0.descriptor }
            guard descriptor >= 0 else { return nil }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            // Short polls, so a `close()` from another thread is noticed soon.
            _ = poll(&poller, 1, min(left, .milliseconds(100)).roundedUpMilliseconds)
        }
    }

    /// Every message received so far, oldest first, including any still queued.
    var messages: [String] {
        state.withLock { state in
            while Self.take(from: &state) != nil {}
            return state.history
        }
    }

    /// Waits up to `timeout` until some message contains the line `line` (e.g. `READY=1`).
    func waitForLine(_ line: String, timeout: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        if messages.contains(where: { $0.split(separator: "\n").contains(Substring(line)) }) { return true }
        while let message = receive(timeout: deadline - ContinuousClock.now) {
            if message.split(separator: "\n").contains(Substring(line)) { return true }
        }
        return false
    }

    func close() {
        state.withLock { state in
            guard state.descriptor >= 0 else { return }
            closeDescriptor(state.descriptor)
            state.descriptor = -1
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Reads one queued datagram without waiting, and records it.
    private static func take(from state: inout State) -> String? {
        guard state.descriptor >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(state.descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        guard count >= 0 else { return nil }
        let message = String(decoding: buffer[..<count], as: UTF8.self)
        state.history.append(message)
        return message
    }
}

/// `close(2)`, named apart from `NotifySocket.close()` which would otherwise shadow it.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}

extension Duration {
    fileprivate var roundedUpMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        return Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}

@Suite struct NotifySocketHarnessTests {
    @Test func aNotifySocketReceivesWhatAProcessSendsAndKeepsTheHistory() throws {
        let socket = try NotifySocket()
        // systemd-notify is the reference sender; `--no-block` skips its barrier, which waits
        // for an answer that only systemd (not this socket) gives.
        let notify = Process()
        notify.executableURL = URL(fileURLWithPath: "/bin/systemd-notify")
        notify.arguments = ["--no-block", "--ready", "--status=harness up"]
        notify.environment = ["NOTIFY_SOCKET": socket.path]
        try notify.run()
        notify.waitUntilExit()
        #expect(notify.terminationStatus == 0)
        #expect(socket.waitForLine("READY=1"))
        #expect(socket.messages == ["READY=1\nSTATUS=harness up"])

        let path = socket.path
        socket.close()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(socket.receive(timeout: .zero) == nil)
    }
}
