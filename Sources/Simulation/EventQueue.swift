import ClusterModel

/// The simulator's agenda: events ordered by virtual time, and by the order they were
/// scheduled when their times are equal, so that a seed replays exactly.
///
/// The heap holds only plain keys and a slot number; the events themselves (which own
/// datagrams) stay in `events` and never move, so sifting copies no reference counts.
struct EventQueue<Event> {
    private struct Entry {
        let time: UInt64
        let order: UInt64
        /// `fresh` for a newly scheduled event; for one waiting behind a busy node, its place
        /// in the line of such events (see `reschedule`).
        let rank: UInt64
        let slot: Int32

        func precedes(_ other: Entry) -> Bool {
            if time != other.time { return time < other.time }
            if order != other.order { return order < other.order }
            return rank < other.rank
        }
    }

    private static var fresh: UInt64 { .max }

    private var heap: [Entry] = []
    private var events: [Event?] = []
    private var freeSlots: [Int32] = []
    private var scheduled: UInt64 = 0
    /// The time of the last event taken, and `scheduled` when the first event of that time
    /// was taken: everything scheduled before this instant sorts below `band`.
    private var lastTaken: UInt64 = 0
    private var band: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextTime: Timestamp? { heap.first.map { Timestamp(nanosecondsSinceEpoch: $0.time) } }

    mutating func schedule(_ event: Event, at time: Timestamp) {
        push(event, at: time, order: takeOrder(), rank: Self.fresh)
    }

    /// Schedules an event that found its node busy and is now first in that node's line.
    /// It sorts exactly as `schedule` would sort it, and its rank (place in line) is its order.
    mutating func scheduleFirstInLine(_ event: Event, at time: Timestamp) {
        let order = takeOrder()
        push(event, at: time, order: order, rank: order)
    }

    /// A place in line for an event that waits behind a busy node without being scheduled
    /// yet; it sorts among other waiting events as it would have had it been scheduled now.
    mutating func takeRank() -> UInt64 { takeOrder() }

    /// Schedules a waiting event (by its rank) for when its node is free again. Waiting
    /// events that come due at the same time keep the order of their ranks, after every
    /// event scheduled before the current instant and before any scheduled during it: as
    /// if each had been put back in the agenda one by one while this instant was processed.
    mutating func reschedule(_ event: Event, at time: Timestamp, rank: UInt64) {
        push(event, at: time, order: band, rank: rank)
    }

    /// The next event, and its rank when it was waiting behind its node (nil when fresh).
    mutating func popFirst() -> (time: Timestamp, event: Event, rank: UInt64?)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        if first.time != lastTaken {
            lastTaken = first.time
            band = scheduled
        }
        let event = events[Int(first.slot)].take()!
        freeSlots.append(first.slot)
        return (Timestamp(nanosecondsSinceEpoch: first.time), event, first.rank == Self.fresh ? nil : first.rank)
    }

    private mutating func takeOrder() -> UInt64 {
        defer { scheduled += 1 }
        return scheduled
    }

    private mutating func push(_ event: Event, at time: Timestamp, order: UInt64, rank: UInt64) {
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            events[Int(slot)] = event
        } else {
            slot = Int32(events.count)
            events.append(event)
        }
        heap.append(Entry(time: time.nanosecondsSinceEpoch, order: order, rank: rank, slot: slot))
        siftUp(heap.count - 1)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let moving = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard moving.precedes(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = moving
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let moving = heap[parent]
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var first = left
            if left + 1 < heap.count && heap[left + 1].precedes(heap[left]) { first = left + 1 }
            guard heap[first].precedes(moving) else { break }
            heap[parent] = heap[first]
            parent = first
        }
        heap[parent] = moving
    }
}
