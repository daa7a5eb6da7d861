import ClusterModel
import Election
import Membership
import Wire

extension Simulator {
    /// A stretch of time one node led: from when it started until its lease ran out or it
    /// stopped, whichever came first. `until` is nil while it still leads.
    public struct Leadership: Sendable, Hashable {
        public let node: Int
        public let claim: LeaderClaim
        public let from: Timestamp
        public internal(set) var until: Timestamp?
        /// The end of its lease as of its last input, while it leads.
        var leaseEnds: Timestamp

    }

    /// The nodes leading now.
    public var leaders: [Int] {
        (0..<nodeCount).filter { node in election(node)?.isLeading(at: now) ?? false }
    }

    /// Who leads as `node` knows it.
    public func leaderStatus(seenBy node: Int) -> LeaderStatus? { election(node)?.status(at: now) }

    func electionTick(_ node: Int) {
        carryOutElection(node) { election, view, now in election.tick(view: view, now: now, wallClock: now) }
    }

    /// Runs one input on a node's election core, with the node's membership as its view,
    /// and carries out what it directs.
    func carryOutElection(_ node: Int, _ input: (inout Election.Instance, ElectionView, Timestamp) -> [Election.Instance.Directive]) {
        guard let instance = self.instance(node), var election = election(node) else { return }
        let directives = input(&election, ElectionView(instance.members), now)
        setElection(node, election)
        for directive in directives {
            switch directive {
            case .send(let message, let target):
                guard let address = instance.member(named: target)?.address else { continue }
                sendElection(message, from: node, to: address)
            case .startedLeading(let claim):
                leadershipStarted(node: node, claim: claim, leaseEnds: election.leaseEnds ?? now)
            case .stoppedLeading:
                endLeadership(of: node)
            }
        }
        if let leaseEnds = election.leaseEnds, election.isLeading(at: now) { leadershipRenewed(node: node, leaseEnds: leaseEnds) }
    }
}
