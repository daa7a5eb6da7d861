import ClusterModel

extension SWIM.Instance {
    /// Takes these members as known and alive, as if learned long ago, without gossiping
    /// them: for simulations that start from a settled cluster. This node's own name is
    /// skipped. Members it did not know join the table and this round's probe order without
    /// a `memberChanged` (nobody is told of old news, not even the shell); members it knew
    /// are merged as a state exchange merges a record, and any change is reported.
    ///
    /// Called before `start`, the first push-pull is spread over the interval of a cluster
    /// this size, as it would be in a cluster that has been running for a while.
    public mutating func adopt(_ members: [Member], now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
        var out: [Directive] = []
        let me = name
        let firstNew = table.count
        table.reserveCapacity(table.count + members.count)
        for member in members where member.name != me {
            if table.index(of: member.name) == nil {
                var alive = member
                alive.status = .alive
                _ = table.append(alive)
            } else {
                let update = Update.alive(name: member.name, incarnation: member.incarnation, address: member.address, labels: member.labels)
                apply(update, rebroadcast: false, now: now, random: &random, into: &out)
            }
        }
        // One shuffle of what is left of this round puts each new member at a random place
        // among those not yet probed, as `addToProbeOrder` does one at a time.
        probeOrder.reserveCapacity(probeOrder.count + table.count - firstNew)
        for index in firstNew..<table.count { probeOrder.append(Int32(index)) }
        random.shuffle(&probeOrder, from: probeCursor)
        return out
    }
}
