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
        /// How many members this node knew of before it restarted, counted until its first
        /// join is answered: a node back alone must not take its own view of one for the
        /// cluster.
        private var rememberedCount: Int
        /// The newest claim this node has heard of, its own included.
        public private(set) var newestClaim: LeaderClaim?
        /// This node's claim while it leads.
        public private(set) var leadingClaim: LeaderClaim?
        /// When the lease ends unless more endorsements arrive, while leading.
        public private(set) var leaseEnds: Timestamp?
        /// When the newest claim's leader last answered that it leads.
        private var leaderHeardLeadingAt: Timestamp?

        public enum Directive: Sendable, Hashable {
            case send(ElectionMessage, to: NodeName)
            case startedLeading(LeaderClaim)
            case stoppedLeading(LeaderClaim)
        }

        /// - Parameter rememberedCount: the members (not left) this node knew of when it last
        ///   ran, from its member snapshot; 0 for a new node.
        public init(name: NodeName, settings: Settings = Settings(), rememberedCount: Int = 0, now: Timestamp) throws(SettingsError) {
            self.name = name
            self.settings = try settings.validated()
            self.startedAt = now
            self.rememberedCount = rememberedCount
        }

        /// The membership has synced with a peer (a join was answered): from now on this
        /// node's view counts the members.
        public mutating func membershipSynced() { rememberedCount = 0 }

        // MARK: Inputs

        /// Every `endorseInterval`, and whenever the membership changes: endorses whom the
        /// view says to, and starts or stops leading as the lease says.
        public mutating func tick(view: ElectionView, now: Timestamp, wallClock: Timestamp) -> [Directive] {
            var out: [Directive] = []
            endorse(view: view, now: now, into: &out)
            updateLeadership(view: view, now: now, wallClock: wallClock, into: &out)
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
                updateLeadership(view: view, now: now, wallClock: wallClock, into: &out)
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
            let heard = leaderHeardLeadingAt.map { now - $0 < settings.lease } ?? false
            return LeaderStatus(claim: newestClaim, quorum: heard && newestClaim?.leader != name)
        }

        // MARK: Endorsing

        private mutating func endorse(view: ElectionView, now: Timestamp, into out: inout [Directive]) {
            guard let choice = candidate(in: view), mayEndorse(choice, now: now) else { return }
            // View changes tick in between the periodic ticks; a renewal waits its turn.
            if let endorsed, endorsed.member == choice, now - endorsed.at < settings.endorseInterval * 3 / 4 { return }
            endorsed = (choice, now)
            if choice == name {
                endorsements[name] = (now, view.knownCount)
            } else {
                out.append(.send(.endorse(known: newestClaim, knownCount: view.knownCount), to: choice))
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
            if let claim = leadingClaim, let leaseEnds, now >= leaseEnds {
                leadingClaim = nil
                self.leaseEnds = nil
                out.append(.stoppedLeading(claim))
            }
            endorsements = endorsements.filter { now - $0.value.arrived < settings.lease }
            // Counted: endorsers the view knows and that did not leave.
            let counted = endorsements.filter { view[$0.key].map { $0.status != .left } ?? false }.values
            let arrivals = counted.map(\.arrived).sorted(by: >)
            // A majority of the most members anyone involved knows of: views differ for a
            // moment after joins, and a node just restarted knows few.
            let clusterSize = max(view.knownCount, rememberedCount, counted.map(\.knownCount).max() ?? 0)
            let needed = clusterSize / 2 + 1
            let eligible = view[name]?.isEligible ?? false
            if eligible, arrivals.count >= needed {
                leaseEnds = arrivals[needed - 1] + settings.lease
                if leadingClaim == nil {
                    let claim = LeaderClaim(term: (newestClaim?.term ?? 0) + 1, leader: name, since: wallClock)
                    leadingClaim = claim
                    newestClaim = claim
                    out.append(.startedLeading(claim))
                }
            } else if let claim = leadingClaim {
                leadingClaim = nil
                leaseEnds = nil
                out.append(.stoppedLeading(claim))
            }
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
