import ClusterModel
import Election
import Testing

/// A few cores that hand each other's messages over at once, on one clock.
private struct Cluster {
    var nodes: [NodeName: Election.Instance] = [:]
    var views: [NodeName: ElectionView] = [:]
    var now = Timestamp(millisecondsSinceEpoch: 1_000_000)
    var started: [NodeName: [LeaderClaim]] = [:]
    var cut: Set<NodeName> = []

    init(_ names: [String], eligible: Set<String>? = nil) throws {
        let members = try names.map { ElectionView.Member(name: try NodeName($0), status: .alive, isEligible: eligible?.contains($0) ?? true) }
        for member in members {
            nodes[member.name] = try Election.Instance(name: member.name, now: now)
            views[member.name] = ElectionView(members)
        }
    }

    mutating func set(_ subject: String, _ status: ElectionView.Status, seenBy observers: [String]? = nil) throws {
        let name = try NodeName(subject)
        for observer in views.keys where observers.map({ $0.contains(observer.rawValue) }) ?? true {
            var members = Array(views[observer]!.members.values)
            for index in members.indices where members[index].name == name { members[index].status = status }
            views[observer] = ElectionView(members)
        }
    }

    mutating func advance(_ duration: Duration, step: Duration = .milliseconds(500)) {
        let end = now + duration
        while now < end {
            now = now + step
            for name in nodes.keys.sorted() where !cut.contains(name) {
                let directives = nodes[name]!.tick(view: views[name]!, now: now, wallClock: now)
                carryOut(directives, from: name)
            }
        }
    }

    private mutating func carryOut(_ directives: [Election.Instance.Directive], from sender: NodeName) {
        for directive in directives {
            switch directive {
            case .send(let message, let target):
                guard !cut.contains(target), nodes[target] != nil else { continue }
                let answers = nodes[target]!.receive(message, from: sender, view: views[target]!, now: now, wallClock: now)
                carryOut(answers, from: target)
            case .startedLeading(let claim):
                started[sender, default: []].append(claim)
            case .stoppedLeading:
                break
            }
        }
    }

    func leaders() -> [NodeName] { nodes.values.filter { $0.isLeading(at: now) }.map(\.name).sorted() }
}

@Suite struct ElectionInstanceTests {
    @Test func aSettledClusterElectsTheFirstEligibleNodeByNameAndEveryNodeLearnsTheClaim() throws {
        var cluster = try Cluster(["c", "a", "b"], eligible: ["b", "c"])
        cluster.advance(.seconds(2))
        #expect(cluster.leaders().isEmpty, "nobody endorses anyone during the hold after start")
        cluster.advance(.seconds(2))
        #expect(cluster.leaders() == [try NodeName("b")])
        for node in cluster.nodes.values {
            let status = node.status(at: cluster.now)
            #expect(status.claim?.leader == (try NodeName("b")))
            #expect(status.claim?.term == 1)
            #expect(status.quorum)
        }
    }

    @Test func aLeaderWithoutRenewalsStopsLeadingWhenItsLeaseRunsOut() throws {
        var cluster = try Cluster(["a", "b", "c"])
        cluster.advance(.seconds(4))
        let a = try NodeName("a")
        #expect(cluster.leaders() == [a])
        // b and c stop endorsing a (they suspect it): a's lease runs out on its own clock.
        try cluster.set("a", .suspect, seenBy: ["b", "c"])
        cluster.advance(.milliseconds(1_000))
        #expect(cluster.nodes[a]!.isLeading(at: cluster.now + .milliseconds(600)) == false)
        cluster.advance(.milliseconds(500))
        #expect(cluster.leaders().isEmpty, "a suspect leader is endorsed by nobody, and nobody else yet")
    }

    @Test func theSideOfAPartitionWithoutAMajorityNeverLeads() throws {
        var cluster = try Cluster(["a", "b", "c", "d", "e"])
        cluster.advance(.seconds(4))
        #expect(cluster.leaders() == [try NodeName("a")])
        // a and b are cut off from c, d, e; each side declares the other failed.
        cluster.cut = []
        try cluster.set("c", .failed, seenBy: ["a", "b"])
        try cluster.set("d", .failed, seenBy: ["a", "b"])
        try cluster.set("e", .failed, seenBy: ["a", "b"])
        try cluster.set("a", .failed, seenBy: ["c", "d", "e"])
        try cluster.set("b", .failed, seenBy: ["c", "d", "e"])
        var minority = cluster
        minority.cut = try Set(["c", "d", "e"].map { try NodeName($0) })
        minority.advance(.seconds(10))
        #expect(minority.leaders().isEmpty)
        var majority = cluster
        majority.cut = try Set(["a", "b"].map { try NodeName($0) })
        majority.advance(.seconds(10))
        #expect(majority.leaders() == [try NodeName("c")])
        #expect(majority.nodes[try NodeName("c")]!.leadingClaim?.term == 2, "the next term after the newest known")
    }

    @Test func aNodeWaitsTheHoldBeforeEndorsingAnotherMemberThanTheOneItEndorsed() throws {
        var cluster = try Cluster(["a", "b", "c"])
        cluster.advance(.seconds(4))
        let c = try NodeName("c")
        #expect(cluster.nodes[c]!.endorsed?.member == (try NodeName("a")))
        // c alone sees a fail at once: it turns to b, but only a hold after it last endorsed a.
        try cluster.set("a", .failed, seenBy: ["c"])
        cluster.advance(.milliseconds(2_500))
        #expect(cluster.nodes[c]!.endorsed?.member == (try NodeName("a")))
        cluster.advance(.milliseconds(1_000))
        #expect(cluster.nodes[c]!.endorsed?.member == (try NodeName("b")))
    }

    @Test func failedMembersStillCountTowardsTheMajorityAndMembersThatLeftDoNot() throws {
        var cluster = try Cluster(["a", "b", "c", "d", "e"])
        for gone in ["c", "d", "e"] { try cluster.set(gone, .failed) }
        cluster.cut = try Set(["c", "d", "e"].map { try NodeName($0) })
        cluster.advance(.seconds(6))
        #expect(cluster.leaders().isEmpty, "two of five known members are no majority")
        for gone in ["c", "d", "e"] { try cluster.set(gone, .left) }
        cluster.advance(.seconds(2))
        #expect(cluster.leaders() == [try NodeName("a")], "two of the two remaining are")
    }

    @Test func aNodeBackAloneThatEndorsesItselfLearnsTheLeadersClaimAndTurnsToIt() throws {
        var cluster = try Cluster(["a", "b", "c"])
        cluster.advance(.seconds(4))
        let (a, b) = (try NodeName("a"), try NodeName("b"))
        #expect(cluster.leaders() == [a])
        // a dies; b and c declare it failed, and b leads.
        cluster.cut = [a]
        try cluster.set("a", .failed, seenBy: ["b", "c"])
        cluster.advance(.seconds(5))
        #expect(cluster.leaders() == [b])
        // a comes back with a fresh core: first by name, it endorses itself, knowing no claim.
        cluster.nodes[a] = try Election.Instance(name: a, now: cluster.now)
        cluster.cut = []
        try cluster.set("a", .alive, seenBy: ["b", "c"])
        cluster.advance(.seconds(10))
        #expect(cluster.nodes[a]!.endorsed?.member == b, "the leader's announcement taught a the claim")
        #expect(cluster.nodes[a]!.status(at: cluster.now) == LeaderStatus(claim: cluster.nodes[b]!.leadingClaim, quorum: true))
        // Now b keeps its majority when c dies.
        cluster.cut = [try NodeName("c")]
        try cluster.set("c", .failed, seenBy: ["a", "b"])
        cluster.advance(.seconds(5))
        #expect(cluster.leaders() == [b])
    }

    @Test func aNodeToldOfPeersNeverLeadsOnAViewOfItselfAloneNorOnAPartOfTheMembersItRemembers() throws {
        let now = Timestamp(millisecondsSinceEpoch: 1_000_000)
        let (a, b, c) = (try NodeName("a"), try NodeName("b"), try NodeName("c"))
        let alone = ElectionView([ElectionView.Member(name: a, status: .alive, isEligible: true)])
        var seeded = try Election.Instance(name: a, expectsPeers: true, now: now)
        var single = try Election.Instance(name: a, now: now)
        for second in 1...10 {
            let later = now + .seconds(second)
            _ = seeded.tick(view: alone, now: later, wallClock: later)
            _ = single.tick(view: alone, now: later, wallClock: later)
        }
        #expect(!seeded.isLeading(at: now + .seconds(10)), "its join unanswered, a node with seeds is not a cluster of one")
        #expect(single.isLeading(at: now + .seconds(10)), "a node started without peers is a cluster of one")

        // Back with a view of two of the five members it remembers: two endorsements are no majority.
        let two = ElectionView([a, b].map { ElectionView.Member(name: $0, status: .alive, isEligible: true) })
        var restarted = try Election.Instance(name: a, remembered: [b, c, try NodeName("d"), try NodeName("e")], now: now)
        for second in 1...10 {
            let later = now + .seconds(second)
            _ = restarted.tick(view: two, now: later, wallClock: later)
            _ = restarted.receive(.endorse(known: nil, knownCount: 2), from: b, view: two, now: later, wallClock: later)
        }
        #expect(!restarted.isLeading(at: now + .seconds(10)))
        // Once its view hears that the others left, they no longer count.
        let othersLeft = ElectionView(
            [a, b].map { ElectionView.Member(name: $0, status: .alive, isEligible: true) }
                + ["c", "d", "e"].map { ElectionView.Member(name: try! NodeName($0), status: .left, isEligible: true) })
        let later = now + .seconds(11)
        _ = restarted.tick(view: othersLeft, now: later, wallClock: later)
        _ = restarted.receive(.endorse(known: nil, knownCount: 2), from: b, view: othersLeft, now: later, wallClock: later)
        #expect(restarted.isLeading(at: later), "two of the two members not left are a majority")
    }

    @Test func settingsWhoseHoldDoesNotExceedTheLeaseAreRefused() {
        var settings = Election.Settings()
        settings.hold = settings.lease
        #expect(throws: Election.SettingsError.self) { try settings.validated() }
    }
}
