import ClusterModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SWIM.Instance {
    struct PendingJoin: Sendable {
        var exchange: UInt32
        var seed: PeerAddress
        var attemptsLeft: Int
    }

    /// Sends this node's whole member table as `state` chunks, each within the chunk budget.
    mutating func sendState(to address: PeerAddress, exchange: UInt32, isRequest: Bool, into out: inout [Directive]) {
        var chunk: [Member] = []
        var used = 0
        var index: UInt16 = 0
        func flush() {
            out.append(.send(.state(SWIM.StateChunk(exchange: exchange, isRequest: isRequest, index: index, members: chunk)), to: address))
            index &+= 1
            chunk.removeAll(keepingCapacity: true)
            used = 0
        }
        for member in table.members {
            let size = encodedSize.member(member)
            if !chunk.isEmpty, used + size > settings.sync.chunkBudget { flush() }
            chunk.append(member)
            used += size
        }
        if !chunk.isEmpty { flush() }
    }

    /// Merges a chunk of another member's table; answers a request's first chunk with this
    /// node's own table. A remote `failed` becomes a local suspicion (memberlist's
    /// mergeState): the member gets its chance to refute instead of being declared dead on
    /// hearsay, and that suspicion reaching it is what makes a healed partition converge.
    mutating func onState(
        _ chunk: SWIM.StateChunk, from sender: NodeName, at address: PeerAddress, now: Timestamp,
        random: inout some RandomNumberGenerator, into out: inout [Directive]
    ) {
        let learnedBefore = membersLearned
        for record in chunk.members {
            let firstHand = record.name == sender
            if firstHand, record.status == .alive { reviveSender(record, now: now, random: &random, into: &out) }
            let update: SWIM.Update =
                switch record.status {
                case .alive:
                    .alive(name: record.name, incarnation: record.incarnation, address: record.address, labels: record.labels)
                case .suspect, .failed:
                    .suspect(name: record.name, incarnation: record.incarnation, reporter: name)
                case .left:
                    .left(name: record.name, incarnation: record.incarnation)
                }
            apply(update, rebroadcast: firstHand, now: now, random: &random, into: &out)
        }
        if chunk.isRequest {
            if chunk.index == 0, leaveProgress == .staying {
                sendState(to: address, exchange: chunk.exchange, isRequest: false, into: &out)
            }
        } else if let position = pendingJoins.firstIndex(where: { $0.exchange == chunk.exchange }) {
            let join = pendingJoins.remove(at: position)
            out.append(.joinAnswered(seed: join.seed, by: sender))
            // Joining a settled cluster, the seed's answer is complete: catch up only if
            // gossip brings more members before the first tick.
            startCatchUp(baseline: membersLearned, into: &out)
            return
        }
        // Any other exchange: a follow-up at the first tick if this one taught something.
        if membersLearned > learnedBefore { startCatchUp(baseline: learnedBefore, partner: address, into: &out) }
    }

    /// A state exchange that taught this node something — a join's answer, a reconnect
    /// across a healed partition, a push-pull that found what gossip missed — is followed by
    /// catch-up push-pulls, since the partner's side probably holds more news than one
    /// exchange carried: refutations caused by the exchange itself cross over on the next.
    mutating func startCatchUp(baseline: Int, partner: PeerAddress? = nil, into out: inout [Directive]) {
        guard catchUp == nil, leaveProgress == .staying else { return }
        // After a join, soon: the joiners of a mass join fill one another's gaps. After a
        // reconnect or push-pull, later and to the same partner (`followUpDelay`).
        let delay = partner == nil ? settings.sync.catchUpDelay : settings.sync.followUpDelay
        catchUp = CatchUp(delay: delay, learnedAtLastTick: baseline, partner: partner)
        out.append(.scheduleTimer(.catchUpTick, after: delay))
    }

    /// A state exchange comes from its sender itself, authenticated: whatever this node
    /// believed, the sender is alive. Its own alive record revives it here even at the
    /// incarnation this node holds it failed or suspect at — only the member may raise its
    /// incarnation, and waiting for it to refute would cost a round trip across a healed
    /// partition. Not gossiped: elsewhere the member's own refutation does that job.
    mutating func reviveSender(_ record: Member, now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard let index = table.index(of: record.name), index != 0,
              table.incarnation(at: index) == record.incarnation,
              table.status(at: index) == .failed || table.status(at: index) == .suspect
        else { return }
        var member = table[index]
        suspicions[member.name] = nil
        member.status = .alive
        member.address = record.address
        store(member, at: index, now: now, random: &random, into: &out)
    }

    /// The catch-up ramp after a join: how long until the next push-pull, and how many
    /// members this node had learned when the last one went out.
    struct CatchUp: Sendable {
        var delay: Duration
        var learnedAtLastTick: Int
        /// Who taught this node in the exchange that started the ramp: the first catch-up
        /// goes back to it, since across a healed partition it is the one that knows the
        /// other side. Later ones go to random members.
        var partner: PeerAddress?
    }

    /// Push-pulls with a random member while the node is still learning of members it did
    /// not know, at doubling delays. Ends at the first tick with nothing learned since the
    /// previous one once the delay has reached `catchUpPatience`, or when it reaches the
    /// regular push-pull interval. A quiet tick sends nothing, so a node joining a settled
    /// cluster still makes no extra exchange.
    mutating func onCatchUpTick(random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard var ramp = catchUp, leaveProgress == .staying else { return }
        guard membersLearned > ramp.learnedAtLastTick else {
            guard ramp.delay < settings.sync.catchUpPatience else {
                catchUp = nil  // settled: a later exchange that teaches something starts a new ramp
                return
            }
            ramp.delay = ramp.delay * 2
            catchUp = ramp
            out.append(.scheduleTimer(.catchUpTick, after: ramp.delay))
            return
        }
        ramp.learnedAtLastTick = membersLearned
        ramp.delay = ramp.delay * 2
        let partner = ramp.partner ?? randomMembers(count: 1, random: &random, where: { $0.status == .alive }).first.map { table[$0].address }
        ramp.partner = nil
        catchUp = ramp
        if let partner {
            sendState(to: partner, exchange: takeSequence(), isRequest: true, into: &out)
        }
        if ramp.delay < settings.sync.pushPullInterval {
            out.append(.scheduleTimer(.catchUpTick, after: ramp.delay))
        } else {
            catchUp = nil
        }
    }

    mutating func onJoinRetry(_ exchange: UInt32, into out: inout [Directive]) {
        guard let position = pendingJoins.firstIndex(where: { $0.exchange == exchange }) else { return }
        guard pendingJoins[position].attemptsLeft > 0, leaveProgress == .staying else {
            out.append(.joinUnanswered(seed: pendingJoins.remove(at: position).seed))
            return
        }
        pendingJoins[position].attemptsLeft -= 1
        sendState(to: pendingJoins[position].seed, exchange: exchange, isRequest: true, into: &out)
        out.append(.scheduleTimer(.joinRetry(sequence: exchange), after: settings.sync.joinRetryInterval))
    }

    /// Full state exchange with one random live member, repairing whatever gossip missed.
    mutating func onPushPullTick(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard leaveProgress == .staying else { return }
        out.append(.scheduleTimer(.pushPullTick, after: Self.pushPullInterval(settings.sync.pushPullInterval, members: table.liveCount)))
        guard let partner = randomMembers(count: 1, random: &random, where: { $0.status == .alive }).first else { return }
        sendState(to: table[partner].address, exchange: takeSequence(), isRequest: true, into: &out)
    }

    /// memberlist's pushPullScale: above 32 members the interval grows with log2 of the
    /// cluster size, so the total push-pull traffic stays about flat.
    static func pushPullInterval(_ base: Duration, members: Int) -> Duration {
        guard members > 32 else { return base }
        let multiplier = (log2(Double(members)) - log2(32)).rounded(.up) + 1
        return base * Int(multiplier)
    }

    /// Serf's reconnect: with probability failed/alive, offer one random failed member a
    /// push-pull. Two sides of a healed partition that declared each other failed find each
    /// other again this way; gossip alone never would, since nobody probes the failed.
    /// Also forgets members that departed longer ago than the reap time.
    mutating func onReconnectTick(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard leaveProgress == .staying else { return }
        out.append(.scheduleTimer(.reconnectTick, after: settings.reconnect.interval))
        reap(now: now, into: &out)
        let failed = table.count(.failed)
        guard failed > 0 else { return }
        let probability = Double(failed) / Double(max(1, table.liveCount))
        guard Double.random(in: 0..<1, using: &random) < probability else { return }
        var candidates: [Int] = []
        for index in 1..<table.count where table.status(at: index) == .failed { candidates.append(index) }
        guard let chosen = candidates.randomElement(using: &random) else { return }
        sendState(to: table[chosen].address, exchange: takeSequence(), isRequest: true, into: &out)
    }

    mutating func reap(now: Timestamp, into out: inout [Directive]) {
        guard !departedSince.isEmpty else { return }
        let reapTime = settings.reconnect.reapTime
        let expired = departedSince.filter { now - $0.value >= reapTime }.keys.sorted()
        guard !expired.isEmpty else { return }
        for name in expired { departedSince[name] = nil }
        let forgotten = Set(expired)
        table.removeAll { member in !member.status.isLive && forgotten.contains(member.name) }
        // Positions moved: start a fresh round.
        probeOrder.removeAll()
        probeCursor = 0
        for name in expired { out.append(.memberForgotten(name)) }
    }
}
