import Foundation

/// A test-owned `AF_UNIX` datagram socket standing in for systemd's notify socket or
/// journald's native socket: it binds a path in a fresh temporary directory (or an abstract
/// name) and hands back each datagram as it arrived.
final class DatagramInbox {
    /// What to put in `NOTIFY_SOCKET` or pass as a socket path: a path, or `@name`.
    let address: String
    private let descriptor: Int32
    private let directory: URL?

    /// Binds a socket file `socket` in a new temporary directory.
    convenience init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("systemd-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try self.init(address: directory.appendingPathComponent("socket").path, directory: directory)
    }

    /// Binds the socket file `path`, whose directory the caller owns.
    convenience init(path: String) throws {
        try self.init(address: path, directory: nil)
    }

    /// Binds a name in the abstract namespace, given as `@name`.
    convenience init(abstractName: String) throws {
        try self.init(address: "@" + abstractName, directory: nil)
    }

    private init(address: String, directory: URL?) throws {
        self.address = address
        self.directory = directory
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        var bytes = Array(address.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (bytes.first == 0 ? 0 : 1)
        // Room for a 64 KiB journal entry and then some.
        var bufferSize: Int32 = 1 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &bufferSize, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: code)!)
        }
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The next datagram, waiting up to `timeout` for one; nil if none came.
    /// A datagram sent to a local socket is queued before `sendto` returns, so `.zero`
    /// reliably answers "was anything sent?".
    func receive(timeout: Duration = .seconds(5)) -> [UInt8]? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return count < 0 ? nil : Array(buffer[..<count])
    }

    func receiveText(timeout: Duration = .seconds(5)) -> String? {
        receive(timeout: timeout).map { String(decoding: $0, as: UTF8.self) }
    }
}
