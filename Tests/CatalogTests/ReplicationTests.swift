@testable import Catalog
import ClusterModel
import Testing

@Suite("Replication: last writer wins, tombstones, digests")
struct ReplicationTests {
    /// Writes to a handful of keys by three writers, with versions crowded into a few
    /// milliseconds so that ties on time are common and only the writer's name breaks them.
    static func randomWrites(using generator: inout SeededGenerator) -> [CatalogEntry] {
        let writers = [node("a"), node("b"), node("c")]
        let keys = [serviceKey("web"), serviceKey("api"), podKey("web-1"), podKey("web-2")]
        var seen: Set<[String]> = []
        var writes: [CatalogEntry] = []
        while writes.count < 40 {
            let key = keys.randomElement(using: &generator)!
            let version = CatalogVersion(
                timestamp: HybridTimestamp(wallMilliseconds: UInt64.random(in: 1000...1003, using: &generator), counter: UInt32.random(in: 0...2, using: &generator)),
                writer: writers.randomElement(using: &generator)!)
            // A writer's clock never issues one version twice; no two writes share one per key.
            guard seen.insert([key.description, version.description]).inserted else { continue }
            let body: CatalogEntry.Body
            switch (key.kind, Int.random(in: 0..<4, using: &generator)) {
            case (_, 0):
                body = .tombstone
            case (.service, let n):
                body = .service(AllocatedService(service: makeService(key.name, ports: [ServicePort(port: 80 + n)]), allocation: ServiceAllocation(clusterIP: IPv4(10, 96, 0, UInt8(n)), nodePorts: [nil])))
            case (.pod, let n):
                body = .pod(makePod(key.name, ip: IPv4(10, 0, 0, UInt8(n))))
            }
            writes.append(CatalogEntry(key: key, version: version, createdAt: version, body: body))
        }
        return writes
    }

    @Test("merging the same writes in any order, duplicates included, leaves the same catalog holding each key's newest write")
    func mergeOrderDoesNotMatter() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("mergeOrderDoesNotMatter seed: \(seed)")
        var generator = SeededGenerator(seed: seed)
        let writes = Self.randomWrites(using: &generator)
        var newest: [ObjectKey: CatalogEntry] = [:]
        for write in writes where newest[write.key].map({ $0.version < write.version }) ?? true { newest[write.key] = write }

        let reference = CatalogReplica(entries: writes)
        #expect(reference.entries == newest, "seed \(seed)")
        for _ in 0..<50 {
            let order = (writes + writes.prefix(10)).shuffled(using: &generator)
            let replica = CatalogReplica(entries: order)
            guard replica == reference else {
                Issue.record("seed \(seed): merging in the order \(order.map(\.description)) gave \(replica.entries.values.map(\.description).sorted())")
                return
            }
        }
    }

    @Test("merge reports a change only for a newer write")
    func mergeReportsChanges() {
        let key = podKey("web-1")
        let older = CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: 10, counter: 0), writer: node("b"))
        let newer = CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: 10, counter: 0), writer: node("c"))
        var replica = CatalogReplica()
        let first = replica.merge(CatalogEntry(key: key, version: older, createdAt: older, body: .pod(makePod("web-1"))))
        #expect(first?.kind == .created)
        let second = replica.merge(CatalogEntry(key: key, version: newer, createdAt: older, body: .pod(makePod("web-1", ip: IPv4(10, 0, 0, 9)))))
        #expect(second?.kind == .updated)
        #expect(replica.merge(CatalogEntry(key: key, version: older, createdAt: older, body: .tombstone)) == nil)
        #expect(replica[key]?.pod?.status.podIP == IPv4(10, 0, 0, 9))
    }

    @Test("the agent's rewrite of a write (a reallocation, a readiness) replaces that write, never a later apply or delete its writer had not heard of")
    func rewritesNeverReplaceLaterUserWrites() throws {
        var a = Side("a")
        var b = Side("b")
        try a.apply(makeService("web"), now: at(1_000))
        b.hear(a, now: at(1_100))
        try b.apply(makeService("web", selector: ["app": "v2"]), now: at(2_000))  // a has not heard of it yet
        let written = try #require(a.replica[serviceKey("web")]?.service)
        var moved = written
        moved.allocation.clusterIP = IPv4(10, 96, 0, 200)
        let rewrite = try #require(
            a.replica.rewrite(serviceKey("web"), as: .service(moved), writer: a.name, clock: &a.clock, now: at(3_000)))
        #expect(rewrite.current.version.timestamp.wallMilliseconds == 3_000 && !rewrite.current.isUserWrite)
        #expect(rewrite.current.specVersion == rewrite.previous?.version, "it keeps the spec version of what it rewrote")

        // Whichever order they meet in, the later apply wins on both nodes.
        a.hear(b, now: at(3_100))
        b.hear(a, now: at(3_100))
        #expect(a.replica == b.replica)
        #expect(a.replica[serviceKey("web")]?.service?.service.spec.selector == ["app": "v2"])

        // A rewrite of the newest write replaces it; a delete made after it replaces the rewrite.
        let again = try #require(b.replica.rewrite(serviceKey("web"), as: .service(moved), writer: b.name, clock: &b.clock, now: at(4_000)))
        a.hear(b, now: at(4_100))
        #expect(a.replica[serviceKey("web")] == again.current)
        var c = Side("c")
        c.hear(a, now: at(3_500))
        c.delete(serviceKey("web"), now: at(3_600))  // before the rewrite in wall time, after it in spec
        a.hear(c, now: at(4_200))
        #expect(a.replica[serviceKey("web")]?.isTombstone == true)
        #expect(a.replica.rewrite(serviceKey("web"), as: .service(moved), writer: a.name, clock: &a.clock, now: at(5_000)) == nil)
    }

    @Test("a delete made after a write removes the object on every node, whichever arrives first")
    func deleteBeatsOlderWrite() throws {
        var a = Side("a")
        var b = Side("b")
        try a.apply(makeService("web"), now: at(1_000))
        b.hear(a, now: at(1_500))
        b.delete(serviceKey("web"), now: at(2_000))

        var late = Side("c")
        late.hear(b, now: at(3_000))  // the tombstone first
        late.hear(a, now: at(3_000))  // then the (older) write
        a.hear(b, now: at(3_000))
        #expect(a.replica[serviceKey("web")]?.isTombstone == true)
        #expect(late.replica == a.replica)
        #expect(a.replica.services.isEmpty)
    }

    @Test("a write made after a delete brings the object back as a new creation")
    func newerWriteBeatsDelete() throws {
        var a = Side("a")
        var b = Side("b")
        try a.apply(makeService("web"), now: at(1_000))
        b.hear(a, now: at(1_100))
        b.delete(serviceKey("web"), now: at(1_200))
        a.hear(b, now: at(1_300))
        try a.apply(makeService("web"), now: at(1_400))
        b.hear(a, now: at(1_500))

        let entry = try #require(b.replica[serviceKey("web")])
        #expect(!entry.isTombstone)
        #expect(entry.createdAt == entry.version, "recreated after a delete, so created anew")
        #expect(entry.createdAt.timestamp.wallMilliseconds == 1_400)
        #expect(a.replica == b.replica)
    }

    @Test("an update keeps the creation version the allocation conflict rule uses")
    func updateKeepsCreation() throws {
        var a = Side("a")
        try a.apply(makeService("web"), now: at(1_000))
        let created = a.replica[serviceKey("web")]?.createdAt
        try a.apply(makeService("web", selector: ["app": "other"]), now: at(2_000))
        #expect(a.replica[serviceKey("web")]?.createdAt == created)
        #expect(a.replica[serviceKey("web")]?.version.timestamp.wallMilliseconds == 2_000)
    }

    @Test("a tombstone is kept for 24 hours and purged after; live objects are never purged")
    func tombstonesArePurgedAfterTheTTL() throws {
        var a = Side("a")
        try a.apply(makeService("web"), now: at(1_000))
        try a.apply(makeService("api"), now: at(1_000))
        a.delete(serviceKey("web"), now: at(2_000))
        let day: UInt64 = 24 * 60 * 60 * 1000

        #expect(a.replica.purge(now: at(2_000 + day - 1)).isEmpty)
        #expect(a.replica[serviceKey("web")]?.isTombstone == true)
        #expect(a.replica.purge(now: at(2_000 + day + 1)) == [serviceKey("web")])
        #expect(a.replica[serviceKey("web")] == nil)
        #expect(a.replica.services.map(\.key) == [serviceKey("api")])
    }

    @Test("a shorter TTL purges sooner")
    func customTTL() throws {
        var a = Side("a")
        a.apply(makePod("web-1"), now: at(1_000))
        a.delete(podKey("web-1"), now: at(1_000))
        #expect(a.replica.purge(now: at(62_000), tombstoneTTL: .seconds(60)) == [podKey("web-1")])
    }

    @Test("anti-entropy sends a peer exactly the writes it lacks, oldest first, and nothing once it has them")
    func digestSendsWhatIsMissing() throws {
        var a = Side("a")
        var b = Side("b")
        var c = Side("c")
        try a.apply(makeService("web"), now: at(1_000))
        b.apply(makePod("web-1"), now: at(1_000))
        c.hear(a, now: at(1_100))
        c.hear(b, now: at(1_100))
        // c now has both; b writes more, a overwrites web, and c deletes the pod.
        b.apply(makePod("web-2"), now: at(1_200))
        try a.apply(makeService("web", selector: ["app": "v2"]), now: at(1_300))
        c.hear(a, now: at(1_400))
        c.hear(b, now: at(1_400))
        c.delete(podKey("web-1"), now: at(1_500))

        // What a lacks: b's two pods' current state (web-1 as c's tombstone) and web-2.
        let sent = c.replica.entries(newerThan: a.replica.digest)
        let lacking = c.replica.entries.values.filter { a.replica[$0.key]?.version != $0.version }
        #expect(Set(sent) == Set(lacking))
        #expect(sent.map(\.key) == [podKey("web-2"), podKey("web-1")], "oldest version first")
        #expect(sent.map(\.version) == sent.map(\.version).sorted())

        for entry in sent { a.replica.merge(entry) }
        #expect(a.replica == c.replica)
        #expect(c.replica.entries(newerThan: a.replica.digest).isEmpty)
        #expect(a.replica.entries(newerThan: c.replica.digest).isEmpty)
    }

    @Test("a new node with an empty digest is sent the whole catalog, tombstones included")
    func emptyDigestGetsEverything() throws {
        var a = Side("a")
        try a.apply(makeService("web"), now: at(1_000))
        a.apply(makePod("web-1"), now: at(1_001))
        a.delete(podKey("web-1"), now: at(1_002))
        let sent = a.replica.entries(newerThan: CatalogDigest())
        #expect(sent.count == 2)
        #expect(CatalogReplica(entries: sent) == a.replica)
    }
}

@Suite("The replica's index")
struct ReplicaIndexTests {
    @Test("who holds each value, and how many values are contested, always match a count from scratch, through writes, merges, deletes and purges")
    func holdersMatchAScan() throws {
        var random = SeededGenerator(seed: 11)
        let ranges = AllocationRanges(serviceCIDR: IPv4Network(address: IPv4(10, 96, 0, 0), prefixLength: 28)!, nodePorts: 30000...30009)
        var sides = ["a", "b", "c"].map { Side($0, ranges: ranges) }
        var merged = CatalogReplica()
        var mostContested = 0
        for step in 0..<300 {
            let side = Int.random(in: 0..<3, using: &random)
            let name = "svc-\(Int.random(in: 0..<12, using: &random))"
            if Int.random(in: 0..<5, using: &random) == 0 {
                sides[side].delete(serviceKey(name), now: at(1_000 + UInt64(step)))
            } else {
                _ = try? sides[side].apply(makeService(name, type: .nodePort), now: at(1_000 + UInt64(step)), using: &random)
            }
            for entry in sides[side].replica.entries.values { merged.merge(entry) }
            let scan = ReplicaIndex(merged.entries.values)
            #expect(merged.index.holders == scan.holders, "step \(step)")
            #expect(merged.index.contested == scan.contested, "step \(step)")
            mostContested = max(mostContested, scan.contested)
        }
        #expect(mostContested > 0, "the three sides did collide")
        merged.purge(now: at(1_000) + CatalogReplica.defaultTombstoneTTL + .seconds(3_600))
        #expect(merged.index.holders == ReplicaIndex(merged.entries.values).holders)
        for entry in merged.entries.values { #expect(merged.digest.covers(entry.version)) }
    }
}
