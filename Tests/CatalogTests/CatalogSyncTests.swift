import Foundation
import Catalog
import ClusterModel
import Testing

@Suite("Catalog replication: immediate push, anti-entropy, partitions, deletes, resync")
struct CatalogSyncTests {
    static func seed(_ test: String) -> UInt64 {
        let seed = ProcessInfo.processInfo.environment["SIM_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("\(test) seed: \(seed) (SIM_SEED replays it)")
        return seed
    }

    @Test("a write on one node reaches every node, even when 30% of messages are lost")
    func writeReachesEveryone() throws {
        let seed = Self.seed("writeReachesEveryone")
        var net = try CatalogNetwork(8, seed: seed)
        net.loss = 0.3
        // A steady trickle of writes from several nodes, so pushes overtake one another.
        for round in 0..<20 {
            let writer = net.names[round % 3]
            try net.apply(makeService("svc-\(round)", type: .nodePort), on: writer)
            try net.apply(makePod("pod-\(round)", ip: IPv4(10, 0, 1, UInt8(round))), on: net.names[(round + 4) % 8])
            net.run(for: .milliseconds(300))
        }
        let took = net.runUntilConverged(limit: .seconds(120))
        #expect(took != nil, "seed \(seed): nodes \(net.divergent) still differ after 120 s")
        for name in net.names {
            #expect(net.replica(name).services.count == 20, "seed \(seed): \(name)")
            #expect(net.replica(name).pods.count == 20, "seed \(seed): \(name)")
        }
        print("writeReachesEveryone: converged \(took.map(\.description) ?? "never") after the last write")
    }

    @Test("a new write is on most nodes within milliseconds, before any anti-entropy round")
    func pushIsImmediate() throws {
        let seed = Self.seed("pushIsImmediate")
        var settings = CatalogSync.Settings()
        settings.antiEntropyInterval = .seconds(60)
        var net = try CatalogNetwork(4, seed: seed, settings: settings)
        net.run(for: .seconds(61))  // every node's first tick is behind it
        try net.apply(makeService("web"), on: net.names[0])
        net.run(for: .milliseconds(20))
        #expect(net.converged, "seed \(seed): \(net.divergent) did not get the push")
    }

    @Test("a new empty node catches up entirely through anti-entropy, 500 objects in many pushes under a small budget")
    func newNodeCatchesUp() throws {
        let seed = Self.seed("newNodeCatchesUp")
        var settings = CatalogSync.Settings()
        settings.messageBudget = 300
        // 64 pushes of ~3 objects each per answer (the default): the catalog needs several rounds.
        var net = try CatalogNetwork(3, seed: seed, settings: settings)
        for index in 0..<500 {
            if index % 5 == 0 {
                try net.apply(makeService("svc-\(index)"), on: net.names[index % 3])
            } else {
                try net.apply(makePod("pod-\(index)", ip: IPv4(value: 0x0A00_0000 + UInt32(index))), on: net.names[index % 3])
            }
            if index % 50 == 0 { net.run(for: .milliseconds(100)) }
        }
        #expect(net.runUntilConverged(limit: .seconds(60)) != nil, "seed \(seed): the first three did not agree")

        let newcomer = node("n9")
        let pushesBefore = net.pushesSent
        try net.add(newcomer, settings: settings)
        let took = net.runUntilConverged(limit: .seconds(30))
        #expect(took != nil, "seed \(seed): the new node holds \(net.replica(newcomer).entries.count) of 500 objects")
        #expect(net.replica(newcomer).entries.count == 500)
        #expect(net.largestPush <= 300, "every push stays within the budget")
        #expect(net.pushesSent - pushesBefore >= 500 * 40 / 300, "the catalog needed many pushes")
        print("newNodeCatchesUp: caught up in \(took.map(\.description) ?? "never") with \(net.pushesSent - pushesBefore) pushes")
    }

    @Test("a new node pulls a catalog thirteen answers long within two anti-entropy rounds: it asks again while answers teach it something")
    func newNodePullsFollowUps() throws {
        let seed = Self.seed("newNodePullsFollowUps")
        var settings = CatalogSync.Settings()
        settings.messageBudget = 300
        settings.maxPushesPerAnswer = 8
        var net = try CatalogNetwork(2, seed: seed, settings: settings)
        // In order, as one LAN path delivers: a part overtaken by the next is taken as lost
        // and asked for again, which is correct but slower (see writeReachesEveryone).
        net.reorders = false
        for index in 0..<600 {
            try net.apply(makePod("pod-\(index)", ip: IPv4(value: 0x0A00_0000 + UInt32(index))), on: net.names[index % 2])
        }
        #expect(net.runUntilConverged(limit: .seconds(60)) != nil, "seed \(seed): the first two did not agree")
        // A few more rounds, so that each holds the other's writes from an answer, not only
        // from rumors, and can answer with them in order.
        net.run(for: .seconds(10))

        let newcomer = node("n9")
        try net.add(newcomer, settings: settings)
        // 600 Pods at about 6 a push are some 100 pushes: 13 answers of 8. Without follow-ups
        // that is 13 anti-entropy rounds (26 s); with them, a round or two of quick re-asks.
        net.run(for: settings.antiEntropyInterval * 2)
        #expect(net.replica(newcomer).pods.count == 600, "seed \(seed): the new node holds \(net.replica(newcomer).pods.count) of 600 Pods")
    }

    @Test("a digest of 300 writers with long names travels as several messages, each within the budget, and still brings a new node everything")
    func manyWriters() throws {
        let seed = Self.seed("manyWriters")
        var net = try CatalogNetwork(1, seed: seed)
        var entries: [CatalogEntry] = []
        for index in 0..<300 {
            var writer = Side("node-with-a-long-cloud-host-name-\(index)")
            writer.apply(makePod("pod-\(index)", ip: IPv4(value: 0x0A00_0000 + UInt32(index))), now: at(1_000 + UInt64(index)))
            entries += writer.replica.entries.values
        }
        var random = SeededGenerator(seed: seed)
        _ = net.nodes[node("n0")]!.onMessage(.push(entries.sorted { $0.version < $1.version }, answer: 1, part: 0), from: node("x"), now: net.now, random: &random)
        try net.add(node("n1"))
        #expect(net.runUntilConverged(limit: .seconds(30)) != nil, "seed \(seed): n1 holds \(net.replica(node("n1")).pods.count) of 300")
        #expect(net.largestDigest <= CatalogSync.Settings().messageBudget, "largest digest \(net.largestDigest) bytes")
    }

    @Test("a node asks again while the answering digest shows writes it lacks, and stops once it holds them; digests nobody asked for start nothing")
    func followUpsStop() throws {
        var instance = try CatalogNode(name: node("a"), settings: CatalogSync.Settings(), encodedSize: approximateSizes)
        var random = SeededGenerator(seed: 1)
        instance.setPeers([node("b")])
        let now = at(10_000)
        var other = Side("b")
        other.apply(makePod("web-1", ip: IPv4(10, 0, 0, 1)), now: now)
        other.apply(makePod("web-2", ip: IPv4(10, 0, 0, 2)), now: now + .milliseconds(1))
        func schedulesFollowUp(_ directives: [CatalogNode.Directive]) -> Bool {
            directives.contains { if case .scheduleTimer(.pullFollowUp, _) = $0 { true } else { false } }
        }

        let unasked = instance.onMessage(.digest(other.replica.digest, isRequest: false), from: node("b"), now: now, random: &random)
        #expect(!schedulesFollowUp(unasked))

        _ = instance.onTimer(.antiEntropy, now: now, random: &random)
        _ = instance.onMessage(.push([other.replica[podKey("web-1")]!], answer: 1, part: 0), from: node("b"), now: now + .milliseconds(5), random: &random)
        let cutShort = instance.onMessage(.digest(other.replica.digest, isRequest: false), from: node("b"), now: now + .milliseconds(6), random: &random)
        #expect(schedulesFollowUp(cutShort), "b holds web-2, which a lacks")
        let again = instance.onTimer(.pullFollowUp, now: now + .milliseconds(30), random: &random)
        #expect(again.contains { if case .send(.digest(_, isRequest: true), to: node("b")) = $0 { true } else { false } })

        _ = instance.onMessage(.push([other.replica[podKey("web-2")]!], answer: 2, part: 0), from: node("b"), now: now + .milliseconds(35), random: &random)
        let complete = instance.onMessage(.digest(other.replica.digest, isRequest: false), from: node("b"), now: now + .milliseconds(36), random: &random)
        #expect(!schedulesFollowUp(complete), "once a holds all b holds, it asks nothing more")
    }

    @Test("concurrent writes on both sides of a partition all survive the heal, and the younger of two Services sharing a ClusterIP or NodePort moves")
    func partitionHeals() throws {
        let seed = Self.seed("partitionHeals")
        var net = try CatalogNetwork(6, seed: seed)
        let (a, b, c, d, e) = (net.names[0], net.names[1], net.names[2], net.names[3], net.names[4])
        try net.apply(makeService("shared", type: .nodePort), on: a)
        try net.apply(makeService("doomed"), on: b)
        try net.apply(makePod("web-1", labels: ["app": "web"], ip: IPv4(10, 0, 0, 1)), on: c)
        #expect(net.runUntilConverged(limit: .seconds(30)) != nil, "seed \(seed)")

        net.partition = [Set(net.names[0..<3]), Set(net.names[3...])]
        net.refreshPeers()
        net.run(for: .seconds(1))

        // Same catalog and same seed on both sides: both draw the same ClusterIP and NodePort.
        try net.apply(makeService("web", type: .nodePort), on: a, seed: 7)
        net.run(for: .milliseconds(5))
        try net.apply(makeService("api", type: .nodePort), on: d, seed: 7)
        let web = try #require(net.replica(a)[serviceKey("web")]?.service?.allocation)
        #expect(net.replica(d)[serviceKey("api")]?.service?.allocation == web, "the setup makes both sides draw the same values")

        let pinnedIP = IPv4(10, 96, 7, 7)
        try net.apply(makeService("dns", clusterIP: .pinned(pinnedIP)), on: b)
        net.run(for: .milliseconds(5))
        try net.apply(makeService("dns-copy", clusterIP: .pinned(pinnedIP)), on: e)

        // Writes and deletes on both sides, some to the same objects.
        try net.apply(makeService("shared", type: .nodePort, ports: [ServicePort(name: "http", port: 8080)]), on: b)
        try net.apply(makePod("left-1", ip: IPv4(10, 0, 0, 11)), on: a)
        try net.apply(makePod("right-1", ip: IPv4(10, 0, 0, 21)), on: e)
        net.delete(serviceKey("doomed"), on: d)
        net.run(for: .seconds(3))
        try net.apply(makeService("shared", type: .nodePort, ports: [ServicePort(name: "http", port: 9090)]), on: e)  // later: wins
        net.delete(podKey("web-1"), on: a)
        try net.apply(makePod("web-1", ip: IPv4(10, 0, 0, 99)), on: d)  // later: brings it back
        net.run(for: .seconds(10))

        net.partition = nil
        net.refreshPeers()
        let took = net.runUntilConverged(limit: .seconds(120))
        #expect(took != nil, "seed \(seed): \(net.divergent) still differ after healing")
        net.run(for: .seconds(10))  // and they stay so
        #expect(net.converged, "seed \(seed)")
        let healed = net.replica(a)

        // Every write survives unless a later write to the same object replaced it.
        for write in net.writes {
            let held = try #require(healed[write.key], "seed \(seed): \(write.key) vanished")
            #expect(held == write || held.outranks(write), "seed \(seed): \(write) was lost")
        }
        #expect(healed[serviceKey("doomed")]?.isTombstone == true)
        #expect(healed[podKey("web-1")]?.pod?.status.podIP == IPv4(10, 0, 0, 99))
        #expect(healed[serviceKey("shared")]?.service?.service.spec.ports.first?.port == 9090)
        #expect(healed[podKey("left-1")]?.pod != nil && healed[podKey("right-1")]?.pod != nil)

        // Only the younger of the pair moved, rewritten by its own writer.
        #expect(healed[serviceKey("web")]?.service?.allocation == web)
        let api = try #require(healed[serviceKey("api")])
        #expect(api.service?.allocation.clusterIP != web.clusterIP)
        #expect(api.service?.allocation.nodePorts != web.nodePorts)
        #expect(api.version.writer == d)

        // The pinned younger one waits in Conflict, on every node, and keeps what it asked for.
        for name in net.names {
            #expect(net.nodes[name]!.conflicts.keys.sorted() == [serviceKey("dns-copy")], "seed \(seed): \(name)")
        }
        #expect(healed[serviceKey("dns")]?.service?.allocation.clusterIP == pinnedIP)
        #expect(healed[serviceKey("dns-copy")]?.service?.allocation.clusterIP == pinnedIP)

        // Apart from the one in Conflict, no two live Services share a ClusterIP or NodePort.
        var holders: [String: ObjectKey] = [:]
        for service in healed.services where service.key != serviceKey("dns-copy") {
            let values = [service.allocation.clusterIP.map { "ip \($0)" }] + service.allocation.nodePorts.map { $0.map { "port \($0)" } }
            for value in values.compactMap({ $0 }) {
                #expect(holders[value] == nil, "seed \(seed): \(value) held by \(holders[value]!) and \(service.key)")
                holders[value] = service.key
            }
        }
        print("partitionHeals: converged \(took.map(\.description) ?? "never") after the heal")
    }

    @Test("a delete reaches every node and the object stays deleted")
    func deleteStaysDeleted() throws {
        let seed = Self.seed("deleteStaysDeleted")
        var net = try CatalogNetwork(5, seed: seed)
        net.loss = 0.2
        try net.apply(makeService("web"), on: net.names[0])
        #expect(net.runUntilConverged(limit: .seconds(60)) != nil, "seed \(seed)")
        net.delete(serviceKey("web"), on: net.names[3])
        #expect(net.runUntilConverged(limit: .seconds(60)) != nil, "seed \(seed)")
        net.run(for: .seconds(120))
        for name in net.names {
            #expect(net.replica(name).services.isEmpty, "seed \(seed): \(name) shows web again")
            #expect(net.replica(name)[serviceKey("web")]?.isTombstone == true)
        }
    }

    @Test("a node away longer than the tombstone TTL drops its copy and resyncs, without bringing deleted objects back")
    func awayLongerThanTTL() throws {
        let seed = Self.seed("awayLongerThanTTL")
        var settings = CatalogSync.Settings()
        settings.tombstoneTTL = .seconds(120)
        settings.purgeInterval = .seconds(10)
        var net = try CatalogNetwork(4, seed: seed, settings: settings)
        let away = net.names[3]
        try net.apply(makeService("kept"), on: net.names[0])
        try net.apply(makeService("deleted"), on: net.names[1])
        #expect(net.runUntilConverged(limit: .seconds(30)) != nil, "seed \(seed)")

        net.down = [away]
        net.refreshPeers()
        net.delete(serviceKey("deleted"), on: net.names[0])
        try net.apply(makeService("added"), on: net.names[2])
        net.run(for: .seconds(200))  // the tombstone is purged everywhere but on the absent node
        #expect(net.replica(net.names[0])[serviceKey("deleted")] == nil)
        #expect(net.replica(away)[serviceKey("deleted")]?.service != nil)

        // Coming back with its stale copy would bring the deleted Service back to everyone.
        var careless = net
        careless.down = []
        careless.refreshPeers()
        careless.run(for: .seconds(30))
        #expect(careless.replica(net.names[0])[serviceKey("deleted")]?.service != nil, "the hazard the rule exists for")

        net.down = []
        net.handle(net.nodes[away]!.rejoined(after: .seconds(200), now: net.now), of: away)
        #expect(net.replica(away).entries.isEmpty)
        net.refreshPeers()
        #expect(net.runUntilConverged(limit: .seconds(60)) != nil, "seed \(seed)")
        for name in net.names {
            let services = net.replica(name).services.map(\.key.name)
            #expect(services == ["added", "kept"], "seed \(seed): \(name) shows \(services)")
        }
    }

    @Test("a short absence keeps the copy")
    func shortAbsenceKeepsCopy() throws {
        var instance = try CatalogNode(name: node("n0"), encodedSize: approximateSizes)
        var generator = SeededGenerator(seed: 1)
        _ = try instance.apply(makeService("web"), now: at(1_000), random: &generator)
        #expect(instance.rejoined(after: Duration.seconds(3600), now: at(2_000)).isEmpty)
        #expect(instance.replica.services.count == 1)
    }

    @Test("settings that cannot work are refused with what is wrong")
    func badSettings() {
        var settings = CatalogSync.Settings()
        settings.messageBudget = 10
        settings.antiEntropyInterval = .zero
        #expect(throws: CatalogSync.InvalidSettings.self) {
            try CatalogNode(name: node("n0"), settings: settings, encodedSize: approximateSizes)
        }
        #expect(settings.problems.count == 2)
    }

    @Test("an object too large for one message is refused and the catalog is unchanged")
    func tooLarge() throws {
        var settings = CatalogSync.Settings()
        settings.messageBudget = 128
        var instance = try CatalogNode(name: node("n0"), settings: settings, encodedSize: approximateSizes)
        var generator = SeededGenerator(seed: 1)
        let ports = (0..<20).map { ServicePort(name: "p\($0)", port: 1000 + $0) }
        #expect(throws: CatalogSync.WriteError.self) {
            _ = try instance.apply(makeService("huge", ports: ports), now: at(1_000), random: &generator)
        }
        #expect(instance.replica.entries.isEmpty)
    }
}

@Suite("Rumors and exact digests")
struct RumorTests {
    static func instance(_ name: String, peers: [String]) throws -> CatalogNode {
        var instance = try CatalogNode(name: node(name), settings: CatalogSync.Settings(), encodedSize: approximateSizes)
        instance.setPeers(peers.map(node))
        return instance
    }

    static func rumors(_ directives: [CatalogNode.Directive]) -> [(NodeName, [CatalogEntry])] {
        directives.compactMap { directive in
            if case .send(.rumor(let entries), let peer) = directive { return (peer, entries) }
            return nil
        }
    }

    @Test("a node passes a rumor's news on once, to others than the one it heard it from; a rumor that teaches nothing goes nowhere")
    func passedOnOnce() throws {
        var instance = try Self.instance("a", peers: ["b", "c", "d", "e"])
        var random = SeededGenerator(seed: 5)
        var writer = Side("b")
        writer.apply(makePod("web-1", ip: IPv4(10, 0, 0, 1)), now: at(1_000))
        let entry = writer.replica[podKey("web-1")]!

        let first = Self.rumors(instance.onMessage(.rumor([entry]), from: node("b"), now: at(1_001), random: &random))
        #expect(first.count == 3, "to pushFanout peers")
        #expect(first.allSatisfy { $0.0 != node("b") && $0.1 == [entry] })
        #expect(Self.rumors(instance.onMessage(.rumor([entry]), from: node("c"), now: at(1_002), random: &random)).isEmpty)
    }

    @Test("a rumor that overtook an earlier write of its writer is not claimed: the next answer carries the earlier write too")
    func overtakingRumor() throws {
        var instance = try Self.instance("a", peers: ["b"])
        var random = SeededGenerator(seed: 6)
        var writer = Side("b")
        writer.apply(makePod("web-1", ip: IPv4(10, 0, 0, 1)), now: at(1_000))
        writer.apply(makePod("web-2", ip: IPv4(10, 0, 0, 2)), now: at(2_000))
        var peer = try Self.instance("b", peers: ["a"])
        for entry in writer.replica.entries.values.sorted(by: { $0.version < $1.version }) {
            _ = peer.onMessage(.push([entry], answer: 1, part: 0), from: node("a"), now: at(2_001), random: &random)
        }

        // The rumor of web-1 was lost; web-2's arrives.
        _ = instance.onMessage(.rumor([writer.replica[podKey("web-2")]!]), from: node("b"), now: at(2_002), random: &random)
        #expect(instance.replica.pods.count == 1)
        #expect(instance.claimedDigest().newestByWriter[node("b")] == nil, "nothing of b is claimed before web-2")

        let answer = peer.onMessage(.digest(instance.claimedDigest(), isRequest: true), from: node("a"), now: at(2_003), random: &random)
        var merged = instance
        for case .send(let message, _) in answer { _ = merged.onMessage(message, from: node("b"), now: at(2_004), random: &random) }
        #expect(merged.replica.pods.map(\.metadata.name) == ["web-1", "web-2"])
        #expect(merged.claimedDigest() == merged.replica.digest, "all of it now came in order")
    }

    @Test("an answer part that arrives after a missing one is held but not claimed, and the sender is asked again")
    func missingPart() throws {
        var instance = try Self.instance("a", peers: ["b"])
        var random = SeededGenerator(seed: 7)
        var writer = Side("b")
        for index in 0..<3 { writer.apply(makePod("web-\(index)", ip: IPv4(10, 0, 0, UInt8(index))), now: at(1_000 + UInt64(index))) }
        let entries = writer.replica.entries.values.sorted { $0.version < $1.version }

        _ = instance.onMessage(.push([entries[0]], answer: 9, part: 0), from: node("b"), now: at(2_000), random: &random)
        // Part 1 is lost.
        let afterGap = instance.onMessage(.push([entries[2]], answer: 9, part: 2), from: node("b"), now: at(2_001), random: &random)
        #expect(afterGap.contains { if case .scheduleTimer(.pullFollowUp, _) = $0 { true } else { false } })
        #expect(instance.replica.pods.count == 2)
        #expect(instance.claimedDigest().newestByWriter[node("b")] == entries[0].version.timestamp, "claims only what came in order")
    }

    @Test("entries a node holds only from rumors travel in its answers as rumors, never as parts in order")
    func looseEntriesAsRumors() throws {
        var instance = try Self.instance("a", peers: ["b", "c"])
        var random = SeededGenerator(seed: 8)
        var writer = Side("c")
        writer.apply(makePod("web-1", ip: IPv4(10, 0, 0, 1)), now: at(1_000))
        _ = instance.onMessage(.rumor([writer.replica[podKey("web-1")]!]), from: node("c"), now: at(1_001), random: &random)

        let answer = instance.onMessage(.digest(CatalogDigest(), isRequest: false), from: node("b"), now: at(1_002), random: &random)
        #expect(Self.rumors(answer).map(\.1) == [[writer.replica[podKey("web-1")]!]])
        #expect(!answer.contains { if case .send(.push, _) = $0 { true } else { false } })
    }

    @Test("after a restart, other writers' recent entries are asked for again; older ones and this node's own stay claimed")
    func distrustAfterRestart() throws {
        var other = Side("b")
        other.apply(makePod("old", ip: IPv4(10, 0, 0, 1)), now: at(1_000))
        other.apply(makePod("recent", ip: IPv4(10, 0, 0, 2)), now: at(9_000))
        var own = Side("a")
        own.apply(makePod("mine", ip: IPv4(10, 0, 0, 3)), now: at(9_500))
        let entries = Array(other.replica.entries.values) + Array(own.replica.entries.values)
        var instance = try CatalogNode(
            name: node("a"), replica: CatalogReplica(entries: entries), settings: CatalogSync.Settings(), encodedSize: approximateSizes)
        instance.distrustEntries(writtenSince: HybridTimestamp(wallMilliseconds: at(5_000).millisecondsSinceEpoch, counter: 0))
        let claimed = instance.claimedDigest().newestByWriter
        #expect(claimed[node("b")] == other.replica[podKey("old")]!.version.timestamp)
        #expect(claimed[node("a")] == own.replica[podKey("mine")]!.version.timestamp)
    }

    @Test("a rumor goes to ⌈log2 N⌉ + 1 peers from each node, at least pushFanout", arguments: [(1, 3), (4, 3), (8, 4), (32, 6), (1_000, 11)])
    func fanoutGrowsWithTheCluster(_ nodes: Int, _ fanout: Int) throws {
        let instance = try Self.instance("a", peers: (1..<nodes).map { "p\($0)" })
        #expect(instance.rumorFanout == fanout)
    }
}
