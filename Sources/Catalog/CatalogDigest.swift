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

    public init(newestByWriter: [NodeName: HybridTimestamp] = [:]) {
        self.newestByWriter = newestByWriter
    }

    /// Whether a replica with this digest already holds a write of `version`, or a later one
    /// by the same writer.
    public func covers(_ version: CatalogVersion) -> Bool {
        guard let newest = newestByWriter[version.writer] else { return false }
        return version.timestamp <= newest
    }
}

extension CatalogReplica {
    /// The digest of this replica, for anti-entropy.
    public var digest: CatalogDigest {
        var newest: [NodeName: HybridTimestamp] = [:]
        for entry in entries.values {
            newest[entry.version.writer] = max(newest[entry.version.writer] ?? entry.version.timestamp, entry.version.timestamp)
        }
        return CatalogDigest(newestByWriter: newest)
    }

    /// The entries a peer with `digest` lacks, oldest version first (then by key), so that
    /// whatever prefix of them fits in a round leaves the peer's digest exact.
    public func entries(newerThan digest: CatalogDigest) -> [CatalogEntry] {
        entries.values.filter { !digest.covers($0.version) }.sorted { ($0.version, $0.key) < ($1.version, $1.key) }
    }
}
