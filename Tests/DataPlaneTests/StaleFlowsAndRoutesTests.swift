import Catalog
import ClusterModel
import DataPlane
import Testing

@Suite("UDP conntrack cleanup and host-gw routes")
struct StaleFlowsAndRoutesTests {
    static let udp = [ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .number(8080))]

    static func input(_ services: [PlannedService]) -> DataPlaneInput { DataPlaneInput(services: services, hostPorts: []) }

    @Test("a UDP endpoint gone: its entries on the ClusterIP and the NodePort are deleted; a TCP one's are left to TCP")
    func endpointGone() {
        let before = Self.input([
            planned("dns", type: .nodePort, ports: Self.udp, nodePorts: [30053], endpointsOn: ["h1", "h2"]),
            planned("web", endpointsOn: ["h1", "h2"]),
        ])
        let after = Self.input([
            planned("dns", type: .nodePort, ports: Self.udp, nodePorts: [30053], endpointsOn: ["h1"]),
            planned("web", endpointsOn: ["h1"]),
        ])
        #expect(FlowDeletion.between(before, after).map(\.description) == [
            "conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.2.3",
            "conntrack -D -p udp --orig-port-dst 30053 --dst-nat 10.244.2.3",
        ])
        #expect(FlowDeletion.between(after, after).isEmpty)
    }

    @Test("a UDP Service's first endpoint clears what was sent to it while it had none; a Service deleted takes its entries along")
    func firstEndpointAndDeletion() {
        let empty = Self.input([planned("dns", ports: Self.udp)])
        let served = Self.input([planned("dns", ports: Self.udp, endpointsOn: ["h1"])])
        #expect(FlowDeletion.between(empty, served).map(\.description) == ["conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53"])
        #expect(FlowDeletion.between(served, Self.input([])).map(\.description) == [
            "conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53 --dst-nat 10.244.1.2"
        ])
    }

    static func member(_ name: String, _ address: IPv4, cidr: String?, live: Bool = true) -> PodRouting.Node {
        PodRouting.Node(
            name: node(name), address: address, labels: cidr.map { [PodRouting.podCIDRLabel: $0] } ?? [:], isLive: live)
    }

    @Test("host-gw: a route to every other live node's pod CIDR via that node, none to itself, the failed or the unlabelled")
    func desiredRoutes() {
        let members = [
            Self.member("h1", IPv4(10, 99, 0, 1), cidr: "10.244.1.0-24"),
            Self.member("h2", IPv4(10, 99, 0, 2), cidr: "10.244.2.0-24"),
            Self.member("h3", IPv4(10, 99, 0, 3), cidr: "10.244.3.0-24", live: false),
            Self.member("h4", IPv4(10, 99, 0, 4), cidr: nil),
            Self.member("h5", IPv4(10, 99, 0, 5), cidr: "not-a-cidr"),
        ]
        #expect(PodRouting.desired(members, this: node("h1")).map(\.description) == ["10.244.2.0/24 via 10.99.0.2"])
        #expect(PodRouting.labelValue(IPv4Network("10.244.1.0/24")!) == "10.244.1.0-24")
        #expect(PodRouting.network(fromLabel: "10.244.1.0-24") == IPv4Network("10.244.1.0/24"))
    }

    @Test("routes read back from ip route show; only differences become commands, a moved node's route is replaced in place")
    func routeCommands() {
        let installed = PodRouting.installed("""
            10.244.2.0/24 via 10.99.0.2 dev eth0 proto 77
            10.244.3.0/24 via 10.99.0.3 dev eth0 proto 77
            10.244.4.0/24 via 10.99.0.4 dev eth0 proto 77

            """)
        let desired = [
            PodRouting.Route(destination: IPv4Network("10.244.2.0/24")!, gateway: IPv4(10, 99, 0, 2)),
            PodRouting.Route(destination: IPv4Network("10.244.3.0/24")!, gateway: IPv4(10, 99, 0, 33)),
        ]
        #expect(PodRouting.commands(from: installed, to: desired) == [
            ["route", "del", "10.244.4.0/24", "via", "10.99.0.4", "proto", "77"],
            ["route", "replace", "10.244.3.0/24", "via", "10.99.0.33", "proto", "77"],
        ])
    }
}
