import ClusterModel

/// What catalog replicas say to one another. Both travel sealed in datagrams like every
/// membership message; `Wire` owns their encoding (tags in `MessageTag.registry`).
public enum CatalogMessage: Hashable, Sendable {
    /// Entries the sender believes the receiver lacks: a new write, sent at once to a few
    /// members, or the answer to a digest, several datagrams' worth cut to the byte budget.
    case push([CatalogEntry])
    /// What the sender holds, per writer. The receiver answers with a push of what the
    /// sender lacks; when `isRequest`, also with its own digest, so that one round trip
    /// repairs both sides (Scuttlebutt's exchange).
    case digest(CatalogDigest, isRequest: Bool)
}
