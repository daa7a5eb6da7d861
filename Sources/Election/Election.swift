import ClusterModel
import Membership

/// Leader election by leases of majority endorsement.
///
/// Every node **endorses** one eligible member at a time: the leader of the newest claim it
/// knows while that leader is alive, otherwise the first eligible live member by name. A
/// node **leads** (acts on the cloud) only while endorsements from more than half of the
/// cluster's known members, itself included, arrived within the last `lease`. A node that
/// turns its endorsement from one member to another first waits `hold` since it last
/// endorsed the first, and a node that starts waits `hold` before endorsing anyone. With
/// `hold` longer than `lease` plus the longest a datagram spends in flight, no endorsement
/// is counted by two members at once, majorities intersect, and so two nodes never lead at
/// the same instant (Docs/architecture.md, "Election", states the argument and its bounds).
///
/// The leader answers every endorsement with its claim (a term number, its name, since
/// when) and whether it leads; endorsements carry the newest claim their sender knows. So
/// the term is gossiped: every node learns who leads, and a node that starts leading takes
/// the next term after the newest it has heard of.
///
/// "Known members" are those not `left`: a failed member still counts until it is reaped,
/// so the side of a partition without a majority never leads.
public enum Election {
    public struct Settings: Sendable, Hashable {
        /// How often a node renews its endorsement.
        public var endorseInterval: Duration = .milliseconds(500)
        /// How long the leader counts an endorsement after it arrived: three renewals, so
        /// two lost datagrams in a row do not cost the lease.
        public var lease: Duration = .milliseconds(1_500)
        /// How long a node waits before endorsing another member than the one it last
        /// endorsed (and after it starts). It must exceed `lease` by more than any datagram's
        /// time in flight; it is shorter than SWIM's shortest suspicion (4 s), so a node that
        /// stopped endorsing a leader when it began to suspect it may endorse the next one as
        /// soon as it declares the leader failed.
        public var hold: Duration = .seconds(3)
        /// How often an endorsed node (the leader, a candidate) tells the members that do not
        /// endorse it (one that started alone and endorses itself, one that backs somebody
        /// else) the newest claim it knows: they turn to its leader, so a majority stays
        /// behind the leader when others fail, and a split vote comes together.
        public var announceInterval: Duration = .seconds(2)
        /// How long the members a restarted node remembers count while its view has not
        /// heard of them: SWIM's reap time, after which a member unheard of is gone anyway.
        public var rememberFor: Duration = SWIM.Settings().reconnect.reapTime

        public init() {}

        /// Checks the invariants the safety argument rests on.
        public func validated() throws(SettingsError) -> Settings {
            guard endorseInterval > .zero else { throw SettingsError("endorseInterval must be positive") }
            guard lease > endorseInterval else { throw SettingsError("lease (\(lease)) must exceed endorseInterval (\(endorseInterval))") }
            guard hold > lease else { throw SettingsError("hold (\(hold)) must exceed lease (\(lease)), or one endorsement could count twice") }
            return self
        }
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The node label that opts a node out of leading and of load balancer targets.
    public static let eligibilityLabel = "agent.lb/eligible"
}
