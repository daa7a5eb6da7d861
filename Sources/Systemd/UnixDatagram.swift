#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An `AF_UNIX` address as systemd spells it: a file-system path, or `@name` for a name in
/// Linux's abstract namespace (the form `NOTIFY_SOCKET` takes when systemd runs in a container).
struct UnixSocketAddress: Sendable, Equatable {
    /// The bytes of `sun_path`, including the leading NUL of an abstract name but no trailing NUL.
    let pathBytes: [UInt8]

    /// Nil when the text is empty or longer than `sun_path` can hold.
    init?(_ text: String) {
        var bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        // A path needs room for its terminating NUL; an abstract name is counted by length.
        guard bytes.count > (bytes.first == 0 ? 1 : 0), bytes.count < capacity else { return nil }
        self.pathBytes = bytes
    }

    /// Calls `body` with a filled `sockaddr_un` and the length the kernel should read of it.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        // Abstract names are exactly their bytes; paths include the terminating NUL.
        let length = pathOffset + pathBytes.count + (pathBytes.first == 0 ? 0 : 1)
        return try withUnsafePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(length)) }
        }
    }
}

/// The `errno` of a failed system call, with the call's name, as users read it in a log line.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public var description: String {
        "\(call): \(String(cString: strerror(errno)))"
    }
}

/// A connectionless `AF_UNIX` datagram socket that sends whole messages to one address.
///
/// Both the notify protocol and journald's native protocol are one datagram per message:
/// a datagram arrives whole or not at all, so concurrent senders never interleave.
final class UnixDatagramSender: Sendable {
    let address: UnixSocketAddress
    private let descriptor: Int32

    /// - Parameter sendTimeout: how long one send may wait for room in the receiver's queue
    ///   before it fails with `EAGAIN`; nil waits as long as the kernel does.
    init(address: UnixSocketAddress, sendTimeout: Duration? = nil) throws(SystemCallError) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SystemCallError(call: "socket", errno: errno) }
        if let sendTimeout {
            let (seconds, attoseconds) = sendTimeout.components
            var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        }
        self.address = address
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Sends `bytes` as one datagram; `EINTR` is retried, every other failure is thrown.
    func send(_ bytes: [UInt8]) throws(SystemCallError) {
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            address.withSockAddr { sockAddr, length in
                while sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), sockAddr, length) < 0 {
                    if errno != EINTR { return errno }
                }
                return nil
            }
        }
        if let failure { throw SystemCallError(call: "sendto \(address)", errno: failure) }
    }
}

extension UnixSocketAddress: CustomStringConvertible {
    var description: String {
        pathBytes.first == 0
            ? "@" + String(decoding: pathBytes.dropFirst(), as: UTF8.self)
            : String(decoding: pathBytes, as: UTF8.self)
    }
}
