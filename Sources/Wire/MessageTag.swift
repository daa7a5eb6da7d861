/// The number that names a message kind on the wire.
public struct MessageTag: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public var name: String { MessageTag.names[rawValue] ?? "unregistered" }
    public var isRegistered: Bool { MessageTag.names[rawValue] != nil }
    public var description: String { "\(name)(\(rawValue))" }

    public static func < (lhs: MessageTag, rhs: MessageTag) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension MessageTag {
    // WARNING: ONLY APPEND TO THIS REGISTRY. The numeric values are part of the protocol
    // itself: agents of different versions talk to each other during a rolling upgrade, and
    // a number that changed meaning would silently mislead them. A retired message keeps its
    // number. Tags 0 and 255 are never handed out, so zeroed or all-ones memory never
    // decodes. Each protocol adds its messages when it arrives; Docs/protocol.md lists them.
    public static let registry: [(tag: MessageTag, name: String)] = [
        (MessageTag(rawValue: 1), "swim.ping"),
        (MessageTag(rawValue: 2), "swim.ping-req"),
        (MessageTag(rawValue: 3), "swim.ack"),
        (MessageTag(rawValue: 4), "swim.nack"),
        (MessageTag(rawValue: 5), "swim.gossip"),
        (MessageTag(rawValue: 6), "swim.state"),
        (MessageTag(rawValue: 7), "keyring.request"),
        (MessageTag(rawValue: 8), "keyring.response"),
        (MessageTag(rawValue: 9), "catalog.push"),
        (MessageTag(rawValue: 10), "catalog.digest"),
        (MessageTag(rawValue: 11), "catalog.rumor"),
        (MessageTag(rawValue: 12), "election.endorse"),
        (MessageTag(rawValue: 13), "election.announce"),
    ]

    private static let names: [UInt8: String] = Dictionary(
        uniqueKeysWithValues: registry.map { ($0.tag.rawValue, $0.name) })
}
