import ClusterModel
import Foundation
import Membership
import Sealing
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// Datagrams a test crafts by hand, sealed (or not) as an attacker or a stranger would.
enum Datagrams {
    /// A genuine, harmless datagram (a nack nobody asked for) from a sender named `ghost`.
    static func sealedNack(key: String, sender: Sealer) throws -> [UInt8] {
        let keyring = Keyring(primary: try ClusterKey(base64: key))
        let payload = SWIM.Message.nack(SWIM.Nack(sequence: 1)).payload
        return sender.seal(payload, keyring: keyring, now: now())
    }

    /// Authenticated with the key, but what is inside is not a compound packet.
    static func sealedGarbage(key: String, sender: Sealer) throws -> [UInt8] {
        let keyring = Keyring(primary: try ClusterKey(base64: key))
        return sender.seal([0x06, 0xFF, 0xFF, 1, 2, 3], keyring: keyring, now: now())
    }

    static func now() -> Timestamp {
        Timestamp(nanosecondsSinceEpoch: UInt64(Date().timeIntervalSince1970 * 1e9))
    }
}

/// A UDP socket that sends to one loopback address.
final class UDPSender: @unchecked Sendable {  // one file descriptor, written with sendto(2), which is thread-safe
    private let fd: Int32
    private var address = sockaddr_in()

    init(host: String, port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: errno \(errno)") }
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw HarnessError("not an IPv4 address: \(host)") }
    }

    deinit { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}
