import Catalog
import ClusterModel
import ControlAPI
import Membership

/// The replicated catalog and the membership as Kubernetes-shaped objects, for
/// `GET /v1/services`, `/v1/pods`, `/v1/endpoints` and `/v1/nodes` and their watches.
///
/// A value computed afresh for each answer, with no I/O: what the catalog holds is what the
/// user sees, and a watch is the difference between two views (``watchEvents(from:to:key:)``).
/// Every list is sorted by namespace, then name.
struct CatalogView {
    let replica: CatalogReplica
    let conflicts: [ObjectKey: [LostValue]]
    let members: [NodeName: SWIM.Member]
    /// When the view was taken. No field depends on it yet; kept so callers need not change
    /// when one does.
    let now: Timestamp

    /// - Parameters:
    ///   - conflicts: for each Service in `Conflict`, the values it lost and who holds them.
    ///   - members: every member this node knows, whatever its status.
    init(replica: CatalogReplica, conflicts: [ObjectKey: [LostValue]], members: [SWIM.Member], now: Timestamp) {
        self.members = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.replica = Self.withNodeAddresses(replica, members: self.members)
        self.conflicts = conflicts
        self.now = now
    }

    func services(namespace: String?, name: String?) -> [Kube.Service] {
        entries(.service, namespace: namespace, name: name).compactMap { entry in
            entry.service.map { service(entry, $0) }
        }
    }

    func pods(namespace: String?, name: String?) -> [Kube.Pod] {
        entries(.pod, namespace: namespace, name: name).compactMap { entry in
            entry.pod.map { pod(entry, $0) }
        }
    }

    /// One per Service, under the Service's name.
    func endpoints(namespace: String?, name: String?) -> [Kube.Endpoints] {
        let index = EndpointIndex(replica, liveNodes: Set(members.values.filter(\.status.isLive).map(\.name)))
        return entries(.service, namespace: namespace, name: name).compactMap { entry in
            guard let allocated = entry.service else { return nil }
            let service = allocated.service
            return Kube.Endpoints(
                metadata: Kube.ObjectMeta(
                    name: service.metadata.name, namespace: service.metadata.namespace, labels: nonEmpty(service.metadata.labels.values),
                    creationTimestamp: Kube.time(millisecondsSinceEpoch: entry.createdAt.timestamp.wallMilliseconds)),
                subsets: Self.subsets(index.endpoints(for: service)))
        }
    }

    func nodes(name: String?) -> [Kube.Node] {
        members.values.filter { name == nil || $0.name.rawValue == name }.sorted { $0.name < $1.name }.map { member in
            let ready: Kube.NodeCondition =
                switch member.status {
                case .alive, .suspect: Kube.NodeCondition(status: "True")
                case .failed: Kube.NodeCondition(status: "False", reason: "NodeFailed")
                case .left: Kube.NodeCondition(status: "Unknown", reason: "NodeLeft")
                }
            return Kube.Node(
                metadata: Kube.ObjectMeta(name: member.name.rawValue, labels: nonEmpty(member.labels)),
                status: Kube.NodeStatus(addresses: [Kube.NodeAddress(address: member.address.ipAddress)], conditions: [ready]))
        }
    }

    /// Live entries of `kind`, sorted by namespace and name (the key's order within a kind).
    private func entries(_ kind: ObjectKey.Kind, namespace: String?, name: String?) -> [CatalogEntry] {
        replica.entries.values.filter { entry in
            entry.key.kind == kind && !entry.isTombstone && (namespace == nil || entry.key.namespace == namespace)
                && (name == nil || entry.key.name == name)
        }.sorted { $0.key < $1.key }
    }

    private func metadata(_ entry: CatalogEntry, _ metadata: ObjectMetadata) -> Kube.ObjectMeta {
        Kube.ObjectMeta(
            name: metadata.name, namespace: metadata.namespace, labels: nonEmpty(metadata.labels.values),
            annotations: nonEmpty(metadata.annotations),
            creationTimestamp: Kube.time(millisecondsSinceEpoch: entry.createdAt.timestamp.wallMilliseconds),
            resourceVersion: entry.version.description)
    }

    private func service(_ entry: CatalogEntry, _ allocated: AllocatedService) -> Kube.Service {
        let spec = allocated.service.spec
        let clusterIP = allocated.allocation.clusterIP?.description ?? "None"
        let ports = zip(spec.ports, allocated.allocation.nodePorts).map { port, nodePort in
            Kube.ServicePort(
                name: port.name, protocol: port.protocol.rawValue, port: port.port, targetPort: Kube.IntOrString(port.targetPort),
                nodePort: nodePort)
        }
        var affinity = "None"
        var affinityConfig: Kube.SessionAffinityConfig?
        if case .clientIP(let timeout) = spec.sessionAffinity {
            affinity = "ClientIP"
            affinityConfig = Kube.SessionAffinityConfig(clientIP: .init(timeoutSeconds: timeout))
        }
        // The Service's last write is when it took the value it now holds in conflict.
        let conflict = conflicts[entry.key].map { lost in
            Kube.Condition(
                type: "Conflict", status: "True", reason: "Conflict", message: lost.map(\.description).joined(separator: "; "),
                lastTransitionTime: Kube.time(millisecondsSinceEpoch: entry.version.timestamp.wallMilliseconds))
        }
        let conditions = [conflict, allocated.loadBalancer.condition.map(Kube.Condition.init)].compactMap { $0 }
        return Kube.Service(
            metadata: metadata(entry, allocated.service.metadata),
            spec: Kube.ServiceSpec(
                type: spec.type.rawValue, selector: nonEmpty(spec.selector.matchLabels.values), ports: ports, clusterIP: clusterIP,
                sessionAffinity: affinity, sessionAffinityConfig: affinityConfig,
                externalTrafficPolicy: spec.type.hasNodePorts ? spec.externalTrafficPolicy.rawValue : nil,
                healthCheckNodePort: spec.healthCheckNodePort,
                loadBalancerSourceRanges: spec.loadBalancerSourceRanges.isEmpty ? nil : spec.loadBalancerSourceRanges.map(\.description)),
            // The leader fills in the load balancer's address; until then kubectl shows <pending>.
            status: Kube.ServiceStatus(
                loadBalancer: Kube.LoadBalancerStatus(allocated.loadBalancer), conditions: conditions.isEmpty ? nil : conditions))
    }

    private func pod(_ entry: CatalogEntry, _ pod: Pod) -> Kube.Pod {
        let nodeName = pod.spec.nodeName ?? entry.createdAt.writer
        let node = members[nodeName]
        let nodeIsLive = node?.status.isLive ?? false
        let containers = pod.spec.containers.map { container in
            Kube.Container(
                ports: container.ports.isEmpty
                    ? nil
                    : container.ports.map {
                        Kube.ContainerPort(
                            name: $0.name, containerPort: $0.containerPort, protocol: $0.protocol.rawValue, hostPort: $0.hostPort)
                    },
                readinessProbe: container.readinessProbe.map(Kube.Probe.init))
        }
        return Kube.Pod(
            metadata: metadata(entry, pod.metadata),
            spec: Kube.PodSpec(nodeName: nodeName.rawValue, hostNetwork: pod.spec.hostNetwork ? true : nil, containers: containers),
            status: Kube.PodStatus(
                phase: nodeIsLive ? "Running" : "Unknown", podIP: pod.status.podIP?.description, hostIP: node?.address.ipAddress,
                conditions: [Kube.PodCondition(type: "Ready", status: nodeIsLive && pod.isReady ? "True" : "False")]))
    }

    /// Kubernetes' grouping: the Pods that serve the same ports share a subset. Subsets are
    /// ordered by their first address, addresses by IP, ports as the Service lists them.
    static func subsets(_ endpoints: [Endpoint]) -> [Kube.EndpointSubset] {
        struct Backend: Hashable {
            var pod: ObjectKey
            var node: NodeName
            var address: IPv4
        }
        var portsOf: [Backend: [Kube.EndpointPort]] = [:]
        for endpoint in endpoints {
            let port = Kube.EndpointPort(
                name: endpoint.servicePort.name, port: endpoint.port, protocol: endpoint.servicePort.protocol.rawValue)
            portsOf[Backend(pod: endpoint.pod, node: endpoint.node, address: endpoint.address), default: []].append(port)
        }
        var groups: [[Kube.EndpointPort]: [Backend]] = [:]
        for (backend, ports) in portsOf { groups[ports, default: []].append(backend) }
        let ordered = groups.map { ports, backends in
            (ports: ports, backends: backends.sorted { ($0.address, $0.pod) < ($1.address, $1.pod) })
        }.sorted { ($0.backends[0].address, $0.backends[0].pod) < ($1.backends[0].address, $1.backends[0].pod) }
        return ordered.map { ports, backends in
            let addresses = backends.map { backend in
                Kube.EndpointAddress(
                    ip: backend.address.description, nodeName: backend.node.rawValue,
                    targetRef: Kube.ObjectReference(kind: "Pod", namespace: backend.pod.namespace, name: backend.pod.name))
            }
            return Kube.EndpointSubset(addresses: addresses, ports: ports)
        }
    }

    /// A host-network Pod without a recorded address is reachable at its node's: filled in
    /// here from membership, which the catalog does not know.
    private static func withNodeAddresses(_ replica: CatalogReplica, members: [NodeName: SWIM.Member]) -> CatalogReplica {
        var patched = false
        let entries = replica.entries.values.map { entry -> CatalogEntry in
            guard var pod = entry.pod, pod.spec.hostNetwork, pod.status.podIP == nil,
                let address = members[pod.spec.nodeName ?? entry.createdAt.writer]?.address.ipv4
            else { return entry }
            pod.status.podIP = IPv4(value: address)
            patched = true
            var entry = entry
            entry.body = .pod(pod)
            return entry
        }
        return patched ? CatalogReplica(entries: entries) : replica
    }
}

/// The events that turn `old` into `new`, for a watch: `ADDED` for an object not in `old`,
/// `MODIFIED` for one that changed, then `DELETED` for each object gone, as it was last.
/// Objects are matched by `key` (e.g. `namespace/name`).
func watchEvents<Item: Equatable>(from old: [Item], to new: [Item], key: (Item) -> String) -> [Kube.WatchEvent<Item>] {
    let before = Dictionary(old.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
    let after = Set(new.map(key))
    var events: [Kube.WatchEvent<Item>] = []
    for item in new {
        switch before[key(item)] {
        case nil: events.append(Kube.WatchEvent(type: .added, object: item))
        case let previous? where previous != item: events.append(Kube.WatchEvent(type: .modified, object: item))
        default: break
        }
    }
    for item in old where !after.contains(key(item)) {
        events.append(Kube.WatchEvent(type: .deleted, object: item))
    }
    return events
}

extension Kube.IntOrString {
    init(_ port: TargetPort) {
        switch port {
        case .number(let number): self = .int(number)
        case .name(let name): self = .string(name)
        }
    }
}

extension Kube.LoadBalancerStatus {
    /// `{}` until the leader registers a load balancer, as Kubernetes leaves it.
    init(_ status: LoadBalancerStatus) {
        self.init(
            ingress: status.ingress.isEmpty
                ? nil : status.ingress.map { Kube.LoadBalancerIngress(ip: $0.ip?.description, hostname: $0.hostname) })
    }
}

extension Kube.Condition {
    /// The `LoadBalancerSynced` condition, in Kubernetes' words.
    init(_ condition: LoadBalancerCondition) {
        self.init(
            type: LoadBalancerCondition.type, status: condition.synced ? "True" : "False", reason: condition.reason,
            message: condition.message, lastTransitionTime: Kube.time(millisecondsSinceEpoch: condition.since.millisecondsSinceEpoch))
    }
}

extension Kube.Probe {
    init(_ probe: ReadinessProbe) {
        switch probe.check {
        case .tcpSocket(let port):
            self.init(
                tcpSocket: TCPSocketAction(port: Kube.IntOrString(port)), periodSeconds: probe.periodSeconds,
                failureThreshold: probe.failureThreshold)
        case .httpGet(let path, let port):
            self.init(
                httpGet: HTTPGetAction(path: path, port: Kube.IntOrString(port)), periodSeconds: probe.periodSeconds,
                failureThreshold: probe.failureThreshold)
        }
    }
}

/// Kubernetes leaves empty maps out.
private func nonEmpty(_ values: [String: String]) -> [String: String]? {
    values.isEmpty ? nil : values
}
