import ControlAPI
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp (short, so socket paths fit in sockaddr_un), removed after.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/agent-control-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: \(errno)") }
    let directory = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try await body(directory)
}

/// Runs `server` for the duration of `body`, which receives where it listens.
func withRunningServer<T: Sendable>(
    _ server: ControlServer,
    _ body: (ControlEndpoint) async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let endpoint = try await server.listeningEndpoint()
        let result = try await body(endpoint)
        group.cancelAll()
        try await group.waitForAll()
        return result
    }
}

/// Runs blocking work (the synchronous client, curl, raw sockets) on its own thread, so it
/// never occupies one of the few threads the server's async handlers need.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}

/// Fails with `TestFailure` if `body` has not finished after `seconds`; a guard against
/// hanging, never an assertion about speed.
func withGuard<T: Sendable>(seconds: Int = 60, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TestFailure("gave up after \(seconds) seconds")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `curl -sS [arguments]`; returns what curl printed, failing if curl does.
func curl(_ arguments: [String]) async throws -> String {
    try await blocking {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", "30"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("curl exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A raw blocking connection to `path`, with a 30 s receive timeout as a guard.
func connectRaw(unixSocket path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    var address = unixAddress(path)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard connected == 0 else {
        close(fd)
        throw TestFailure("connect failed: \(errno)")
    }
    var timeout = timeval(tv_sec: 30, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    return fd
}

func sendRaw(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

/// Up to 4 KiB from `fd`; empty at end of stream.
func receiveRaw(_ fd: Int32) -> [UInt8] {
    var chunk = [UInt8](repeating: 0, count: 4096)
    let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    return count > 0 ? Array(chunk[..<count]) : []
}

/// Writes `bytes` on a fresh connection to `path` and returns everything read until the
/// server closes.
func exchangeRaw(unixSocket path: String, _ bytes: [UInt8]) async throws -> [UInt8] {
    try await blocking {
        let fd = try connectRaw(unixSocket: path)
        defer { close(fd) }
        sendRaw(fd, bytes)
        var received: [UInt8] = []
        while case let chunk = receiveRaw(fd), !chunk.isEmpty {
            received += chunk
        }
        return received
    }
}

/// Leaves a socket file at `path` that nothing listens on, as a crashed agent would.
func leaveStaleSocket(at path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var address = unixAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0 else { throw TestFailure("bind failed: \(errno)") }
}

private func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    return address
}

func fileMode(_ path: String) -> mode_t? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return info.st_mode & 0o7777
}

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
}

/// A stand-in agent for client tests: accepts one connection on `path`, reads the request
/// head, then sends `response` a few bytes at a time (so the client must reassemble it)
/// and closes. Returns the request head it received.
func serveCannedResponse(at path: String, _ response: String, bytesPerWrite: Int = 3) throws -> Task<String, any Error> {
    let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw TestFailure("socket failed") }
    var address = unixAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0, listen(listener, 1) == 0 else {
        close(listener)
        throw TestFailure("bind/listen failed: \(errno)")
    }
    let bytes = Array(response.utf8)
    return Task {
        try await blocking {
            defer { close(listener) }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { throw TestFailure("accept failed: \(errno)") }
            defer { close(fd) }
            var request: [UInt8] = []
            while !request.suffix(4).elementsEqual(Array("\r\n\r\n".utf8)) {
                let piece = receiveRaw(fd)
                if piece.isEmpty { break }
                request += piece
            }
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + bytesPerWrite, bytes.count)
                sendRaw(fd, Array(bytes[offset..<end]))
                offset = end
                usleep(200)  // lets each piece leave as its own read on the client
            }
            return String(decoding: request, as: UTF8.self)
        }
    }
}

/// A socket at `path` that accepts connections (the kernel does, from the backlog) but
/// never answers, as a hung agent would; removed after `body`.
func leaveListeningSocketThatNeverAnswers(at path: String, _ body: () async throws -> Void) async throws {
    let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { throw TestFailure("socket failed") }
    defer { close(listener) }
    var address = unixAddress(path)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    guard bound == 0, listen(listener, 4) == 0 else { throw TestFailure("bind/listen failed: \(errno)") }
    try await body()
}
