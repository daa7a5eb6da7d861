import ClusterModel

extension SWIM.Instance {
    /// Sends queued updates to `fanout` random members: alive and suspect ones, and those
    /// that failed less than `toTheDeadTime` ago, so a member wrongly declared failed hears
    /// of it and refutes (memberlist's gossip). Nothing is sent when there is no news.
    mutating func gossipRound(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
        guard !queue.isEmpty else { return }
        let toTheDeadTime = settings.gossip.toTheDeadTime
        let targets = randomMembers(count: settings.gossip.fanout, random: &random) { member in
            switch member.status {
            case .alive, .suspect: true
            case .failed: departedSince[member.name].map { now - $0 < toTheDeadTime } ?? false
            case .left: false
            }
        }
        for target in targets {
            let updates = piggyback()
            guard !updates.isEmpty else { break }
            out.append(.send(.gossip(SWIM.Gossip(updates: updates)), to: table[target].address))
        }
    }
}
