import Foundation
import Persistence

/// The keyring as it lives in the data directory: a JSON array of base64 keys, primary
/// first (the format of Serf's keyring file), mode 0600, replaced atomically on change.
public struct KeyringFile: Sendable {
    public static let defaultName = "keyring.json"

    public let path: String

    public init(path: String) { self.path = path }

    public init(dataDirectory: String) {
        self.path = (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + Self.defaultName
    }

    /// The stored keyring, or nil when the file does not exist yet.
    public func load() throws(KeyringFileError) -> Keyring? {
        let contents: [UInt8]
        do {
            guard let read = try DurableFile.read(path) else { return nil }
            contents = read
        } catch {
            throw KeyringFileError(path: path, problem: "cannot be read: \(error.description)")
        }
        return try Self.decode(contents, path: path)
    }

    /// Writes `keyring` so that a crash at any instant leaves either the old or the new file.
    public func save(_ keyring: Keyring) throws(KeyringFileError) {
        do {
            try DurableFile.write(Self.encode(keyring), to: path, mode: 0o600)
        } catch {
            throw KeyringFileError(path: path, problem: "cannot be written: \(error.description)")
        }
    }

    /// Loads the keyring, applies `change`, and saves it only if the change succeeded:
    /// a refused change leaves the file exactly as it was.
    public func update(_ change: (inout Keyring) throws(KeyringError) -> Void) throws(KeyringFileError) -> Keyring {
        guard var keyring = try load() else {
            throw KeyringFileError(path: path, problem: "does not exist; start the agent with --encrypt KEY to create it")
        }
        do {
            try change(&keyring)
        } catch {
            throw KeyringFileError(path: path, problem: "was left unchanged: \(error.description)")
        }
        try save(keyring)
        return keyring
    }

    static func encode(_ keyring: Keyring) -> [UInt8] {
        let lines = keyring.keys.map { "  \"\($0.base64)\"" }.joined(separator: ",\n")
        return Array("[\n\(lines)\n]\n".utf8)
    }

    static func decode(_ contents: [UInt8], path: String) throws(KeyringFileError) -> Keyring {
        let corrupt = { (problem: String) in
            KeyringFileError(path: path, problem: "is corrupt: \(problem); expected a JSON array of base64 keys, the primary first")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(contents)) else {
            throw corrupt("it is not valid JSON")
        }
        guard let entries = json as? [Any] else { throw corrupt("it is not a JSON array") }
        guard !entries.isEmpty else { throw corrupt("it holds no keys") }
        var keys: [ClusterKey] = []
        for (index, entry) in entries.enumerated() {
            guard let text = entry as? String else { throw corrupt("entry \(index + 1) is not a string") }
            do {
                keys.append(try ClusterKey(base64: text))
            } catch {
                throw corrupt("entry \(index + 1): \(error.description)")
            }
        }
        do {
            return try Keyring(keys: keys)
        } catch {
            throw corrupt(error.description)
        }
    }
}

public struct KeyringFileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "keyring file \(path) \(problem)" }
}
