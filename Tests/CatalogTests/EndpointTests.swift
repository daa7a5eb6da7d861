import Catalog
import ClusterModel
import Testing

@Suite("Endpoints of a Service")
struct EndpointTests {
    static let live: Set<NodeName> = [node("a"), node("b")]

    static func catalog(_ pods: [Pod], on writer: String = "a") -> CatalogReplica {
        var side = Side(writer)
        for (index, pod) in pods.enumerated() { side.apply(pod, now: at(1_000 + UInt64(index))) }
        return side.replica
    }

    static func addresses(_ endpoints: [Endpoint]) -> [String] {
        endpoints.map { "\($0.address):\($0.port)" }
    }

    @Test("only Pods of the Service's namespace whose labels match its selector are endpoints")
    func selectorAndNamespace() {
        let replica = Self.catalog([
            makePod("web-1", labels: ["app": "web", "tier": "front"], node: node("a"), ip: IPv4(10, 0, 0, 2)),
            makePod("web-2", namespace: "shop", labels: ["app": "web"], node: node("a"), ip: IPv4(10, 0, 0, 3)),
            makePod("db-1", labels: ["app": "db"], node: node("a"), ip: IPv4(10, 0, 0, 4)),
            makePod("web-3", labels: ["app": "web"], node: node("b"), ip: IPv4(10, 0, 0, 1)),
        ])
        let found = endpoints(for: makeService("web"), in: replica, liveNodes: Self.live)
        #expect(Self.addresses(found) == ["10.0.0.1:80", "10.0.0.2:80"])
        #expect(found.map(\.pod) == [podKey("web-3"), podKey("web-1")])
        #expect(found.map(\.node) == [node("b"), node("a")])

        let inShop = endpoints(for: makeService("web", namespace: "shop"), in: replica, liveNodes: Self.live)
        #expect(Self.addresses(inShop) == ["10.0.0.3:80"])
        #expect(endpoints(for: makeService("all", selector: [:]), in: replica, liveNodes: Self.live).isEmpty, "an empty selector selects nothing")
    }

    @Test("a Pod with a readiness probe is an endpoint only once reported ready; one without is ready unless reported otherwise")
    func readiness() {
        let probe = ReadinessProbe(check: .tcpSocket(port: .number(80)))
        let replica = Self.catalog([
            makePod("probed-unknown", node: node("a"), ip: IPv4(10, 0, 0, 1), probe: probe),
            makePod("probed-ready", node: node("a"), ip: IPv4(10, 0, 0, 2), probe: probe),
            makePod("probed-failing", node: node("a"), ip: IPv4(10, 0, 0, 3), probe: probe),
            makePod("plain", node: node("a"), ip: IPv4(10, 0, 0, 4)),
            makePod("plain-not-ready", node: node("a"), ip: IPv4(10, 0, 0, 5)),
        ])
        var reported = replica
        for (name, ready) in [("probed-ready", true), ("probed-failing", false), ("plain-not-ready", false)] {
            var entry = reported[podKey(name)]!
            var pod = entry.pod!
            pod.status.ready = ready
            entry.body = .pod(pod)
            entry.version.timestamp = HybridTimestamp(wallMilliseconds: entry.version.timestamp.wallMilliseconds + 1, counter: 0)
            reported.merge(entry)
        }
        let found = endpoints(for: makeService("web"), in: reported, liveNodes: Self.live)
        #expect(found.map(\.pod) == [podKey("probed-ready"), podKey("plain")])
    }

    @Test("Pods on a node that failed or left are not endpoints; a Pod applied without a node belongs to the node it was applied on")
    func nodeLiveness() {
        var side = Side("b")
        side.apply(makePod("on-a", node: node("a"), ip: IPv4(10, 0, 0, 1)), now: at(1_000))
        side.apply(makePod("on-c", node: node("c"), ip: IPv4(10, 0, 0, 2)), now: at(1_001))
        side.apply(makePod("unplaced", ip: IPv4(10, 0, 0, 3)), now: at(1_002))
        #expect(side.replica[podKey("unplaced")]?.pod?.spec.nodeName == node("b"))

        let service = makeService("web")
        #expect(endpoints(for: service, in: side.replica, liveNodes: [node("a"), node("b")]).map(\.pod) == [podKey("on-a"), podKey("unplaced")])
        #expect(endpoints(for: service, in: side.replica, liveNodes: [node("a"), node("c")]).map(\.pod) == [podKey("on-a"), podKey("on-c")])
    }

    @Test("a named target port resolves to each Pod's own container port of that name and protocol; a Pod without it is skipped for that port only")
    func namedTargetPorts() {
        let replica = Self.catalog([
            makePod("one", node: node("a"), ip: IPv4(10, 0, 0, 1), ports: [Pod.ContainerPort(name: "web", containerPort: 8080), Pod.ContainerPort(name: "metrics", containerPort: 9100)]),
            makePod("two", node: node("a"), ip: IPv4(10, 0, 0, 2), ports: [Pod.ContainerPort(name: "web", containerPort: 9090)]),
            makePod("three", node: node("a"), ip: IPv4(10, 0, 0, 3), ports: [Pod.ContainerPort(name: "web", containerPort: 8080, protocol: .udp)]),
        ])
        let service = makeService("web", ports: [
            ServicePort(name: "http", port: 80, targetPort: .name("web")),
            ServicePort(name: "metrics", port: 9100, targetPort: .name("metrics")),
            ServicePort(name: "admin", port: 81, targetPort: .number(8081)),
        ])
        let found = endpoints(for: service, in: replica, liveNodes: Self.live)
        #expect(found.filter { $0.servicePort.name == "http" }.map { "\($0.address):\($0.port)" } == ["10.0.0.1:8080", "10.0.0.2:9090"])
        #expect(found.filter { $0.servicePort.name == "metrics" }.map { "\($0.address):\($0.port)" } == ["10.0.0.1:9100"])
        #expect(found.filter { $0.servicePort.name == "admin" }.map { "\($0.address):\($0.port)" } == ["10.0.0.1:8081", "10.0.0.2:8081", "10.0.0.3:8081"])
        #expect(found.map { $0.servicePort.name } == ["http", "http", "metrics", "admin", "admin", "admin"], "grouped by Service port, in spec order")
    }

    @Test("a headless Service has endpoints")
    func headlessHasEndpoints() {
        let replica = Self.catalog([makePod("web-1", node: node("a"), ip: IPv4(10, 0, 0, 1))])
        let found = endpoints(for: makeService("web", clusterIP: .headless), in: replica, liveNodes: Self.live)
        #expect(Self.addresses(found) == ["10.0.0.1:80"])
    }

    @Test("a deleted Pod is no longer an endpoint")
    func deletedPod() {
        var side = Side("a")
        side.apply(makePod("web-1", node: node("a"), ip: IPv4(10, 0, 0, 1)), now: at(1_000))
        side.apply(makePod("web-2", node: node("a"), ip: IPv4(10, 0, 0, 2)), now: at(1_000))
        side.delete(podKey("web-1"), now: at(2_000))
        #expect(endpoints(for: makeService("web"), in: side.replica, liveNodes: Self.live).map(\.pod) == [podKey("web-2")])
    }
}
