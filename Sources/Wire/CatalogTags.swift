// Names for the catalog's entries in `MessageTag.registry`, where their numbers are fixed
// (append only). The catalog codec tests check the two agree.
extension MessageTag {
    public static let catalogPush = MessageTag(rawValue: 9)
    public static let catalogDigest = MessageTag(rawValue: 10)
    public static let catalogRumor = MessageTag(rawValue: 11)
}
