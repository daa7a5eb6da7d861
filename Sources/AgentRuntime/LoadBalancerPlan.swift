import Catalog
import ClusterModel
import Election
import LoadBalancers
import Membership

/// What the leader asks of the provider, and what it records of the answer: pure functions
/// of the catalog, the members and the outcome.
enum LoadBalancerPlan {
    /// The label Kubernetes uses to keep a node out of external load balancers.
    static let excludedLabel = "node.kubernetes.io/exclude-from-external-load-balancers"

    /// Every LoadBalancer Service that holds its NodePorts (one in `Conflict` gets no load
    /// balancer, as it gets no rules), and every eligible node that is up.
    static func desired(replica: CatalogReplica, conflicts: [ObjectKey: [LostValue]], members: [SWIM.Member]) -> DesiredLoadBalancers {
        let services = replica.entries.values.compactMap { entry -> LoadBalancerRequest? in
            guard let allocated = entry.service, conflicts[entry.key] == nil else { return nil }
            return request(for: allocated)
        }
        let nodes = members.compactMap { member -> LoadBalancerTarget? in
            guard member.status == .alive || member.status == .suspect, isTarget(labels: member.labels),
                let address = member.address.ipv4
            else { return nil }
            return LoadBalancerTarget(name: member.name.rawValue, address: IPv4(value: address))
        }
        return DesiredLoadBalancers(
            services: services.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }, nodes: nodes.sorted { $0.name < $1.name })
    }

    static func request(for allocated: AllocatedService) -> LoadBalancerRequest? {
        let service = allocated.service
        guard service.spec.type == .loadBalancer else { return nil }
        var ports: [LoadBalancerRequest.Port] = []
        for (port, nodePort) in zip(service.spec.ports, allocated.allocation.nodePorts) {
            guard let nodePort else { return nil }
            ports.append(LoadBalancerRequest.Port(name: port.name, protocol: port.protocol, port: port.port, nodePort: nodePort))
        }
        return LoadBalancerRequest(
            namespace: service.metadata.namespace, name: service.metadata.name, annotations: service.metadata.annotations, ports: ports,
            externalTrafficPolicy: service.spec.externalTrafficPolicy, healthCheckNodePort: service.spec.healthCheckNodePort,
            loadBalancerSourceRanges: service.spec.loadBalancerSourceRanges.map(\.description))
    }

    /// Nodes opted out of leading (`agent.lb/eligible=false`) or excluded the Kubernetes way
    /// carry no load balancer traffic.
    static func isTarget(labels: [String: String]) -> Bool {
        ElectionView.Member.isEligible(labels: labels) && labels[excludedLabel] == nil
    }

    /// A Service's status after a reconcile: the provider's addresses when it ensured the
    /// load balancer; otherwise the addresses it had, and a condition that says why.
    static func status(after outcome: LoadBalancerOutcome, previous: LoadBalancerStatus, now: Timestamp) -> LoadBalancerStatus {
        switch outcome {
        case .ensured(let ingress):
            LoadBalancerStatus(
                ingress: ingress,
                condition: condition(synced: true, reason: LoadBalancerCondition.ensured, message: "Ensured load balancer", previous: previous, now: now))
        case .failed(let message):
            LoadBalancerStatus(
                ingress: previous.ingress,
                condition: condition(synced: false, reason: LoadBalancerCondition.failed, message: message, previous: previous, now: now))
        }
    }

    /// `since` moves only when the condition turns.
    private static func condition(synced: Bool, reason: String, message: String, previous: LoadBalancerStatus, now: Timestamp) -> LoadBalancerCondition {
        let since = previous.condition.flatMap { $0.synced == synced ? $0.since : nil } ?? now
        return LoadBalancerCondition(synced: synced, reason: reason, message: message, since: since)
    }
}

extension LoadBalancerRequest {
    /// The catalog key of the Service this request is for: where its outcome is recorded.
    var serviceKey: ObjectKey { ObjectKey(kind: .service, namespace: namespace, name: name) }
}
