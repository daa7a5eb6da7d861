import Catalog
import ClusterModel
import Logging
import Manifests
import Membership
import Metrics
import NIOCore
import Wire

/// The catalog shell: one `CatalogSync.Instance` driven by the gossip node's datagrams and
/// membership, NIO timers and the wall clock, with every change written to disk.
///
/// Confined to the gossip node's event loop, like `GossipNode`: every entry point hops onto
/// it first, so the class shares nothing across threads.
///
/// Durability: a local write (apply, delete) is appended to the journal and fsync'd before
/// its caller hears back, and before it is sent to anyone. Writes merged from peers are
/// appended in batches, at most `mergeFlushDelay` later: losing those to a crash loses
/// nothing acknowledged, since anti-entropy brings them back from the peers that have them.
final class CatalogNode: @unchecked Sendable {
    typealias Core = CatalogSync.Instance<PeerAddress>

    let eventLoop: any EventLoop
    let logger: Logger
    let name: NodeName
    let store: CatalogStore
    var core: Core
    var random = SystemRandomNumberGenerator()
    /// Sends a payload to a peer, sealed; the gossip node's socket.
    var send: (([UInt8], PeerAddress) -> Void)?
    var flush: (() -> Void)?
    /// Called after every change to the catalog (this node's or a peer's), on the event loop.
    private var observers: [UInt64: @Sendable () -> Void] = [:]
    /// The members as membership last reported them, this node included.
    private var members: [SWIM.Member] = []
    private var nextObserver: UInt64 = 0

    private var unsaved: [CatalogEntry] = []
    private lazy var objectCounts = ObjectCounts(core.replica)
    private var flushScheduled = false
    private var isStopped = false
    /// Runs the readiness probes of the Pods this node owns; set by the daemon.
    var prober: ReadinessProber?
    /// The address a host-network Pod without a `podIP` is probed at.
    var hostAddress = IPv4(127, 0, 0, 1)

    static let mergeFlushDelay: TimeAmount = .milliseconds(50)
    static let compactionThreshold = 8 << 20
    /// Entries written this long before the last contact are asked for again after a start.
    static let distrustWindow: UInt64 = 5 * 60 * 1_000

    init(name: NodeName, settings: CatalogSync.Settings, store: CatalogStore, eventLoop: any EventLoop, logger: Logger) throws {
        self.name = name
        self.store = store
        self.eventLoop = eventLoop
        self.logger = logger
        let loaded = try store.load()
        var clock = HybridLogicalClock()
        let now = WallClock.now()
        for entry in loaded.replica.entries.values { _ = try? clock.observe(entry.version.timestamp, now: now) }
        core = try Core(
            name: name, replica: loaded.replica, clock: clock, settings: settings,
            encodedSize: .wire)
        if loaded.records > 0 {
            logger.info("catalog read back from disk", metadata: ["objects": "\(core.replica.services.count + core.replica.pods.count)"])
        }
        if let tail = loaded.discardedTail { logger.warning("\(tail)") }
    }

    // MARK: Starting

    func start() {
        eventLoop.preconditionInEventLoop()
        // Which entries came only from rumors is not kept on disk: those written shortly
        // before the last contact are asked for again, in order (decision 34).
        let last = store.lastContact()
        let distrusted = last.map { $0 > Self.distrustWindow ? $0 - Self.distrustWindow : 0 } ?? 0
        core.distrustEntries(writtenSince: HybridTimestamp(wallMilliseconds: distrusted, counter: 0))
        if let last {
            let awayFor = WallClock.now() - Timestamp(millisecondsSinceEpoch: last)
            carryOut { core, now, _ in core.rejoined(after: awayFor, now: now) }
        }
        carryOut { core, _, random in core.start(random: &random) }
        publishGauges()
        updateProber()
    }

    /// The live peers from membership: alive and suspect members other than this node.
    func setPeers(_ members: [SWIM.Member]) {
        eventLoop.preconditionInEventLoop()
        self.members = members
        core.setPeers(members.filter { $0.name != name && ($0.status == .alive || $0.status == .suspect) }.map(\.address))
        notifyObservers()
    }

    /// A datagram from a peer was authenticated: this node is in touch with the cluster.
    func heardFromPeer() {
        // The store writes at most every few seconds; this is called for every datagram.
        do { try store.recordContact(WallClock.now().millisecondsSinceEpoch) } catch {
            logger.warning("cannot record the last contact with the cluster", metadata: ["error": "\(error)"])
        }
    }

    func receive(_ message: CatalogMessage, from peer: PeerAddress) {
        carryOut { core, now, random in core.onMessage(message, from: peer, now: now, random: &random) }
    }

    // MARK: Writes from operators

    /// Applies the objects all together, or none: the future fails with the first refusal.
    /// It completes once the writes are on disk.
    func apply(_ objects: [ManifestObject]) -> EventLoopFuture<[(key: ObjectKey, action: ApplyAction)]> {
        eventLoop.submit { [self] in
            var applier = CatalogApplier(instance: core, now: WallClock.now())
            try applier.apply(objects, random: &random)
            core = applier.instance
            try carryOutLocal(applier.directives)
            return applier.actions
        }
    }

    /// Deletes the objects that exist; returns whether each did.
    func delete(_ keys: [ObjectKey]) -> EventLoopFuture<[(key: ObjectKey, deleted: Bool)]> {
        eventLoop.submit { [self] in
            var directives: [Core.Directive] = []
            var results: [(ObjectKey, Bool)] = []
            let now = WallClock.now()
            for key in keys {
                let written = core.delete(key, now: now, random: &random)
                results.append((key, !written.isEmpty))
                directives += written
            }
            try carryOutLocal(directives)
            return results
        }
    }

    /// The readiness prober's report for a Pod this node owns.
    func reportReadiness(of key: ObjectKey, ready: Bool) {
        eventLoop.preconditionInEventLoop()
        guard let pod = core.replica[key]?.pod, pod.spec.nodeName == name, pod.status.ready != ready else { return }
        logger.info("pod is \(ready ? "ready" : "not ready")", metadata: ["pod": "\(key.namespace)/\(key.name)"])
        do {
            try carryOutLocal(core.recordReadiness(of: key, ready: ready, now: WallClock.now(), random: &random))
        } catch {
            logger.warning("cannot record a pod's readiness", metadata: ["pod": "\(key)", "error": "\(error)"])
        }
    }

    /// The leader's reconcile outcome for LoadBalancer Services: each status that differs
    /// from the catalog's is written as the agent's rewrite of the Service, made durable and
    /// pushed like any local write. One that loses to a user's apply made meanwhile elsewhere
    /// is simply written again by the next reconcile, which finds the catalog says otherwise.
    func recordLoadBalancerStatuses(_ statuses: [ObjectKey: LoadBalancerStatus]) async {
        do {
            try await eventLoop.submit { [self] in
                guard !isStopped else { return }
                let now = WallClock.now()
                var directives: [Core.Directive] = []
                for key in statuses.keys.sorted() {
                    directives += core.recordLoadBalancerStatus(statuses[key]!, for: key, now: now, random: &random)
                }
                try carryOutLocal(directives)
            }.get()
        } catch {
            logger.warning("cannot record load balancer statuses", metadata: ["services": "\(statuses.count)", "error": "\(error)"])
        }
    }

    /// Tells the prober of this node's Pods, and writes again what it last found for a Pod
    /// whose catalog copy says otherwise: an apply this node had not heard of when it wrote
    /// the readiness replaces the readiness with the applier's copy.
    private func updateProber() {
        guard let prober else { return }
        let owned = ownedPods
        prober.update(owned, hostAddress: hostAddress)
        for pod in owned {
            if let found = prober.reportedReadiness(of: pod.key), found != pod.status.ready { reportReadiness(of: pod.key, ready: found) }
        }
    }

    // MARK: What operators read

    struct Snapshot: Sendable {
        var replica: CatalogReplica
        var conflicts: [ObjectKey: [LostValue]]
        /// Every member this node knows, itself included, as membership last told it.
        var members: [SWIM.Member]
    }

    func snapshot() -> EventLoopFuture<Snapshot> {
        eventLoop.submit { [self] in Snapshot(replica: core.replica, conflicts: core.conflicts, members: members) }
    }

    /// Calls `onChange` on the event loop after each change, until the returned cancel is called.
    func observe(_ onChange: @escaping @Sendable () -> Void) -> EventLoopFuture<@Sendable () -> Void> {
        eventLoop.submit { [self] in
            nextObserver += 1
            let id = nextObserver
            observers[id] = onChange
            return { [self] in eventLoop.execute { self.observers[id] = nil } }
        }
    }

    func notifyObservers() {
        for observer in observers.values { observer() }
    }

    /// The Pods this node owns and probes (unsorted: a scan, not a sort, of the catalog).
    var ownedPods: [Pod] { core.replica.entries.values.compactMap { $0.pod?.spec.nodeName == name ? $0.pod : nil } }

    /// Whether a change touches a Pod this node owns, now or before.
    private func touchesOwnedPod(_ change: CatalogChange) -> Bool {
        change.current.pod?.spec.nodeName == name || change.previous?.pod?.spec.nodeName == name
    }

    // MARK: Stopping

    func stop() -> EventLoopFuture<Void> {
        eventLoop.submit { [self] in
            saveUnsaved()
            prober?.stop()
            isStopped = true
            observers.removeAll()
        }
    }

    // MARK: The core

    /// A local write's directives: its changes are made durable first (a failure is the
    /// caller's, and nothing is sent), then carried out.
    private func carryOutLocal(_ directives: [Core.Directive]) throws {
        var changed: [CatalogEntry] = []
        for case .changed(let change) in directives { changed.append(change.current) }
        if !changed.isEmpty || !unsaved.isEmpty {
            try store.append(unsaved + changed)
            unsaved.removeAll()
        }
        carryOut(directives, persisted: true)
    }

    private func carryOut(_ input: (inout Core, Timestamp, inout SystemRandomNumberGenerator) -> [Core.Directive]) {
        eventLoop.preconditionInEventLoop()
        guard !isStopped else { return }
        carryOut(input(&core, WallClock.now(), &random), persisted: false)
    }

    private func carryOut(_ directives: [Core.Directive], persisted: Bool) {
        var catalogChanged = false
        var podsChanged = false
        for directive in directives {
            switch directive {
            case .send(let message, let peer):
                send?(message.payload, peer)
            case .scheduleTimer(let timer, let delay):
                eventLoop.scheduleTask(in: TimeAmount(delay)) { [self] in
                    carryOut { core, now, random in core.onTimer(timer, now: now, random: &random) }
                }
            case .changed(let change):
                catalogChanged = true
                objectCounts.count(change)
                if touchesOwnedPod(change) { podsChanged = true }
                if !persisted { unsaved.append(change.current) }
                log(change)
            case .purged(let keys):
                catalogChanged = true
                logger.debug("forgot expired deletes", metadata: ["objects": "\(keys.count)"])
                compact()
            case .cleared:
                catalogChanged = true
                podsChanged = true
                objectCounts = ObjectCounts(core.replica)
                logger.notice("away from the cluster longer than the tombstone TTL: dropped the catalog to resync it")
                unsaved.removeAll()
                compact()
            case .conflictsChanged(let conflicts):
                catalogChanged = true
                for (key, lost) in conflicts.sorted(by: { $0.key < $1.key }) {
                    logger.warning(
                        "service holds a value another, older service holds: it gets no rules until that is resolved",
                        metadata: ["service": "\(key.namespace)/\(key.name)", "values": "\(lost.map(\.description).joined(separator: ", "))"])
                }
            }
        }
        flush?()
        if !unsaved.isEmpty { scheduleSave() }
        if catalogChanged { publishGauges() }
        if podsChanged { updateProber() }
        if catalogChanged { notifyObservers() }
    }

    /// This node's own writes at info (an operator did them), peers' at debug.
    private func log(_ change: CatalogChange) {
        let kind = change.key.kind == .service ? "service" : "pod"
        let verb: String =
            switch change.kind {
            case .created: "created"
            case .updated: "updated"
            case .deleted: "deleted"
            case .tombstoneRefreshed: "delete confirmed"
            }
        let level: Logger.Level = change.current.version.writer == name ? .info : .debug
        logger.log(
            level: level, "\(kind) \(verb)",
            metadata: [kind: "\(change.key.namespace)/\(change.key.name)", "writer": "\(change.current.version.writer)"])
    }

    private let objectGauges = (
        services: Gauge(label: "agent_catalog_objects", dimensions: [("kind", "service")]),
        pods: Gauge(label: "agent_catalog_objects", dimensions: [("kind", "pod")])
    )

    /// `agent_catalog_objects{kind}` (SPEC §7): live objects, deletes not counted. Kept
    /// up to date change by change, so that a catch-up of thousands of writes does not count
    /// the whole catalog once per datagram.
    func publishGauges() {
        objectGauges.services.record(objectCounts.services)
        objectGauges.pods.record(objectCounts.pods)
    }

    // MARK: Disk

    private func scheduleSave() {
        guard !flushScheduled else { return }
        flushScheduled = true
        eventLoop.scheduleTask(in: Self.mergeFlushDelay) { [self] in
            flushScheduled = false
            saveUnsaved()
        }
    }

    private func saveUnsaved() {
        guard !unsaved.isEmpty else { return }
        do {
            try store.append(unsaved)
            unsaved.removeAll()
        } catch {
            // Kept for the next try; peers hold these writes too.
            logger.error("cannot write the catalog journal", metadata: ["error": "\(error)"])
        }
        if store.journalBytes > Self.compactionThreshold { compact() }
    }

    private func compact() {
        do {
            try store.compact(Array(core.replica.entries.values))
            unsaved.removeAll()
        } catch {
            logger.error("cannot compact the catalog journal", metadata: ["error": "\(error)"])
        }
    }
}

/// Live Services and Pods in a replica, counted once and then kept by the changes.
struct ObjectCounts {
    var services = 0
    var pods = 0

    init(_ replica: CatalogReplica) {
        for entry in replica.entries.values {
            switch entry.body {
            case .service: services += 1
            case .pod: pods += 1
            case .tombstone: break
            }
        }
    }

    mutating func count(_ change: CatalogChange) {
        let delta: Int
        switch change.kind {
        case .created: delta = 1
        case .deleted: delta = -1
        case .updated, .tombstoneRefreshed: return
        }
        if change.key.kind == .service { services += delta } else { pods += delta }
    }
}
