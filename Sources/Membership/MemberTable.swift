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

        // Single fields, read in place: most news turns out to be old after a look at these,
        // and copying the whole member (retaining its name and labels) to find out is costly.
        func name(at index: Int) -> NodeName { members[index].name }
        func incarnation(at index: Int) -> UInt64 { members[index].incarnation }
        func status(at index: Int) -> Status { members[index].status }

        func index(of name: NodeName) -> Int? {
            guard !slots.isEmpty else { return nil }
            let mask = slots.count - 1
            var slot = Self.home(of: name) & mask
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

        /// Makes room for this many members at once: a table filled in bulk then holds no
        /// spare capacity, and its index is built once.
        mutating func reserveCapacity(_ capacity: Int) {
            members.reserveCapacity(capacity)
            if capacity * 2 > slots.count { rebuildIndex(minimumCapacity: capacity) }
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
            var slot = Self.home(of: members[position].name) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(position)
        }

        /// Where a name's probe sequence starts. FNV-1a over the UTF-8 bytes, with MurmurHash3's
        /// finaliser to mix the low bits the mask keeps: a few nanoseconds for a host name,
        /// where `hashValue` (seeded SipHash through `Hasher`) costs several times that, and
        /// lookups run for every update in every datagram. Not seeded, which is safe because
        /// names only arrive in authenticated datagrams.
        private static func home(of name: NodeName) -> Int {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in name.rawValue.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ (hash >> 33)) &* 0xFF51_AFD7_ED55_8CCD
            hash = (hash ^ (hash >> 33)) &* 0xC4CE_B9FE_1A85_EC53
            return Int(truncatingIfNeeded: hash ^ (hash >> 33))
        }

        private mutating func rebuildIndex(minimumCapacity: Int) {
            var capacity = 8
            while capacity < minimumCapacity * 2 { capacity *= 2 }
            slots = [Int32](repeating: -1, count: capacity)
            for position in members.indices { insertIntoIndex(position: position) }
        }
    }
}
