import ClusterModel
import Election
import Logging
import NIOCore
import Wire

/// The election shell: the core runs on the gossip node's event loop, with the membership
/// core's members as its view and the gossip socket for its messages.
extension GossipNode {
    /// Leases are measured on the monotonic clock: a wall clock stepped back by NTP must
    /// not stretch one.
    static func monotonicNow() -> Timestamp { Timestamp(nanosecondsSinceEpoch: NIODeadline.now().uptimeNanoseconds) }

    func startElection() {
        let interval = TimeAmount(election.settings.endorseInterval)
        eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] task in
            guard let self, !self.isStopped else { return task.cancel() }
            self.electionTick()
        }
    }

    func electionTick() {
        carryOutElection { election, view, now, wallClock in election.tick(view: view, now: now, wallClock: wallClock) }
    }

    /// Runs one input on the election core and carries out what it directs.
    func carryOutElection(_ input: (inout Election.Instance, ElectionView, Timestamp, Timestamp) -> [Election.Instance.Directive]) {
        eventLoop.preconditionInEventLoop()
        guard !isStopped else { return }
        let view = electionView ?? ElectionView(instance.members)
        electionView = view
        let directives = input(&election, view, Self.monotonicNow(), WallClock.now())
        for directive in directives {
            switch directive {
            case .send(let message, let target):
                guard let member = instance.member(named: target) else { continue }
                send(payload: message.payload, to: member.address)
            case .startedLeading(let claim):
                logger.notice("leading the cluster", metadata: ["term": "\(claim.term)"])
                leadershipChanged(true)
            case .stoppedLeading(let claim):
                logger.warning("no longer leading: fewer than a majority of the members endorse this node", metadata: ["term": "\(claim.term)"])
                leadershipChanged(false)
            }
        }
        flush()
    }

    private func leadershipChanged(_ leading: Bool) {
        metrics.leading(leading)
        for observer in leadershipObservers { observer(leading) }
    }

    // MARK: What others ask

    /// Who leads, as this node knows it.
    func leaderStatus() -> EventLoopFuture<LeaderStatus> {
        eventLoop.submit { [self] in election.status(at: Self.monotonicNow()) }
    }

    /// Whether this node leads now, by its lease: asked before each call to the cloud.
    func isLeading() -> EventLoopFuture<Bool> {
        eventLoop.submit { [self] in election.isLeading(at: Self.monotonicNow()) }
    }

    /// Calls `observer` (on the event loop) each time this node starts or stops leading.
    func observeLeadership(_ observer: @escaping @Sendable (Bool) -> Void) -> EventLoopFuture<Void> {
        eventLoop.submit { [self] in leadershipObservers.append(observer) }
    }
}
