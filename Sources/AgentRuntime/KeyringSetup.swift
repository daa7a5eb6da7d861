import Sealing

/// Where the node's keyring comes from at start, as Serf does it: the keyring file (in the
/// data directory unless `--keyring-file` names one) is the truth once it exists, because
/// rotations change it; `--encrypt KEY` only seeds it on first start. `--insecure-dev` runs
/// with a published all-zero key that authenticates nothing, for experiments only.
enum KeyringSetup {
    static let insecureKey = try! ClusterKey(bytes: [UInt8](repeating: 0, count: ClusterKey.length))

    struct Outcome {
        var keyring: Keyring
        var file: KeyringFile?
        /// Worth a warning line: the operator passed something that was not used.
        var notice: String?
    }

    static func resolve(encrypt: String?, keyringFile: String?, insecureDev: Bool, dataDirectory: String) throws(StartupError) -> Outcome {
        let file = keyringFile.map(KeyringFile.init(path:)) ?? KeyringFile(dataDirectory: dataDirectory)
        let givenKey: ClusterKey?
        do {
            givenKey = try encrypt.map(ClusterKey.init(base64:))
        } catch {
            throw .badInput("the cluster key (--encrypt, AGENT_ENCRYPT or encrypt: in the config file): \(error.description); expected the base64 of 32 bytes, as `agent keygen` prints")
        }
        let stored: Keyring?
        do {
            stored = try file.load()
        } catch {
            throw .badInput("\(error.description); fix or remove it (it holds the cluster keys), or pass another --keyring-file")
        }
        if let stored {
            var notice: String?
            if let givenKey, stored.key(for: givenKey.id) != givenKey {
                notice = "--encrypt is ignored: the keyring file \(file.path) exists and does not hold that key; change keys with `agent keyring install|use|remove`"
            }
            return Outcome(keyring: stored, file: file, notice: notice)
        }
        if let givenKey {
            let keyring = Keyring(primary: givenKey)
            do {
                try file.save(keyring)
            } catch {
                throw .failed(error.description)
            }
            return Outcome(keyring: keyring, file: file, notice: nil)
        }
        if insecureDev {
            return Outcome(keyring: Keyring(primary: insecureKey), file: nil, notice: "--insecure-dev: gossip is sealed with a published all-zero key; anyone can join and read it")
        }
        if keyringFile != nil {
            throw .badInput("--keyring-file \(file.path) does not exist; create the cluster key with `agent keygen` and pass it once with --encrypt KEY")
        }
        throw .badInput("no cluster key: pass --encrypt KEY (make one with `agent keygen`), or --keyring-file PATH, or --insecure-dev for an unauthenticated test cluster")
    }
}
