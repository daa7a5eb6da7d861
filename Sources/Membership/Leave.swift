import ClusterModel

extension SWIM.Instance {
    /// Leaves gracefully: announces `left` at a higher incarnation, gossips it at once, and
    /// reports `leaveCompleted` when the announcement has been sent its full retransmit
    /// count, or after `leave.timeout` at the latest. Others show this node `left`, never
    /// `failed`. Probing stops; pings are still answered, carrying the news further.
    public mutating func leave(now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
        var out: [Directive] = []
        guard leaveProgress == .staying else { return out }
        leaveProgress = .leaving
        var me = localMember
        me.incarnation += 1
        me.status = .left
        store(me, at: 0, now: now, random: &random, into: &out)
        probe = nil
        pendingJoins.removeAll()
        guard table.liveCount > 0 else {
            // Nobody to tell.
            leaveProgress = .done
            out.append(.leaveCompleted)
            return out
        }
        broadcast(.left(name: me.name, incarnation: me.incarnation))
        gossipRound(now: now, random: &random, into: &out)
        out.append(.scheduleTimer(.leaveDeadline, after: settings.leave.timeout))
        finishLeaveIfSpent(into: &out)
        return out
    }

    /// Leaving is done once the `left` announcement has left the queue: it went out as
    /// many times as any update does.
    mutating func finishLeaveIfSpent(into out: inout [Directive]) {
        guard leaveProgress == .leaving, !queue.contains(updateAbout: name) else { return }
        leaveProgress = .done
        out.append(.leaveCompleted)
    }
}
