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
        /// Entries learned from a rumor and not yet carried by an answer: the digest does
        /// not claim them, nor anything of their writer after them (see ``claimedDigest()``).
        var unconfirmed: [ObjectKey: CatalogVersion] = [:]
        /// When this node last sent each peer a digest request: pushes from it soon after
        /// are answers, and while they teach something the peer is asked again.
        var askedAt: [Peer: Timestamp] = [:]
        /// Peers to ask again at the next `.pullFollowUp`, in the order they were found behind.
        var followUps: [Peer] = []
        /// Which parts of each peer's latest answers arrived, to tell a lost one. A few per
        /// peer: the answer to this node's request and the one to its reply may interleave.
        var answersHeard: [Peer: [AnswerProgress]] = [:]
        /// Numbers this node's answers.
        var answersSent: UInt32 = 0

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

        /// After a restart: entries of other writers written since `since` may have been held
        /// only from rumors (that is not kept on disk), so they are not claimed until an
        /// answer carries them again. Older ones were confirmed long ago in all likelihood.
        public mutating func distrustEntries(writtenSince since: HybridTimestamp) {
            for entry in replica.entries.values where entry.version.writer != name && entry.version.timestamp >= since {
                unconfirmed[entry.key] = entry.version
            }
        }

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
            answersHeard = answersHeard.filter { seen.contains($0.key) }
            followUps.removeAll { !seen.contains($0) }
        }

        /// Allocates and writes a Service applied on this node, and pushes it.
        public mutating func apply(
            _ service: KubernetesService, now: Timestamp, random: inout some RandomNumberGenerator
        ) throws(WriteError) -> [Directive] {
            var allocated: AllocatedService
            do { allocated = try allocate(service, in: replica, ranges: settings.allocation, using: &random) } catch {
                throw .allocation(error)
            }
            allocated.loadBalancer = AllocatedService.loadBalancerKept(by: service, from: replica[service.key]?.service)
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

        /// Records the readiness this node's prober found for a Pod it owns, as a rewrite of
        /// the Pod's current spec (it never replaces a later apply it has not heard of), and
        /// pushes it. Nothing when the Pod is not here or already says so.
        public mutating func recordReadiness(
            of key: ObjectKey, ready: Bool, now: Timestamp, random: inout some RandomNumberGenerator
        ) -> [Directive] {
            guard var pod = replica[key]?.pod, pod.status.ready != ready else { return [] }
            pod.status.ready = ready
            guard let change = replica.rewrite(key, as: .pod(pod), writer: name, clock: &clock, now: now) else { return [] }
            var out: [Directive] = []
            spread(change, random: &random, into: &out)
            return out
        }

        /// Records what the leader's provider said of a LoadBalancer Service, as a rewrite of
        /// the Service's current spec, and pushes it. A user's apply this node had not heard
        /// of replaces it (carrying the status it knew), and the leader writes again on its
        /// next reconcile. Nothing when the Service is gone, is no longer `type:
        /// LoadBalancer`, already says so, or cannot say so within the budget.
        public mutating func recordLoadBalancerStatus(
            _ status: LoadBalancerStatus, for key: ObjectKey, now: Timestamp, random: inout some RandomNumberGenerator
        ) -> [Directive] {
            guard var service = replica[key]?.service, service.service.spec.type == .loadBalancer,
                let fitting = fitting(status, into: service), fitting != service.loadBalancer
            else { return [] }
            service.loadBalancer = fitting
            guard let change = replica.rewrite(key, as: .service(service), writer: name, clock: &clock, now: now) else { return [] }
            var out: [Directive] = []
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
            case .rumor(let entries):
                let learned = merge(entries, now: now, random: &random, into: &out)
                for entry in learned where replica[entry.key]?.version == entry.version { unconfirmed[entry.key] = entry.version }
                passOn(learned, heardFrom: peer, random: &random, into: &out)
            case .push(let entries, let answer, let part):
                let inOrder = noteArrival(of: part, answer: answer, from: peer)
                let learned = merge(entries, now: now, random: &random, into: &out)
                if inOrder {
                    for entry in entries {
                        if let rumored = unconfirmed[entry.key], rumored <= entry.version { unconfirmed[entry.key] = nil }
                    }
                } else {
                    // An earlier part is missing (lost, or only overtaken): what this part
                    // taught is held but not claimed until an answer carries it in order.
                    for entry in learned where replica[entry.key]?.version == entry.version { unconfirmed[entry.key] = entry.version }
                    followUp(peer, now: now, force: true, into: &out)
                }
            case .digest(let digest, let isRequest):
                answersSent &+= 1
                let answer = answer(to: digest)
                for (part, entries) in answer.ordered.enumerated() {
                    out.append(.send(.push(entries, answer: answersSent, part: UInt16(truncatingIfNeeded: part)), to: peer))
                }
                for entries in answer.loose { out.append(.send(.rumor(entries), to: peer)) }
                if isRequest {
                    send(claimedDigest().restricted(to: digest.writers), isRequest: false, to: peer, into: &out)
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
                for peer in due where askedAt[peer] != nil && peers.contains(peer) { ask(peer, now: now, into: &out) }
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
            unconfirmed = [:]
            askedAt = [:]
            answersHeard = [:]
            var out: [Directive] = [.cleared]
            if !conflicts.isEmpty {
                conflicts = [:]
                out.append(.conflictsChanged([:]))
            }
            return out
        }

        // MARK: Replication

        /// Whether a peer with `digest` holds a write this replica does not.
        /// (Writes held only from rumors count as missing: asking again brings them in order.)
        func holdsWritesMissingHere(_ digest: CatalogDigest) -> Bool {
            let own = claimedDigest()
            return digest.newestByWriter.contains { writer, newest in
                !own.covers(CatalogVersion(timestamp: newest, writer: writer))
            }
        }

        /// Sends `peer` a digest request, and remembers when.
        mutating func ask(_ peer: Peer, now: Timestamp, into out: inout [Directive]) {
            askedAt[peer] = now
            send(claimedDigest(), isRequest: true, to: peer, into: &out)
        }

        /// Sends a digest as as many messages as its writers need, each within the budget.
        func send(_ digest: CatalogDigest, isRequest: Bool, to peer: Peer, into out: inout [Directive]) {
            for part in digest.split(budget: settings.messageBudget, size: encodedSize.digest) {
                out.append(.send(.digest(part, isRequest: isRequest), to: peer))
            }
        }

        /// Records a part of `peer`'s answer; returns whether every earlier part of that
        /// answer arrived before it.
        mutating func noteArrival(of part: UInt16, answer: UInt32, from peer: Peer) -> Bool {
            var heard = answersHeard[peer] ?? []
            if !heard.contains(where: { $0.answer == answer }) {
                heard.append(AnswerProgress(answer: answer))
                if heard.count > Self.answersTracked { heard.removeFirst() }
            }
            let index = heard.firstIndex { $0.answer == answer }!
            let inOrder = heard[index].received(part)
            answersHeard[peer] = heard
            return inOrder
        }

        static var answersTracked: Int { 4 }

        /// How many peers a rumor goes to from each node: ⌈log2(N)⌉ + 1 for N nodes, at least
        /// `pushFanout`. Each node passes a rumor on once, so a node is missed only if none
        /// of the others picks it: with k picks each, about e^-k of the nodes are, which is
        /// about one in four hundred with 32 nodes (memberlist sends each update about as
        /// often: 4·log10(N+1) retransmissions). Anti-entropy reaches the rest.
        public var rumorFanout: Int {
            let nodes = peers.count + 1
            let ceilingLog2 = nodes <= 1 ? 0 : Int.bitWidth - (nodes - 1).leadingZeroBitCount
            return max(settings.pushFanout, ceilingLog2 + 1)
        }

        /// Passes on, once, the entries of a rumor that were news here.
        mutating func passOn(_ learned: [CatalogEntry], heardFrom source: Peer, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            guard !learned.isEmpty else { return }
            for peer in randomPeers(rumorFanout, excluding: source, using: &random) {
                out.append(.send(.rumor(learned), to: peer))
            }
        }

        /// `peer` answered a request with a digest that shows writes this node still lacks
        /// (its answer was cut short, or is still on the way): asks again soon.
        mutating func followUp(_ peer: Peer, now: Timestamp, force: Bool = false, into out: inout [Directive]) {
            if force { askedAt[peer] = askedAt[peer] ?? now }
            guard let asked = askedAt[peer], force || now - asked < settings.antiEntropyInterval, !followUps.contains(peer) else { return }
            if followUps.isEmpty { out.append(.scheduleTimer(.pullFollowUp, after: settings.pullFollowUpDelay)) }
            followUps.append(peer)
        }

        /// Pushes this node's own write to `pushFanout` random live peers at once.
        mutating func spread(_ change: CatalogChange, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            unconfirmed[change.key] = nil
            out.append(.changed(change))
            for peer in randomPeers(rumorFanout, using: &random) {
                out.append(.send(.rumor([change.current]), to: peer))
            }
        }

        /// Merges entries heard from a peer; returns those that were news here.
        @discardableResult
        mutating func merge(
            _ entries: [CatalogEntry], now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]
        ) -> [CatalogEntry] {
            var learned: [CatalogEntry] = []
            var touchedServices = false
            for entry in entries {
                // A peer's clock too far ahead is not followed; its write is merged all the
                // same, or replicas would disagree (the next local write to that key still
                // orders after it, see CatalogReplica.write).
                _ = try? clock.observe(entry.version.timestamp, now: now)
                guard let change = replica.merge(entry) else { continue }
                if change.key.kind == .service { touchedServices = true }
                learned.append(entry)
                out.append(.changed(change))
            }
            if touchedServices { settleConflicts(now: now, random: &random, into: &out) }
            return learned
        }

        /// The conflict rule after a merge: this node rewrites the younger Services it wrote
        /// with their new allocation (every node computes the same one), and reports those
        /// that must wait in `Conflict`.
        mutating func settleConflicts(now: Timestamp, random: inout some RandomNumberGenerator, into out: inout [Directive]) {
            // No value held twice (the replica counts them as it is written): nothing to settle.
            guard replica.index.contested > 0 else {
                if !conflicts.isEmpty {
                    conflicts = [:]
                    out.append(.conflictsChanged([:]))
                }
                return
            }
            let resolutions = Catalog.conflicts(in: replica, ranges: settings.allocation)
            var unresolvable: [ObjectKey: [LostValue]] = [:]
            for key in resolutions.keys.sorted() {
                switch resolutions[key]! {
                case .reallocate(let writer, let allocation):
                    guard writer == name, var moved = replica[key]?.service else { continue }
                    moved.allocation = allocation
                    guard let change = replica.rewrite(key, as: .service(moved), writer: name, clock: &clock, now: now) else { continue }
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
        func answer(to digest: CatalogDigest) -> Answer {
            let claimed = claimedDigest()
            // Enough for the fullest answer: every message full of the smallest entries.
            let lacking = replica.entries(newerThan: digest, limit: settings.maxPushesPerAnswer * max(1, settings.messageBudget / 32))
            var answer = Answer()
            // In order first: only those let the asker claim what it receives.
            var bytes = 0
            for entry in lacking where claimed.covers(entry.version) {
                guard Self.add(entry, size: encodedSize.entry(entry), to: &answer.ordered, bytes: &bytes, settings: settings, sent: answer.count) else { break }
            }
            bytes = 0
            for entry in lacking where !claimed.covers(entry.version) {
                guard Self.add(entry, size: encodedSize.entry(entry), to: &answer.loose, bytes: &bytes, settings: settings, sent: answer.count) else { break }
            }
            return answer
        }

        /// What answers a digest: entries this node holds in order, as numbered pushes, and
        /// entries it holds only from rumors (which the asker must not take as in order, but
        /// may have no other way to get), as rumors.
        struct Answer {
            var ordered: [[CatalogEntry]] = []
            var loose: [[CatalogEntry]] = []
            var count: Int { ordered.count + loose.count }
        }

        /// Adds `entry` to the last message of `messages`, or a new one when it would exceed
        /// the budget; false once the answer holds `maxPushesPerAnswer` messages.
        static func add(
            _ entry: CatalogEntry, size: Int, to messages: inout [[CatalogEntry]], bytes: inout Int, settings: Settings, sent: Int
        ) -> Bool {
            if messages.isEmpty || bytes + size > settings.messageBudget {
                // An entry larger than the budget (written by a node with a larger one) goes
                // alone rather than never.
                guard sent < settings.maxPushesPerAnswer else { return false }
                messages.append([])
                bytes = 0
            }
            messages[messages.count - 1].append(entry)
            bytes += size
            return true
        }

        /// The digest this node sends: per writer, the newest write it holds such that it
        /// also holds every earlier write of that writer it should. Entries arrive in order
        /// only in answers (oldest first, parts numbered, a lost part asked for again); a
        /// rumor may overtake an earlier write of its writer that was lost on the way, so a
        /// rumored entry is not claimed, nor anything of its writer from it on, until an
        /// answer carries it. The next answer then holds whatever the rumor skipped.
        public func claimedDigest() -> CatalogDigest {
            guard !unconfirmed.isEmpty else { return replica.digest }
            var lowestUnconfirmed: [NodeName: HybridTimestamp] = [:]
            for version in unconfirmed.values {
                lowestUnconfirmed[version.writer] = min(lowestUnconfirmed[version.writer] ?? version.timestamp, version.timestamp)
            }
            var digest = CatalogDigest()
            for entry in replica.entries.values {
                let (writer, stamp) = (entry.version.writer, entry.version.timestamp)
                if let lowest = lowestUnconfirmed[writer], stamp >= lowest { continue }
                digest.newestByWriter[writer] = max(digest.newestByWriter[writer] ?? stamp, stamp)
            }
            return digest
        }

        func checkFits(_ key: ObjectKey, _ body: CatalogEntry.Body) throws(WriteError) {
            let bytes = widestSize(key, body)
            if bytes > settings.messageBudget { throw .tooLarge(key, bytes: bytes, budget: settings.messageBudget) }
        }

        /// The bytes an entry of `body` can take at most, whoever rewrites it later.
        func widestSize(_ key: ObjectKey, _ body: CatalogEntry.Body) -> Int {
            // The largest version there is, so a variable-length encoding cannot grow past it.
            // A rewrite of it (a reallocation, a readiness) carries a version more.
            let widest = CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: .max, counter: .max), writer: name)
            let rewritten = CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: .max, counter: .max - 1), writer: name)
            return encodedSize.entry(CatalogEntry(key: key, version: widest, createdAt: widest, specVersion: rewritten, body: body))
        }

        /// `status` as `service` can carry it within the budget: a provider's error can run to
        /// kilobytes, so a condition message too long is cut, ending in an ellipsis. nil when
        /// even the rest does not fit.
        func fitting(_ status: LoadBalancerStatus, into service: AllocatedService) -> LoadBalancerStatus? {
            var written = service
            written.loadBalancer = status
            let excess = widestSize(service.key, .service(written)) - settings.messageBudget
            guard excess > 0 else { return status }
            guard var condition = status.condition else { return nil }
            let ellipsis = "…"
            let kept = condition.message.utf8.count - excess - ellipsis.utf8.count
            guard kept >= 0 else { return nil }
            condition.message = Self.prefix(of: condition.message, bytes: kept) + ellipsis
            written.loadBalancer.condition = condition
            return widestSize(service.key, .service(written)) <= settings.messageBudget ? written.loadBalancer : nil
        }

        /// The longest prefix of whole characters within `bytes` of UTF-8.
        static func prefix(of text: String, bytes: Int) -> String {
            var kept = ""
            var count = 0
            for character in text {
                count += character.utf8.count
                guard count <= bytes else { break }
                kept.append(character)
            }
            return kept
        }

        /// Up to `count` distinct live peers, at random, never `excluded`.
        func randomPeers(_ count: Int, excluding excluded: Peer? = nil, using random: inout some RandomNumberGenerator) -> [Peer] {
            var pool = excluded.map { excluded in peers.filter { $0 != excluded } } ?? peers
            let taken = min(count, pool.count)
            for index in 0..<taken {
                pool.swapAt(index, Int.random(in: index..<pool.count, using: &random))
            }
            return Array(pool.prefix(taken))
        }
    }
}
