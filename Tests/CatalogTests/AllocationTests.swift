import Catalog
import ClusterModel
import Testing

@Suite("ClusterIP and NodePort allocation")
struct AllocationTests {
    /// 10.0.0.0/29: usable 10.0.0.1 to 10.0.0.6; 10.0.0.0 and 10.0.0.7 never handed out.
    static let small = AllocationRanges(serviceCIDR: IPv4Network("10.0.0.0/29")!, nodePorts: 30000...30009)

    @Test("ClusterIPs handed out are distinct, inside the CIDR, never its network or broadcast address, until none is left")
    func clusterIPsUntilExhausted() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("clusterIPsUntilExhausted seed: \(seed)")
        var generator = SeededGenerator(seed: seed)
        var side = Side("a", ranges: Self.small)
        var addresses: [IPv4] = []
        for index in 0..<6 {
            let allocated = try side.apply(makeService("svc-\(index)"), now: at(1_000 + UInt64(index)), using: &generator)
            addresses.append(try #require(allocated.allocation.clusterIP))
        }
        #expect(Set(addresses) == Set((1...6).map { IPv4(10, 0, 0, $0) }), "seed \(seed)")
        #expect(throws: AllocationError.noFreeClusterIP(serviceCIDR: Self.small.serviceCIDR)) {
            try side.apply(makeService("one-too-many"), now: at(2_000), using: &generator)
        }
    }

    @Test("a deleted Service's ClusterIP is free again")
    func deletedServiceFreesItsAddress() throws {
        let tiny = AllocationRanges(serviceCIDR: IPv4Network("10.0.0.0/30")!, nodePorts: 30000...30009)
        var side = Side("a", ranges: tiny)
        let one = try side.apply(makeService("one"), now: at(1_000))
        try side.apply(makeService("two"), now: at(1_001))
        side.delete(serviceKey("one"), now: at(1_002))
        let three = try side.apply(makeService("three"), now: at(1_003))
        #expect(three.allocation.clusterIP == one.allocation.clusterIP)
        #expect(Set(side.replica.services.compactMap(\.allocation.clusterIP)) == [IPv4(10, 0, 0, 1), IPv4(10, 0, 0, 2)])
    }

    @Test("NodePorts are given per port to NodePort and LoadBalancer Services, distinct and inside the range")
    func nodePortsInRange() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("nodePortsInRange seed: \(seed)")
        var generator = SeededGenerator(seed: seed)
        var side = Side("a", ranges: Self.small)
        let twoPorts = [ServicePort(name: "http", port: 80), ServicePort(name: "https", port: 443)]
        var given: [Int] = []
        for (index, type) in [ServiceType.nodePort, .loadBalancer, .nodePort, .loadBalancer, .nodePort].enumerated() {
            let allocated = try side.apply(makeService("svc-\(index)", type: type, ports: twoPorts), now: at(1_000), using: &generator)
            #expect(allocated.allocation.nodePorts.allSatisfy { $0 != nil })
            given += allocated.allocation.nodePorts.compactMap { $0 }
        }
        #expect(Set(given) == Set(30000...30009), "seed \(seed)")
        #expect(throws: AllocationError.noFreeNodePort(range: 30000...30009)) {
            try side.apply(makeService("full", type: .nodePort), now: at(2_000), using: &generator)
        }
        let plain = try side.apply(makeService("plain", type: .clusterIP), now: at(2_000), using: &generator)
        #expect(plain.allocation.nodePorts == [nil], "a ClusterIP Service has no NodePorts")
    }

    @Test("a headless Service gets no ClusterIP")
    func headless() throws {
        var side = Side("a")
        let allocated = try side.apply(makeService("db", clusterIP: .headless), now: at(1_000))
        #expect(allocated.allocation.clusterIP == nil)
    }

    @Test("a pinned ClusterIP another Service holds is refused, naming the holder")
    func pinnedClusterIPTaken() throws {
        var side = Side("a", ranges: Self.small)
        try side.apply(makeService("web", clusterIP: .pinned(IPv4(10, 0, 0, 5))), now: at(1_000))
        let error = #expect(throws: AllocationError.self) {
            try side.apply(makeService("api", namespace: "shop", clusterIP: .pinned(IPv4(10, 0, 0, 5))), now: at(2_000))
        }
        #expect(error == .clusterIPTaken(IPv4(10, 0, 0, 5), holder: serviceKey("web")))
        #expect(error?.description == "clusterIP 10.0.0.5 is already held by Service/default/web")
        #expect(side.replica[serviceKey("api", namespace: "shop")] == nil)
    }

    @Test("a pinned ClusterIP outside the CIDR, or its network or broadcast address, is refused")
    func pinnedClusterIPOutsideRange() {
        var side = Side("a", ranges: Self.small)
        for address in [IPv4(10, 0, 0, 0), IPv4(10, 0, 0, 7), IPv4(10, 0, 0, 8)] {
            #expect(throws: AllocationError.clusterIPOutsideRange(address, serviceCIDR: Self.small.serviceCIDR)) {
                try side.apply(makeService("web", clusterIP: .pinned(address)), now: at(1_000))
            }
        }
    }

    @Test("a pinned NodePort another Service holds, or outside the range, is refused")
    func pinnedNodePortRefused() throws {
        var side = Side("a", ranges: Self.small)
        try side.apply(makeService("web", type: .nodePort, ports: [ServicePort(port: 80, nodePort: 30005)]), now: at(1_000))
        #expect(throws: AllocationError.nodePortTaken(30005, holder: serviceKey("web"))) {
            try side.apply(makeService("api", type: .nodePort, ports: [ServicePort(port: 80, nodePort: 30005)]), now: at(2_000))
        }
        #expect(throws: AllocationError.nodePortOutsideRange(8081, range: 30000...30009)) {
            try side.apply(makeService("api", type: .nodePort, ports: [ServicePort(port: 80, nodePort: 8081)]), now: at(2_000))
        }
    }

    @Test("re-applying a Service keeps its ClusterIP and NodePorts, and its own pinned values are not 'taken'")
    func updateKeepsValues() throws {
        var side = Side("a")
        let first = try side.apply(makeService("web", type: .nodePort), now: at(1_000), seed: 1)
        let again = try side.apply(makeService("web", type: .nodePort, selector: ["app": "v2"]), now: at(2_000), seed: 99)
        #expect(again.allocation == first.allocation)

        let pinned = makeService("api", type: .nodePort, ports: [ServicePort(port: 80, nodePort: 31000)], clusterIP: .pinned(IPv4(10, 96, 0, 10)))
        let once = try side.apply(pinned, now: at(3_000))
        let twice = try side.apply(pinned, now: at(4_000))
        #expect(twice.allocation == once.allocation)
    }

    @Test("changing the ClusterIP of an existing Service is refused")
    func clusterIPIsImmutable() throws {
        var side = Side("a")
        let first = try side.apply(makeService("web"), now: at(1_000))
        #expect(throws: AllocationError.clusterIPImmutable(current: first.allocation.clusterIP, requested: .headless)) {
            try side.apply(makeService("web", clusterIP: .headless), now: at(2_000))
        }
    }
}
