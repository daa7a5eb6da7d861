import ClusterModel

extension SWIM {
    /// Updates waiting to be gossiped (memberlist's TransmitLimitedQueue): the least
    /// transmitted go first, and among equals the newest; each is sent until it has gone
    /// out `limit` times. Queueing news about a member makes any older news about it stale.
    ///
    /// Kept as one bucket per transmit count, newest at the end of each, so taking the next
    /// updates is a walk from the end of the lowest buckets. Stale entries are skipped where
    /// they are met and swept out once they outnumber the live ones.
    struct BroadcastQueue: Sendable {
        struct Entry: Sendable {
            var update: Update
            var size: Int
            var id: UInt64
        }

        private var buckets: [[Entry]] = []
        /// The id of the one live entry per member.
        private var live: [NodeName: UInt64] = [:]
        /// Entries in `buckets`: the live ones, plus the stale ones not yet dropped.
        private var stored = 0
        private var nextID: UInt64 = 0

        /// Members with news still to send.
        var count: Int { live.count }
        var isEmpty: Bool { live.isEmpty }

        func contains(updateAbout name: NodeName) -> Bool { live[name] != nil }

        mutating func enqueue(_ update: Update, size: Int) {
            nextID += 1
            live[update.name] = nextID
            if buckets.isEmpty { buckets.append([]) }
            buckets[0].append(Entry(update: update, size: size, id: nextID))
            stored += 1
            if stored > 2 * live.count + 64 { sweep() }
        }

        /// Takes updates whose sizes add up to at most `budget`, counting one transmission
        /// for each; those sent `limit` times leave the queue. News about `skipped` stays
        /// queued (the caller already carries its own update about that member).
        mutating func take(budget: Int, limit: Int, skipping skipped: NodeName? = nil) -> [Update] {
            var taken: [Update] = []
            // Every stored entry beyond one per member is stale; with none, nothing needs
            // the (cache-missing) look-up in `live` to tell.
            let mayBeStale = stored > live.count
            // Sent entries and the bucket each moves up to; moved only at the end, so that
            // nothing is taken twice in one call.
            var promoted: [(target: Int, entry: Entry)] = []
            var remaining = budget
            var bucket = 0
            while bucket < buckets.count, remaining > 0 {
                if bucket >= limit {
                    // The limit shrank (the cluster did): these were sent enough.
                    for entry in buckets[bucket] where live[entry.update.name] == entry.id { live[entry.update.name] = nil }
                    stored -= buckets[bucket].count
                    buckets[bucket].removeAll()
                    bucket += 1
                    continue
                }
                // Entries are popped off the newest end (moved, not copied); stale ones are
                // dropped, and those that did not fit go back in their order.
                var kept: [Entry] = []
                var misses = 0
                while remaining > 0, misses < 16, let entry = buckets[bucket].popLast() {
                    stored -= 1
                    guard !mayBeStale || live[entry.update.name] == entry.id else { continue }
                    guard entry.size <= remaining, entry.update.name != skipped else {
                        kept.append(entry)
                        misses += 1
                        continue
                    }
                    taken.append(entry.update)
                    remaining -= entry.size
                    promoted.append((bucket + 1, entry))
                }
                stored += kept.count
                while let entry = kept.popLast() { buckets[bucket].append(entry) }
                bucket += 1
            }
            // Backwards, so that each bucket receives its entries oldest first.
            while let (target, entry) = promoted.popLast() {
                if target < limit {
                    while buckets.count <= target { buckets.append([]) }
                    buckets[target].append(entry)
                    stored += 1
                } else {
                    live[entry.update.name] = nil
                }
            }
            return taken
        }

        private mutating func sweep() {
            stored = 0
            for index in buckets.indices {
                buckets[index].removeAll { live[$0.update.name] != $0.id }
                stored += buckets[index].count
            }
        }
    }
}
