import Membership

// Names for membership's entries in `MessageTag.registry`, where their numbers are fixed
// (append only). The golden tests check the two agree.
extension MessageTag {
    public static let swimPing = MessageTag(rawValue: 1)
    public static let swimPingRequest = MessageTag(rawValue: 2)
    public static let swimAck = MessageTag(rawValue: 3)
    public static let swimNack = MessageTag(rawValue: 4)
    public static let swimGossip = MessageTag(rawValue: 5)
    public static let swimState = MessageTag(rawValue: 6)
}
