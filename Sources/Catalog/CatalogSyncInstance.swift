import ClusterModel

extension CatalogSync {
    /// One node's replica of the catalog and the replication protocol around it. A value:
    /// copy it, store it, run hundreds of them in a simulator.
    ///
    /// `Peer` is however the shell addresses a live member (its `NodeName`, or its address);
    /// the instance only sends to peers it was given with ``setPeers(_:)``, never to itself.
    public struct Instance<Peer: Hashable & Sendable>: Sendable {
        public enum Directive: Sendable {
            case send(CatalogMessage, to: Peer)
            /// Feed `onTimer(timer)` back after this long.
            case scheduleTimer(CatalogSync.Timer, after: Duration)
            /// One key of the replica changed: a local write, a merge, or a reallocation
            /// this instance wrote after a conflict. The shell persists it before it
            /// acknowledges a local write.
            case changed(CatalogChange)
            /// Expired tombstones, forgotten.
            case purged([ObjectKey])
            /// The replica was emptied to resync (``rejoined(after:now:)``).
            case cleared
            /// The Services that hold a contested value they cannot move away from (one the
            /// user pinned, or none free is left), now; they get a `Conflict` condition.
            case conflictsChanged([ObjectKey: [LostValue]])
        }

        public let name: NodeName
        public let settings: Settings
        let encodedSize: EncodedSize

        public private(set) var replica: CatalogReplica
        public private(set) var clock: HybridLogicalClock
        /// Live peers, in the order the shell gave them (so a seed replays exactly).
        public private(set) var peers: [Peer] = []
        /// Services in conflict that cannot be reallocated; see `Directive.conflictsChanged`.
        public private(set) var conflicts: [ObjectKey: [LostValue]] = [:]
        var repair = GapRepairCursor()
        /// When this node last sent each peer a digest request: pushes from it soon after
        /// are answers, and while they teach something the peer is asked again.
        var askedAt: [Peer: Timestamp] = [:]
        /// Peers to ask again at the next `.pullFollowUp`, in the order they taught something.
        var followUps: [Peer] = []

        /// - Parameters:
        ///   - replica: what this node held before (read back from disk), if anything.
        public init(
            name: NodeName, replica: CatalogReplica = CatalogReplica(), clock: HybridLogicalClock = HybridLogicalClock(),
            settings: Settings = Settings(), encodedSize: EncodedSize
        ) throws(InvalidSettings) {
            let problems = settings.problems
            guard problems.isEmpty else { throw InvalidSettings(problems: problems) }
            self.name = name
            self.settings = settings
            self.encodedSize = encodedSize
            self.replica = replica
            self.clock = clock
            self.conflicts = Self.unresolvable(in: replica, ranges: settings.allocation)
        }

        // MARK: Inputs

        /// Starts the timers: the first anti-entropy tick at a random point of its interval.
        public func start(random: inout some RandomNumberGenerator) -> [Directive] {
            let interval = settings.antiEntropyInterval.nanoseconds
            let first = Duration.nanoseconds(Int64.random(in: 0..<max(1, interval), using: &random))
            return [.scheduleTimer(.antiEntropy, after: first), .scheduleTimer(.purge, after: settings.purgeInterval)]
        }

        /// The live peers, from membership: alive and suspect members other than this node.
        public mutating func setPeers(_ live: some Sequence<Peer>) {
            var seen: Set<Peer> = []
            peers = live.filter { seen.insert($0).inserted }
            askedAt = askedAt.filter { seen.contains($0.key) }
            followUps.removeAll { !seen.contains($0) }
        }

        /// Allocates and writes a Service applied on this node, and pushes it.
        public mutating func apply(
            _ service: KubernetesService, now: Timestamp, random: inout some RandomNumberGenerator
        ) throws(WriteError) -> [Directive] {
            let allocated: AllocatedService
            do { allocated = try allocate(service, in: replica, ranges: settings.allocation, using: &random) } catch {
                throw .allocation(error)
            }
            try checkFits(service.key, .service(allocated))
            var out: [Directive] = []
            let change = replica.apply(allocated, writer: name, clock: &clock, now: now)
            spread(change, random: &random, into: &out)
            return out
        }

        /// Writes a Pod applied on this node, and pushes it.
        public mutating func apply(
            _ pod: Pod, now: Timestamp, random: inout some RandomNumberGenerator
        ) throws(WriteError) -> [Directive] {
            var recorded = pod
            if recorded.spec.nodeName == nil { recorded.spec.nodeName = name }
            try checkFits(pod.key, .pod(recorded))
            var out: [Directive] = []
            let change = replica.apply(pod, writer: name, clock: &clock, now: now)
            spread(change, random: &random, into: &out)
            return out
        }

        /// Deletes an object and pushes its tombstone; nothing when it is not live here.
        public mutating func delete(_ key: ObjectKey, now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
            guard let change = replica.delete(key, writer: name, clock: &clock, now: now) else { return [] }
            var out: [Directive] = []
            spread(change, random: &random, into: &out)
            return out
        }

        public mutating func onMessage(
            _ message: CatalogMessage, from peer: Peer, now: Timestamp, random: inout some RandomNumberGenerator
        ) -> [Directive] {
            var out: [Directive] = []
            switch message {
            case .push(let entries):
                merge(entries, now: now, random: &random, into: &out)
            case .digest(let digest, let isRequest):
                for push in answer(to: digest) { out.append(.send(.push(push), to: peer)) }
                if isRequest {
                    out.append(.send(.digest(nextDigest(), isRequest: false), to: peer))
                } else if holdsWritesMissingHere(digest) {
                    followUp(peer, now: now, into: &out)
                }
            }
            return out
        }

        public mutating func onTimer(_ timer: CatalogSync.Timer, now: Timestamp, random: inout some RandomNumberGenerator) -> [Directive] {
            switch timer {
            case .antiEntropy:
                var out: [Directive] = [.scheduleTimer(.antiEntropy, after: settings.antiEntropyInterval)]
                guard !peers.isEmpty else { return out }
                let peer = peers[Int.random(in: 0..<peers.count, using: &random)]
                ask(peer, now: now, into: &out)
                return out
            case .pullFollowUp:
                var out: [Directive] = []
                let due = followUps
                followUps.removeAll()
                for peer in due where askedAt[peer] != nil { ask(peer, now: now, followingUp: true, into: &out) }
                return out
            case .purge:
                var out: [Directive] = [.scheduleTimer(.purge, after: settings.purgeInterval)]
                let purged = replica.purge(now: now, tombstoneTTL: settings.tombstoneTTL)
                if !purged.isEmpty { out.append(.purged(purged)) }
                return out
            }
        }

        /// This node is back after `awayFor` without contact with the cluster (the shell
        /// knows: the time since it last heard a peer, across a restart too).
        ///
        /// Away for the tombstone TTL or longer, its copy may hold objects that were deleted
        /// meanwhile and whose tombstones every other node has since purged: merged back, they
        /// would come back to life everywhere. So the copy is dropped, whole, and anti-entropy
        /// fills the replica again from the cluster. Writes this node made while away, and
        /// never managed to push, are dropped with it: by definition nobody acknowledged them
        /// to the cluster. Shorter absences keep everything; anti-entropy repairs both ways.
        public mutating func rejoined(after awayFor: Duration, now: Timestamp) -> [Directive] {
            guard awayFor >= settings.tombstoneTTL else { return [] }
            replica = CatalogReplica()
            repair = GapRepairCursor()
            askedAt = [:]
            var out: [Directive] = [.cleared]
            if !conflicts.isEmpty {
                conflicts = [:]
                out.append(.conflictsChanged([:]))
            }
            return out
        }

        // MARK: Replication

        /// Whether a peer with `digest` holds a write this replica does not.
        func holdsWritesMissingHere(_ digest: CatalogDigest) -> Bool {
            let own = replica.digest
            return digest.newestByWriter.contains { writer, newest in
                !own.covers(CatalogVersion(timestamp: newest, writer: writer))
            }
        }

        /// Sends `peer` a digest request, and remembers when. A follow-up's digest is not
        /// lowered for gap repair: its answer must be all new writes, or the pull would stop
        /// at the first answer filled with the repair window (the next round repairs).
        mutating func ask(_ peer: Peer, now: Timestamp, followingUp: Bool = false, into out: inout [Directive]) {
            askedAt[peer] = now
            out.append(.send(.digest(followingUp ? replica.digest : nextDigest(), isRequest: true), to: peer))
        }

        /// `peer` answered a request with a digest that shows writes this node still lacks
        /// (its answer was cut short, or is still on the way): asks again soon.
        mutating func followUp(_ peer: Peer, now: Timestamp, into out: inout [Directive]) {
            guard let asked = askedAt[peer], now - asked < settings.antiEntropyInterval, !followUps.contains(peer) else { return }
            if followUps.isEmpty { out.append(.scheduleTimer(.pullFollowUp, after: settings.pullFollowUpDelay)) }
            followUps.append(peer)
        }

        /// Pushes this node's own write to `pushFanout` random live peers at once.
        mutating func spread(_ change: CatalogChange, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            out.append(.changed(change))
            for peer in randomPeers(settings.pushFanout, using: &random) {
                out.append(.send(.push([change.current]), to: peer))
            }
        }

        mutating func merge(
            _ entries: [CatalogEntry], now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]
        ) {
            var touchedServices = false
            for entry in entries {
                // A peer's clock too far ahead is not followed; its write is merged all the
                // same, or replicas would disagree (the next local write to that key still
                // orders after it, see CatalogReplica.write).
                _ = try? clock.observe(entry.version.timestamp, now: now)
                guard let change = replica.merge(entry) else { continue }
                if change.key.kind == .service { touchedServices = true }
                out.append(.changed(change))
            }
            if touchedServices { settleConflicts(now: now, random: &random, into: &out) }
        }

        /// The conflict rule after a merge: this node rewrites the younger Services it wrote
        /// with their new allocation (every node computes the same one), and reports those
        /// that must wait in `Conflict`.
        mutating func settleConflicts(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            let resolutions = Catalog.conflicts(in: replica, ranges: settings.allocation)
            var unresolvable: [ObjectKey: [LostValue]] = [:]
            for key in resolutions.keys.sorted() {
                switch resolutions[key]! {
                case .reallocate(let writer, let allocation):
                    guard writer == name, let current = replica[key]?.service else { continue }
                    let change = replica.apply(
                        AllocatedService(service: current.service, allocation: allocation), writer: name, clock: &clock, now: now)
                    spread(change, random: &random, into: &out)
                case .conflict(let lost):
                    unresolvable[key] = lost
                }
            }
            if unresolvable != conflicts {
                conflicts = unresolvable
                out.append(.conflictsChanged(unresolvable))
            }
        }

        static func unresolvable(in replica: CatalogReplica, ranges: AllocationRanges) -> [ObjectKey: [LostValue]] {
            Catalog.conflicts(in: replica, ranges: ranges).compactMapValues { resolution in
                if case .conflict(let lost) = resolution { return lost }
                return nil
            }
        }

        /// What a peer with `digest` lacks, oldest first, cut into pushes within the budget;
        /// at most `maxPushesPerAnswer` of them, the rest left for the next round.
        func answer(to digest: CatalogDigest) -> [[CatalogEntry]] {
            var pushes: [[CatalogEntry]] = []
            var current: [CatalogEntry] = []
            var bytes = 0
            for entry in replica.entries(newerThan: digest) {
                let size = encodedSize.entry(entry)
                if !current.isEmpty, bytes + size > settings.messageBudget {
                    pushes.append(current)
                    if pushes.count == settings.maxPushesPerAnswer { return pushes }
                    current = []
                    bytes = 0
                }
                // An entry larger than the budget (written by a node with a larger one) goes
                // alone rather than never.
                current.append(entry)
                bytes += size
            }
            if !current.isEmpty { pushes.append(current) }
            return pushes
        }

        /// The digest to send: this replica's, lowered for the next window of gap repair.
        mutating func nextDigest() -> CatalogDigest {
            var digest = replica.digest
            repair.lower(
                &digest, in: replica, windowBytes: settings.messageBudget * settings.gapRepairMessages, size: encodedSize.entry)
            return digest
        }

        func checkFits(_ key: ObjectKey, _ body: CatalogEntry.Body) throws(WriteError) {
            // The largest version there is, so a variable-length encoding cannot grow past it.
            let widest = CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: .max, counter: .max), writer: name)
            let bytes = encodedSize.entry(CatalogEntry(key: key, version: widest, createdAt: widest, body: body))
            if bytes > settings.messageBudget { throw .tooLarge(key, bytes: bytes, budget: settings.messageBudget) }
        }

        /// Up to `count` distinct live peers, at random.
        func randomPeers(_ count: Int, using random: inout some RandomNumberGenerator) -> [Peer] {
            var pool = peers
            let taken = min(count, pool.count)
            for index in 0..<taken {
                pool.swapAt(index, Int.random(in: index..<pool.count, using: &random))
            }
            return Array(pool.prefix(taken))
        }
    }
}
