import ClusterModel
import Membership
import Wire

/// One instance driven by hand: the test plays every other member. Sends go nowhere and
/// are kept for inspection; timers fire in order as the clock is advanced.
struct SoloNode {
    var instance: SWIM.Instance
    var now = TestCluster.start
    var random = SeededGenerator(seed: 11)
    var sent: [(to: PeerAddress, message: SWIM.Message)] = []
    var changes: [(at: Timestamp, change: SWIM.MemberChange)] = []
    var timers: [(at: Timestamp, timer: SWIM.Timer)] = []
    var directives: [SWIM.Directive] = []

    static let me = TestCluster.name(1)

    init(settings: SWIM.Settings = SWIM.Settings()) {
        instance = try! SWIM.Instance(
            name: Self.me, address: TestCluster.address(1), settings: settings, encodedSize: .wire, now: TestCluster.start)
    }

    /// Makes members n2…n<count> known and alive, at incarnation 10.
    mutating func learn(members count: Int) {
        guard count >= 2 else { return }
        let updates = (2...count).map { SWIM.Update.alive(name: TestCluster.name($0), incarnation: 10, address: TestCluster.address($0), labels: [:]) }
        for chunk in stride(from: 0, to: updates.count, by: 20) {
            hear(.gossip(SWIM.Gossip(updates: Array(updates[chunk..<min(chunk + 20, updates.count)]))))
        }
    }

    mutating func hear(_ message: SWIM.Message, from index: Int = 2) {
        let out = instance.onMessage(message, from: TestCluster.name(index), at: TestCluster.address(index), now: now, random: &random)
        record(out)
    }

    mutating func hear(_ updates: SWIM.Update..., from index: Int = 2) {
        hear(.gossip(SWIM.Gossip(updates: updates)), from: index)
    }

    mutating func fire(_ timer: SWIM.Timer) {
        record(instance.onTimer(timer, now: now, random: &random))
    }

    /// Moves the clock, firing every timer that falls due on the way (only those `firing`
    /// admits).
    mutating func advance(by duration: Duration, firing: (SWIM.Timer) -> Bool = { _ in true }) {
        let end = now + duration
        while let next = timers.enumerated().filter({ firing($0.element.timer) && $0.element.at <= end }).min(by: { $0.element.at < $1.element.at }) {
            timers.remove(at: next.offset)
            now = next.element.at
            fire(next.element.timer)
        }
        now = end
    }

    func status(of index: Int) -> SWIM.Status? { instance.member(named: TestCluster.name(index))?.status }

    private mutating func record(_ out: [SWIM.Directive]) {
        directives += out
        for directive in out {
            switch directive {
            case .send(let message, let to): sent.append((to, message))
            case .scheduleTimer(let timer, let after): timers.append((now + after, timer))
            case .memberChanged(let change): changes.append((now, change))
            default: break
            }
        }
    }
}

import Testing

extension SoloNode: CustomTestStringConvertible {
    var testDescription: String { instance.members.map(\.description).joined(separator: ", ") }
}
