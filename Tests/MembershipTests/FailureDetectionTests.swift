import ClusterModel
import Membership
import Testing
import Wire

@Suite("Joining and failure detection")
struct FailureDetectionTests {
    @Test("nodes that join through one seed all see each other alive")
    func joinThroughSeed() {
        let cluster = TestCluster.joined(5)
        let converged = cluster.everyoneSeesEveryoneAlive()
        #expect(converged)
        #expect(cluster.instance(TestCluster.name(3)).members.count == 5)
        let answered = cluster.directives.filter {
            if case .joinAnswered(let seed, let by) = $0.directive { return seed == TestCluster.address(1) && by == TestCluster.name(1) }
            return false
        }
        #expect(answered.count == 4, "each joiner hears back from the seed once")
    }

    @Test("a seed that never answers is reported once the join attempts run out")
    func unansweredJoin() {
        var cluster = TestCluster()
        cluster.add(TestCluster.name(1), at: TestCluster.address(1), joining: [TestCluster.address(9)])
        cluster.run(for: .seconds(10))
        let requests = cluster.sent.filter { $0.to == TestCluster.address(9) }
        #expect(requests.count == cluster.settings.sync.joinAttempts)
        #expect(cluster.directives.contains { $0.directive == .joinUnanswered(seed: TestCluster.address(9)) })
    }

    @Test("a probe sends a ping to the target, whose ack is reported with its round trip")
    func pingAndAck() {
        var cluster = TestCluster.joined(2)
        let (n1, n2) = (TestCluster.name(1), TestCluster.name(2))
        cluster.directives.removeAll()
        cluster.sent.removeAll()
        cluster.run(for: .seconds(3))
        let pings = cluster.sent.filter {
            if case .ping(let ping) = $0.message { return $0.from == n1 && ping.target == n2 }
            return false
        }
        #expect(pings.count >= 2)
        #expect(pings.allSatisfy { $0.to == TestCluster.address(2) })
        let answered = cluster.directives.filter {
            if case .probeAnswered(let target, let roundTrip) = $0.directive {
                return $0.node == n1 && target == n2 && roundTrip == TestCluster.latency * 2
            }
            return false
        }
        #expect(answered.count >= pings.count - 1, "every ping but one still in flight was answered")
        #expect(!cluster.changes.contains { $0.change.member.status != .alive })
    }

    @Test("an unanswered probe leads to ping-req, then suspect, then failed after the suspicion timeout")
    func deadMemberIsDeclaredFailed() {
        var cluster = TestCluster.joined(5)
        let dead = TestCluster.name(5)
        let killedAt = cluster.now
        cluster.kill(dead)
        cluster.run(for: .seconds(120))

        let pingRequests = cluster.sent.filter {
            if case .pingRequest(let request) = $0.message { return request.target == dead }
            return false
        }
        #expect(!pingRequests.isEmpty)
        for index in 1...4 {
            let observer = TestCluster.name(index)
            #expect(cluster.status(of: dead, at: observer) == .failed)
            let suspected = cluster.firstChange(of: dead, to: .suspect, at: observer)
            let failed = cluster.firstChange(of: dead, to: .failed, at: observer)
            #expect(suspected != nil && failed != nil && suspected! < failed!, "\(observer) suspects before it declares failed")
        }
        // The first accuser waits at least the minimum suspicion timeout: 4 * log10(5)→1 * 1 s.
        let firstSuspicion = cluster.changes.filter { $0.change.member.name == dead && $0.change.member.status == .suspect }.map(\.at).min()!
        let firstFailure = cluster.changes.filter { $0.change.member.name == dead && $0.change.member.status == .failed }.map(\.at).min()!
        #expect(firstFailure - firstSuspicion >= .seconds(4))
        #expect(firstSuspicion > killedAt)
        // Nobody alive was ever suspected.
        #expect(!cluster.changes.contains { $0.change.member.name != dead && $0.change.member.status != .alive })
    }

    @Test("a suspected member that is alive refutes with a higher incarnation and stays alive")
    func suspectRefutes() {
        var cluster = TestCluster.joined(4)
        let (n1, n4) = (TestCluster.name(1), TestCluster.name(4))
        let incarnation = cluster.instance(n4).localMember.incarnation
        // n1 wrongly hears that n4 is suspect.
        let rumour = SWIM.Message.gossip(SWIM.Gossip(updates: [.suspect(name: n4, incarnation: incarnation, reporter: TestCluster.name(2))]))
        cluster.perform(n1) { instance, now, random in
            instance.onMessage(rumour, from: TestCluster.name(2), at: TestCluster.address(2), now: now, random: &random)
        }
        #expect(cluster.status(of: n4, at: n1) == .suspect)
        cluster.run(for: .seconds(60))
        let converged = cluster.everyoneSeesEveryoneAlive()
        #expect(converged)
        #expect(cluster.instance(n4).localMember.incarnation == incarnation + 1)
        #expect(cluster.instance(n1).member(named: n4)?.incarnation == incarnation + 1)
        #expect(!cluster.everChanged(n4, to: .failed))
    }

    @Test("a ping to a suspect carries the suspicion, and its ack carries the refutation")
    func buddySystem() throws {
        var random = SeededGenerator(seed: 7)
        let now = TestCluster.start
        let (n1, n2) = (TestCluster.name(1), TestCluster.name(2))
        var prober = try SWIM.Instance(name: n1, address: TestCluster.address(1), encodedSize: .wire, now: now)
        var target = try SWIM.Instance(name: n2, address: TestCluster.address(2), encodedSize: .wire, now: now)
        let incarnation = target.localMember.incarnation
        _ = prober.onMessage(
            .gossip(
                SWIM.Gossip(updates: [
                    .alive(name: n2, incarnation: incarnation, address: TestCluster.address(2), labels: [:]),
                    .suspect(name: n2, incarnation: incarnation, reporter: try NodeName("n3")),
                ])), from: n2, at: TestCluster.address(2), now: now, random: &random)
        #expect(prober.member(named: n2)?.status == .suspect)

        let out = prober.onTimer(.probeTick, now: now, random: &random)
        guard case .send(.ping(let ping), let to)? = out.first(where: { if case .send(.ping, _) = $0 { true } else { false } }) else {
            Issue.record("no ping in \(out)")
            return
        }
        #expect(to == TestCluster.address(2))
        #expect(ping.gossip.first == .suspect(name: n2, incarnation: incarnation, reporter: n1))

        let reply = target.onMessage(.ping(ping), from: n1, at: TestCluster.address(1), now: now, random: &random)
        guard case .send(.ack(let ack), let back)? = reply.first else {
            Issue.record("no ack in \(reply)")
            return
        }
        #expect(back == TestCluster.address(1))
        #expect(ack.gossip.contains { $0.name == n2 && $0.status == .alive && $0.incarnation == incarnation + 1 })

        _ = prober.onMessage(.ack(ack), from: n2, at: TestCluster.address(2), now: now + .milliseconds(2), random: &random)
        #expect(prober.member(named: n2)?.status == .alive)
    }

    @Test("a ping meant for another name is not answered")
    func pingForAnotherName() throws {
        var random = SeededGenerator(seed: 3)
        var node = try SWIM.Instance(name: TestCluster.name(2), address: TestCluster.address(2), encodedSize: .wire, now: TestCluster.start)
        let out = node.onMessage(
            .ping(SWIM.Ping(sequence: 9, target: TestCluster.name(7))), from: TestCluster.name(1), at: TestCluster.address(1),
            now: TestCluster.start, random: &random)
        #expect(out.isEmpty)
    }
}
