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
            var promotions: [(bucket: Int, entries: [Entry])] = []
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
                var promoted: [Entry] = []
                var kept: [Entry] = []
                var position = buckets[bucket].count
                var misses = 0
                while position > 0, remaining > 0, misses < 16 {
                    position -= 1
                    let entry = buckets[bucket][position]
                    guard live[entry.update.name] == entry.id else { continue }  // stale: dropped below
                    guard entry.size <= remaining, entry.update.name != skipped else {
                        kept.append(entry)
                        misses += 1
                        continue
                    }
                    taken.append(entry.update)
                    remaining -= entry.size
                    promoted.append(entry)
                }
                // Everything from `position` on was looked at: keep the misses, move the taken.
                let scanned = buckets[bucket].count - position
                buckets[bucket].removeLast(scanned)
                buckets[bucket].append(contentsOf: kept.reversed())
                stored -= scanned - kept.count
                if !promoted.isEmpty { promotions.append((bucket + 1, promoted)) }
                bucket += 1
            }
            // Moved only now, so that nothing is taken twice in one call.
            for (target, entries) in promotions {
                if target < limit {
                    while buckets.count <= target { buckets.append([]) }
                    buckets[target].append(contentsOf: entries.reversed())
                    stored += entries.count
                } else {
                    for entry in entries { live[entry.update.name] = nil }
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
