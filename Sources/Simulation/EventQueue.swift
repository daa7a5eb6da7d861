import ClusterModel

/// The simulator's agenda: events ordered by virtual time, and by the order they were
/// scheduled when their times are equal, so that a seed replays exactly.
struct EventQueue<Event> {
    private struct Entry {
        let time: Timestamp
        let order: UInt64
        let event: Event

        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : order < other.order
        }
    }

    private var heap: [Entry] = []
    private var scheduled: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var nextTime: Timestamp? { heap.first?.time }

    mutating func schedule(_ event: Event, at time: Timestamp) {
        heap.append(Entry(time: time, order: scheduled, event: event))
        scheduled += 1
        siftUp(heap.count - 1)
    }

    mutating func popFirst() -> (time: Timestamp, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let first = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return (first.time, first.event)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var first = left
            if left + 1 < heap.count && heap[left + 1].precedes(heap[left]) { first = left + 1 }
            guard heap[first].precedes(heap[parent]) else { return }
            heap.swapAt(first, parent)
            parent = first
        }
    }
}
