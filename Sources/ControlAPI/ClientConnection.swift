#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking HTTP/1.1 exchange over a Unix socket: write the request, then read the
/// response head and body from a buffer. Closed when it goes out of scope.
struct ClientConnection: ~Copyable {
    struct Head {
        var status: Int
        /// Lower-cased names.
        var headers: [String: String]
    }

    private let fd: Int32
    private let socketPath: String
    private let timeout: Duration
    private var buffer: [UInt8] = []
    private var start = 0

    private static let maxHeadBytes = 64 << 10

    init(socketPath: String, timeout: Duration) throws(ControlClientError) {
        switch UnixSocket.connect(to: socketPath) {
        case .success(let fd): self.fd = fd
        case .failure(let failure): throw .unreachable(socket: socketPath, errno: failure.code)
        }
        self.socketPath = socketPath
        self.timeout = timeout
        setTimeout(timeout)
    }

    deinit {
        close(fd)
    }

    /// `timeout` applies to each send and each wait for a byte; nil waits forever
    /// (a watch may be quiet for hours).
    func setTimeout(_ timeout: Duration?) {
        var value = timeval()
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            value.tv_sec = Int(seconds)
            value.tv_usec = Int(attoseconds / 1_000_000_000_000)
            if value.tv_sec == 0 && value.tv_usec == 0 { value.tv_usec = 1 }
        }
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    func send(method: String, target: String, body: [UInt8]?, contentType: String) throws(ControlClientError) {
        var request = "\(method) \(target) HTTP/1.1\r\nHost: agent\r\nConnection: close\r\nUser-Agent: agent-cli\r\n"
        if body != nil { request += "Content-Type: \(contentType)\r\n" }
        request += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
        try write(Array(request.utf8) + (body ?? []))
    }

    private func write(_ bytes: [UInt8]) throws(ControlClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in
                // MSG_NOSIGNAL: a server that went away must not kill the CLI with SIGPIPE.
                systemSend(fd, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            offset += written
        }
    }

    // MARK: Reading

    mutating func readHead() throws(ControlClientError) -> Head {
        let statusLine = try readLine(limit: Self.maxHeadBytes)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .protocolError(
                "the agent at \(socketPath) did not answer with HTTP (got \(String(statusLine.prefix(80)).debugDescription))")
        }
        var headers: [String: String] = [:]
        var headBytes = statusLine.utf8.count
        while true {
            let line = try readLine(limit: Self.maxHeadBytes)
            if line.isEmpty { break }
            headBytes += line.utf8.count
            guard headBytes < Self.maxHeadBytes else { throw .protocolError("the agent's response headers are too large") }
            guard let colon = line.firstIndex(of: ":") else {
                throw .protocolError("the agent sent a malformed header line \(line.debugDescription)")
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return Head(status: status, headers: headers)
    }

    /// Delivers the body piece by piece as it arrives (chunked, by length, or until the
    /// agent closes); stops early when `onPiece` returns false.
    mutating func readBody(of head: Head, _ onPiece: (ArraySlice<UInt8>) -> Bool) throws(ControlClientError) {
        if head.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readLine(limit: 1024)
                let digits = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
                guard let size = Int(digits, radix: 16), size >= 0 else {
                    throw .protocolError("the agent sent a malformed chunk size \(sizeLine.debugDescription)")
                }
                if size == 0 {
                    while try !readLine(limit: Self.maxHeadBytes).isEmpty {}  // trailers
                    return
                }
                guard try readExactly(size, onPiece) else { return }
                guard try readLine(limit: 2).isEmpty else {
                    throw .protocolError("the agent sent a chunk longer than its declared size")
                }
            }
        } else if let declared = head.headers["content-length"] {
            guard let length = Int(declared.trimmingSpaces()), length >= 0 else {
                throw .protocolError("the agent sent a malformed Content-Length \(declared.debugDescription)")
            }
            _ = try readExactly(length, onPiece)
        } else {
            while true {
                if start == buffer.count, try !fill() { return }
                let piece = buffer[start...]
                start = buffer.count
                guard onPiece(piece) else { return }
            }
        }
    }

    /// Returns false when `onPiece` asked to stop.
    private mutating func readExactly(_ count: Int, _ onPiece: (ArraySlice<UInt8>) -> Bool) throws(ControlClientError) -> Bool {
        var remaining = count
        while remaining > 0 {
            if start == buffer.count, try !fill() {
                throw .protocolError("the agent closed the connection in the middle of its answer")
            }
            let take = min(remaining, buffer.count - start)
            let piece = buffer[start..<start + take]
            start += take
            remaining -= take
            guard onPiece(piece) else { return false }
        }
        return true
    }

    /// One line without its CRLF (a bare LF is accepted too).
    private mutating func readLine(limit: Int) throws(ControlClientError) -> String {
        // Counted from `start`, because `fill()` may move the unread bytes to the front.
        var scanned = 0
        while true {
            if let newline = buffer[(start + scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            guard buffer.count - start <= limit else {
                throw .protocolError("the agent sent a line longer than \(limit) bytes where a header was expected")
            }
            scanned = buffer.count - start
            guard try fill() else {
                throw .protocolError("the agent closed the connection before answering")
            }
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private mutating func fill() throws(ControlClientError) -> Bool {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 << 10 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            throw failure(errno)
        }
    }

    private func failure(_ code: Int32) -> ControlClientError {
        if code == EAGAIN || code == EWOULDBLOCK { return .timedOut(socket: socketPath, after: timeout) }
        if code == EPIPE || code == ECONNRESET {
            return .protocolError("the agent at \(socketPath) closed the connection before answering")
        }
        return .protocolError("talking to the agent at \(socketPath) failed: \(UnixSocketFile.describe(errno: code))")
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}

#if canImport(Glibc)
private let systemSend = Glibc.send
#elseif canImport(Darwin)
private let systemSend = Darwin.send
#endif
