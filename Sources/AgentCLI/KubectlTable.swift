import ControlAPI
import Foundation

/// One kind of object as `agent get` prints it: kubectl's columns, built from the
/// Kubernetes-shaped object alone, so the tables are pure and tested by their text.
protocol ListedObject: Codable, Equatable, Sendable {
    static var resource: ResourceType { get }
    var metadata: Kube.ObjectMeta { get }
    static func header(wide: Bool) -> [String]
    func row(wide: Bool, now: Date) -> [String]
}

extension ListedObject {
    /// What identifies the object within a listing.
    var listingKey: String { "\(metadata.namespace ?? "")/\(metadata.name)" }
}

/// The tables of `agent get` (SPEC §3), with kubectl's columns and cell texts: `<none>` for
/// nothing, `<pending>` for a load balancer not yet registered, AGE as ``HumanDuration``.
enum KubectlTable {
    static func render<Object: ListedObject>(_ objects: [Object], wide: Bool, now: Date) -> String {
        TextTable.render(header: Object.header(wide: wide), rows: objects.map { $0.row(wide: wide, now: now) })
    }

    /// `80:30433/TCP,443/TCP`: each port, with its NodePort when it has one.
    static func ports(_ service: Kube.Service) -> String {
        let ports = service.spec.ports.map { port in
            port.nodePort.map { "\(port.port):\($0)/\(port.protocol)" } ?? "\(port.port)/\(port.protocol)"
        }
        return ports.isEmpty ? "<none>" : ports.joined(separator: ",")
    }

    /// The load balancer's addresses for a LoadBalancer Service (`<pending>` until the leader
    /// registers one); `<none>` for other types, which have no external IPs here.
    ///
    /// kubectl's `loadBalancerStatusStringer`: each ingress's IP, else its hostname, sorted and
    /// each once; cut to 16 characters with `...` unless `wide`, so a cloud load balancer's
    /// long DNS name shows whole only with `-o wide`.
    static func externalIP(_ service: Kube.Service, wide: Bool) -> String {
        guard service.spec.type == "LoadBalancer" else { return "<none>" }
        let addresses = Set(ingressAddresses(service)).sorted().joined(separator: ",")
        if addresses.isEmpty { return "<pending>" }
        let width = 16
        return wide || addresses.count <= width ? addresses : addresses.prefix(width - 3) + "..."
    }

    /// Each ingress's IP, else its hostname, in the Service's order.
    static func ingressAddresses(_ service: Kube.Service) -> [String] {
        (service.status.loadBalancer.ingress ?? []).compactMap { ingress in
            ingress.ip.flatMap { $0.isEmpty ? nil : $0 } ?? ingress.hostname.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// `10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...`: kubectl's `formatEndpoints`, at most
    /// three addresses, each with every port of its subset.
    static func endpoints(_ endpoints: Kube.Endpoints?) -> String {
        summary(endpoints) { _ in true }
    }

    /// The same, for the ports named `portName` only, as `describe` lists each Service port's.
    static func endpoints(_ endpoints: Kube.Endpoints?, portName: String?) -> String {
        summary(endpoints) { $0.name == portName }
    }

    private static func summary(_ endpoints: Kube.Endpoints?, including included: (Kube.EndpointPort) -> Bool) -> String {
        let limit = 3
        var targets: [String] = []
        var count = 0
        for subset in endpoints?.subsets ?? [] {
            let addresses = subset.addresses ?? []
            let ports = subset.ports ?? []
            // A headless Service without ports has addresses alone.
            var inSubset = ports.isEmpty ? addresses.map(\.ip) : []
            for port in ports where included(port) {
                inSubset += addresses.map { hostPort($0.ip, port.port) }
            }
            count += inSubset.count
            targets += inSubset.prefix(limit - targets.count)
        }
        guard !targets.isEmpty else { return "<none>" }
        let list = targets.joined(separator: ",")
        return count > limit ? "\(list) + \(count - limit) more..." : list
    }

    /// `key=value,key=value` sorted by key, or `<none>`.
    static func labels(_ labels: [String: String]?) -> String {
        guard let labels, !labels.isEmpty else { return "<none>" }
        return labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    private static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension Kube.Service: ListedObject {
    static var resource: ResourceType { .services }

    static func header(wide: Bool) -> [String] {
        ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"] + (wide ? ["SELECTOR"] : [])
    }

    func row(wide: Bool, now: Date) -> [String] {
        [
            metadata.namespace ?? "", metadata.name, spec.type, spec.clusterIP.isEmpty ? "<none>" : spec.clusterIP,
            KubectlTable.externalIP(self, wide: wide), KubectlTable.ports(self), HumanDuration.age(of: metadata.creationTimestamp, now: now),
        ] + (wide ? [KubectlTable.labels(spec.selector)] : [])
    }
}

extension Kube.Pod: ListedObject {
    static var resource: ResourceType { .pods }

    static func header(wide: Bool) -> [String] {
        ["NAMESPACE", "NAME", "READY", "STATUS", "AGE"] + (wide ? ["IP", "NODE"] : [])
    }

    /// READY counts containers as kubectl does; the catalog knows readiness per Pod, so it
    /// is all of them or none.
    func row(wide: Bool, now: Date) -> [String] {
        let containers = spec.containers.count
        return [
            metadata.namespace ?? "", metadata.name, "\(isReady ? containers : 0)/\(containers)", status.phase,
            HumanDuration.age(of: metadata.creationTimestamp, now: now),
        ] + (wide ? [status.podIP ?? "<none>", spec.nodeName] : [])
    }
}

extension Kube.Endpoints: ListedObject {
    static var resource: ResourceType { .endpoints }

    static func header(wide: Bool) -> [String] { ["NAMESPACE", "NAME", "ENDPOINTS", "AGE"] }

    func row(wide: Bool, now: Date) -> [String] {
        [
            metadata.namespace ?? "", metadata.name, KubectlTable.endpoints(self),
            HumanDuration.age(of: metadata.creationTimestamp, now: now),
        ]
    }
}

/// Nodes have no AGE (membership does not record when a node joined) and no ROLES or
/// VERSION; the gossip address is shown instead, as INTERNAL-IP.
extension Kube.Node: ListedObject {
    static var resource: ResourceType { .nodes }

    static func header(wide: Bool) -> [String] { ["NAME", "STATUS", "INTERNAL-IP"] + (wide ? ["LABELS"] : []) }

    /// STATUS in kubectl's words: `Ready`, `NotReady` (failed) or `Unknown` (left).
    func row(wide: Bool, now: Date) -> [String] {
        let status =
            switch readyStatus {
            case "True": "Ready"
            case "False": "NotReady"
            default: "Unknown"
            }
        return [metadata.name, status, internalIP ?? "<none>"] + (wide ? [KubectlTable.labels(metadata.labels)] : [])
    }
}
