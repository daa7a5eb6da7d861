import ClusterModel

/// Remembers which datagrams each sender has already delivered, so that a captured datagram
/// sent again is refused. memberlist and Serf say in their security notes that they do not
/// protect against replay; this is how we do.
///
/// Two rules, both checked only after a datagram has authenticated:
/// 1. Freshness: a datagram whose send time is further than `freshness` from the receiver's
///    clock is refused. This bounds how long anything must be remembered, and is why hosts'
///    clocks must agree to within `freshness` (NTP does far better).
/// 2. Uniqueness: within a sender's session (one run of its process) each sequence number is
///    accepted once. A sliding bitmap of `sequenceWindow` numbers accepts datagrams that
///    arrive out of order, as in RFC 6479 and WireGuard; one that falls behind the bitmap is
///    refused. A restarted sender draws a new session and starts a new window.
public struct ReplayWindow: Sendable {
    public struct Settings: Sendable, Hashable {
        /// How far a datagram's send time may lie from the receiver's clock.
        public var freshness: Duration = .seconds(60)
        /// How many sequence numbers behind the newest one a datagram may still arrive.
        /// A multiple of 64, at least 128; one word of it is slack for the ring.
        public var sequenceWindow: Int = 1024
        /// Sessions remembered per sender: its current run, and a few before it whose
        /// datagrams may still be in flight.
        public var sessionsPerSender: Int = 4

        public init() {}

        func validated() -> Settings {
            precondition(sequenceWindow >= 128 && sequenceWindow % 64 == 0,
                         "ReplayWindow.Settings.sequenceWindow must be a multiple of 64 of at least 128, not \(sequenceWindow)")
            precondition(sessionsPerSender >= 1, "ReplayWindow.Settings.sessionsPerSender must be at least 1")
            precondition(freshness > .zero, "ReplayWindow.Settings.freshness must be positive")
            return self
        }
    }

    public enum Verdict: Equatable, Sendable {
        case accepted
        /// Its send time is outside the freshness bound.
        case stale
        /// This (session, sequence) was accepted before.
        case duplicate
        /// Its sequence number fell behind the window, or its session was forgotten.
        case tooOld
    }

    public let settings: Settings
    private var senders: [NodeName: SenderHistory] = [:]
    private var admissionsSinceSweep = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings.validated()
    }

    /// Senders currently remembered; bounded by who has sent within the freshness bound.
    public var rememberedSenders: Int { senders.count }

    public mutating func admit(sender: NodeName, session: UInt64, sequence: UInt64, sentAt: Timestamp, now: Timestamp) -> Verdict {
        let distance = sentAt > now ? sentAt - now : now - sentAt
        guard distance <= settings.freshness else { return .stale }
        sweepOccasionally(now: now)
        return senders[sender, default: SenderHistory()].admit(
            session: session, sequence: sequence, sentAt: sentAt, now: now, settings: settings)
    }

    /// Drops what can no longer matter: every datagram of a session whose newest send time
    /// is older than the freshness bound would be refused as stale anyway.
    private mutating func sweepOccasionally(now: Timestamp) {
        admissionsSinceSweep += 1
        guard admissionsSinceSweep >= 4096 else { return }
        admissionsSinceSweep = 0
        let horizon = now - settings.freshness
        for name in Array(senders.keys) {
            senders[name]!.forget(before: horizon)
            if senders[name]!.isEmpty { senders[name] = nil }
        }
    }
}

/// One sender's recent sessions.
private struct SenderHistory: Sendable {
    var sessions: [UInt64: SessionWindow] = [:]
    /// Set when a session is evicted while still fresh: a session not remembered must have
    /// sent later than this to be believed new, or it could be the evicted one replayed.
    var floor: Timestamp = .epoch

    var isEmpty: Bool { sessions.isEmpty }

    mutating func admit(session: UInt64, sequence: UInt64, sentAt: Timestamp, now: Timestamp, settings: ReplayWindow.Settings) -> ReplayWindow.Verdict {
        if sessions[session] != nil {
            return sessions[session]!.admit(sequence: sequence, sentAt: sentAt)
        }
        forget(before: now - settings.freshness)
        guard sentAt > floor else { return .tooOld }
        if sessions.count >= settings.sessionsPerSender,
           let oldest = sessions.min(by: { $0.value.newestSentAt < $1.value.newestSentAt }) {
            floor = max(floor, oldest.value.newestSentAt)
            sessions[oldest.key] = nil
            guard sentAt > floor else { return .tooOld }
        }
        sessions[session] = SessionWindow(first: sequence, sentAt: sentAt, wordCount: settings.sequenceWindow / 64)
        return .accepted
    }

    mutating func forget(before horizon: Timestamp) {
        sessions = sessions.filter { $0.value.newestSentAt >= horizon }
    }
}

/// The sliding bitmap of one session, kept as a ring of 64-bit words (RFC 6479): moving the
/// window forward clears the words it passes, never shifts the whole bitmap.
private struct SessionWindow: Sendable {
    var newest: UInt64
    var newestSentAt: Timestamp
    var words: [UInt64]

    init(first sequence: UInt64, sentAt: Timestamp, wordCount: Int) {
        newest = sequence
        newestSentAt = sentAt
        words = [UInt64](repeating: 0, count: wordCount)
        mark(sequence)
    }

    /// Sequence numbers this far behind `newest` are still judged; older ones are refused.
    /// One word of the ring is given up so that clearing ahead never erases a live bit.
    var reach: UInt64 { UInt64((words.count - 1) * 64) }

    mutating func admit(sequence: UInt64, sentAt: Timestamp) -> ReplayWindow.Verdict {
        if sequence > newest {
            let currentWord = newest >> 6
            let targetWord = sequence >> 6
            let steps = min(targetWord - currentWord, UInt64(words.count))
            var step: UInt64 = 1
            while step <= steps {
                words[Int((currentWord &+ step) % UInt64(words.count))] = 0
                step += 1
            }
            newest = sequence
        } else if newest - sequence >= reach {
            return .tooOld
        } else if isMarked(sequence) {
            return .duplicate
        }
        mark(sequence)
        newestSentAt = max(newestSentAt, sentAt)
        return .accepted
    }

    private func isMarked(_ sequence: UInt64) -> Bool {
        words[wordIndex(sequence)] & (1 << (sequence & 63)) != 0
    }

    private mutating func mark(_ sequence: UInt64) {
        words[wordIndex(sequence)] |= 1 << (sequence & 63)
    }

    private func wordIndex(_ sequence: UInt64) -> Int { Int((sequence >> 6) % UInt64(words.count)) }
}
