import ClusterModel

extension SWIM.Instance {
    /// Applies gossip, re-broadcasting whatever was news.
    mutating func apply(_ updates: [Update], now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        // All looked up first: in a large table each lookup waits on memory, and lookups
        // made back to back wait together instead of one after another.
        let positions = updates.map { table.index(of: $0.name) }
        for (update, position) in zip(updates, positions) {
            // One not found may have been added by an earlier update in this batch.
            apply(update, at: position ?? table.index(of: update.name), rebroadcast: true, now: now, random: &random, into: &out)
        }
    }

    /// The precedence rules of SWIM §4.2 as memberlist's state.go applies them, for a member
    /// at incarnation `i`:
    ///
    /// | news            | applies when                                              |
    /// |-----------------|-----------------------------------------------------------|
    /// | alive(j)        | j > i, or the member is new                               |
    /// | suspect(j)      | j ≥ i and the member is alive (if already suspect: a confirmation) |
    /// | failed(j)       | j ≥ i and the member is alive or suspect                  |
    /// | left(j)         | j ≥ i and the member is not already left                  |
    ///
    /// So a refutation (alive at a higher incarnation) beats any suspicion or verdict, and at
    /// one incarnation suspect beats alive, failed beats both, and left beats failed (a node
    /// that left is never shown failed). News about this node itself is never stored: it
    /// is refuted when it is worse than what this node announces.
    ///
    /// - Parameter rebroadcast: queue the news for gossip when it changed something. Member
    ///   records merged from a state exchange pass `false` unless first-hand; suspicions are
    ///   gossiped regardless, because the accused must hear them to refute.
    mutating func apply(
        _ update: Update, rebroadcast: Bool, now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]
    ) {
        apply(update, at: table.index(of: update.name), rebroadcast: rebroadcast, now: now, random: &random, into: &out)
    }

    /// `apply` with the member's position already looked up (nil when unknown).
    private mutating func apply(
        _ update: Update, at position: Int?, rebroadcast: Bool, now: Timestamp, random: inout some RandomNumberGenerator,
        into out: inout [Directive]
    ) {
        if position == 0 {
            answerNewsAboutMyself(update, now: now, random: &random, into: &out)
            return
        }
        guard let index = position else {
            guard case .alive(let name, let incarnation, let address, let labels) = update else { return }  // cannot reach it without an address
            let member = Member(name: name, address: address, incarnation: incarnation, status: .alive, labels: labels)
            let appended = table.append(member)
            membersLearned += 1
            addToProbeOrder(appended, random: &random)
            out.append(.memberChanged(SWIM.MemberChange(member: member, previousStatus: nil)))
            if rebroadcast { broadcast(update) }
            return
        }
        // Judged on the stored incarnation (and status, where it matters) alone, and the member
        // copied only when the news changes it: most gossip a node hears is news it already
        // has. The status is read only after the incarnation, as it may lie in another cache line.
        let known = table.incarnation(at: index)
        switch update {
        case .alive(_, let incarnation, let address, let labels):
            guard incarnation > known else { return }
            var member = table[index]
            suspicions[member.name] = nil
            member.incarnation = incarnation
            member.address = address
            member.labels = labels
            member.status = .alive
            store(member, at: index, now: now, random: &random, into: &out)
            if rebroadcast { broadcast(update) }

        case .suspect(let name, let incarnation, let reporter):
            guard incarnation >= known else { return }
            let status = table.status(at: index)
            if status == .suspect {
                // Lifeguard IV.B: another member reached the same verdict on its own.
                guard var suspicion = suspicions[name], suspicion.confirm(by: reporter) else { return }
                suspicions[name] = suspicion
                out.append(.scheduleTimer(.suspicionTimeout(name, incarnation: suspicion.incarnation), after: suspicion.deadline - now))
                broadcast(update)  // so that confirmations keep flowing
                return
            }
            guard status == .alive else { return }
            var member = table[index]
            member.status = .suspect
            member.incarnation = incarnation
            startSuspicion(of: member, reporter: reporter, now: now, into: &out)
            store(member, at: index, now: now, random: &random, into: &out)
            broadcast(update)

        case .failed(_, let incarnation, _):
            guard incarnation >= known, table.status(at: index).isLive else { return }
            depart(index, as: .failed, at: incarnation, now: now, random: &random, into: &out)
            if rebroadcast { broadcast(update) }

        case .left(_, let incarnation):
            guard incarnation >= known, table.status(at: index) != .left else { return }
            depart(index, as: .left, at: incarnation, now: now, random: &random, into: &out)
            if rebroadcast { broadcast(update) }
        }
    }

    /// Records a verdict (`failed`) or a goodbye (`left`): no suspicion of it runs any more.
    private mutating func depart(
        _ index: Int, as status: SWIM.Status, at incarnation: UInt64, now: Timestamp, random: inout some RandomNumberGenerator,
        into out: inout [Directive]
    ) {
        var member = table[index]
        suspicions[member.name] = nil
        member.status = status
        member.incarnation = incarnation
        store(member, at: index, now: now, random: &random, into: &out)
    }

    /// Lifeguard IV.B: the suspicion starts at its longest and shrinks with each independent
    /// confirmation. K, the confirmations expected, is `suspicionMultiplier - 2` so the
    /// nominal timeout is reached two probe intervals early (memberlist), or 0 in a cluster
    /// too small to give that many.
    mutating func startSuspicion(of member: Member, reporter: NodeName, now: Timestamp, into out: inout [Directive]) {
        let live = table.liveCount
        var expected = settings.lifeguard.suspicionMultiplier - 2
        if live - 2 < expected { expected = 0 }
        let minimum = SWIM.Suspicion.minimumTimeout(
            multiplier: settings.lifeguard.suspicionMultiplier, members: live, probeInterval: settings.probe.interval)
        let maximum = minimum * settings.lifeguard.suspicionMaxTimeoutMultiplier
        let suspicion = SWIM.Suspicion(
            incarnation: member.incarnation, reporter: reporter, start: now, minimum: minimum, maximum: maximum, expected: expected)
        suspicions[member.name] = suspicion
        out.append(.scheduleTimer(.suspicionTimeout(member.name, incarnation: member.incarnation), after: suspicion.deadline - now))
    }

    mutating func onSuspicionTimeout(
        _ name: NodeName, incarnation: UInt64, now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]
    ) {
        guard let suspicion = suspicions[name], suspicion.incarnation == incarnation else { return }  // refuted or decided
        guard now >= suspicion.deadline else {
            // Fired early (a real clock may): wait out the rest.
            out.append(.scheduleTimer(.suspicionTimeout(name, incarnation: incarnation), after: suspicion.deadline - now))
            return
        }
        suspicions[name] = nil
        apply(.failed(name: name, incarnation: incarnation, reporter: self.name), rebroadcast: true, now: now, random: &random, into: &out)
    }

    /// SWIM §4.2's refutation: hearing itself suspected, declared failed or left, or
    /// announced with other details at its own incarnation, a node announces itself alive
    /// at a higher incarnation. Having to refute also counts against its local health
    /// (Lifeguard IV.A): the accusation suggests its own messages are late.
    mutating func answerNewsAboutMyself(
        _ update: Update, now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]
    ) {
        guard leaveProgress == .staying else { return }
        var me = localMember
        switch update {
        case .alive(_, let incarnation, let address, let labels):
            guard incarnation > me.incarnation || (incarnation == me.incarnation && (address != me.address || labels != me.labels)) else {
                return
            }
        case .suspect, .failed, .left:
            guard update.incarnation >= me.incarnation else { return }
        }
        me.incarnation = max(me.incarnation, update.incarnation) + 1
        table.update(at: 0, to: me)
        health.apply(1)
        broadcast(.alive(name: me.name, incarnation: me.incarnation, address: me.address, labels: me.labels))
    }
}
