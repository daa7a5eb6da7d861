import ClusterModel
import Membership

// The wire form of membership's messages. Field by field, big-endian:
//
//   name        = length (1) | UTF-8                       a NodeName, 1–255 bytes
//   address     = family (1: 4 or 6) | 4 or 16 bytes | port (2)
//   labels      = count (2) | { key: length (2) | UTF-8, value: length (2) | UTF-8 }, sorted by key
//   update      = status (1: 1 alive, 2 suspect, 3 failed, 4 left) | name | incarnation (8)
//                 | alive: address | labels ;  suspect, failed: reporter name ;  left: nothing
//   member      = name | address | incarnation (8) | status (1) | labels
//   updates     = count (2) | update...
//
//   swim.ping     (1) = sequence (4) | target name | updates
//   swim.ping-req (2) = sequence (4) | target name | target address | wants nack (1) | updates
//   swim.ack      (3) = sequence (4) | updates
//   swim.nack     (4) = sequence (4)
//   swim.gossip   (5) = updates
//   swim.state    (6) = exchange (4) | is request (1) | index (2) | count (2) | member...

extension SWIM.Message {
    /// The tag of the frame this message travels in, without encoding it.
    public var tag: MessageTag {
        switch self {
        case .ping: .swimPing
        case .pingRequest: .swimPingRequest
        case .ack: .swimAck
        case .nack: .swimNack
        case .gossip: .swimGossip
        case .state: .swimState
        }
    }

    /// The frame this message travels in.
    public var frame: Frame {
        let body =
            switch self {
            case .ping(let message): Self.encode(message)
            case .pingRequest(let message): Self.encode(message)
            case .ack(let message): Self.encode(message)
            case .nack(let message): Self.encode(message)
            case .gossip(let message): Self.encode(message)
            case .state(let message): Self.encode(message)
            }
        return Frame(tag: tag, body: body[...])
    }

    /// The body, written into a buffer that holds a whole datagram from the start rather
    /// than one regrown several times on the way.
    private static func encode(_ message: some WireMessage) -> [UInt8] {
        var writer = ByteWriter(capacity: defaultMTU)
        message.encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a membership frame; nil when the tag belongs to another protocol.
    public init?(frame: Frame) throws(DecodeError) {
        switch frame.tag {
        case .swimPing: self = .ping(try SWIM.Ping(body: frame.body))
        case .swimPingRequest: self = .pingRequest(try SWIM.PingRequest(body: frame.body))
        case .swimAck: self = .ack(try SWIM.Ack(body: frame.body))
        case .swimNack: self = .nack(try SWIM.Nack(body: frame.body))
        case .swimGossip: self = .gossip(try SWIM.Gossip(body: frame.body))
        case .swimState: self = .state(try SWIM.StateChunk(body: frame.body))
        default: return nil
        }
    }

    /// One datagram payload holding just this message.
    public var payload: [UInt8] { frame.payload }
}

extension SWIM.EncodedSize {
    /// The exact sizes of the encoding in this file, for the core's budgets.
    public static let wire = SWIM.EncodedSize(update: MembershipCodec.size(of:), member: MembershipCodec.size(of:))
}

/// Field encoders shared by the membership messages, and their exact sizes.
public enum MembershipCodec {
    static let minimumUpdateSize = 1 + 2 + 8
    static let minimumMemberSize = 2 + 7 + 8 + 1 + 2

    public static func size(of update: SWIM.Update) -> Int {
        switch update {
        case .alive(let name, _, let address, let labels):
            1 + size(of: name) + 8 + size(of: address) + size(of: labels)
        case .suspect(let name, _, let reporter), .failed(let name, _, let reporter):
            1 + size(of: name) + 8 + size(of: reporter)
        case .left(let name, _):
            1 + size(of: name) + 8
        }
    }

    public static func size(of member: SWIM.Member) -> Int {
        size(of: member.name) + size(of: member.address) + 8 + 1 + size(of: member.labels)
    }

    static func size(of name: NodeName) -> Int { 1 + name.rawValue.utf8.count }
    static func size(of address: PeerAddress) -> Int { address.isIPv4 ? 7 : 19 }
    static func size(of labels: [String: String]) -> Int {
        labels.reduce(2) { $0 + 4 + $1.key.utf8.count + $1.value.utf8.count }
    }

    static func write(_ name: NodeName, into writer: inout ByteWriter) {
        writer.writeShortString(name.rawValue)
    }

    static func readName(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> NodeName {
        let at = reader.offset
        let raw = try reader.readShortString(field)
        do {
            return try NodeName(raw)
        } catch {
            throw .invalid(field: "\(field)", offset: at, reason: error.description)
        }
    }

    static func write(_ address: PeerAddress, into writer: inout ByteWriter) {
        if let ipv4 = address.ipv4 {
            writer.write(UInt8(4))
            writer.write(ipv4)
        } else {
            writer.write(UInt8(6))
            writer.write(address.high)
            writer.write(address.low)
        }
        writer.write(address.port)
    }

    static func readAddress(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> PeerAddress {
        let at = reader.offset
        switch try reader.readUInt8(field) {
        case 4:
            let ipv4 = try reader.read(UInt32.self, field)
            return PeerAddress(ipv4: ipv4, port: try reader.read(UInt16.self, field))
        case 6:
            let high = try reader.read(UInt64.self, field)
            let low = try reader.read(UInt64.self, field)
            return PeerAddress(high: high, low: low, port: try reader.read(UInt16.self, field))
        case let family:
            throw .invalid(field: "\(field)", offset: at, reason: "address family \(family) is neither 4 nor 6")
        }
    }

    static func write(_ labels: [String: String], into writer: inout ByteWriter) {
        writer.write(UInt16(labels.count))
        guard !labels.isEmpty else { return }  // most members have none; even an empty sort costs
        // Sorted, so that equal labels always encode to equal bytes.
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            writer.writeString(key)
            writer.writeString(value)
        }
    }

    static func readLabels(from reader: inout ByteReader) throws(DecodeError) -> [String: String] {
        let at = reader.offset
        let pairs = try reader.readArray("labels", minimumElementSize: 4) { (reader: inout ByteReader) throws(DecodeError) in
            (try reader.readString("label key"), try reader.readString("label value"))
        }
        // No labels is the common case, and reserving capacity would give each member its
        // own empty dictionary instead of the shared empty one.
        guard !pairs.isEmpty else { return [:] }
        var labels: [String: String] = [:]
        labels.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            guard labels.updateValue(value, forKey: key) == nil else {
                throw .invalid(field: "labels", offset: at, reason: "the key \"\(key)\" appears twice")
            }
        }
        return labels
    }

    static func readStatus(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> SWIM.Status {
        let at = reader.offset
        let raw = try reader.readUInt8(field)
        guard let status = SWIM.Status(rawValue: raw) else {
            throw .invalid(field: "\(field)", offset: at, reason: "\(raw) is not a member status (1 alive, 2 suspect, 3 failed, 4 left)")
        }
        return status
    }

    static func write(_ update: SWIM.Update, into writer: inout ByteWriter) {
        writer.write(update.status.rawValue)
        write(update.name, into: &writer)
        writer.write(update.incarnation)
        switch update {
        case .alive(_, _, let address, let labels):
            write(address, into: &writer)
            write(labels, into: &writer)
        case .suspect(_, _, let reporter), .failed(_, _, let reporter):
            write(reporter, into: &writer)
        case .left:
            break
        }
    }

    static func readUpdate(from reader: inout ByteReader) throws(DecodeError) -> SWIM.Update {
        let status = try readStatus("update status", from: &reader)
        let name = try readName("update name", from: &reader)
        let incarnation = try reader.read(UInt64.self, "update incarnation")
        switch status {
        case .alive:
            let address = try readAddress("update address", from: &reader)
            return .alive(name: name, incarnation: incarnation, address: address, labels: try readLabels(from: &reader))
        case .suspect:
            return .suspect(name: name, incarnation: incarnation, reporter: try readName("update reporter", from: &reader))
        case .failed:
            return .failed(name: name, incarnation: incarnation, reporter: try readName("update reporter", from: &reader))
        case .left:
            return .left(name: name, incarnation: incarnation)
        }
    }

    static func write(_ updates: [SWIM.Update], into writer: inout ByteWriter) {
        writer.write(UInt16(updates.count))
        for update in updates { write(update, into: &writer) }
    }

    static func readUpdates(from reader: inout ByteReader) throws(DecodeError) -> [SWIM.Update] {
        try reader.readArray("updates", minimumElementSize: minimumUpdateSize) { (reader: inout ByteReader) throws(DecodeError) in
            try readUpdate(from: &reader)
        }
    }

    static func write(_ member: SWIM.Member, into writer: inout ByteWriter) {
        write(member.name, into: &writer)
        write(member.address, into: &writer)
        writer.write(member.incarnation)
        writer.write(member.status.rawValue)
        write(member.labels, into: &writer)
    }

    static func readMember(from reader: inout ByteReader) throws(DecodeError) -> SWIM.Member {
        let name = try readName("member name", from: &reader)
        let address = try readAddress("member address", from: &reader)
        let incarnation = try reader.read(UInt64.self, "member incarnation")
        let status = try readStatus("member status", from: &reader)
        return SWIM.Member(name: name, address: address, incarnation: incarnation, status: status, labels: try readLabels(from: &reader))
    }
}

extension SWIM.Ping: WireMessage {
    public static var tag: MessageTag { .swimPing }

    public func encode(into writer: inout ByteWriter) {
        writer.write(sequence)
        MembershipCodec.write(target, into: &writer)
        MembershipCodec.write(gossip, into: &writer)
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        let sequence = try reader.read(UInt32.self, "ping sequence")
        let target = try MembershipCodec.readName("ping target", from: &reader)
        self.init(sequence: sequence, target: target, gossip: try MembershipCodec.readUpdates(from: &reader))
    }
}

extension SWIM.PingRequest: WireMessage {
    public static var tag: MessageTag { .swimPingRequest }

    public func encode(into writer: inout ByteWriter) {
        writer.write(sequence)
        MembershipCodec.write(target, into: &writer)
        MembershipCodec.write(targetAddress, into: &writer)
        writer.write(wantsNack)
        MembershipCodec.write(gossip, into: &writer)
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        let sequence = try reader.read(UInt32.self, "ping-req sequence")
        let target = try MembershipCodec.readName("ping-req target", from: &reader)
        let address = try MembershipCodec.readAddress("ping-req target address", from: &reader)
        let wantsNack = try reader.readBool("ping-req wants nack")
        self.init(
            sequence: sequence, target: target, targetAddress: address, wantsNack: wantsNack,
            gossip: try MembershipCodec.readUpdates(from: &reader))
    }
}

extension SWIM.Ack: WireMessage {
    public static var tag: MessageTag { .swimAck }

    public func encode(into writer: inout ByteWriter) {
        writer.write(sequence)
        MembershipCodec.write(gossip, into: &writer)
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        let sequence = try reader.read(UInt32.self, "ack sequence")
        self.init(sequence: sequence, gossip: try MembershipCodec.readUpdates(from: &reader))
    }
}

extension SWIM.Nack: WireMessage {
    public static var tag: MessageTag { .swimNack }

    public func encode(into writer: inout ByteWriter) {
        writer.write(sequence)
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        self.init(sequence: try reader.read(UInt32.self, "nack sequence"))
    }
}

extension SWIM.Gossip: WireMessage {
    public static var tag: MessageTag { .swimGossip }

    public func encode(into writer: inout ByteWriter) {
        MembershipCodec.write(updates, into: &writer)
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        self.init(updates: try MembershipCodec.readUpdates(from: &reader))
    }
}

extension SWIM.StateChunk: WireMessage {
    public static var tag: MessageTag { .swimState }

    public func encode(into writer: inout ByteWriter) {
        writer.write(exchange)
        writer.write(isRequest)
        writer.write(index)
        writer.write(UInt16(members.count))
        for member in members { MembershipCodec.write(member, into: &writer) }
    }

    public init(from reader: inout ByteReader) throws(DecodeError) {
        let exchange = try reader.read(UInt32.self, "state exchange")
        let isRequest = try reader.readBool("state is request")
        let index = try reader.read(UInt16.self, "state index")
        let members = try reader.readArray("state members", minimumElementSize: MembershipCodec.minimumMemberSize) {
            (reader: inout ByteReader) throws(DecodeError) in
            try MembershipCodec.readMember(from: &reader)
        }
        self.init(exchange: exchange, isRequest: isRequest, index: index, members: members)
    }
}
