import ClusterModel

extension SWIM {
    /// Why an instance could not be created or its labels changed.
    public enum InstanceError: Error, Hashable, Sendable, CustomStringConvertible {
        case invalidSettings([String])
        /// This node's own record would not fit in one gossip update or state chunk.
        case recordTooLarge(bytes: Int, budget: Int)

        public var description: String {
            switch self {
            case .invalidSettings(let problems):
                "invalid membership settings: " + problems.joined(separator: "; ")
            case .recordTooLarge(let bytes, let budget):
                "this node's name, address and labels take \(bytes) bytes on the wire; at most \(budget) fit in one datagram's gossip budget (use fewer or shorter labels)"
            }
        }
    }

    /// One node's view of the cluster and the protocol state around it: the SWIM + Lifeguard
    /// state machine. A value: copy it, store it, run ten thousand of them in a simulator.
    ///
    /// Drive it with `start`/`join`, `onMessage`, `onTimer`, `updateLabels` and `leave`; each
    /// returns what the shell must do. `now` and the random-number generator always come from
    /// the caller.
    public struct Instance: Sendable {
        public typealias Member = SWIM.Member
        public typealias Update = SWIM.Update
        public typealias Directive = SWIM.Directive

        public let settings: Settings
        let encodedSize: EncodedSize

        /// Every known member; this node is always at position 0.
        var table: MemberTable
        var health: LocalHealth
        var queue = BroadcastQueue()
        var suspicions: [NodeName: Suspicion] = [:]
        /// When each failed or left member departed. Looked up, never iterated for output.
        var departedSince: [NodeName: Timestamp] = [:]

        /// Positions in `table` in the order this round probes them (SWIM's round-robin over
        /// a random permutation, Das et al. §4.3).
        var probeOrder: [Int32] = []
        var probeCursor = 0
        var probe: OutstandingProbe?
        var relays: [Relay] = []
        var pendingJoins: [PendingJoin] = []
        var nextSequence: UInt32 = 1
        var isStarted = false
        var leaveProgress: LeaveProgress = .staying
        /// Members added to the table, or back from failed or left, since this node started;
        /// the catch-up ramp runs while this keeps moving.
        var membersLearned = 0
        var catchUp: CatchUp?

        enum LeaveProgress: Sendable { case staying, leaving, done }

        /// - Parameters:
        ///   - now: also this node's first incarnation (milliseconds since the epoch), so that
        ///     a restarted node outranks everything remembered about its previous run.
        public init(
            name: NodeName, address: PeerAddress, labels: [String: String] = [:], settings: Settings = Settings(),
            encodedSize: EncodedSize, now: Timestamp
        ) throws(InstanceError) {
            let problems = settings.problems
            guard problems.isEmpty else { throw .invalidSettings(problems) }
            self.settings = settings
            self.encodedSize = encodedSize
            self.health = LocalHealth(maximumMultiplier: settings.lifeguard.awarenessMaxMultiplier)
            self.table = MemberTable()
            let me = Member(name: name, address: address, incarnation: max(1, now.millisecondsSinceEpoch), status: .alive, labels: labels)
            try Self.checkFits(me, settings: settings, encodedSize: encodedSize)
            _ = table.append(me)
        }

        // MARK: What the shell and operators read

        public var name: NodeName { table.name(at: 0) }
        /// This node's own record, as it announces it.
        public var localMember: Member { table[0] }
        /// Every member this node knows, itself first.
        public var members: [Member] { table.members }
        public func member(named name: NodeName) -> Member? { table.member(named: name) }
        public func count(of status: Status) -> Int { table.count(status) }
        /// Lifeguard's local health score (`agent_health_score`): 0 is healthy.
        public var localHealthScore: Int { health.score }
        public var isLeaving: Bool { leaveProgress != .staying }

        /// How many times each update is gossiped: `retransmitMultiplier * ceil(log10(N + 1))`
        /// for N live members, as memberlist's `retransmitLimit`.
        public var retransmitLimit: Int {
            var digits = 0
            var n = table.liveCount
            while n > 0 {
                digits += 1
                n /= 10
            }
            return settings.gossip.retransmitMultiplier * digits
        }

        // MARK: Inputs

        /// Starts the periodic timers (each first fires at a random point of its interval, so
        /// nodes started together do not tick in step). Calling it again does nothing.
        public mutating func start(now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
            var out: [Directive] = []
            startIfNeeded(now: now, random: &random, into: &out)
            return out
        }

        /// Asks each seed for its member table, announcing this node's own. Retried until a
        /// seed answers (`joinAnswered`) or the attempts run out (`joinUnanswered`).
        public mutating func join(seeds: [PeerAddress], now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
            var out: [Directive] = []
            startIfNeeded(now: now, random: &random, into: &out)
            guard leaveProgress == .staying else { return out }
            var asked: [PeerAddress] = []
            for seed in seeds where seed != localMember.address && !asked.contains(seed) {
                asked.append(seed)
                let exchange = takeSequence()
                pendingJoins.append(PendingJoin(exchange: exchange, seed: seed, attemptsLeft: settings.sync.joinAttempts - 1))
                sendState(to: seed, exchange: exchange, isRequest: true, into: &out)
                out.append(.scheduleTimer(.joinRetry(sequence: exchange), after: settings.sync.joinRetryInterval))
            }
            return out
        }

        /// Replaces this node's labels and announces them at a new incarnation.
        public mutating func updateLabels(
            _ labels: [String: String], now: Timestamp, random: inout some RandomNumberGenerator
        ) throws(InstanceError) -> [Directive] {
            var me = localMember
            guard me.labels != labels, leaveProgress == .staying else { return [] }
            me.labels = labels
            try Self.checkFits(me, settings: settings, encodedSize: encodedSize)
            me.incarnation += 1
            var out: [Directive] = []
            store(me, at: 0, now: now, random: &random, into: &out)
            broadcast(.alive(name: me.name, incarnation: me.incarnation, address: me.address, labels: me.labels))
            return out
        }

        public mutating func onMessage(
            _ message: Message, from sender: NodeName, at address: PeerAddress, now: Timestamp,
            random: inout some RandomNumberGenerator
        ) -> [Directive] {
            var out: [Directive] = []
            guard leaveProgress != .done else { return out }
            switch message {
            case .ping(let ping):
                apply(ping.gossip, now: now, random: &random, into: &out)
                // A ping for another name reached an address that member no longer uses.
                guard ping.target == name else { break }
                out.append(.send(.ack(Ack(sequence: ping.sequence, gossip: piggyback())), to: address))
            case .pingRequest(let request):
                apply(request.gossip, now: now, random: &random, into: &out)
                relay(request, for: address, now: now, into: &out)
            case .ack(let ack):
                apply(ack.gossip, now: now, random: &random, into: &out)
                onAck(ack.sequence, now: now, into: &out)
            case .nack(let nack):
                if probe?.sequence == nack.sequence { probe?.nacks += 1 }
            case .gossip(let gossip):
                apply(gossip.updates, now: now, random: &random, into: &out)
            case .state(let chunk):
                onState(chunk, from: sender, at: address, now: now, random: &random, into: &out)
            }
            finishLeaveIfSpent(into: &out)
            return out
        }

        public mutating func onTimer(_ timer: Timer, now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
            var out: [Directive] = []
            guard leaveProgress != .done else { return out }
            switch timer {
            case .probeTick:
                onProbeTick(now: now, random: &random, into: &out)
            case .probeTimeout(let sequence):
                onProbeTimeout(sequence, now: now, random: &random, into: &out)
            case .relayTimeout(let sequence):
                onRelayTimeout(sequence, now: now, into: &out)
            case .suspicionTimeout(let member, let incarnation):
                onSuspicionTimeout(member, incarnation: incarnation, now: now, random: &random, into: &out)
            case .gossipTick:
                out.append(.scheduleTimer(.gossipTick, after: settings.gossip.interval))
                gossipRound(now: now, random: &random, into: &out)
            case .pushPullTick:
                onPushPullTick(now: now, random: &random, into: &out)
            case .reconnectTick:
                onReconnectTick(now: now, random: &random, into: &out)
            case .joinRetry(let sequence):
                onJoinRetry(sequence, into: &out)
            case .catchUpTick:
                onCatchUpTick(random: &random, into: &out)
            case .leaveDeadline:
                if leaveProgress == .leaving {
                    leaveProgress = .done
                    out.append(.leaveCompleted)
                }
            }
            finishLeaveIfSpent(into: &out)
            return out
        }

        // MARK: Shared machinery

        mutating func startIfNeeded(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            guard !isStarted else { return }
            isStarted = true
            let me = localMember
            broadcast(.alive(name: me.name, incarnation: me.incarnation, address: me.address, labels: me.labels))
            func staggered(_ timer: Timer, _ interval: Duration) {
                let offset = random.uniform(in: 0..<Int(max(1, interval.nanoseconds)))
                out.append(.scheduleTimer(timer, after: .nanoseconds(Int64(offset))))
            }
            staggered(.probeTick, settings.probe.interval)
            staggered(.gossipTick, settings.gossip.interval)
            // The interval of the cluster this node already knows: the base interval for a
            // node that knows only itself, the scaled one after `adopt`.
            staggered(.pushPullTick, Self.pushPullInterval(settings.sync.pushPullInterval, members: table.liveCount))
            staggered(.reconnectTick, settings.reconnect.interval)
        }

        mutating func takeSequence() -> UInt32 {
            defer { nextSequence &+= 1 }
            return nextSequence
        }

        mutating func broadcast(_ update: Update) {
            queue.enqueue(update, size: encodedSize.update(update))
        }

        /// Updates for one outgoing message, within the piggyback budget.
        mutating func piggyback(reserving reserved: Int = 0, skipping skipped: NodeName? = nil) -> [Update] {
            guard !queue.isEmpty else { return [] }
            return queue.take(budget: settings.gossip.piggybackBudget - reserved, limit: retransmitLimit, skipping: skipped)
        }

        /// Writes a member back to the table and reports what users would notice.
        mutating func store(_ member: Member, at index: Int, now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            let previous = table[index]
            table.update(at: index, to: member)
            if previous.status != member.status {
                if member.status.isLive {
                    departedSince[member.name] = nil
                    if !previous.status.isLive {
                        addToProbeOrder(index, random: &random)
                        membersLearned += 1  // back from failed or left: news, as a new member is
                    }
                } else {
                    departedSince[member.name] = now
                }
            }
            if previous.status != member.status || previous.address != member.address || previous.labels != member.labels {
                out.append(.memberChanged(MemberChange(member: member, previousStatus: previous.status)))
            }
        }

        /// Up to `count` random members other than this node that satisfy `isEligible`.
        /// Samples at random in a large table rather than scanning it, so a tick costs the
        /// same at 10,000 members as at 10.
        func randomMembers(
            count wanted: Int, random: inout some RandomNumberGenerator, where isEligible: (Member) -> Bool
        ) -> [Int] {
            guard wanted > 0, table.count > 1 else { return [] }
            if table.count <= 64 {
                var candidates = (1..<table.count).filter { isEligible(table[$0]) }.map { Int32($0) }
                random.shuffle(&candidates)
                return candidates.prefix(wanted).map { Int($0) }
            }
            var chosen: [Int] = []
            var tries = 0
            while chosen.count < wanted, tries < 8 * wanted + 8 {
                tries += 1
                let index = random.uniform(in: 1..<table.count)
                if !chosen.contains(index), isEligible(table[index]) { chosen.append(index) }
            }
            return chosen
        }

        static func checkFits(_ me: Member, settings: Settings, encodedSize: EncodedSize) throws(InstanceError) {
            let updateSize = encodedSize.update(.alive(name: me.name, incarnation: me.incarnation, address: me.address, labels: me.labels))
            if updateSize > settings.gossip.piggybackBudget {
                throw .recordTooLarge(bytes: updateSize, budget: settings.gossip.piggybackBudget)
            }
            let recordSize = encodedSize.member(me)
            if recordSize > settings.sync.chunkBudget { throw .recordTooLarge(bytes: recordSize, budget: settings.sync.chunkBudget) }
        }
    }
}
