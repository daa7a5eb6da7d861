import ClusterModel

/// A Scuttlebutt digest (van Renesse et al., "Efficient Reconciliation and Flow Control for
/// Anti-Entropy Protocols", 2008, §3): for each writer, the newest version of its writes this
/// replica holds. A peer answers with the writes it holds past those.
///
/// Per-writer maxima are exact when a replica takes each writer's writes in version order,
/// which anti-entropy does (``CatalogReplica/entries(newerThan:)`` sends oldest first, so a
/// delta cut short by a byte budget still leaves a prefix). A write overtaken on the way by
/// a newer one from the same writer (a rumor) could hide behind that maximum, which is why
/// the instance sends a digest that leaves rumored entries out (`claimedDigest()`).
public struct CatalogDigest: Hashable, Sendable {
    public var newestByWriter: [NodeName: HybridTimestamp]
    /// The writers this digest speaks for. A digest of many writers travels as several,
    /// each for a range of writer names, so that each fits one datagram; a writer outside
    /// the range is none of this digest's business, one inside it but not named has nothing
    /// here.
    public var writers: WriterRange

    public init(newestByWriter: [NodeName: HybridTimestamp] = [:], writers: WriterRange = .all) {
        self.newestByWriter = newestByWriter
        self.writers = writers
    }

    /// Whether a replica with this digest already holds a write of `version`, or a later one
    /// by the same writer; writes of writers outside its range count as held.
    public func covers(_ version: CatalogVersion) -> Bool {
        guard writers.contains(version.writer) else { return true }
        guard let newest = newestByWriter[version.writer] else { return false }
        return version.timestamp <= newest
    }

    /// What this digest says of the writers in `range` only.
    public func restricted(to range: WriterRange) -> CatalogDigest {
        CatalogDigest(newestByWriter: newestByWriter.filter { range.contains($0.key) }, writers: range)
    }

    /// This digest cut into digests of consecutive writer ranges, each at most `budget`
    /// bytes as `size` measures them (at least one writer each).
    public func split(budget: Int, size: (CatalogDigest) -> Int) -> [CatalogDigest] {
        guard size(self) > budget, newestByWriter.count > 1 else { return [self] }
        var parts: [CatalogDigest] = []
        var current = CatalogDigest(writers: WriterRange(after: writers.after, through: nil))
        for (writer, stamp) in newestByWriter.sorted(by: { $0.key < $1.key }) {
            // Measured as if the range ended at this writer, as it will if it ends here.
            var candidate = current
            candidate.newestByWriter[writer] = stamp
            candidate.writers.through = writer
            if !current.newestByWriter.isEmpty, size(candidate) > budget {
                current.writers.through = current.newestByWriter.keys.max()
                parts.append(current)
                current = CatalogDigest(newestByWriter: [writer: stamp], writers: WriterRange(after: current.writers.through, through: nil))
            } else {
                current.newestByWriter[writer] = stamp
            }
        }
        current.writers.through = writers.through
        parts.append(current)
        return parts
    }
}

/// Writer names after `after` (exclusive) through `through` (inclusive); nil bounds are open.
public struct WriterRange: Hashable, Sendable {
    public var after: NodeName?
    public var through: NodeName?

    public static let all = WriterRange(after: nil, through: nil)

    public init(after: NodeName?, through: NodeName?) {
        self.after = after
        self.through = through
    }

    public func contains(_ writer: NodeName) -> Bool {
        if let after, writer <= after { return false }
        if let through, writer > through { return false }
        return true
    }
}

extension CatalogReplica {
    /// The digest of this replica, for anti-entropy (kept by the replica as it is written).
    public var digest: CatalogDigest { CatalogDigest(newestByWriter: index.newestByWriter) }

    /// The entries a peer with `digest` lacks, oldest version first (then by key), so that
    /// whatever prefix of them fits in a round leaves the peer's digest exact; at most
    /// `limit` of them.
    public func entries(newerThan digest: CatalogDigest, limit: Int = .max) -> [CatalogEntry] {
        let lacking = entries.values.filter { !digest.covers($0.version) }
        // Sorted by plain numbers, the entries themselves compared only on equal stamps: a
        // catch-up sorts tens of thousands of entries per answer.
        var order = lacking.indices.map { (lacking[$0].version.timestamp.wallMilliseconds, lacking[$0].version.timestamp.counter, $0) }
        order.sort { left, right in
            if left.0 != right.0 { return left.0 < right.0 }
            if left.1 != right.1 { return left.1 < right.1 }
            return (lacking[left.2].version, lacking[left.2].key) < (lacking[right.2].version, lacking[right.2].key)
        }
        return order.prefix(limit).map { lacking[$0.2] }
    }
}
