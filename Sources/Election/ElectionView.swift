import ClusterModel
import Membership

/// The membership as one node sees it, as much of it as the election needs: the shell builds
/// it from the membership core's members.
public struct ElectionView: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        case alive, suspect, failed, left
    }

    public struct Member: Sendable, Hashable {
        public var name: NodeName
        public var status: Status
        /// False for a node labelled `agent.lb/eligible=false`.
        public var isEligible: Bool

        public init(name: NodeName, status: Status, isEligible: Bool) {
            self.name = name
            self.status = status
            self.isEligible = isEligible
        }

        /// Whether `labels` leave the node eligible: every node is, unless labelled
        /// `agent.lb/eligible=false`.
        public static func isEligible(labels: [String: String]) -> Bool {
            labels[Election.eligibilityLabel]?.lowercased() != "false"
        }
    }

    /// Every member this node knows of, itself included.
    public private(set) var members: [NodeName: Member]

    public init(_ members: some Sequence<Member>) {
        self.members = Dictionary(members.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    public subscript(name: NodeName) -> Member? { members[name] }

    /// Members that count towards a majority: all but those that left.
    public var knownCount: Int { members.values.count { $0.status != .left } }

    /// The member to endorse when no live leader is known: the first eligible live member
    /// by name, so that every node with the same view picks the same one.
    public var firstInRank: NodeName? {
        members.values.filter { $0.isEligible && $0.status == .alive }.map(\.name).min()
    }
}

extension ElectionView {
    /// The view of a membership core's members (itself included).
    public init(_ members: [SWIM.Member]) {
        self.init(
            members.lazy.map { member in
                Member(name: member.name, status: Status(member.status), isEligible: Member.isEligible(labels: member.labels))
            })
    }
}

extension ElectionView.Status {
    init(_ status: SWIM.Status) {
        switch status {
        case .alive: self = .alive
        case .suspect: self = .suspect
        case .failed: self = .failed
        case .left: self = .left
        }
    }
}
