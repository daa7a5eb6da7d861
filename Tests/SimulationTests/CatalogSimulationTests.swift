import Catalog
import ClusterModel
import Simulation
import Testing

/// The acceptance of catalog replication across partitions, with 20–50 nodes on a lossy
/// network, every message through the real codec and sealing.
@Suite("Simulated catalogs: partitions")
struct CatalogSimulationTests {
    /// A small Service CIDR (30 usable addresses) and NodePort range (25), so that Services
    /// created on two sides of a partition collide; 5% loss, 1% duplication, 1–15 ms delays.
    static func crowded(_ settings: inout CatalogSimulator.Settings) {
        settings.catalog.allocation = AllocationRanges(serviceCIDR: IPv4Network("10.96.0.0/27")!, nodePorts: 30000...30024)
        settings.network = NetworkConditions(loss: 0.05, minimumDelay: .milliseconds(1), maximumDelay: .milliseconds(15), duplication: 0.01)
    }

    @Test(
        "Services created concurrently on both sides of a partition: after the heal every node lists the same catalog, no two Services share a ClusterIP or NodePort unless in Conflict, only the younger of each contested pair moved, and every write survives unless a later one replaced it"
    )
    func concurrentCreationAcrossAPartition() throws {
        let harness = try CatalogHarness(nodes: 50, test: "concurrent creation across a partition", configure: Self.crowded)
        let sim = harness.simulator
        let seed = harness.seed
        let sideA = Array(0..<20)
        let sideB = Array(20..<50)
        func runUntilSidesAgree() {
            let agreed = sim.run(
                until: { [sideA, sideB].allSatisfy { side in side.allSatisfy { sim.replica(of: $0) == sim.replica(of: side[0]) } } },
                limit: .seconds(60))
            #expect(agreed, "seed \(seed): a side did not agree within itself")
        }

        // Before the partition: a settled catalog.
        try sim.apply(makeService("shared", type: .nodePort), on: 3)
        try sim.apply(makeService("doomed"), on: 25)
        try sim.apply(makeService("contested"), on: 11)
        try sim.apply(makeService("revived"), on: 30)
        try sim.apply(makePod("web-1", ip: IPv4(10, 244, 0, 1)), on: 5)
        try #require(harness.runUntilConverged(limit: .seconds(60)), "seed \(seed): no agreement before the partition")

        sim.partition([sideA, sideB])
        harness.run(for: .seconds(3))

        // The same moment, the same catalog, the same draws: the same ClusterIP and NodePort.
        let sameDraws = harness.random.next()
        let alpha = try sim.apply(makeService("alpha", type: .nodePort), on: 2, allocationSeed: sameDraws)
        let beta = try sim.apply(makeService("beta", type: .nodePort), on: 27, allocationSeed: sameDraws)
        #expect(alpha.service?.allocation == beta.service?.allocation, "seed \(seed): the setup makes both sides draw the same values")
        runUntilSidesAgree()

        // Pinned on both sides at the same moment: a ClusterIP and a NodePort.
        let held = Set((sim.replica(of: sideA[0]).services + sim.replica(of: sideB[0]).services).flatMap(heldValues))
        let free = (1...30).map { IPv4(10, 96, 0, UInt8($0)) }.filter { !held.contains(.clusterIP($0)) }
        let (pinnedIP, gatewayIP) = (free[free.count - 1], free[free.count - 2])
        let pinnedPort = try #require((30000...30024).reversed().first { !held.contains(.nodePort($0)) })
        try sim.apply(makeService("dns-a", clusterIP: .pinned(pinnedIP)), on: 4)
        try sim.apply(makeService("dns-b", clusterIP: .pinned(pinnedIP)), on: 33)
        try sim.apply(makeService("np-a", type: .nodePort, nodePort: pinnedPort, clusterIP: .headless), on: 6)
        try sim.apply(makeService("np-b", type: .nodePort, nodePort: pinnedPort, clusterIP: .headless), on: 22)
        try sim.apply(makeService("gw-a", clusterIP: .pinned(gatewayIP)), on: 8)
        runUntilSidesAgree()

        // Older allocated, younger pinned to the same address: the younger waits in Conflict.
        // Older pinned, younger allocated the same address: the younger moves.
        let cacheA = try sim.apply(makeService("cache-a"), on: 10)
        let cacheIP = try #require(cacheA.service?.allocation.clusterIP)
        harness.run(for: .seconds(1))
        try sim.apply(makeService("cache-b", clusterIP: .pinned(cacheIP)), on: 35)
        let gatewayB = makeService("gw-b")
        let gatewaySeed = try #require(harness.allocationSeed(drawing: gatewayIP, for: gatewayB, on: 21), "seed \(seed)")
        try sim.apply(gatewayB, on: 21, allocationSeed: gatewaySeed)

        // Ten seconds of users on both sides: new Services and Pods, and writes to the same objects.
        var plan: [(at: Duration, write: () throws -> Void)] = []
        for index in 0..<6 {
            let typeA: ServiceType = index % 2 == 0 ? .nodePort : .clusterIP
            let typeB: ServiceType = index % 3 == 0 ? .loadBalancer : .clusterIP
            let (nodeA, nodeB) = (sideA.randomElement(using: &harness.random)!, sideB.randomElement(using: &harness.random)!)
            let (atA, atB) = (Int.random(in: 0..<10_000, using: &harness.random), Int.random(in: 0..<10_000, using: &harness.random))
            plan.append((.milliseconds(atA), { try sim.apply(makeService("a-\(index)", type: typeA), on: nodeA) }))
            plan.append((.milliseconds(atB), { try sim.apply(makeService("b-\(index)", type: typeB), on: nodeB) }))
            plan.append(
                (.milliseconds(atA + 7), { try sim.apply(makePod("pod-a-\(index)", ip: IPv4(10, 244, 1, UInt8(index))), on: nodeA) }))
            plan.append(
                (.milliseconds(atB + 7), { try sim.apply(makePod("pod-b-\(index)", ip: IPv4(10, 244, 2, UInt8(index))), on: nodeB) }))
        }
        plan += [
            (.milliseconds(1_000), { try #require(sim.delete(serviceKey("doomed"), on: 29) != nil) }),
            (.milliseconds(1_500), { try sim.apply(makeService("contested", selector: ["app": "v2"]), on: 24) }),
            (.milliseconds(1_500), { try #require(sim.delete(serviceKey("revived"), on: 14) != nil) }),
            (.milliseconds(2_000), { try sim.apply(makeService("shared", type: .nodePort, port: 8080), on: 12) }),
            (.milliseconds(2_500), { try sim.apply(makePod("web-1", ip: IPv4(10, 244, 0, 2)), on: 15) }),
            (.milliseconds(3_000), { try #require(sim.delete(serviceKey("contested"), on: 13) != nil) }),  // later: stays deleted
            (.milliseconds(3_500), { try sim.apply(makePod("web-1", ip: IPv4(10, 244, 0, 3)), on: 36) }),  // later: wins
            (.milliseconds(4_000), { try sim.apply(makeService("shared", type: .nodePort, port: 9090), on: 26) }),  // later: wins
            (.milliseconds(5_000), { try sim.apply(makeService("revived", selector: ["app": "v3"]), on: 31) }),  // later: brings it back
        ]
        let planStart = sim.now
        for step in plan.sorted(by: { $0.at < $1.at }) {
            sim.run(until: planStart + step.at)
            try step.write()
        }
        harness.run(for: .seconds(5))

        // What the two sides hold at the heal: the values each Service was given on its side.
        var atHeal = CatalogReplica()
        for node in 0..<harness.nodeCount {
            for entry in sim.replica(of: node).entries.values { atHeal.merge(entry) }
        }
        let contested = Self.losers(in: atHeal)
        let losing = Set(contested.keys.map(\.name))
        #expect(
            losing.intersection(["alpha", "beta"]).count == 1 && losing.intersection(["dns-a", "dns-b"]).count == 1
                && losing.intersection(["np-a", "np-b"]).count == 1 && losing.isSuperset(of: ["cache-b", "gw-b"]),
            "seed \(seed): the setup contests alpha/beta, dns, np, cache and gw; losing at the heal: \(losing.sorted())")

        sim.heal()
        let healedAt = sim.now
        let converged = harness.runUntilConverged(limit: .seconds(180))
        try #require(converged, "seed \(seed): nodes \(harness.divergent) still differ 180 s after the heal")
        let took = sim.now - healedAt
        let final = sim.replica(of: 0)
        harness.run(for: .seconds(30))
        #expect(harness.converged && sim.replica(of: 0) == final, "seed \(seed): the catalog moved after it had settled")

        // Every node lists the same Services with the same addresses, and the same Pods.
        let listed = harness.services(seenBy: 0)
        for node in 1..<harness.nodeCount {
            #expect(harness.services(seenBy: node) == listed, "seed \(seed): node \(node) lists other Services")
            #expect(harness.pods(seenBy: node) == harness.pods(seenBy: 0), "seed \(seed): node \(node) lists other Pods")
        }
        #expect(harness.sharedValues(seenBy: 0).isEmpty, "seed \(seed): \(harness.sharedValues(seenBy: 0))")

        // Only the younger of each pair contested at the heal moved, and only off the values
        // it lost; every other Service kept what it had at the heal. A Service that moves
        // anyway (`cascaded`) had a value taken by a loser that was reallocated onto it by a
        // writer that had not yet heard of it: see the known issue below.
        let inConflict = Set(listed.filter(\.conflict).map(\.key))
        let pinnedLosers = Set(contested.filter { $0.value.contains(where: \.pinned) }.keys)
        #expect(
            inConflict.isSuperset(of: pinnedLosers),
            "seed \(seed): \(pinnedLosers.subtracting(inConflict)) lost a pinned value but are not in Conflict")
        var cascaded = inConflict.subtracting(pinnedLosers).map { "\($0.name) is in Conflict" }
        for line in listed {
            let before = try #require(atHeal[line.key]?.service?.allocation, "seed \(seed): \(line.key) was not live at the heal")
            let lost = line.conflict ? [] : Set((contested[line.key] ?? []).map(\.value))
            if let address = before.clusterIP, lost.contains(.clusterIP(address)) {
                #expect(
                    line.clusterIP != address && line.clusterIP.map(harness.ranges.serviceCIDR.contains) == true, "seed \(seed): \(line)")
            } else if line.clusterIP != before.clusterIP {
                cascaded.append(
                    "\(line.key.name) ClusterIP \(before.clusterIP?.description ?? "None") -> \(line.clusterIP?.description ?? "None")")
            }
            for (index, port) in before.nodePorts.enumerated() {
                if let port, lost.contains(.nodePort(port)) {
                    #expect(
                        line.nodePorts[index] != port && line.nodePorts[index].map(harness.ranges.nodePorts.contains) == true,
                        "seed \(seed): \(line)")
                } else if line.nodePorts[index] != port {
                    cascaded.append(
                        "\(line.key.name) NodePort \(port.map(String.init) ?? "-") -> \(line.nodePorts[index].map(String.init) ?? "-")")
                }
            }
        }
        // Only Services of a contested pair change: a loser moved (by a writer that had not
        // heard of everything yet) onto a value an unseen Service already held moves again,
        // not that Service (holders rank by when each took a value, decision 43).
        #expect(cascaded.isEmpty, "seed \(seed): Services that lost nothing at the heal moved: \(cascaded)")
        // What the rule says, whenever a node applies it: a Service gives up a value only to
        // an older Service holding it, in the writer's catalog at that moment.
        #expect(harness.unexplainedReallocations.isEmpty, "seed \(seed): \(harness.unexplainedReallocations)")

        let line = { (name: String) in listed.first { $0.key.name == name } }
        #expect(line("alpha")?.clusterIP != line("beta")?.clusterIP && line("alpha")?.nodePorts != line("beta")?.nodePorts)
        #expect([line("alpha"), line("beta")].filter { $0?.clusterIP == alpha.service?.allocation.clusterIP }.count == 1)
        #expect(line("dns-a")?.clusterIP == pinnedIP && line("dns-b")?.clusterIP == pinnedIP)
        #expect([line("dns-a"), line("dns-b")].filter { $0?.conflict == true }.count == 1, "seed \(seed)")
        #expect([line("np-a"), line("np-b")].filter { $0?.conflict == true }.count == 1, "seed \(seed)")
        #expect(line("gw-a")?.clusterIP == gatewayIP && line("gw-b")?.clusterIP != gatewayIP && line("gw-b")?.conflict == false)
        #expect(line("cache-a")?.clusterIP == cacheIP && line("cache-a")?.conflict == false)
        #expect(line("cache-b")?.clusterIP == cacheIP && line("cache-b")?.conflict == true)

        // Every write survives unless a later write to the same object replaced it.
        for (node, write) in harness.writes {
            let held = try #require(final[write.key], "seed \(seed): \(write.key) vanished")
            #expect(held == write || held.outranks(write), "seed \(seed): node \(node)'s write \(write) was lost")
        }
        let names = Set(listed.map(\.key.name))
        let expected =
            ["shared", "revived", "alpha", "beta", "dns-a", "dns-b", "np-a", "np-b", "gw-a", "gw-b", "cache-a", "cache-b"]
            + (0..<6).flatMap { ["a-\($0)", "b-\($0)"] }
        #expect(names == Set(expected), "seed \(seed): \(names.symmetricDifference(expected).sorted())")
        #expect(final[serviceKey("doomed")]?.isTombstone == true && final[serviceKey("contested")]?.isTombstone == true)
        #expect(final[serviceKey("shared")]?.service?.service.spec.ports.first?.port == 9090)
        #expect(final[serviceKey("revived")]?.service?.service.spec.selector == ["app": "v3"])
        let pods = harness.pods(seenBy: 0)
        #expect(pods["web-1"] == IPv4(10, 244, 0, 3))
        #expect(Set(pods.keys) == Set(["web-1"] + (0..<6).flatMap { ["pod-a-\($0)", "pod-b-\($0)"] }), "seed \(seed)")

        #expect(sim.oversized.isEmpty, "seed \(seed): \(sim.oversized.prefix(3))")
        #expect(harness.unexpectedRejections.isEmpty, "seed \(seed): \(harness.unexpectedRejections)")
        print(
            "concurrent creation across a partition: \(contested.count) Services lost a value, converged \(took) after the heal; \(sim.traffic.datagrams) datagrams, \(sim.traffic.bytes) bytes"
        )
    }

    @Test(
        "a catalog written while one node was cut off alone reaches it after the heal, deletes included, and its own writes reach everyone")
    func loneNodeCatchesUp() throws {
        let harness = try CatalogHarness(nodes: 30, test: "lone node catches up", configure: Self.crowded)
        let sim = harness.simulator
        let seed = harness.seed
        let lone = 7
        for index in 0..<5 {
            try sim.apply(makeService("s\(index)", type: index % 2 == 0 ? .nodePort : .clusterIP), on: (index * 6) % 30)
            try sim.apply(makePod("p\(index)", ip: IPv4(10, 244, 0, UInt8(index))), on: (index * 6 + 1) % 30)
        }
        try #require(harness.runUntilConverged(limit: .seconds(60)), "seed \(seed): no agreement before the partition")

        let others = (0..<30).filter { $0 != lone }
        sim.partition([others])
        harness.run(for: .seconds(2))
        func other() -> Int { others.randomElement(using: &harness.random)! }
        try sim.apply(makeService("s4", selector: ["app": "lone"]), on: lone)  // older: replaced
        try sim.apply(makePod("lonely", ip: IPv4(10, 244, 9, 9)), on: lone)
        try #require(sim.delete(podKey("p4"), on: lone) != nil)
        harness.run(for: .seconds(3))
        try sim.apply(makeService("s4", selector: ["app": "many"]), on: other())
        try #require(sim.delete(serviceKey("s2"), on: other()) != nil)
        try #require(sim.delete(podKey("p1"), on: other()) != nil)
        try sim.apply(makePod("p3", ip: IPv4(10, 244, 3, 33)), on: other())
        var newOneWriter = 0
        for index in 0..<4 {
            harness.run(for: .milliseconds(Int64.random(in: 100...3_000, using: &harness.random)))
            let writer = other()
            try sim.apply(makeService("new-\(index)", type: index % 2 == 0 ? .nodePort : .clusterIP), on: writer)
            try sim.apply(makePod("new-pod-\(index)", ip: IPv4(10, 244, 4, UInt8(index))), on: writer)
            if index == 1 { newOneWriter = writer }
        }
        harness.run(for: .seconds(1))
        // Deleted where it was applied: a node that has not heard of an object yet has nothing to delete.
        try #require(sim.delete(serviceKey("new-1"), on: newOneWriter) != nil)
        harness.run(for: .seconds(5))
        try sim.apply(makeService("s0", selector: ["app": "lone-later"]), on: lone)  // later: wins
        harness.run(for: .seconds(20))
        #expect(sim.replica(of: lone)[serviceKey("s2")]?.service != nil, "seed \(seed): the lone node heard of the delete while cut off")

        sim.heal()
        let healedAt = sim.now
        try #require(
            harness.runUntilConverged(limit: .seconds(120)), "seed \(seed): nodes \(harness.divergent) still differ 120 s after the heal")
        let took = sim.now - healedAt

        let final = sim.replica(of: lone)
        for node in 0..<harness.nodeCount {
            let replica = sim.replica(of: node)
            #expect(replica.services.map(\.key.name) == ["new-0", "new-2", "new-3", "s0", "s1", "s3", "s4"], "seed \(seed): node \(node)")
            #expect(
                replica.pods.map(\.metadata.name) == ["lonely", "new-pod-0", "new-pod-1", "new-pod-2", "new-pod-3", "p0", "p2", "p3"],
                "seed \(seed): node \(node)")
            for deleted in [serviceKey("s2"), serviceKey("new-1"), podKey("p1"), podKey("p4")] {
                #expect(replica[deleted]?.isTombstone == true, "seed \(seed): node \(node) holds no tombstone for \(deleted)")
            }
        }
        #expect(final[serviceKey("s4")]?.service?.service.spec.selector == ["app": "many"])
        #expect(final[serviceKey("s0")]?.service?.service.spec.selector == ["app": "lone-later"])
        #expect(final[podKey("p3")]?.pod?.status.podIP == IPv4(10, 244, 3, 33))
        #expect(final[podKey("lonely")]?.pod?.spec.nodeName == sim.name(of: lone), "a Pod applied on a node runs there")
        for (node, write) in harness.writes {
            #expect((final[write.key]?.version).map { $0 >= write.version } == true, "seed \(seed): node \(node)'s write \(write) was lost")
        }
        #expect(harness.sharedValues(seenBy: lone).isEmpty, "seed \(seed): \(harness.sharedValues(seenBy: lone))")
        #expect(harness.cleared.isEmpty, "an absence shorter than the TTL keeps the copy")
        #expect(sim.oversized.isEmpty, "seed \(seed): \(sim.oversized.prefix(3))")
        #expect(harness.unexpectedRejections.isEmpty, "seed \(seed): \(harness.unexpectedRejections)")
        print("lone node catches up: converged \(took) after the heal")
    }

    @Test("a node cut off for longer than the tombstone TTL drops its copy when it is back, and brings no deleted object back to life")
    func awayLongerThanTheTombstoneTTL() throws {
        let harness = try CatalogHarness(nodes: 20, test: "away longer than the TTL") { settings in
            Self.crowded(&settings)
            settings.catalog.tombstoneTTL = .seconds(60)
            settings.catalog.purgeInterval = .seconds(10)
        }
        let sim = harness.simulator
        let seed = harness.seed
        let away = 13
        try sim.apply(makeService("kept"), on: 0)
        try sim.apply(makeService("deleted"), on: 1)
        try sim.apply(makePod("kept-pod", ip: IPv4(10, 244, 0, 1)), on: 2)
        try sim.apply(makePod("deleted-pod", ip: IPv4(10, 244, 0, 2)), on: 3)
        try #require(harness.runUntilConverged(limit: .seconds(60)), "seed \(seed): no agreement before the absence")

        sim.partition([(0..<20).filter { $0 != away }])
        harness.run(for: .seconds(1))
        try #require(sim.delete(serviceKey("deleted"), on: 4) != nil)
        try #require(sim.delete(podKey("deleted-pod"), on: 5) != nil)
        try sim.apply(makeService("added"), on: 6)
        harness.run(for: .seconds(150))
        #expect(sim.replica(of: 0)[serviceKey("deleted")] == nil, "seed \(seed): the tombstone outlived the TTL")
        #expect(sim.replica(of: away)[serviceKey("deleted")]?.service != nil, "the absent node still holds the deleted Service")

        sim.heal()
        #expect(harness.cleared == [away], "seed \(seed): the returning node did not resync")
        try #require(
            harness.runUntilConverged(limit: .seconds(60)), "seed \(seed): nodes \(harness.divergent) still differ after the return")
        harness.run(for: .seconds(60))
        for node in 0..<harness.nodeCount {
            let replica = sim.replica(of: node)
            #expect(replica.services.map(\.key.name) == ["added", "kept"], "seed \(seed): node \(node)")
            #expect(replica.pods.map(\.metadata.name) == ["kept-pod"], "seed \(seed): node \(node)")
        }
        #expect(sim.oversized.isEmpty && harness.unexpectedRejections.isEmpty, "seed \(seed)")
    }

    /// A digest lists every writer whose writes it claims, 13 bytes plus the writer's name
    /// each: with 40-byte host names, 25 writers fill a 1,400-byte datagram, so a digest of
    /// more travels as several, one writer range each (decision 44).
    @Test(
        "in a cluster of 30 nodes with cloud host names, each with 20 Pods of its own, every digest fits a datagram and the catalog converges"
    )
    func digestsOfManyWriters() throws {
        let seed = simulationSeed("digests of many writers")
        let names = (0..<30).map { try! NodeName("ip-10-0-\($0 / 8)-\($0 % 8 + 10).eu-west-1.compute.internal") }
        var settings = CatalogSimulator.Settings(seed: seed)
        Self.crowded(&settings)
        let sim = try CatalogSimulator(names: names, settings: settings)
        for node in 0..<30 {
            for pod in 0..<20 { try sim.apply(makePod("pod-\(node)-\(pod)", ip: IPv4(10, 244, UInt8(node), UInt8(pod))), on: node) }
        }
        sim.run(for: .seconds(10))  // past every node's first anti-entropy round
        let converged = sim.run(until: { (0..<30).allSatisfy { sim.replica(of: $0) == sim.replica(of: 0) } }, limit: .seconds(60))
        print(
            "digests of many writers: \(sim.oversized.count) oversized datagrams, e.g. \(sim.oversized.first.map(\.description) ?? "none"); converged: \(converged)"
        )
        #expect(sim.oversized.isEmpty, "seed \(seed): \(sim.oversized.count) datagrams over the MTU")
        #expect(converged, "seed \(seed): the catalogs still differ")
    }

    @Test("the same seed replays the same run, datagram for datagram")
    func sameSeedSameRun() throws {
        let seed = simulationSeed("same seed same run")
        func run() throws -> (CatalogReplica, Int, Int) {
            var settings = CatalogSimulator.Settings(seed: seed)
            Self.crowded(&settings)
            let sim = try CatalogSimulator(nodes: 20, settings: settings)
            var random = SeededGenerator(seed: seed)
            sim.partition([Array(0..<10), Array(10..<20)])
            for index in 0..<10 {
                sim.run(for: .milliseconds(Int64.random(in: 0...500, using: &random)))
                try sim.apply(makeService("svc-\(index)", type: .nodePort), on: Int.random(in: 0..<20, using: &random))
            }
            sim.run(for: .seconds(5))
            sim.heal()
            sim.run(for: .seconds(60))
            return (sim.replica(of: 0), sim.traffic.datagrams, sim.traffic.bytes)
        }
        let first = try run()
        let second = try run()
        #expect(first.0 == second.0, "seed \(seed)")
        #expect(first.1 == second.1 && first.2 == second.2, "seed \(seed): \(first.1) and \(second.1) datagrams")
    }

    // MARK: The conflict rule, as a user reads it

    struct Loss: Hashable {
        var value: HeldValue
        var pinned: Bool
    }

    /// Of the live Services holding one ClusterIP or NodePort, the one that took it first
    /// keeps it; every other one loses it. Returns what each losing Service lost, and whether its spec
    /// pinned that value.
    static func losers(in replica: CatalogReplica) -> [ObjectKey: [Loss]] {
        // Each value goes to the Service that took it first (at its creation, or when a
        // write moved it there); ties by key.
        var keeper: [HeldValue: (taken: CatalogVersion, key: ObjectKey)] = [:]
        for entry in replica.entries.values {
            guard let service = entry.service else { continue }
            for (value, _) in service.heldValues {
                let claim = (taken: service.allocation.takenAt[value] ?? entry.createdAt, key: entry.key)
                if let current = keeper[value], (current.taken, current.key) <= (claim.taken, claim.key) { continue }
                keeper[value] = claim
            }
        }
        var lost: [ObjectKey: [Loss]] = [:]
        for entry in replica.entries.values {
            guard let service = entry.service else { continue }
            for (value, pinned) in service.heldValues where keeper[value]?.key != entry.key {
                lost[entry.key, default: []].append(Loss(value: value, pinned: pinned))
            }
        }
        return lost
    }
}
