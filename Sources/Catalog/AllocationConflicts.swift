import ClusterModel

/// What must happen to a Service that lost a contested ClusterIP or NodePort.
public enum ConflictResolution: Hashable, Sendable, CustomStringConvertible {
    /// Every value it lost had been allocated by the cluster: `writer` (the node that wrote
    /// its current version) writes it again with `allocation`, its other values unchanged.
    case reallocate(writer: NodeName, allocation: ServiceAllocation)
    /// It lost a value the user pinned: it gets a `Conflict` condition and no rules until the
    /// holder lets go or the user picks another value.
    case conflict([LostValue])

    public var description: String {
        switch self {
        case .reallocate(let writer, let allocation):
            "\(writer) reallocates: clusterIP \(allocation.clusterIP.map(\.description) ?? "None"), nodePorts \(allocation.nodePorts.compactMap { $0 })"
        case .conflict(let lost):
            "Conflict: " + lost.map(\.description).joined(separator: "; ")
        }
    }
}

/// A value a Service holds that an older Service holds too.
public struct LostValue: Hashable, Sendable, CustomStringConvertible {
    public var value: HeldValue
    /// The Service that keeps it.
    public var holder: ObjectKey
    public var pinned: Bool

    public init(value: HeldValue, holder: ObjectKey, pinned: Bool) {
        self.value = value
        self.holder = holder
        self.pinned = pinned
    }

    public var description: String { "\(value)\(pinned ? " (pinned)" : "") is held by \(holder)" }
}

/// The conflict rule of SPEC.md §5, computed from the merged catalog alone so that every
/// node reaches the same answer: when live Services hold the same ClusterIP or NodePort,
/// the one that took it first keeps it and every other loses it. A Service takes its values
/// at its creation (``CatalogEntry/createdAt``), or later by the write that moved or added
/// one (``ServiceAllocation/takenAt``); ties go by writer, then key. Returns what each
/// loser must do.
///
/// New values for the losers are drawn from a generator seeded by the loser's key and
/// creation version, and never collide with any value a live Service holds or with one
/// drawn for another loser before it (losers taken oldest first), so every node proposes
/// the same values.
public func conflicts(in replica: CatalogReplica, ranges: AllocationRanges) -> [ObjectKey: ConflictResolution] {
    let services = replica.entries.values.compactMap { entry in entry.service.map { (entry: entry, service: $0) } }
        .sorted { ($0.entry.createdAt, $0.entry.key) < ($1.entry.createdAt, $1.entry.key) }

    // Each value goes to the holder that took it first.
    var keeper: [HeldValue: (taken: CatalogVersion, key: ObjectKey)] = [:]
    for (entry, service) in services {
        for (value, _) in service.heldValues {
            let claim = (taken: service.allocation.takenAt[value] ?? entry.createdAt, key: entry.key)
            if let current = keeper[value], (current.taken, current.key) <= (claim.taken, claim.key) { continue }
            keeper[value] = claim
        }
    }
    var lost: [ObjectKey: [LostValue]] = [:]
    for (entry, service) in services {
        for (value, pinned) in service.heldValues {
            guard let holder = keeper[value]?.key, holder != entry.key else { continue }
            lost[entry.key, default: []].append(LostValue(value: value, holder: holder, pinned: pinned))
        }
    }

    var held = HeldValues(replica)
    var resolutions: [ObjectKey: ConflictResolution] = [:]
    for (entry, service) in services {
        guard let losses = lost[entry.key] else { continue }
        if losses.contains(where: \.pinned) {
            resolutions[entry.key] = .conflict(losses)
            continue
        }
        var generator = SeededGenerator(seed: stableSeed(entry.key.description + "@" + entry.createdAt.description))
        var allocation = service.allocation
        var exhausted = false
        for loss in losses {
            switch loss.value {
            case .clusterIP:
                allocation.clusterIP = freeClusterIP(held: held, ranges: ranges, using: &generator)
                if let address = allocation.clusterIP { held.take(.clusterIP(address), for: entry.key) } else { exhausted = true }
            case .nodePort(let port):
                for index in allocation.nodePorts.indices where allocation.nodePorts[index] == port {
                    allocation.nodePorts[index] = freeNodePort(held: held, ranges: ranges, using: &generator)
                    if let fresh = allocation.nodePorts[index] { held.take(.nodePort(fresh), for: entry.key) } else { exhausted = true }
                }
            }
        }
        // With nothing free left there is no value to move to: the Service waits in Conflict.
        resolutions[entry.key] = exhausted ? .conflict(losses) : .reallocate(writer: entry.version.writer, allocation: allocation)
    }
    return resolutions
}

/// FNV-1a over UTF-8: the same on every node and every run, which `Hasher` is not.
func stableSeed(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}
