import ClusterModel

/// What catalog replicas say to one another. Both travel sealed in datagrams like every
/// membership message; `Wire` owns their encoding (tags in `MessageTag.registry`).
public enum CatalogMessage: Hashable, Sendable {
    /// New writes, sent at once to a few members; each member that learns something from a
    /// rumor passes those entries on, once, to a few others (``CatalogSync``).
    case rumor([CatalogEntry])
    /// One part of the answer to a digest: the entries the digest's sender lacks, oldest
    /// first, cut to the byte budget. `answer` numbers the sender's answers and `part` the
    /// parts of one answer from 0, so that the receiver can tell a lost part (a gap its
    /// per-writer digest would hide) and ask again from where it ends.
    case push([CatalogEntry], answer: UInt32, part: UInt16)
    /// What the sender holds, per writer. The receiver answers with a push of what the
    /// sender lacks; when `isRequest`, also with its own digest, so that one round trip
    /// repairs both sides (Scuttlebutt's exchange).
    case digest(CatalogDigest, isRequest: Bool)
}
