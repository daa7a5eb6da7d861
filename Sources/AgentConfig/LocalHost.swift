import ClusterModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the defaults of `nodeName` and `advertise` are read from: the host the agent runs on.
/// Tests pass their own, so both outcomes can be checked on any machine.
public struct LocalHost: Sendable {
    /// An IPv4 address of one of the host's network interfaces.
    public struct InterfaceAddress: Sendable, Equatable {
        public var interface: String
        public var address: IPv4
        public var isUp: Bool
        public var isLoopback: Bool

        public init(interface: String, address: IPv4, isUp: Bool = true, isLoopback: Bool = false) {
            self.interface = interface
            self.address = address
            self.isUp = isUp
            self.isLoopback = isLoopback
        }
    }

    /// The host name, or why it could not be read.
    public var hostName: @Sendable () -> Result<String, HostQueryError>
    /// The IPv4 addresses of the host's interfaces, in the kernel's order.
    public var interfaceAddresses: @Sendable () -> Result<[InterfaceAddress], HostQueryError>

    public init(
        hostName: @escaping @Sendable () -> Result<String, HostQueryError>,
        interfaceAddresses: @escaping @Sendable () -> Result<[InterfaceAddress], HostQueryError>
    ) {
        self.hostName = hostName
        self.interfaceAddresses = interfaceAddresses
    }

    /// This machine, through gethostname(2) and getifaddrs(3).
    public static let system = LocalHost(hostName: systemHostName, interfaceAddresses: systemInterfaceAddresses)

    /// The address to advertise when none is given: the first up, non-loopback IPv4 address.
    func firstRoutableAddress() -> Result<IPv4?, HostQueryError> {
        interfaceAddresses().map { addresses in
            addresses.first { $0.isUp && !$0.isLoopback && !$0.address.isLoopback && !$0.address.isUnspecified }?.address
        }
    }

    @Sendable private static func systemHostName() -> Result<String, HostQueryError> {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return .failure(HostQueryError(call: "gethostname")) }
        buffer[buffer.count - 1] = 0
        return .success(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    @Sendable private static func systemInterfaceAddresses() -> Result<[InterfaceAddress], HostQueryError> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return .failure(HostQueryError(call: "getifaddrs")) }
        defer { freeifaddrs(list) }
        var addresses: [InterfaceAddress] = []
        var entry = list
        while let current = entry {
            entry = current.pointee.ifa_next
            guard let socketAddress = current.pointee.ifa_addr, Int32(socketAddress.pointee.sa_family) == AF_INET else {
                continue
            }
            let value = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
            }
            let flags = current.pointee.ifa_flags
            addresses.append(
                InterfaceAddress(
                    interface: String(cString: current.pointee.ifa_name), address: IPv4(value: value),
                    isUp: flags & UInt32(IFF_UP) != 0, isLoopback: flags & UInt32(IFF_LOOPBACK) != 0))
        }
        return .success(addresses)
    }
}

/// A system call about the host that failed, with the system's message.
public struct HostQueryError: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let reason: String

    public init(call: String, reason: String) {
        self.call = call
        self.reason = reason
    }

    init(call: String) {
        self.init(call: call, reason: String(cString: strerror(errno)))
    }

    public var description: String { "\(call) failed: \(reason)" }
}
