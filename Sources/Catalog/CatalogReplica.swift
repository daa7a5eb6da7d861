import ClusterModel

/// One node's copy of the replicated catalog: every Service and Pod (and recent deletes),
/// each the latest write to its key. A value with no I/O and no clock: local writes take the
/// node's hybrid logical clock and `now` from the caller, writes heard from peers go through
/// ``merge(_:)``.
///
/// Merging is last-writer-wins (``CatalogEntry/outranks(_:)``), so any set of writes merged in any
/// order, any number of times, leaves every replica with the same entries.
public struct CatalogReplica: Hashable, Sendable {
    public private(set) var entries: [ObjectKey: CatalogEntry] = [:]
    /// Derived from `entries`, kept up to date by every write so that anti-entropy does not
    /// scan the catalog for each message: the newest version per writer, and who holds each
    /// ClusterIP and NodePort.
    private(set) var index = ReplicaIndex()

    public static func == (lhs: CatalogReplica, rhs: CatalogReplica) -> Bool { lhs.entries == rhs.entries }
    public func hash(into hasher: inout Hasher) { hasher.combine(entries) }

    /// How long a delete is remembered: 24 hours (ARCHITECTURE.md, "Catalog").
    public static let defaultTombstoneTTL: Duration = .seconds(24 * 60 * 60)

    public init() {}

    public init(entries: some Sequence<CatalogEntry>) {
        for entry in entries { merge(entry) }
    }

    public subscript(key: ObjectKey) -> CatalogEntry? { entries[key] }

    /// Live Services, sorted by key.
    public var services: [AllocatedService] {
        entries.values.compactMap(\.service).sorted { $0.key < $1.key }
    }

    /// Live Pods, sorted by key.
    public var pods: [Pod] {
        entries.values.compactMap(\.pod).sorted { $0.key < $1.key }
    }

    /// Takes in a write heard from a peer (or read back from disk). Returns what changed, or
    /// nil when the replica already held this write or a later one.
    ///
    /// The shell also feeds `entry.version.timestamp` to its hybrid logical clock, so that
    /// this node's next writes order after everything it has seen.
    @discardableResult
    public mutating func merge(_ entry: CatalogEntry) -> CatalogChange? {
        let previous = entries[entry.key]
        if let previous, !entry.outranks(previous) { return nil }
        entries[entry.key] = entry
        index.replace(previous, with: entry)
        return CatalogChange(previous: previous, current: entry)
    }

    /// Writes a Service applied on this node, already allocated (see ``allocate(_:in:settings:using:)``).
    @discardableResult
    public mutating func apply(
        _ service: AllocatedService, writer: NodeName, clock: inout HybridLogicalClock, now: Timestamp
    ) -> CatalogChange {
        write(.service(service), key: service.key, writer: writer, clock: &clock, now: now)
    }

    /// Writes a Pod applied on this node. A Pod that names no node is owned by `writer`, the
    /// node it was applied on (SPEC.md §4), and is recorded so.
    @discardableResult
    public mutating func apply(
        _ pod: Pod, writer: NodeName, clock: inout HybridLogicalClock, now: Timestamp
    ) -> CatalogChange {
        var pod = pod
        if pod.spec.nodeName == nil { pod.spec.nodeName = writer }
        return write(.pod(pod), key: pod.key, writer: writer, clock: &clock, now: now)
    }

    /// The agent's own rewrite of a Service or Pod this replica holds (a reallocation, a
    /// Pod's readiness): a new version that keeps the spec version of what it rewrites, so
    /// that it outranks that write and nothing later. nil when `key` holds no live object.
    @discardableResult
    public mutating func rewrite(
        _ key: ObjectKey, as body: CatalogEntry.Body, writer: NodeName, clock: inout HybridLogicalClock, now: Timestamp
    ) -> CatalogChange? {
        guard let existing = entries[key], !existing.isTombstone, body != .tombstone else { return nil }
        return write(body, key: key, writer: writer, clock: &clock, now: now, specVersion: existing.specVersion)
    }

    /// Deletes an object, leaving a tombstone. nil when there is nothing live to delete.
    @discardableResult
    public mutating func delete(
        _ key: ObjectKey, writer: NodeName, clock: inout HybridLogicalClock, now: Timestamp
    ) -> CatalogChange? {
        guard let existing = entries[key], !existing.isTombstone else { return nil }
        return write(.tombstone, key: key, writer: writer, clock: &clock, now: now)
    }

    /// Forgets tombstones whose delete is older than `tombstoneTTL` at `now`; returns their keys,
    /// sorted. A node away longer than the TTL must drop its copy and resync, or it could bring
    /// those objects back.
    @discardableResult
    public mutating func purge(now: Timestamp, tombstoneTTL: Duration = CatalogReplica.defaultTombstoneTTL) -> [ObjectKey] {
        let horizon = now - tombstoneTTL
        let expired = entries.values.filter { entry in
            guard let deletedAt = entry.deletedAt else { return false }
            return Timestamp(millisecondsSinceEpoch: deletedAt.wallMilliseconds) < horizon
        }.map(\.key).sorted()
        for key in expired { entries[key] = nil }
        if !expired.isEmpty { index = ReplicaIndex(entries.values) }
        return expired
    }

    private mutating func write(
        _ body: CatalogEntry.Body, key: ObjectKey, writer: NodeName, clock: inout HybridLogicalClock, now: Timestamp,
        specVersion: CatalogVersion? = nil
    ) -> CatalogChange {
        let previous = entries[key]
        if let previous { _ = try? clock.observe(previous.version.timestamp, now: now) }
        var version = CatalogVersion(timestamp: clock.tick(now: now), writer: writer)
        // Only a previous write stamped further ahead than the clock accepts can still be
        // newer; the local write must win all the same, on every node, so it goes just after.
        if let previous, version <= previous.version {
            version.timestamp = HybridTimestamp(
                wallMilliseconds: previous.version.timestamp.wallMilliseconds + 1, counter: 0)
        }
        let createdAt = previous.flatMap { $0.isTombstone ? nil : $0.createdAt } ?? version
        var body = body
        if case .service(var service) = body, createdAt != version {
            service.allocation.takenAt = Self.takenAt(service, before: previous?.service, version: version)
            body = .service(service)
        }
        let entry = CatalogEntry(key: key, version: version, createdAt: createdAt, specVersion: specVersion, body: body)
        entries[key] = entry
        index.replace(previous, with: entry)
        return CatalogChange(previous: previous, current: entry)
    }
}

extension CatalogReplica {
    /// When an updated Service took each of its values: what it held before keeps its time
    /// (its creation, or when it took it), what is new is taken by this write.
    static func takenAt(_ service: AllocatedService, before: AllocatedService?, version: CatalogVersion) -> [HeldValue: CatalogVersion] {
        let held = Set(before?.heldValues.map(\.value) ?? [])
        var takenAt: [HeldValue: CatalogVersion] = [:]
        for (value, _) in service.heldValues {
            if held.contains(value) {
                takenAt[value] = before?.allocation.takenAt[value]
            } else {
                takenAt[value] = version
            }
        }
        return takenAt
    }
}

/// What a write did to one key.
public struct CatalogChange: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case created, updated, deleted
        /// A tombstone replaced by a newer tombstone (a delete heard twice from two nodes).
        case tombstoneRefreshed
    }

    /// What the key held before, if anything.
    public var previous: CatalogEntry?
    public var current: CatalogEntry

    public var key: ObjectKey { current.key }

    public var kind: Kind {
        let wasLive = previous.map { !$0.isTombstone } ?? false
        switch (wasLive, current.isTombstone) {
        case (false, false): return .created
        case (true, false): return .updated
        case (true, true): return .deleted
        case (false, true): return .tombstoneRefreshed
        }
    }

    public var description: String { "\(kind) \(current)" }
}

/// What a replica keeps beside its entries, derived from them.
struct ReplicaIndex: Hashable, Sendable {
    /// The newest version of each writer among the entries: the replica's digest.
    var newestByWriter: [NodeName: HybridTimestamp] = [:]
    /// The live Services holding each ClusterIP and NodePort.
    var holders: [HeldValue: Set<ObjectKey>] = [:]
    /// How many values more than one Service holds.
    var contested = 0

    init() {}

    init(_ entries: some Sequence<CatalogEntry>) {
        for entry in entries { replace(nil, with: entry) }
    }

    mutating func replace(_ previous: CatalogEntry?, with entry: CatalogEntry) {
        let stamp = entry.version.timestamp
        newestByWriter[entry.version.writer] = max(newestByWriter[entry.version.writer] ?? stamp, stamp)
        if let service = previous?.service { for (value, _) in service.heldValues { release(value, by: entry.key) } }
        if let service = entry.service { for (value, _) in service.heldValues { take(value, by: entry.key) } }
    }

    private mutating func take(_ value: HeldValue, by key: ObjectKey) {
        let inserted = holders[value, default: []].insert(key).inserted
        if inserted, holders[value]!.count == 2 { contested += 1 }
    }

    private mutating func release(_ value: HeldValue, by key: ObjectKey) {
        guard holders[value]?.remove(key) != nil else { return }
        if holders[value]!.count == 1 { contested -= 1 }
        if holders[value]!.isEmpty { holders[value] = nil }
    }
}
