import Catalog
import ClusterModel

/// UDP conntrack entries that would keep sending to a Pod that is gone.
///
/// UDP has no connection to close: while a client keeps sending, its conntrack entry keeps
/// the old DNAT, so a Service's traffic goes on to an endpoint that left (kube-proxy's
/// "UDP black hole"). When a UDP endpoint goes away, its entries are deleted; when a UDP
/// Service gets its first endpoint, entries made while it had none are deleted too.
public struct FlowDeletion: Hashable, Sendable, CustomStringConvertible {
    /// `conntrack -D` arguments.
    public var arguments: [String]

    public var description: String { "conntrack -D " + arguments.joined(separator: " ") }

    /// What to delete after the rules went from `old` to `new`.
    public static func between(_ old: DataPlaneInput, _ new: DataPlaneInput) -> [FlowDeletion] {
        let before = Dictionary(old.services.map { ($0.service.key, $0) }, uniquingKeysWith: { first, _ in first })
        var deletions: Set<FlowDeletion> = []
        for planned in new.services {
            guard let clusterIP = planned.service.allocation.clusterIP else { continue }
            let previous = before[planned.service.key]
            for (index, port) in planned.service.service.spec.ports.enumerated() where port.protocol == .udp {
                let now = Set(planned.endpoints.filter { $0.servicePort == port }.map(\.address))
                let then = Set(previous?.endpoints.filter { $0.servicePort.port == port.port && $0.servicePort.protocol == .udp }.map(\.address) ?? [])
                let nodePort = planned.service.allocation.nodePorts[index]
                for gone in then.subtracting(now).sorted() {
                    deletions.insert(FlowDeletion(arguments: ["-p", "udp", "--orig-dst", "\(clusterIP)", "--orig-port-dst", "\(port.port)", "--dst-nat", "\(gone)"]))
                    if let nodePort {
                        deletions.insert(FlowDeletion(arguments: ["-p", "udp", "--orig-port-dst", "\(nodePort)", "--dst-nat", "\(gone)"]))
                    }
                }
                if then.isEmpty, !now.isEmpty {
                    deletions.insert(FlowDeletion(arguments: ["-p", "udp", "--orig-dst", "\(clusterIP)", "--orig-port-dst", "\(port.port)"]))
                }
            }
        }
        // Services gone altogether: their endpoints' entries go with them.
        let current = Set(new.services.map(\.service.key))
        for (key, planned) in before where !current.contains(key) {
            guard let clusterIP = planned.service.allocation.clusterIP else { continue }
            for port in planned.service.service.spec.ports where port.protocol == .udp {
                for address in Set(planned.endpoints.filter { $0.servicePort == port }.map(\.address)).sorted() {
                    deletions.insert(FlowDeletion(arguments: ["-p", "udp", "--orig-dst", "\(clusterIP)", "--orig-port-dst", "\(port.port)", "--dst-nat", "\(address)"]))
                }
            }
        }
        return deletions.sorted { $0.description < $1.description }
    }
}
