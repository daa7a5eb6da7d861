import ClusterModel

/// Replication of the catalog between agents, as a pure state machine: `CatalogSync.Instance`
/// holds this node's ``CatalogReplica`` and takes local writes, decoded ``CatalogMessage``s
/// with their sender, and timers, together with `now` and a random-number generator, and
/// returns directives for its shell. It never reads a clock, draws global randomness or
/// touches a socket.
///
/// The protocol (ARCHITECTURE.md, "Catalog"):
/// - **Immediate dissemination.** A write made here (an apply, a delete, a reallocation after
///   a conflict) is sent at once to `pushFanout` random live peers, as `.rumor([entry])`.
/// - **Anti-entropy** (Scuttlebutt, van Renesse et al. 2008 §3): every interval this node
///   sends its digest (`isRequest: true`) to one random live peer; the peer answers with the
///   writes this node lacks, oldest first, cut into pushes of at most `messageBudget` bytes
///   and at most `maxPushesPerAnswer` of them (the next round continues where this one
///   stopped), and with its own digest so that this node answers in turn: one round trip
///   repairs both sides. While the answering digest shows writes the asker still lacks, the
///   asker asks again at once (`pullFollowUpDelay`), so a large catalog flows at the pace of
///   round trips.
/// - **Rumors.** A node that learns something from a rumor passes those entries on, once,
///   to `pushFanout` random peers other than the one it heard them from, so a new write
///   reaches the whole cluster in a few hops, not in anti-entropy rounds.
/// - **Exact digests.** A per-writer newest-version digest is exact only while a replica
///   takes each writer's writes in order. Answers keep that order (oldest first, parts
///   numbered: a part that never arrives is asked for again from where it starts), but a
///   rumor may overtake an earlier write of its writer that was lost. So a rumored entry is
///   not claimed in this node's digests until an answer has carried it too; the next
///   exchange then fills whatever it skipped. The cost is each new write sent once more.
/// - **Tombstones** are purged after `tombstoneTTL`; a node that was away longer than that
///   drops its whole copy when it comes back (``Instance/rejoined(after:now:)``), so that
///   the objects deleted meanwhile (whose tombstones the others have since purged) are not
///   brought back to life by its stale copy.
/// - **Allocation conflicts** (SPEC.md §5): after every merge that touched a Service, the
///   instance computes ``conflicts(in:ranges:)``. Where this node wrote the younger Service
///   of a contested pair, the instance itself writes it again with the new allocation and
///   pushes it (reported as `.changed`, like any write); the shell has nothing to do but
///   persist it. Services that lost a pinned value are reported with `.conflictsChanged`.
public enum CatalogSync {}

extension CatalogSync {
    /// Every knob of catalog replication, with defaults for a LAN.
    public struct Settings: Sendable, Hashable {
        /// Live peers each new write is sent to at once, and each node that learns it from a
        /// rumor passes it on to: at least this many, and more in a larger cluster (see
        /// ``CatalogSync/Instance/rumorFanout``).
        public var pushFanout = 3
        /// How often a digest is sent to one random live peer. The first tick comes at a
        /// random point of the first interval, so nodes started together do not beat in step.
        public var antiEntropyInterval: Duration = .seconds(2)
        /// Bytes of entries in one push, or of one digest. 1,150 leaves room in a 1,400-byte
        /// datagram for the seal, the sender's header and the message framing.
        public var messageBudget = 1_150
        /// Pushes in one answer to a digest; what does not fit waits for the next round, or
        /// for the asker's follow-up (`pullFollowUpDelay`).
        public var maxPushesPerAnswer = 256
        /// When a peer answers this node's digest with a digest that shows writes this node
        /// still lacks (the answer was cut at `maxPushesPerAnswer`), this node asks the same
        /// peer again after this long rather than at its next anti-entropy round: a new node
        /// pulls a large catalog at the pace of round trips (256 pushes each), not of one
        /// answer per interval. Answers count for one `antiEntropyInterval` after the request.
        public var pullFollowUpDelay: Duration = .milliseconds(5)
        /// How long a delete is remembered (ARCHITECTURE.md: 24 h).
        public var tombstoneTTL: Duration = CatalogReplica.defaultTombstoneTTL
        /// How often expired tombstones are purged.
        public var purgeInterval: Duration = .seconds(5 * 60)
        /// Where ClusterIPs and NodePorts come from.
        public var allocation: AllocationRanges = .defaults

        public init() {}

        /// What is wrong with these settings, one sentence each; empty when they are usable.
        public var problems: [String] {
            var problems: [String] = []
            func positive(_ value: Duration, _ name: String) {
                if value <= .zero { problems.append("\(name) must be longer than zero, not \(value)") }
            }
            positive(antiEntropyInterval, "antiEntropyInterval")
            positive(tombstoneTTL, "tombstoneTTL")
            positive(purgeInterval, "purgeInterval")
            positive(pullFollowUpDelay, "pullFollowUpDelay")
            if pushFanout < 0 { problems.append("pushFanout must be 0 or more, not \(pushFanout)") }
            if messageBudget < 128 { problems.append("messageBudget must be at least 128 bytes, not \(messageBudget)") }
            if maxPushesPerAnswer < 1 { problems.append("maxPushesPerAnswer must be at least 1, not \(maxPushesPerAnswer)") }
            if purgeInterval > tombstoneTTL {
                problems.append("purgeInterval (\(purgeInterval)) must not be longer than tombstoneTTL (\(tombstoneTTL))")
            }
            return problems
        }
    }

    /// How many bytes an entry or a digest takes on the wire. `Wire` owns the encoding and
    /// provides the exact functions; the core only needs the numbers, to fill each push up to
    /// the budget and no further.
    public struct EncodedSize: Sendable {
        public var entry: @Sendable (CatalogEntry) -> Int
        public var digest: @Sendable (CatalogDigest) -> Int

        public init(entry: @escaping @Sendable (CatalogEntry) -> Int, digest: @escaping @Sendable (CatalogDigest) -> Int) {
            self.entry = entry
            self.digest = digest
        }
    }

    /// Timers as values: the shell schedules them and hands them back, unchanged.
    public enum Timer: Hashable, Sendable {
        case antiEntropy
        case purge
        /// Ask again the peers whose answers taught this node something (`pullFollowUpDelay`).
        case pullFollowUp
    }

    /// Why an instance could not be created.
    public struct InvalidSettings: Error, Hashable, Sendable, CustomStringConvertible {
        public var problems: [String]
        public var description: String { "invalid catalog settings: " + problems.joined(separator: "; ") }
    }

    /// Why a local write was refused; the catalog is unchanged.
    public enum WriteError: Error, Hashable, Sendable, CustomStringConvertible {
        case allocation(AllocationError)
        /// The object would not fit in one push.
        case tooLarge(ObjectKey, bytes: Int, budget: Int)

        public var description: String {
            switch self {
            case .allocation(let error):
                error.description
            case .tooLarge(let key, let bytes, let budget):
                "\(key) takes \(bytes) bytes on the wire; at most \(budget) fit in one catalog message (use fewer ports, labels or containers)"
            }
        }
    }
}
