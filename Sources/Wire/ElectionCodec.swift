import ClusterModel
import Election

// The wire form of the election's messages, big-endian:
//
//   election.endorse  (12) = claim opt | known members (4)
//   election.announce (13) = claim opt | leading (1)
//
//   claim opt = present (1: 0 absent, 1 present) [ | term (8) | leader name | since wall ms (8) ]

extension MessageTag {
    public static let electionEndorse = MessageTag(rawValue: 12)
    public static let electionAnnounce = MessageTag(rawValue: 13)
}

extension ElectionMessage {
    public var tag: MessageTag {
        switch self {
        case .endorse: .electionEndorse
        case .announce: .electionAnnounce
        }
    }

    /// The frame this message travels in.
    public var frame: Frame {
        var writer = ByteWriter(capacity: 128)
        switch self {
        case .endorse(let known, let knownCount):
            Self.write(known, into: &writer)
            writer.write(UInt32(clamping: knownCount))
        case .announce(let known, let leading):
            Self.write(known, into: &writer)
            writer.write(leading)
        }
        return Frame(tag: tag, body: writer.bytes[...])
    }

    /// One datagram payload holding just this message.
    public var payload: [UInt8] { frame.payload }

    /// Decodes an election frame; nil when the tag belongs to another protocol.
    public init?(frame: Frame) throws(DecodeError) {
        var reader = ByteReader(frame.body)
        switch frame.tag {
        case .electionEndorse:
            let known = try Self.readClaim(from: &reader)
            self = .endorse(known: known, knownCount: Int(try reader.read(UInt32.self, "election.endorse known members")))
        case .electionAnnounce:
            let known = try Self.readClaim(from: &reader)
            self = .announce(known: known, leading: try reader.readBool("election.announce leading"))
        default:
            return nil
        }
        try reader.expectEnd("\(frame.tag)")
    }

    private static func write(_ claim: LeaderClaim?, into writer: inout ByteWriter) {
        guard let claim else {
            writer.write(UInt8(0))
            return
        }
        writer.write(UInt8(1))
        writer.write(claim.term)
        MembershipCodec.write(claim.leader, into: &writer)
        writer.write(claim.since.millisecondsSinceEpoch)
    }

    private static func readClaim(from reader: inout ByteReader) throws(DecodeError) -> LeaderClaim? {
        let at = reader.offset
        switch try reader.readUInt8("election claim present") {
        case 0:
            return nil
        case 1:
            let term = try reader.read(UInt64.self, "election claim term")
            let leader = try MembershipCodec.readName("election claim leader", from: &reader)
            let since = try reader.read(UInt64.self, "election claim since")
            return LeaderClaim(term: term, leader: leader, since: Timestamp(millisecondsSinceEpoch: since))
        case let other:
            throw .invalid(field: "election claim present", offset: at, reason: "\(other) is neither 0 (absent) nor 1 (present)")
        }
    }
}
