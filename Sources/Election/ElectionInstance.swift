import ClusterModel

extension Election {
    /// One node's election core. It reads no clock: every input carries `now` (a monotonic
    /// reading, for leases) and, where a claim may start, the wall clock (for its `since`).
    public struct Instance: Sendable {
        public let name: NodeName
        public let settings: Settings
        private let startedAt: Timestamp

        /// The member this node endorsed last, and when it last did.
        public private(set) var endorsed: (member: NodeName, at: Timestamp)?
        /// Endorsements received, by endorser: when each arrived, and how many members its
        /// sender knew of.
        private var endorsements: [NodeName: (arrived: Timestamp, knownCount: Int)] = [:]
        /// The members this node knew of before it restarted (its member snapshot), counted
        /// as known while its view has not heard of them, for `Settings.rememberFor`: a node
        /// back among a few must not take them for the cluster.
        private let remembered: Set<NodeName>
        /// Whether this node was told of peers (seeds to join, a snapshot to rejoin): then a
        /// view of itself alone is not the cluster, and it does not lead on it.
        private let expectsPeers: Bool
        /// The newest claim this node has heard of, its own included.
        public private(set) var newestClaim: LeaderClaim?
        /// This node's claim while it leads.
        public private(set) var leadingClaim: LeaderClaim?
        /// When the lease ends unless more endorsements arrive, while leading.
        public private(set) var leaseEnds: Timestamp?
        /// When the newest claim's leader last answered that it leads.
        private var leaderHeardLeadingAt: Timestamp?
        /// While endorsed: when to tell the members that do not endorse it what it knows.
        private var nextAnnouncement: Timestamp?

        public enum Directive: Sendable, Hashable {
            case send(ElectionMessage, to: NodeName)
            case startedLeading(LeaderClaim)
            case stoppedLeading(LeaderClaim)
        }

        /// - Parameters:
        ///   - remembered: the members this node knew of when it last ran (its member
        ///     snapshot, which forgets a member only once it left or after the reap time);
        ///     empty for a new node.
        ///   - expectsPeers: it has seeds to join or a snapshot to rejoin.
        public init(
            name: NodeName, settings: Settings = Settings(), remembered: Set<NodeName> = [], expectsPeers: Bool = false, now: Timestamp
        ) throws(SettingsError) {
            self.name = name
            self.settings = try settings.validated()
            self.startedAt = now
            self.remembered = remembered
            self.expectsPeers = expectsPeers || !remembered.isEmpty
        }


        // MARK: Inputs

        /// Every `endorseInterval`, and whenever the membership changes: endorses whom the
        /// view says to, and starts or stops leading as the lease says.
        public mutating func tick(view: ElectionView, now: Timestamp, wallClock: Timestamp) -> [Directive] {
            var out: [Directive] = []
            endorse(view: view, now: now, into: &out)
            updateLeadership(view: view, now: now, wallClock: wallClock, into: &out)
            announce(view: view, now: now, into: &out)
            return out
        }

        public mutating func receive(
            _ message: ElectionMessage, from sender: NodeName, view: ElectionView, now: Timestamp, wallClock: Timestamp
        ) -> [Directive] {
            var out: [Directive] = []
            switch message {
            case .endorse(let known, let knownCount):
                learn(known)
                endorsements[sender] = (now, knownCount)
                // A leader's lease is brought up to date on its ticks: between them an
                // endorsement only extends it, so the older end is the safe one, and a leader
                // of 1,000 nodes does not count them all 2,000 times a second. A node not yet
                // leading counts at once, so that it starts without waiting for a tick.
                if leadingClaim == nil { updateLeadership(view: view, now: now, wallClock: wallClock, into: &out) }
                out.append(.send(.announce(known: newestClaim, leading: leadingClaim != nil), to: sender))
            case .announce(let known, let leading):
                learn(known)
                if leading, let known, known.leader == sender, known == newestClaim { leaderHeardLeadingAt = now }
            }
            return out
        }

        // MARK: What the shell asks

        /// Whether this node leads at `now`: it holds a claim and its lease has not run out
        /// since the last input. The shell asks before each call to the cloud.
        public func isLeading(at now: Timestamp) -> Bool {
            guard leadingClaim != nil, let leaseEnds else { return false }
            return now < leaseEnds
        }

        /// Who leads as far as this node knows, for `agent leader`.
        public func status(at now: Timestamp) -> LeaderStatus {
            if let leadingClaim, isLeading(at: now) {
                return LeaderStatus(claim: leadingClaim, quorum: true)
            }
            // As last heard: an answer is due every endorseInterval, and a few lost in a row
            // should not make the leader look gone.
            let heard = leaderHeardLeadingAt.map { now - $0 < settings.hold } ?? false
            return LeaderStatus(claim: newestClaim, quorum: heard && newestClaim?.leader != name)
        }

        // MARK: Endorsing

        private mutating func endorse(view: ElectionView, now: Timestamp, into out: inout [Directive]) {
            guard let choice = candidate(in: view), mayEndorse(choice, now: now) else { return }
            // View changes tick in between the periodic ticks; a renewal waits its turn.
            if let endorsed, endorsed.member == choice, now - endorsed.at < settings.endorseInterval * 3 / 4 { return }
            endorsed = (choice, now)
            if choice == name {
                endorsements[name] = (now, knownCount(in: view, now: now))
            } else {
                out.append(.send(.endorse(known: newestClaim, knownCount: knownCount(in: view, now: now)), to: choice))
            }
        }

        /// The leader of the newest claim while it is alive; nobody while it is suspect
        /// (it may refute); otherwise the first eligible live member by name.
        func candidate(in view: ElectionView) -> NodeName? {
            if let claim = newestClaim, let leader = view[claim.leader], leader.isEligible {
                switch leader.status {
                case .alive: return claim.leader
                case .suspect: return nil
                case .failed, .left: break
                }
            }
            return view.firstInRank
        }

        /// A node may go on endorsing the member it endorses; another only `hold` after it
        /// last endorsed the first (and after it started, since a restart forgets whom).
        private func mayEndorse(_ member: NodeName, now: Timestamp) -> Bool {
            if let endorsed, endorsed.member == member { return true }
            return now >= (endorsed?.at ?? startedAt) + settings.hold
        }

        // MARK: Leading

        private mutating func updateLeadership(view: ElectionView, now: Timestamp, wallClock: Timestamp, into out: inout [Directive]) {
            // A lease that ran out between inputs ended that leadership; leading again is a
            // new term.
            if let leaseEnds, now >= leaseEnds { stopLeading(into: &out) }
            endorsements = endorsements.filter { now - $0.value.arrived < settings.lease }
            // Counted: endorsers the view knows and that did not leave.
            let counted = endorsements.filter { view[$0.key].map { $0.status != .left } ?? false }.values
            let arrivals = counted.map(\.arrived).sorted(by: >)
            // A majority of the most members anyone involved knows of: views differ for a
            // moment after joins, and a node just restarted knows few.
            let clusterSize = max(knownCount(in: view, now: now), counted.map(\.knownCount).max() ?? 0)
            let needed = clusterSize / 2 + 1
            let eligible = (view[name]?.isEligible ?? false) && !(expectsPeers && view.members.count <= 1)
            if eligible, arrivals.count >= needed {
                leaseEnds = arrivals[needed - 1] + settings.lease
                if leadingClaim == nil {
                    let claim = LeaderClaim(term: (newestClaim?.term ?? 0) + 1, leader: name, since: wallClock)
                    leadingClaim = claim
                    newestClaim = claim
                    out.append(.startedLeading(claim))
                }
            } else {
                stopLeading(into: &out)
            }
        }

        private mutating func stopLeading(into out: inout [Directive]) {
            guard let claim = leadingClaim else { return }
            leadingClaim = nil
            leaseEnds = nil
            out.append(.stoppedLeading(claim))
        }

        /// A node that is endorsed (the leader, or a candidate while the vote is split) tells
        /// the live members that endorse another, or none, the newest claim it knows, every
        /// `announceInterval`; those that endorse it hear it in every answer anyway. So two
        /// groups behind two candidates, each knowing another claim, learn the newer one and
        /// come together behind its leader, and a node back alone learns who leads.
        private mutating func announce(view: ElectionView, now: Timestamp, into out: inout [Directive]) {
            guard !endorsements.isEmpty, let claim = newestClaim else {
                nextAnnouncement = nil
                return
            }
            guard now >= nextAnnouncement ?? now else { return }
            nextAnnouncement = now + settings.announceInterval
            for member in view.members.values.sorted(by: { $0.name < $1.name })
            where member.name != name && (member.status == .alive || member.status == .suspect) && endorsements[member.name] == nil {
                out.append(.send(.announce(known: claim, leading: leadingClaim != nil), to: member.name))
            }
        }

        /// The view's known members, and those remembered from before a restart that the view
        /// has not heard of (within `rememberFor` of the start, after which the view's reaping
        /// is the rule again).
        private func knownCount(in view: ElectionView, now: Timestamp) -> Int {
            guard now - startedAt < settings.rememberFor else { return view.knownCount }
            return view.knownCount + remembered.count { view[$0] == nil }
        }

        private mutating func learn(_ claim: LeaderClaim?) {
            guard let claim, newestClaim.map({ claim > $0 }) ?? true else { return }
            newestClaim = claim
            leaderHeardLeadingAt = nil
        }
    }
}

/// Who leads, as one node knows it: `agent leader`'s answer.
public struct LeaderStatus: Sendable, Hashable {
    /// The newest claim known; nil before any node has led.
    public var claim: LeaderClaim?
    /// Whether that leader holds a majority's endorsement now (as this node last heard).
    public var quorum: Bool

    public init(claim: LeaderClaim?, quorum: Bool) {
        self.claim = claim
        self.quorum = quorum
    }
}
