import Catalog
import ClusterModel
import Testing

@Suite("Concurrent creation: the older creation keeps a contested ClusterIP or NodePort")
struct ConflictTests {
    /// Two sides of a partition, each creating a Service without hearing of the other's.
    /// Same seed, same empty catalog: both draw the same ClusterIP and NodePort.
    static func partitioned(
        older: KubernetesService, olderAt: UInt64, younger: KubernetesService, youngerAt: UInt64,
        olderNode: String = "a", youngerNode: String = "b"
    ) throws -> (Side, Side) {
        var left = Side(olderNode)
        var right = Side(youngerNode)
        try left.apply(older, now: at(olderAt), seed: 7)
        try right.apply(younger, now: at(youngerAt), seed: 7)
        return (left, right)
    }

    /// Merges both sides in both orders; checks they agree and returns the merged catalog.
    static func healed(_ left: Side, _ right: Side) -> (Side, Side) {
        var l = left
        var r = right
        l.hear(right, now: at(10_000))
        r.hear(left, now: at(10_000))
        #expect(l.replica == r.replica)
        return (l, r)
    }

    @Test("the younger of two Services created with the same allocated ClusterIP and NodePort is given new ones by its writer, the same on every node")
    func youngerIsReallocated() throws {
        let (a, b) = try Self.partitioned(
            older: makeService("web", type: .nodePort), olderAt: 1_000,
            younger: makeService("api", type: .nodePort), youngerAt: 1_005)
        let contested = try #require(a.replica[serviceKey("web")]?.service?.allocation)
        #expect(b.replica[serviceKey("api")]?.service?.allocation == contested, "the setup makes both sides draw the same values")

        var (left, right) = Self.healed(a, b)
        let onLeft = conflicts(in: left.replica, ranges: .defaults)
        let onRight = conflicts(in: right.replica, ranges: .defaults)
        #expect(onLeft == onRight)
        #expect(onLeft.keys.sorted() == [serviceKey("api")])

        guard case .reallocate(let writer, let allocation) = onLeft[serviceKey("api")] else {
            Issue.record("expected a reallocation, got \(String(describing: onLeft[serviceKey("api")]))")
            return
        }
        #expect(writer == node("b"))
        #expect(allocation.clusterIP != contested.clusterIP)
        #expect(allocation.clusterIP.map(AllocationRanges.defaults.serviceCIDR.contains) == true)
        #expect(allocation.nodePorts[0] != contested.nodePorts[0])
        #expect(allocation.nodePorts[0].map(AllocationRanges.defaults.nodePorts.contains) == true)

        // b writes the new values; once that spreads, nothing is contested and web kept its own.
        let api = try #require(right.replica[serviceKey("api")]?.service)
        right.replica.apply(AllocatedService(service: api.service, allocation: allocation), writer: right.name, clock: &right.clock, now: at(11_000))
        left.hear(right, now: at(12_000))
        #expect(left.replica == right.replica)
        #expect(conflicts(in: left.replica, ranges: .defaults).isEmpty)
        #expect(left.replica[serviceKey("web")]?.service?.allocation == contested)
        #expect(left.replica[serviceKey("api")]?.createdAt.timestamp.wallMilliseconds == 1_005, "still the same creation")
    }

    @Test("created in the same millisecond, the Service written by the lower node name counts as older")
    func tieBrokenByWriter() throws {
        let (a, b) = try Self.partitioned(
            older: makeService("zeta"), olderAt: 1_000, younger: makeService("alpha"), youngerAt: 1_000,
            olderNode: "node-1", youngerNode: "node-2")
        let (merged, _) = Self.healed(a, b)
        let resolutions = conflicts(in: merged.replica, ranges: .defaults)
        #expect(resolutions.keys.sorted() == [serviceKey("alpha")], "node-1's zeta keeps the address though alpha sorts first")
        if case .reallocate(let writer, _) = resolutions[serviceKey("alpha")] {
            #expect(writer == node("node-2"))
        } else {
            Issue.record("expected alpha to be reallocated")
        }
    }

    @Test("a younger Service that pinned a ClusterIP the older one was allocated gets a Conflict naming the holder")
    func pinnedLoserGetsConflict() throws {
        var a = Side("a")
        let web = try a.apply(makeService("web"), now: at(1_000))
        let address = try #require(web.allocation.clusterIP)
        var b = Side("b")
        try b.apply(makeService("api", clusterIP: .pinned(address)), now: at(1_005))

        let (left, right) = Self.healed(a, b)
        let resolutions = conflicts(in: left.replica, ranges: .defaults)
        #expect(resolutions == conflicts(in: right.replica, ranges: .defaults))
        #expect(resolutions == [serviceKey("api"): .conflict([LostValue(value: .clusterIP(address), holder: serviceKey("web"), pinned: true)])])
        #expect(resolutions[serviceKey("api")]?.description == "Conflict: ClusterIP \(address) (pinned) is held by Service/default/web")
    }

    @Test("an older pinned Service keeps its address and the younger allocated one moves")
    func olderPinnedKeeps() throws {
        var b = Side("b")
        let api = try b.apply(makeService("api"), now: at(2_000))
        let address = try #require(api.allocation.clusterIP)
        var a = Side("a")
        try a.apply(makeService("web", clusterIP: .pinned(address)), now: at(1_000))

        let (merged, _) = Self.healed(a, b)
        let resolutions = conflicts(in: merged.replica, ranges: .defaults)
        #expect(resolutions.keys.sorted() == [serviceKey("api")])
        guard case .reallocate(_, let allocation) = resolutions[serviceKey("api")] else {
            Issue.record("expected api to be reallocated")
            return
        }
        #expect(allocation.clusterIP != address)
    }

    @Test("three Services on one NodePort: the oldest keeps it, the two younger get distinct new ones")
    func threeWayNodePortConflict() throws {
        var sides = [Side("a"), Side("b"), Side("c")]
        for (index, name) in ["one", "two", "three"].enumerated() {
            try sides[index].apply(makeService(name, type: .nodePort, clusterIP: .headless), now: at(1_000 + UInt64(index)), seed: 3)
        }
        var merged = Side("d")
        for side in sides.reversed() { merged.hear(side, now: at(5_000)) }
        let resolutions = conflicts(in: merged.replica, ranges: .defaults)
        #expect(resolutions.keys.sorted() == [serviceKey("three"), serviceKey("two")])
        let kept = merged.replica[serviceKey("one")]?.service?.allocation.nodePorts[0]
        var fresh: [Int?] = []
        for key in [serviceKey("two"), serviceKey("three")] {
            if case .reallocate(_, let allocation) = resolutions[key] { fresh.append(allocation.nodePorts[0]) }
        }
        #expect(fresh.count == 2)
        #expect(Set(fresh + [kept]).count == 3, "all three end up distinct")
    }

    @Test("a Service that held a value first keeps it when another is moved onto it by a node that had not heard of it")
    func reallocationOntoAnUnseenHolder() throws {
        // Two usable addresses, 10.96.0.1 and .2.
        let ranges = AllocationRanges(serviceCIDR: IPv4Network(address: IPv4(10, 96, 0, 0), prefixLength: 30)!, nodePorts: 30000...30001)
        func allocated(_ name: String, _ last: UInt8) -> AllocatedService {
            AllocatedService(service: makeService(name), allocation: ServiceAllocation(clusterIP: IPv4(10, 96, 0, last), nodePorts: [nil]))
        }
        var a = Side("a", ranges: ranges)
        var b = Side("b", ranges: ranges)
        var c = Side("c", ranges: ranges)
        a.replica.apply(allocated("keeper", 1), writer: a.name, clock: &a.clock, now: at(1_000))
        b.replica.apply(allocated("mover", 1), writer: b.name, clock: &b.clock, now: at(1_001))
        c.replica.apply(allocated("bystander", 2), writer: c.name, clock: &c.clock, now: at(1_002))

        // b hears of the keeper, not yet of the bystander, and moves its Service to the
        // address that is free in its catalog.
        b.replica.merge(a.replica[serviceKey("keeper")]!)
        guard case .reallocate(let writer, let allocation) = conflicts(in: b.replica, ranges: ranges)[serviceKey("mover")] else {
            Issue.record("expected the mover to be reallocated")
            return
        }
        #expect(writer == b.name && allocation.clusterIP == IPv4(10, 96, 0, 2))
        let current = b.replica[serviceKey("mover")]!.service!
        b.replica.apply(AllocatedService(service: current.service, allocation: allocation), writer: b.name, clock: &b.clock, now: at(5_000))
        #expect(b.replica[serviceKey("mover")]!.service!.allocation.takenAt[.clusterIP(IPv4(10, 96, 0, 2))]?.timestamp.wallMilliseconds == at(5_000).millisecondsSinceEpoch)

        // Once every node holds all three, the bystander, which held .2 since 1,002 ms,
        // keeps it; the mover, which took it at 5,000 ms, must move again (nothing is free).
        let whole = CatalogReplica(entries: [a.replica[serviceKey("keeper")]!, b.replica[serviceKey("mover")]!, c.replica[serviceKey("bystander")]!])
        let resolutions = conflicts(in: whole, ranges: ranges)
        #expect(resolutions[serviceKey("bystander")] == nil)
        #expect(resolutions[serviceKey("keeper")] == nil)
        #expect(resolutions[serviceKey("mover")] == .conflict([LostValue(value: .clusterIP(IPv4(10, 96, 0, 2)), holder: serviceKey("bystander"), pinned: false)]))
    }

    @Test("Services that share nothing are not in conflict")
    func noConflict() throws {
        var a = Side("a")
        try a.apply(makeService("web", type: .nodePort), now: at(1_000), seed: 1)
        try a.apply(makeService("api", type: .loadBalancer), now: at(1_001), seed: 1)
        try a.apply(makeService("db", clusterIP: .headless), now: at(1_002), seed: 1)
        #expect(conflicts(in: a.replica, ranges: .defaults).isEmpty)
    }
}
