import Catalog
import ClusterModel
import Testing

@Suite("A LoadBalancer Service's status in the catalog: the leader's rewrite, kept by a user's apply")
struct LoadBalancerStatusTests {
    static let key = serviceKey("web")
    static let balanced = makeService("web", type: .loadBalancer)

    static func status(_ address: IPv4, synced: Bool = true, message: String = "", at milliseconds: UInt64 = 1_700_000_000_000) -> LoadBalancerStatus {
        LoadBalancerStatus(
            ingress: synced ? [LoadBalancerIngress(ip: address)] : [],
            condition: LoadBalancerCondition(
                synced: synced, reason: synced ? LoadBalancerCondition.ensured : LoadBalancerCondition.failed, message: message,
                since: at(milliseconds)))
    }

    static func instance(_ name: String = "n0", budget: Int? = nil, sizes: CatalogSync.EncodedSize = approximateSizes) throws -> CatalogNode {
        var settings = CatalogSync.Settings()
        if let budget { settings.messageBudget = budget }
        return try CatalogNode(name: node(name), settings: settings, encodedSize: sizes)
    }

    @Test("the leader's status is a rewrite of the user's write: same spec version, pushed, and shown by the Service")
    func statusIsARewrite() throws {
        var leader = try Self.instance()
        leader.setPeers([node("n1")])
        var random = SeededGenerator(seed: 1)
        _ = try leader.apply(Self.balanced, now: at(1_000), random: &random)
        let applied = leader.replica[Self.key]!
        let directives = leader.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, now: at(2_000), random: &random)
        let written = leader.replica[Self.key]!
        #expect(written.service?.loadBalancer == Self.status(IPv4(203, 0, 113, 7)))
        #expect(written.specVersion == applied.version && !written.isUserWrite && written.version > applied.version)
        #expect(written.service?.allocation == applied.service?.allocation)
        #expect(directives.contains { if case .send(.rumor([written]), _) = $0 { return true } else { return false } })
        // The same status again writes nothing.
        #expect(leader.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, now: at(3_000), random: &random).isEmpty)
        #expect(leader.replica[Self.key] == written)
    }

    @Test("nothing is written for a Service that is gone or not of type LoadBalancer")
    func onlyLoadBalancers() throws {
        var leader = try Self.instance()
        var random = SeededGenerator(seed: 1)
        #expect(leader.recordLoadBalancerStatus(Self.status(IPv4(1, 2, 3, 4)), for: Self.key, now: at(1_000), random: &random).isEmpty)
        _ = try leader.apply(makeService("web", type: .nodePort), now: at(1_000), random: &random)
        #expect(leader.recordLoadBalancerStatus(Self.status(IPv4(1, 2, 3, 4)), for: Self.key, now: at(2_000), random: &random).isEmpty)
        _ = leader.delete(Self.key, now: at(3_000), random: &random)
        #expect(leader.recordLoadBalancerStatus(Self.status(IPv4(1, 2, 3, 4)), for: Self.key, now: at(4_000), random: &random).isEmpty)
        #expect(leader.replica[Self.key]?.isTombstone == true)
    }

    @Test("a user's apply keeps the status while the Service stays a LoadBalancer, and clears it when its type changes")
    func applyCarriesStatusOver() throws {
        var node = try Self.instance()
        var random = SeededGenerator(seed: 1)
        _ = try node.apply(Self.balanced, now: at(1_000), random: &random)
        _ = node.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, now: at(2_000), random: &random)
        let allocation = node.replica[Self.key]?.service?.allocation.clusterIP

        var relabelled = Self.balanced
        relabelled.metadata.labels = ["tier": "front"]
        _ = try node.apply(relabelled, now: at(3_000), random: &random)
        #expect(node.replica[Self.key]?.isUserWrite == true)
        #expect(node.replica[Self.key]?.service?.loadBalancer == Self.status(IPv4(203, 0, 113, 7)))
        #expect(node.replica[Self.key]?.service?.allocation.clusterIP == allocation)

        var nodePort = relabelled
        nodePort.spec.type = .nodePort
        _ = try node.apply(nodePort, now: at(4_000), random: &random)
        #expect(node.replica[Self.key]?.service?.loadBalancer == LoadBalancerStatus())
        // Back to LoadBalancer: pending until the leader writes again.
        _ = try node.apply(relabelled, now: at(5_000), random: &random)
        #expect(node.replica[Self.key]?.service?.loadBalancer == LoadBalancerStatus())
    }

    @Test("a status racing a user's apply on another node loses to the apply everywhere; the leader's next write then lands on every node")
    func raceWithUserApply() throws {
        var net = try CatalogNetwork(3, seed: 7)
        let (leader, user) = (net.names[0], net.names[1])
        try net.apply(Self.balanced, on: user)
        #expect(net.runUntilConverged(limit: .seconds(10)) != nil)

        // Cut off from each other: the leader writes a status while the user updates the spec.
        net.partition = [[leader], [user, net.names[2]]]
        net.refreshPeers()
        net.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, on: leader)
        net.run(for: .milliseconds(10))
        var updated = Self.balanced
        updated.spec.ports.append(ServicePort(name: "https", port: 443))
        try net.apply(updated, on: user)
        net.partition = nil
        net.refreshPeers()
        #expect(net.runUntilConverged(limit: .seconds(30)) != nil)
        for name in net.names {
            let entry = net.replica(name)[Self.key]
            #expect(entry?.service?.service == updated, "\(name): the user's update wins")
            #expect(entry?.service?.loadBalancer == LoadBalancerStatus(), "\(name): the status it replaced is gone")
        }

        // The leader's next reconcile finds the catalog says otherwise and writes again.
        net.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, on: leader)
        #expect(net.runUntilConverged(limit: .seconds(10)) != nil)
        for name in net.names {
            let entry = net.replica(name)[Self.key]
            #expect(entry?.service?.service == updated && entry?.service?.loadBalancer == Self.status(IPv4(203, 0, 113, 7)), "\(name)")
        }
    }

    @Test("a status heard before a user's apply is carried over by it, on the node the user applied on")
    func applyAfterStatusKeepsIt() throws {
        var net = try CatalogNetwork(2, seed: 3)
        try net.apply(Self.balanced, on: net.names[1])
        net.run(for: .seconds(1))
        net.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, on: net.names[0])
        net.run(for: .seconds(1))
        var updated = Self.balanced
        updated.metadata.annotations = ["note": "x"]
        try net.apply(updated, on: net.names[1])
        #expect(net.runUntilConverged(limit: .seconds(10)) != nil)
        #expect(net.replica(net.names[0])[Self.key]?.service?.loadBalancer == Self.status(IPv4(203, 0, 113, 7)))
    }

    @Test("a condition message too long for one message is cut, ending in an ellipsis, so the status still fits the budget")
    func longMessageIsCut() throws {
        // Sizes that count the message, as the wire codec does.
        let sizes = CatalogSync.EncodedSize(
            entry: { approximateSizes.entry($0) + ($0.service?.loadBalancer.condition?.message.utf8.count ?? 0) },
            digest: approximateSizes.digest)
        var leader = try Self.instance(budget: 300, sizes: sizes)
        var random = SeededGenerator(seed: 1)
        _ = try leader.apply(Self.balanced, now: at(1_000), random: &random)
        let long = String(repeating: "é", count: 1_000)
        _ = leader.recordLoadBalancerStatus(Self.status(IPv4(0, 0, 0, 0), synced: false, message: long), for: Self.key, now: at(2_000), random: &random)
        let message = leader.replica[Self.key]?.service?.loadBalancer.condition?.message ?? ""
        #expect(message.hasSuffix("…") && message.count > 10 && message.utf8.count < long.utf8.count)
        #expect(sizes.entry(leader.replica[Self.key]!) <= 300)
        // The same long status again is recognised as already written.
        #expect(leader.recordLoadBalancerStatus(Self.status(IPv4(0, 0, 0, 0), synced: false, message: long), for: Self.key, now: at(3_000), random: &random).isEmpty)
    }

    @Test("a Service moved off a contested NodePort keeps its load balancer status")
    func reallocationKeepsStatus() throws {
        var settings = CatalogSync.Settings()
        settings.allocation.nodePorts = 30100...30101
        var a = try CatalogNode(name: node("a"), settings: settings, encodedSize: approximateSizes)
        var random = SeededGenerator(seed: 1)
        _ = try a.apply(makeService("old", type: .nodePort, ports: [ServicePort(name: "http", port: 80, nodePort: 30100)]), now: at(1_000), random: &random)
        // b, not having heard of it, gives its LoadBalancer Service the same NodePort.
        var b = try CatalogNode(name: node("b"), settings: settings, encodedSize: approximateSizes)
        for seed in 1...64 where b.replica[Self.key]?.service?.allocation.nodePorts != [30100] {
            b = try CatalogNode(name: node("b"), settings: settings, encodedSize: approximateSizes)
            var draw = SeededGenerator(seed: UInt64(seed))
            _ = try b.apply(Self.balanced, now: at(2_000), random: &draw)
        }
        #expect(b.replica[Self.key]?.service?.allocation.nodePorts == [30100])
        _ = b.recordLoadBalancerStatus(Self.status(IPv4(203, 0, 113, 7)), for: Self.key, now: at(2_500), random: &random)
        _ = b.onMessage(.rumor([a.replica[serviceKey("old")]!]), from: node("a"), now: at(3_000), random: &random)
        #expect(b.replica[Self.key]?.service?.allocation.nodePorts == [30101])
        #expect(b.replica[Self.key]?.service?.loadBalancer == Self.status(IPv4(203, 0, 113, 7)))
    }
}
