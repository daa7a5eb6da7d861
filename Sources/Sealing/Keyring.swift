/// The keys a node holds: one primary key that seals, and any number of secondary keys
/// that open. Rotation is install (everywhere) → use (everywhere) → remove the old one, so
/// that no datagram sealed during the change finds a node that cannot open it.
public struct Keyring: Hashable, Sendable {
    /// The primary first, then the secondaries.
    public private(set) var keys: [ClusterKey]

    private var byID: [KeyID: ClusterKey]

    public init(primary: ClusterKey) {
        self.keys = [primary]
        self.byID = [primary.id: primary]
    }

    /// A keyring holding `keys`, the first of which is primary.
    public init(keys: [ClusterKey]) throws(KeyringError) {
        guard let primary = keys.first else { throw .noKeys }
        self.init(primary: primary)
        for key in keys.dropFirst() { try install(key) }
    }

    public var primary: ClusterKey { keys[0] }

    public func key(for id: KeyID) -> ClusterKey? { byID[id] }

    /// Adds a key that will open datagrams; installing a key already held changes nothing.
    public mutating func install(_ key: ClusterKey) throws(KeyringError) {
        if let held = byID[key.id] {
            guard held == key else { throw .keyIDCollision(key.id) }
            return
        }
        keys.append(key)
        byID[key.id] = key
    }

    /// Makes an installed key the primary one, which seals from now on.
    public mutating func use(_ key: ClusterKey) throws(KeyringError) {
        guard let index = keys.firstIndex(of: key) else { throw .notInstalled(key.id, operation: "use") }
        keys.insert(keys.remove(at: index), at: 0)
    }

    /// Removes a secondary key: datagrams sealed with it no longer open.
    public mutating func remove(_ key: ClusterKey) throws(KeyringError) {
        guard let index = keys.firstIndex(of: key) else { throw .notInstalled(key.id, operation: "remove") }
        guard index != 0 else { throw .removingPrimary(key.id) }
        keys.remove(at: index)
        byID[key.id] = nil
    }
}

public enum KeyringError: Error, Equatable, CustomStringConvertible {
    case noKeys
    case notInstalled(KeyID, operation: String)
    case removingPrimary(KeyID)
    case keyIDCollision(KeyID)

    public var description: String {
        switch self {
        case .noKeys:
            "a keyring needs at least one key, the primary; create one with `agent keygen`"
        case .notInstalled(let id, let operation):
            "key \(id) is not installed, so it cannot be \(operation == "use" ? "used" : "removed"); `agent keyring list` shows the installed keys"
                + (operation == "use" ? ", and `agent keyring install KEY` adds one" : "")
        case .removingPrimary(let id):
            "key \(id) is the primary key and cannot be removed; make another key primary first with `agent keyring use OTHER-KEY`, then remove this one"
        case .keyIDCollision(let id):
            "another installed key has the same identifier \(id); generate a new key with `agent keygen`"
        }
    }
}
