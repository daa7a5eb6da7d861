import Persistence

/// Why the catalog on disk cannot be read or written, naming the file.
enum CatalogStoreError: Error, CustomStringConvertible {
    /// A system call failed (disk full, permissions, I/O error).
    case file(DurableFile.Failure)
    /// A file is not what this agent writes, or is damaged where no crash could have done it.
    case unreadable(path: String, problem: String, remedy: Remedy)

    /// What the operator can do about an unreadable file.
    enum Remedy {
        /// The file is damaged or foreign: without it this node starts from the other file
        /// alone and relearns the rest from its peers.
        case moveAway
        /// The file is intact but holds what this build cannot read.
        case laterAgent
    }

    var description: String {
        switch self {
        case .file(let failure):
            return failure.description
        case .unreadable(let path, let problem, .moveAway):
            return "the catalog file \(path) cannot be read: \(problem); move it away and restart, and this node relearns the catalog from its peers"
        case .unreadable(let path, let problem, .laterAgent):
            return "the catalog file \(path) cannot be read: \(problem); it is intact, so a later agent may have written it: run that version, "
                + "or move the file away and restart to relearn the catalog from peers"
        }
    }

    /// Runs a file operation, reporting its failure as a catalog store error.
    static func performing<Value>(_ operation: () throws(DurableFile.Failure) -> Value) throws(CatalogStoreError) -> Value {
        do {
            return try operation()
        } catch {
            throw .file(error)
        }
    }
}
