@testable import AgentRuntime
import Catalog
import ClusterModel
import Manifests
import Testing
import Wire

@Suite("apply: all or nothing, created, configured, unchanged, and refusals that point at the field")
struct CatalogApplyTests {
    typealias Core = CatalogSync.Instance<String>

    static let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    static func core(ranges: AllocationRanges = .defaults) throws -> Core {
        var settings = CatalogSync.Settings()
        settings.allocation = ranges
        return try Core(
            name: try NodeName("n1"), settings: settings,
            encodedSize: .wire)
    }

    static func objects(_ yaml: String, file: String = "web.yaml") throws -> [ManifestObject] {
        try ManifestDecoder().decode(yaml, file: file).objects
    }

    /// Applies and returns the new core with kubectl's words for each object.
    static func apply(_ yaml: String, to core: Core, file: String = "web.yaml") throws -> (Core, [String]) {
        var applier = CatalogApplier(instance: core, now: now)
        var random = SeededGenerator(seed: 7)
        try applier.apply(try objects(yaml, file: file), random: &random)
        return (applier.instance, applier.actions.map { "\($0.key.kind)/\($0.key.name) \($0.action.rawValue)" })
    }

    static let nginx = """
        apiVersion: v1
        kind: Service
        metadata:
          name: my-nginx
        spec:
          type: NodePort
          selector:
            app: nginx
          ports:
          - name: http
            port: 80
            targetPort: 80
            protocol: TCP
        """

    static let pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          labels: {app: nginx}
        spec:
          containers:
          - ports: [{containerPort: 80}]
            readinessProbe: {tcpSocket: {port: 80}}
        status:
          podIP: 10.244.1.5
        """

    @Test("the first apply creates, the same manifest again is unchanged and writes nothing, a changed one is configured and keeps its ClusterIP and NodePort")
    func createdUnchangedConfigured() throws {
        let (created, first) = try Self.apply(Self.nginx, to: try Self.core())
        #expect(first == ["service/my-nginx created"])
        let service = try #require(created.replica.services.first)
        let version = created.replica[service.key]?.version

        let (same, second) = try Self.apply(Self.nginx, to: created)
        #expect(second == ["service/my-nginx unchanged"])
        #expect(same.replica[service.key]?.version == version, "an unchanged object is not written again")

        let (changed, third) = try Self.apply(Self.nginx.replacingOccurrences(of: "app: nginx", with: "app: web"), to: same)
        #expect(third == ["service/my-nginx configured"])
        #expect(changed.replica.services.first?.allocation == service.allocation)
    }

    @Test("a re-apply of a LoadBalancer Service is unchanged and keeps the leader's status; a changed one keeps it too; one that leaves LoadBalancer clears it")
    func loadBalancerStatusCarriedOver() throws {
        let balancer = Self.nginx.replacingOccurrences(of: "type: NodePort", with: "type: LoadBalancer")
        var (core, actions) = try Self.apply(balancer, to: try Self.core())
        #expect(actions == ["service/my-nginx created"])
        let key = try #require(core.replica.services.first?.key)
        let status = LoadBalancerStatus(
            ingress: [LoadBalancerIngress(ip: IPv4(203, 0, 113, 7))],
            condition: LoadBalancerCondition(synced: true, reason: LoadBalancerCondition.ensured, message: "", since: Self.now))
        var random = SeededGenerator(seed: 1)
        #expect(!core.recordLoadBalancerStatus(status, for: key, now: Self.now + .seconds(1), random: &random).isEmpty)
        let recorded = core.replica[key]

        (core, actions) = try Self.apply(balancer, to: core)
        #expect(actions == ["service/my-nginx unchanged"])
        #expect(core.replica[key] == recorded, "nothing written")

        (core, actions) = try Self.apply(balancer.replacingOccurrences(of: "app: nginx", with: "app: web"), to: core)
        #expect(actions == ["service/my-nginx configured"])
        #expect(core.replica[key]?.isUserWrite == true && core.replica[key]?.service?.loadBalancer == status)

        (core, actions) = try Self.apply(Self.nginx, to: core)
        #expect(actions == ["service/my-nginx configured"])
        #expect(core.replica[key]?.service?.loadBalancer == LoadBalancerStatus())
    }

    @Test("one refused object refuses the whole invocation: the core passed in is left as it was")
    func allOrNothing() throws {
        let core = try Self.core()
        let both = Self.nginx + "\n---\n" + Self.nginx.replacingOccurrences(of: "my-nginx", with: "pinned")
            .replacingOccurrences(of: "protocol: TCP", with: "protocol: TCP\n    nodePort: 30080")
        let (held, _) = try Self.apply(Self.nginx.replacingOccurrences(of: "my-nginx", with: "holder")
            .replacingOccurrences(of: "protocol: TCP", with: "protocol: TCP\n    nodePort: 30080"), to: core)
        var applier = CatalogApplier(instance: held, now: Self.now)
        var random = SeededGenerator(seed: 1)
        #expect(throws: ManifestError.self) { try applier.apply(try Self.objects(both), random: &random) }
        #expect(held.replica.services.map(\.key.name) == ["holder"], "the caller's core is a copy and keeps only the holder")
    }

    @Test("a NodePort another Service holds is refused at the line and field that asked for it, with the holder named")
    func takenNodePort() throws {
        let pinned = Self.nginx.replacingOccurrences(of: "protocol: TCP", with: "protocol: TCP\n    nodePort: 30080")
        let (held, _) = try Self.apply(pinned, to: try Self.core())
        let error = try #require(throws: ManifestError.self) {
            _ = try Self.apply(pinned.replacingOccurrences(of: "my-nginx", with: "other"), to: held, file: "other.yaml")
        }
        #expect(error.description == "other.yaml:14: spec.ports[0].nodePort: nodePort 30080 is already held by Service/default/my-nginx (choose a free one, or leave it out to have one allocated)")
    }

    @Test("a pinned ClusterIP outside the agent's service CIDR is refused naming the CIDR and how to change it")
    func clusterIPOutsideCIDR() throws {
        let pinned = Self.nginx.replacingOccurrences(of: "type: NodePort", with: "type: NodePort\n  clusterIP: 10.0.0.10")
        let error = try #require(throws: ManifestError.self) { _ = try Self.apply(pinned, to: try Self.core()) }
        #expect(error.field == "spec.clusterIP")
        #expect(error.line == 7)
        #expect(error.message.contains("10.96.0.0/12"))
        #expect(error.message.contains("--service-cidr"))
    }

    @Test("a Pod applied without a node keeps the node it has, and keeps its reported readiness while its containers are unchanged")
    func podOwnershipAndReadiness() throws {
        let (created, _) = try Self.apply(Self.pod, to: try Self.core())
        let key = ObjectKey(kind: .pod, namespace: "default", name: "web-1")
        #expect(created.replica[key]?.pod?.spec.nodeName == (try NodeName("n1")))

        var reported = created
        var random = SeededGenerator(seed: 3)
        var pod = try #require(reported.replica[key]?.pod)
        pod.status.ready = true
        _ = try reported.apply(pod, now: Self.now + .seconds(1), random: &random)

        let (again, words) = try Self.apply(Self.pod, to: reported)
        #expect(words == ["pod/web-1 unchanged"])
        #expect(again.replica[key]?.pod?.status.ready == true)

        let (moved, changedWords) = try Self.apply(Self.pod.replacingOccurrences(of: "containerPort: 80", with: "containerPort: 8080"), to: again)
        #expect(changedWords == ["pod/web-1 configured"])
        #expect(moved.replica[key]?.pod?.status.ready == nil, "changed containers are probed afresh")
    }
}
