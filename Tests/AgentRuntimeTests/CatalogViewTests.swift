import Catalog
import ClusterModel
import ControlAPI
import Foundation
import LoadBalancers
import Membership
import Testing

@testable import AgentRuntime

@Suite("The catalog as Kubernetes objects")
struct CatalogViewTests {
    /// 2024-05-01T12:00:00Z
    static let created = Timestamp(millisecondsSinceEpoch: 1_714_564_800_000)

    var n1 = CatalogWriter("n1")
    let members = [
        member("n1", "10.0.0.1", .alive), member("n2", "10.0.0.2", .suspect), member("n3", "10.0.0.3", .failed),
        member("n4", "10.0.0.4", .left),
    ]

    func view(_ replica: CatalogReplica, conflicts: [ObjectKey: [LostValue]] = [:]) -> CatalogView {
        CatalogView(replica: replica, conflicts: conflicts, members: members, now: Self.created + .seconds(60))
    }

    @Test("a NodePort Service shows the ClusterIP and NodePort the cluster allocated, and when it was created")
    mutating func nodePortService() throws {
        let allocated = try n1.apply(makeService("my-nginx", type: .nodePort, ports: [ServicePort(port: 80)]), now: Self.created)
        let services = view(n1.replica).services(namespace: "default", name: nil)
        let service = try #require(services.first)
        #expect(services.count == 1)
        #expect(service.metadata.name == "my-nginx" && service.metadata.namespace == "default")
        #expect(service.metadata.creationTimestamp == "2024-05-01T12:00:00Z")
        #expect(service.spec.type == "NodePort")
        #expect(service.spec.clusterIP == allocated.allocation.clusterIP?.description)
        #expect(service.spec.clusterIPs == [service.spec.clusterIP])
        #expect(
            service.spec.ports == [Kube.ServicePort(protocol: "TCP", port: 80, targetPort: 80, nodePort: allocated.allocation.nodePorts[0])]
        )
        #expect(service.spec.externalTrafficPolicy == "Cluster")
        #expect(service.spec.selector == ["app": "web"])
        #expect(service.status == Kube.ServiceStatus())
    }

    @Test("a Service's JSON is Kubernetes': spec.clusterIP, spec.ports[].nodePort, status.loadBalancer, nil fields left out")
    mutating func serviceJSON() throws {
        let allocated = try n1.apply(
            makeService("web", type: .loadBalancer, ports: [ServicePort(port: 80, targetPort: .name("http"))]), now: Self.created)
        let service = try #require(view(n1.replica).services(namespace: nil, name: "web").first)
        let json = try #require(try JSONSerialization.jsonObject(with: ControlJSON.makeEncoder().encode(service)) as? [String: Any])
        #expect(json["apiVersion"] as? String == "v1" && json["kind"] as? String == "Service")
        let spec = try #require(json["spec"] as? [String: Any])
        #expect(spec["clusterIP"] as? String == allocated.allocation.clusterIP?.description)
        let port = try #require((spec["ports"] as? [[String: Any]])?.first)
        #expect(port["nodePort"] as? Int == allocated.allocation.nodePorts[0])
        #expect(port["targetPort"] as? String == "http")
        #expect(port["name"] == nil)
        let status = try #require(json["status"] as? [String: Any])
        #expect((status["loadBalancer"] as? [String: Any])?.isEmpty == true, "no ingress until the leader registers one")
        #expect(status["conditions"] == nil)
        #expect((json["metadata"] as? [String: Any])?["labels"] == nil)
    }

    @Test("a headless Service's clusterIP is None, and a ClusterIP Service has neither NodePorts nor a traffic policy")
    mutating func headlessService() throws {
        try n1.apply(makeService("db", clusterIP: .headless), now: Self.created)
        let service = try #require(view(n1.replica).services(namespace: "default", name: "db").first)
        #expect(service.spec.clusterIP == "None" && service.spec.clusterIPs == ["None"])
        #expect(service.spec.ports.allSatisfy { $0.nodePort == nil })
        #expect(service.spec.externalTrafficPolicy == nil)
    }

    @Test("a Service that lost a contested value has a Conflict condition naming the value and who holds it")
    mutating func conflictCondition() throws {
        try n1.apply(makeService("late", clusterIP: .pinned(IPv4(10, 96, 0, 10))), now: Self.created)
        let lost = [LostValue(value: .clusterIP(IPv4(10, 96, 0, 10)), holder: serviceKey("early"), pinned: true)]
        let service = try #require(view(n1.replica, conflicts: [serviceKey("late"): lost]).services(namespace: nil, name: nil).first)
        let condition = try #require(service.status.conditions?.first)
        #expect(condition.type == "Conflict" && condition.status == "True" && condition.reason == "Conflict")
        #expect(condition.message == "ClusterIP 10.96.0.10 (pinned) is held by Service/default/early")
        #expect(condition.lastTransitionTime == "2024-05-01T12:00:00Z")
    }

    @Test("a registered LoadBalancer Service shows status.loadBalancer.ingress (ip or hostname) and a LoadBalancerSynced condition after Conflict")
    mutating func loadBalancerStatus() throws {
        try n1.apply(makeService("web", type: .loadBalancer), now: Self.created)
        let since = Self.created + .seconds(90)
        n1.recordLoadBalancerStatus(
            LoadBalancerStatus(
                ingress: [LoadBalancerIngress(ip: IPv4(203, 0, 113, 7)), LoadBalancerIngress(hostname: "web-1.elb.amazonaws.com")],
                condition: LoadBalancerCondition(synced: false, reason: LoadBalancerCondition.failed, message: "subnet-0abc not found", since: since)),
            for: serviceKey("web"), now: since)
        let lost = [LostValue(value: .nodePort(30080), holder: serviceKey("early"), pinned: false)]
        let service = try #require(view(n1.replica, conflicts: [serviceKey("web"): lost]).services(namespace: nil, name: "web").first)
        let json = try #require(try JSONSerialization.jsonObject(with: ControlJSON.makeEncoder().encode(service)) as? [String: Any])
        let status = try #require(json["status"] as? [String: Any])
        let ingress = try #require((status["loadBalancer"] as? [String: Any])?["ingress"] as? [[String: String]])
        #expect(ingress == [["ip": "203.0.113.7"], ["hostname": "web-1.elb.amazonaws.com"]])
        let conditions = try #require(status["conditions"] as? [[String: String]])
        #expect(conditions.map { $0["type"] } == ["Conflict", "LoadBalancerSynced"])
        #expect(
            conditions[1] == [
                "type": "LoadBalancerSynced", "status": "False", "reason": "SyncLoadBalancerFailed", "message": "subnet-0abc not found",
                "lastTransitionTime": "2024-05-01T12:01:30Z",
            ])

        n1.recordLoadBalancerStatus(
            LoadBalancerStatus(
                ingress: [LoadBalancerIngress(ip: IPv4(203, 0, 113, 7))],
                condition: LoadBalancerCondition(synced: true, reason: LoadBalancerCondition.ensured, message: "", since: since)),
            for: serviceKey("web"), now: since)
        let synced = try #require(view(n1.replica).services(namespace: nil, name: "web").first)
        #expect(synced.status.loadBalancer.ingress == [Kube.LoadBalancerIngress(ip: "203.0.113.7")])
        #expect(synced.status.conditions?.map(\.status) == ["True"])
        #expect(synced.status.conditions?.first?.reason == "EnsuredLoadBalancer")
    }

    @Test("lists are sorted by namespace, then name, and filtered by namespace and name")
    mutating func filtering() throws {
        for (name, namespace) in [("b", "default"), ("a", "prod"), ("a", "default")] {
            try n1.apply(makeService(name, namespace: namespace), now: Self.created)
        }
        let view = view(n1.replica)
        #expect(
            view.services(namespace: nil, name: nil).map { "\($0.metadata.namespace ?? "")/\($0.metadata.name)" } == [
                "default/a", "default/b", "prod/a",
            ])
        #expect(view.services(namespace: "default", name: nil).map(\.metadata.name) == ["a", "b"])
        #expect(view.services(namespace: "prod", name: "b").isEmpty)
        #expect(view.endpoints(namespace: nil, name: "a").map(\.metadata.namespace) == ["default", "prod"])
    }

    @Test("a Pod runs while its node is alive or suspect, is Unknown once it failed, and is ready only then")
    mutating func podPhaseAndReadiness() throws {
        n1.apply(makePod("on-alive", node: "n1", ip: IPv4(10, 244, 1, 2)), now: Self.created)
        n1.apply(makePod("on-suspect", node: "n2", ip: IPv4(10, 244, 2, 2)), now: Self.created)
        n1.apply(makePod("on-failed", node: "n3", ip: IPv4(10, 244, 3, 2)), now: Self.created)
        n1.apply(
            makePod("probed-later", node: "n1", ip: IPv4(10, 244, 1, 3), probe: ReadinessProbe(check: .tcpSocket(port: .number(80)))),
            now: Self.created)
        let pods = Dictionary(uniqueKeysWithValues: view(n1.replica).pods(namespace: "default", name: nil).map { ($0.metadata.name, $0) })
        let alive = try #require(pods["on-alive"])
        #expect(
            alive.status
                == Kube.PodStatus(
                    phase: "Running", podIP: "10.244.1.2", hostIP: "10.0.0.1", conditions: [.init(type: "Ready", status: "True")]))
        #expect(alive.spec.nodeName == "n1")
        #expect(pods["on-suspect"]?.status.phase == "Running" && pods["on-suspect"]?.isReady == true)
        #expect(pods["on-failed"]?.status.phase == "Unknown" && pods["on-failed"]?.isReady == false)
        let probed = try #require(pods["probed-later"])
        #expect(probed.status.phase == "Running" && !probed.isReady, "not ready until its node reports the probe passed")
        #expect(probed.spec.containers[0].readinessProbe == Kube.Probe(tcpSocket: .init(port: 80), periodSeconds: 10, failureThreshold: 3))
    }

    @Test("Endpoints are the ready Pods the selector matches on live nodes, host-network Pods at their node's address")
    mutating func endpoints() throws {
        try n1.apply(makeService("web", ports: [ServicePort(name: "http", port: 80, targetPort: .number(8080))]), now: Self.created)
        n1.apply(makePod("web-b", node: "n2", ip: IPv4(10, 244, 2, 2)), now: Self.created)
        n1.apply(makePod("web-a", node: "n1", ip: IPv4(10, 244, 1, 2)), now: Self.created)
        n1.apply(makePod("web-on-failed", node: "n3", ip: IPv4(10, 244, 3, 2)), now: Self.created)
        n1.apply(makePod("web-on-left", node: "n4", ip: IPv4(10, 244, 4, 2)), now: Self.created)
        n1.apply(makePod("other", labels: ["app": "db"], node: "n1", ip: IPv4(10, 244, 1, 9)), now: Self.created)
        var hostNetwork = makePod("web-host", node: "n2")
        hostNetwork.spec.hostNetwork = true
        n1.apply(hostNetwork, now: Self.created)

        let endpoints = try #require(view(n1.replica).endpoints(namespace: "default", name: "web").first)
        #expect(endpoints.metadata.name == "web" && endpoints.metadata.creationTimestamp == "2024-05-01T12:00:00Z")
        let address = { (ip: String, node: String, pod: String) in
            Kube.EndpointAddress(ip: ip, nodeName: node, targetRef: Kube.ObjectReference(kind: "Pod", namespace: "default", name: pod))
        }
        #expect(
            endpoints.subsets == [
                Kube.EndpointSubset(
                    addresses: [
                        address("10.0.0.2", "n2", "web-host"), address("10.244.1.2", "n1", "web-a"), address("10.244.2.2", "n2", "web-b"),
                    ],
                    ports: [Kube.EndpointPort(name: "http", port: 8080, protocol: "TCP")])
            ])
        let hostPod = try #require(view(n1.replica).pods(namespace: nil, name: "web-host").first)
        #expect(hostPod.status.podIP == "10.0.0.2" && hostPod.spec.hostNetwork == true)
    }

    @Test("Pods whose named target port resolves to different numbers are in subsets of their own")
    mutating func subsetsByPorts() throws {
        try n1.apply(makeService("web", ports: [ServicePort(port: 80, targetPort: .name("http"))]), now: Self.created)
        n1.apply(
            makePod("a", node: "n1", ip: IPv4(10, 244, 1, 2), ports: [Pod.ContainerPort(name: "http", containerPort: 8080)]),
            now: Self.created)
        n1.apply(
            makePod("b", node: "n1", ip: IPv4(10, 244, 1, 3), ports: [Pod.ContainerPort(name: "http", containerPort: 9090)]),
            now: Self.created)
        n1.apply(
            makePod("c", node: "n1", ip: IPv4(10, 244, 1, 1), ports: [Pod.ContainerPort(name: "http", containerPort: 8080)]),
            now: Self.created)
        let subsets = try #require(view(n1.replica).endpoints(namespace: nil, name: "web").first).subsets
        #expect(subsets.map { $0.addresses?.map(\.ip) ?? [] } == [["10.244.1.1", "10.244.1.2"], ["10.244.1.3"]])
        #expect(subsets.map { $0.ports?.map(\.port) ?? [] } == [[8080], [9090]])
    }

    @Test("a Service with no ready Pods has Endpoints with no subsets")
    mutating func emptyEndpoints() throws {
        try n1.apply(makeService("lonely"), now: Self.created)
        #expect(
            view(n1.replica).endpoints(namespace: "default", name: nil) == [
                Kube.Endpoints(metadata: Kube.ObjectMeta(name: "lonely", namespace: "default", creationTimestamp: "2024-05-01T12:00:00Z"))
            ])
    }

    @Test("a node is Ready while alive or suspect, not ready once failed, unknown once it left")
    func nodes() {
        let nodes = view(CatalogReplica()).nodes(name: nil)
        #expect(nodes.map(\.metadata.name) == ["n1", "n2", "n3", "n4"])
        #expect(
            nodes.map(\.status.conditions) == [
                [Kube.NodeCondition(status: "True")], [Kube.NodeCondition(status: "True")],
                [Kube.NodeCondition(status: "False", reason: "NodeFailed")], [Kube.NodeCondition(status: "Unknown", reason: "NodeLeft")],
            ])
        #expect(nodes[0].status.addresses == [Kube.NodeAddress(type: "InternalIP", address: "10.0.0.1")])
        #expect(nodes[0].metadata.labels == ["zone": "a"] && nodes[0].metadata.namespace == nil)
        #expect(view(CatalogReplica()).nodes(name: "n3").map(\.metadata.name) == ["n3"])
        #expect(view(CatalogReplica()).nodes(name: "n9").isEmpty)
    }

    @Test("a watch step is ADDED for a new object, MODIFIED for a changed one, DELETED for one gone, unchanged ones silent")
    func watchSteps() {
        struct Item: Equatable {
            var name: String
            var value: Int
        }
        let old = [Item(name: "a", value: 1), Item(name: "b", value: 1), Item(name: "c", value: 1)]
        let new = [Item(name: "a", value: 1), Item(name: "c", value: 2), Item(name: "d", value: 1)]
        let events = watchEvents(from: old, to: new, key: \.name)
        #expect(events.map { "\($0.type.rawValue) \($0.object.name)" } == ["MODIFIED c", "ADDED d", "DELETED b"])
        #expect(events[0].object.value == 2 && events[2].object.value == 1)
        #expect(watchEvents(from: [], to: old, key: \.name).map(\.type) == [.added, .added, .added])
    }
}

// Helpers, as in Tests/CatalogTests/Fixtures.swift.

private func nodeName(_ name: String) -> NodeName {
    // Literal test names are always valid.
    try! NodeName(name)
}

private func member(_ name: String, _ address: String, _ status: SWIM.Status) -> SWIM.Member {
    SWIM.Member(
        name: nodeName(name), address: PeerAddress("\(address):7950")!, incarnation: 1, status: status,
        labels: name == "n1" ? ["zone": "a"] : [:])
}

private func serviceKey(_ name: String, namespace: String = "default") -> ObjectKey {
    ObjectKey(kind: .service, namespace: namespace, name: name)
}

private func makeService(
    _ name: String, namespace: String = "default", type: ServiceType = .clusterIP, selector: LabelSelector = ["app": "web"],
    ports: [ServicePort] = [ServicePort(name: "http", port: 80)], clusterIP: ClusterIPRequest = .allocate
) -> KubernetesService {
    KubernetesService(
        metadata: ObjectMetadata(name: name, namespace: namespace),
        spec: KubernetesService.Spec(type: type, selector: selector, ports: ports, clusterIP: clusterIP))
}

private func makePod(
    _ name: String, labels: Labels = ["app": "web"], node: String, ip: IPv4? = nil, ports: [Pod.ContainerPort] = [],
    probe: ReadinessProbe? = nil
) -> Pod {
    Pod(
        metadata: ObjectMetadata(name: name, labels: labels),
        spec: Pod.Spec(nodeName: nodeName(node), containers: [Pod.Container(ports: ports, readinessProbe: probe)]),
        status: Pod.Status(podIP: ip))
}

/// One node's catalog with its clock, writing as `apply` on that node does.
struct CatalogWriter {
    let name: NodeName
    var replica = CatalogReplica()
    var clock = HybridLogicalClock()

    init(_ name: String) { self.name = nodeName(name) }

    @discardableResult
    mutating func apply(_ service: KubernetesService, now: Timestamp) throws -> AllocatedService {
        var generator = SeededGenerator(seed: 1)
        let allocated = try allocate(service, in: replica, ranges: .defaults, using: &generator)
        replica.apply(allocated, writer: name, clock: &clock, now: now)
        return allocated
    }

    mutating func apply(_ pod: Pod, now: Timestamp) {
        replica.apply(pod, writer: name, clock: &clock, now: now)
    }

    /// The leader's write of a Service's load balancer status, as a rewrite.
    mutating func recordLoadBalancerStatus(_ status: LoadBalancerStatus, for key: ObjectKey, now: Timestamp) {
        guard var service = replica[key]?.service else { return }
        service.loadBalancer = status
        replica.rewrite(key, as: .service(service), writer: name, clock: &clock, now: now)
    }
}

@Suite("What the leader asks of its load balancer provider")
struct DesiredLoadBalancersTests {
    @Test("the catalog's LoadBalancer Services at their NodePorts but for one in Conflict, and the live members not excluded or opted out, sorted by name")
    func fromCatalogAndMembers() throws {
        var writer = CatalogWriter("n1")
        var web = makeService("web", type: .loadBalancer, ports: [ServicePort(name: "http", port: 80), ServicePort(name: "dns", protocol: .udp, port: 53)])
        web.metadata.annotations = ["service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"]
        web.spec.externalTrafficPolicy = .local
        web.spec.healthCheckNodePort = 32000
        web.spec.loadBalancerSourceRanges = [IPv4Network("10.0.0.0/8")!]
        let allocated = try writer.apply(web, now: CatalogViewTests.created)
        try writer.apply(makeService("plain", type: .nodePort), now: CatalogViewTests.created)
        try writer.apply(makeService("api", namespace: "a", type: .loadBalancer), now: CatalogViewTests.created)
        try writer.apply(makeService("late", type: .loadBalancer), now: CatalogViewTests.created)
        var excluded = member("n5", "10.0.0.5", .alive)
        excluded.labels = [LoadBalancerPlan.excludedLabel: ""]
        var optedOut = member("n6", "10.0.0.6", .alive)
        optedOut.labels = ["agent.lb/eligible": "false"]
        let members = [
            member("n2", "10.0.0.2", .suspect), member("n1", "10.0.0.1", .alive), member("n3", "10.0.0.3", .failed),
            member("n4", "10.0.0.4", .left), excluded, optedOut,
        ]
        let lost = [LostValue(value: .nodePort(30080), holder: serviceKey("early"), pinned: true)]

        let desired = LoadBalancerPlan.desired(replica: writer.replica, conflicts: [serviceKey("late"): lost], members: members)
        #expect(desired.services.map(\.key) == ["a/api", "default/web"])
        #expect(
            desired.services[1] == LoadBalancerRequest(
                namespace: "default", name: "web", annotations: ["service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"],
                ports: [
                    .init(name: "http", protocol: .tcp, port: 80, nodePort: allocated.allocation.nodePorts[0]!),
                    .init(name: "dns", protocol: .udp, port: 53, nodePort: allocated.allocation.nodePorts[1]!),
                ],
                externalTrafficPolicy: .local, healthCheckNodePort: 32000, loadBalancerSourceRanges: ["10.0.0.0/8"]))
        #expect(desired.services[1].serviceKey == serviceKey("web"))
        #expect(desired.nodes == [LoadBalancerTarget(name: "n1", address: IPv4(10, 0, 0, 1)), LoadBalancerTarget(name: "n2", address: IPv4(10, 0, 0, 2))])
    }
}

@Suite("What the leader records of a reconcile")
struct LoadBalancerOutcomeStatusTests {
    let t1 = Timestamp(millisecondsSinceEpoch: 1_000_000)
    let t2 = Timestamp(millisecondsSinceEpoch: 2_000_000)
    let t3 = Timestamp(millisecondsSinceEpoch: 3_000_000)

    @Test("a failure keeps the address the Service had and says why; the condition's time moves only when it turns")
    func failureKeepsTheAddress() {
        let ensured = LoadBalancerPlan.status(after: .ensured([LoadBalancerIngress(hostname: "web.elb.example")]), previous: LoadBalancerStatus(), now: t1)
        #expect(ensured.ingress == [LoadBalancerIngress(hostname: "web.elb.example")])
        #expect(ensured.condition == LoadBalancerCondition(synced: true, reason: "EnsuredLoadBalancer", message: "Ensured load balancer", since: t1))

        let failed = LoadBalancerPlan.status(after: .failed("aws-elbv2: connection refused"), previous: ensured, now: t2)
        #expect(failed.ingress == ensured.ingress, "EXTERNAL-IP stays as it was")
        #expect(failed.condition == LoadBalancerCondition(synced: false, reason: "SyncLoadBalancerFailed", message: "aws-elbv2: connection refused", since: t2))

        let stillFailing = LoadBalancerPlan.status(after: .failed("aws-elbv2: timed out"), previous: failed, now: t3)
        #expect(stillFailing.condition?.since == t2 && stillFailing.condition?.message == "aws-elbv2: timed out")

        let recovered = LoadBalancerPlan.status(after: .ensured([LoadBalancerIngress(hostname: "web2.elb.example")]), previous: stillFailing, now: t3)
        #expect(recovered.ingress == [LoadBalancerIngress(hostname: "web2.elb.example")] && recovered.condition?.synced == true && recovered.condition?.since == t3)
    }
}
