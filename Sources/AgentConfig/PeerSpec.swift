import ClusterModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A peer as a user names it: `host` or `host:port`, host an IPv4 address or a host name.
///
/// Kept as written and resolved only when joining, so that a name in the config file follows
/// its DNS records across restarts and a peer that does not resolve yet does not stop `agent run`.
public struct PeerSpec: Hashable, Sendable, CustomStringConvertible {
    public static let defaultPort: UInt16 = 7950
    static let expected = "host or host:port such as 10.0.0.1:7950 (port \(defaultPort) when left out)"

    /// An IPv4 address in dotted decimal, or a host name.
    public let host: String
    public let port: UInt16

    /// Parses `host` or `host:port`.
    public init(parsing text: String) throws(PeerSpecError) {
        let (host, port): (Substring, UInt16)
        do {
            (host, port) = try ValueSyntax.splitHostPort(text, defaultPort: Self.defaultPort) { reason in
                InvalidValue(problem: reason)
            }
        } catch {
            throw PeerSpecError(text: text, reason: error.problem)
        }
        try Self.check(host: host, in: text)
        self.host = String(host)
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// The peer's addresses: the address itself, or what the resolver answers for the name
    /// (IPv4 only; /etc/hosts and DNS as the host is configured).
    public func resolve() throws(PeerResolutionError) -> [PeerAddress] {
        if let address = IPv4(host) { return [PeerAddress(ipv4: address.value, port: port)] }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            let reason = status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
            throw PeerResolutionError(peer: self, reason: reason)
        }
        defer { freeaddrinfo(list) }
        var addresses: [PeerAddress] = []
        var entry = list
        while let current = entry {
            if current.pointee.ai_family == AF_INET, let socketAddress = current.pointee.ai_addr {
                let ipv4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
                }
                let address = PeerAddress(ipv4: ipv4, port: port)
                if !addresses.contains(address) { addresses.append(address) }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw PeerResolutionError(peer: self, reason: "it has no IPv4 address") }
        return addresses
    }

    private static func check(host: Substring, in text: String) throws(PeerSpecError) {
        guard !host.isEmpty else { throw PeerSpecError(text: text, reason: "the host is missing") }
        // All digits and dots: meant as an address, so never handed to the resolver.
        if host.allSatisfy({ $0 == "." || $0.isASCII && $0.isNumber }) {
            guard IPv4(host) != nil else { throw PeerSpecError(text: text, reason: "\"\(host)\" is not an IPv4 address") }
            return
        }
        guard isHostName(host) else {
            throw PeerSpecError(
                text: text,
                reason: "\"\(host)\" is neither an IPv4 address nor a host name (letters, digits and -, in labels joined by .)")
        }
    }

    private static func isHostName(_ host: Substring) -> Bool {
        let name = host.hasSuffix(".") ? host.dropLast() : host
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}

/// A peer that is not written as `host` or `host:port`.
public struct PeerSpecError: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String

    public var description: String {
        "\"\(text)\" is not a valid peer: \(reason) (expected \(PeerSpec.expected))"
    }
}

/// A peer whose name the resolver could not turn into an IPv4 address.
public struct PeerResolutionError: Error, Equatable, CustomStringConvertible {
    public let peer: PeerSpec
    /// The resolver's own message, such as "Name or service not known".
    public let reason: String

    public var description: String { "cannot resolve peer \(peer.host) (\(peer)): \(reason)" }
}
