import ClusterModel

extension SWIM {
    /// The members this node knows, itself included: an array of values plus an
    /// open-addressing index from name to position (32-bit slots, at most half full).
    ///
    /// At 10,000 members that is about 56 bytes per member for the array and 7 for the
    /// index, where a `[NodeName: Int]` would add 30 more; a simulation holding 10,000
    /// instances of 10,000 members each feels the difference. Members keep their position
    /// until `removeAll(where:)`, which rebuilds the index (reaping, once in a long while).
    struct MemberTable: Sendable {
        private(set) var members: [Member] = []
        private var slots: [Int32] = []
        /// How many members have each status, by `Status.rawValue`.
        private var counts: (alive: Int, suspect: Int, failed: Int, left: Int) = (0, 0, 0, 0)

        var count: Int { members.count }

        func count(_ status: Status) -> Int {
            switch status {
            case .alive: counts.alive
            case .suspect: counts.suspect
            case .failed: counts.failed
            case .left: counts.left
            }
        }

        /// Alive and suspect members, this node included.
        var liveCount: Int { counts.alive + counts.suspect }

        subscript(index: Int) -> Member { members[index] }

        func index(of name: NodeName) -> Int? {
            guard !slots.isEmpty else { return nil }
            let mask = slots.count - 1
            var slot = name.hashValue & mask
            while true {
                let position = slots[slot]
                if position < 0 { return nil }
                if members[Int(position)].name == name { return Int(position) }
                slot = (slot + 1) & mask
            }
        }

        func member(named name: NodeName) -> Member? {
            index(of: name).map { members[$0] }
        }

        /// Adds a member this table does not hold yet; returns its position.
        mutating func append(_ member: Member) -> Int {
            precondition(index(of: member.name) == nil, "\(member.name) is already a member")
            if (members.count + 1) * 2 > slots.count { rebuildIndex(minimumCapacity: members.count + 1) }
            members.append(member)
            adjustCount(member.status, by: 1)
            insertIntoIndex(position: members.count - 1)
            return members.count - 1
        }

        /// Replaces the member at `index`; its name must stay the same.
        mutating func update(at index: Int, to member: Member) {
            let old = members[index]
            precondition(old.name == member.name, "a member's name never changes (\(old.name) -> \(member.name))")
            if old.status != member.status {
                adjustCount(old.status, by: -1)
                adjustCount(member.status, by: 1)
            }
            members[index] = member
        }

        /// Removes members and rebuilds the index; positions of the rest change.
        mutating func removeAll(where shouldRemove: (Member) -> Bool) {
            members.removeAll(where: shouldRemove)
            counts = (0, 0, 0, 0)
            for member in members { adjustCount(member.status, by: 1) }
            rebuildIndex(minimumCapacity: members.count)
        }

        private mutating func adjustCount(_ status: Status, by delta: Int) {
            switch status {
            case .alive: counts.alive += delta
            case .suspect: counts.suspect += delta
            case .failed: counts.failed += delta
            case .left: counts.left += delta
            }
        }

        private mutating func insertIntoIndex(position: Int) {
            let mask = slots.count - 1
            var slot = members[position].name.hashValue & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(position)
        }

        private mutating func rebuildIndex(minimumCapacity: Int) {
            var capacity = 8
            while capacity < minimumCapacity * 2 { capacity *= 2 }
            slots = [Int32](repeating: -1, count: capacity)
            for position in members.indices { insertIntoIndex(position: position) }
        }
    }
}
