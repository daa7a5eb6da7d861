import ClusterModel

extension SWIM.Instance {
    /// The one probe in flight: SWIM probes one member per protocol period.
    struct OutstandingProbe: Sendable {
        var sequence: UInt32
        var target: NodeName
        var sentAt: Timestamp
        /// Nacks asked for from indirect probers, and received (Lifeguard IV.A).
        var expectedNacks = 0
        var nacks = 0
        var wentIndirect = false
    }

    /// A ping this node sends on behalf of another member's ping-req.
    struct Relay: Sendable {
        var sequence: UInt32
        var requester: PeerAddress
        var requesterSequence: UInt32
        var wantsNack: Bool
        var expiresAt: Timestamp
    }

    static var maximumRelays: Int { 256 }

    /// SWIM §4.3: each protocol period probes the next member of a random permutation of
    /// the members, reshuffled every round. The previous probe, unanswered by now, is
    /// concluded first: memberlist's probe lasts one (scaled) probe interval too.
    mutating func onProbeTick(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard leaveProgress == .staying else { return }
        concludeProbe(now: now, random: &random, into: &out)
        out.append(.scheduleTimer(.probeTick, after: health.scale(settings.probe.interval)))
        guard let index = nextProbeTarget(random: &random) else { return }
        let target = table[index]
        let sequence = takeSequence()
        probe = OutstandingProbe(sequence: sequence, target: target.name, sentAt: now)
        // Lifeguard IV.C, the buddy system: a ping to a suspect carries the suspicion, so the
        // member learns of it at once and can refute in its ack.
        var gossip: [SWIM.Update] = []
        if target.status == .suspect {
            let accusation = SWIM.Update.suspect(name: target.name, incarnation: target.incarnation, reporter: name)
            gossip.append(accusation)
            gossip += piggyback(reserving: encodedSize.update(accusation), skipping: target.name)
        } else {
            gossip = piggyback()
        }
        out.append(.send(.ping(SWIM.Ping(sequence: sequence, target: target.name, gossip: gossip)), to: target.address))
        out.append(.scheduleTimer(.probeTimeout(sequence: sequence), after: health.scale(settings.probe.timeout)))
    }

    /// No direct ack in time: ask `indirectProbes` random alive members to ping the target
    /// (SWIM §3.1's ping-req), each asked for a nack should it hear nothing either.
    mutating func onProbeTimeout(_ sequence: UInt32, now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard var current = probe, current.sequence == sequence, !current.wentIndirect,
            let targetIndex = table.index(of: current.target)
        else { return }
        let target = table[targetIndex]
        let helpers = randomMembers(count: settings.probe.indirectProbes, random: &random) {
            $0.status == .alive && $0.name != target.name
        }
        current.wentIndirect = true
        current.expectedNacks = helpers.count
        probe = current
        for helper in helpers {
            let request = SWIM.PingRequest(
                sequence: sequence, target: target.name, targetAddress: target.address, wantsNack: true, gossip: piggyback())
            out.append(.send(.pingRequest(request), to: table[helper].address))
        }
    }

    /// The probe period is over without an ack: the target becomes suspect. Lifeguard IV.A
    /// scores the failure against this node's own health by the nacks that did not come
    /// (a helper that could not send one is as cut off as we might be), or by one when no
    /// helper was available to tell.
    mutating func concludeProbe(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard let finished = probe else { return }
        probe = nil
        if finished.wentIndirect, finished.expectedNacks > 0 {
            health.apply(max(0, finished.expectedNacks - finished.nacks))
        } else {
            health.apply(1)
        }
        guard let index = table.index(of: finished.target) else { return }
        let target = table[index]
        guard target.status.isLive else { return }
        apply(
            .suspect(name: target.name, incarnation: target.incarnation, reporter: name), rebroadcast: true, now: now, random: &random,
            into: &out)
    }

    mutating func onAck(_ sequence: UInt32, now: Timestamp, into out: inout [Directive]) {
        if let current = probe, current.sequence == sequence {
            probe = nil
            health.apply(-1)
            out.append(.probeAnswered(current.target, roundTrip: now - current.sentAt))
            return
        }
        if let position = relays.firstIndex(where: { $0.sequence == sequence }) {
            let relay = relays.remove(at: position)
            out.append(.send(.ack(SWIM.Ack(sequence: relay.requesterSequence, gossip: piggyback())), to: relay.requester))
        }
    }

    /// Pings the target for another member, and schedules the nack for when the target
    /// stays silent past `nackFraction` of the probe timeout (Lifeguard IV.A).
    mutating func relay(_ request: SWIM.PingRequest, for requester: PeerAddress, now: Timestamp, into out: inout [Directive]) {
        relays.removeAll { $0.expiresAt <= now }
        if relays.count >= Self.maximumRelays { relays.removeFirst() }
        let sequence = takeSequence()
        relays.append(
            Relay(
                sequence: sequence, requester: requester, requesterSequence: request.sequence, wantsNack: request.wantsNack,
                expiresAt: now + settings.probe.interval))
        let ping = SWIM.Ping(sequence: sequence, target: request.target, gossip: piggyback())
        out.append(.send(.ping(ping), to: request.targetAddress))
        out.append(.scheduleTimer(.relayTimeout(sequence: sequence), after: settings.probe.timeout * settings.lifeguard.nackFraction))
    }

    /// The relayed ping is still unanswered: nack, but keep listening until the requester's
    /// probe period is over, since a late ack is still worth relaying.
    mutating func onRelayTimeout(_ sequence: UInt32, now: Timestamp, into out: inout [Directive]) {
        guard let relay = relays.first(where: { $0.sequence == sequence }) else { return }
        if relay.wantsNack { out.append(.send(.nack(SWIM.Nack(sequence: relay.requesterSequence)), to: relay.requester)) }
        relays.removeAll { $0.expiresAt <= now }
    }

    /// The next live member in this round's order; a new round reshuffles. Members that
    /// failed or left since the shuffle are skipped where they stand.
    mutating func nextProbeTarget(random: inout some RandomNumberGenerator) -> Int? {
        var reshuffled = false
        while true {
            if probeCursor >= probeOrder.count {
                if reshuffled { return nil }
                reshuffled = true
                probeOrder.removeAll(keepingCapacity: true)
                for index in 1..<max(1, table.count) where table.status(at: index).isLive { probeOrder.append(Int32(index)) }
                random.shuffle(&probeOrder)
                probeCursor = 0
                continue
            }
            let index = Int(probeOrder[probeCursor])
            probeCursor += 1
            if index > 0, index < table.count, table.status(at: index).isLive { return index }
        }
    }

    /// A new or returning member goes to a random place among those not yet probed this
    /// round, so it is probed within the round and nobody is probed twice.
    mutating func addToProbeOrder(_ index: Int, random: inout some RandomNumberGenerator) {
        probeOrder.append(Int32(index))
        let place = random.uniform(in: probeCursor..<probeOrder.count)
        probeOrder.swapAt(place, probeOrder.count - 1)
    }
}
