import Catalog
import ClusterModel
import Persistence
import Wire

#if canImport(Glibc)
import Glibc
#endif

/// The catalog on disk, in `<dataDir>/catalog/`, so that a node's whole catalog survives
/// restarts and a crash at any instant leaves the last acknowledged state readable:
///
/// - `snapshot`: every entry at the last compaction, written whole (``DurableFile``), so it
///   is the old one or the new one, never a mix.
/// - `journal`: every entry appended since, as checksummed records (``ChecksummedRecords``),
///   `fdatasync`'d before ``append(_:)`` returns. A crash during an append can only leave a
///   cut-short tail, which ``load()`` drops: it was never acknowledged.
/// - `last-contact`: when this node last heard a peer, to tell after a restart how long it
///   was away (``CatalogSync/Instance/rejoined(after:now:)``).
///
/// Both files hold entries in their wire encoding (``CatalogCodec/encode(_:)``). Each entry
/// is the latest write to its key and replicas merge last-writer-wins, so replaying the
/// snapshot and then the journal, with any entry repeated, rebuilds the same replica: that
/// is what makes each step of ``compact(_:)`` safe to crash after.
///
/// Not thread-safe: the catalog shell calls it from its one event loop.
final class CatalogStore {
    static let snapshotHeader = Array("nodeagent catalog snapshot v1\n".utf8)
    static let journalHeader = Array("nodeagent catalog journal v1\n".utf8)
    /// Files are the node's alone: they hold every object of the cluster.
    static let fileMode: mode_t = 0o600
    /// How often `last-contact` is rewritten at most. The file then lags the truth by up to
    /// this much, which only ever makes an absence look longer: the safe side of the
    /// tombstone TTL it is compared with (24 h).
    static let contactWriteInterval: UInt64 = 5_000

    let directory: String
    var snapshotPath: String { directory + "/snapshot" }
    var journalPath: String { directory + "/journal" }
    var lastContactPath: String { directory + "/last-contact" }

    /// Open once ``load()`` has read the journal and cut off any torn tail: appending after
    /// a torn tail would put new records where no reader looks.
    private var journal: JournalFile?
    private var contactOnDisk: UInt64?
    private var contactKnown: UInt64?

    /// The catalog directory of a data directory.
    static func directory(inDataDirectory dataDirectory: String) -> String {
        (dataDirectory.hasSuffix("/") ? dataDirectory : dataDirectory + "/") + "catalog"
    }

    /// Creates `directory` (mode 0700) if it does not exist; its parent must.
    init(directory: String) throws(CatalogStoreError) {
        self.directory = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        try Self.createDirectory(self.directory)
        contactOnDisk = readLastContact()
        contactKnown = contactOnDisk
    }

    // MARK: Loading

    /// What ``load()`` found.
    struct Loaded {
        /// The snapshot's entries with the journal's merged over them.
        var replica: CatalogReplica
        /// How many records were read, snapshot and journal together.
        var records: Int
        /// The journal's tail that was cut off, if any; the shell logs it.
        var discardedTail: DiscardedJournalTail?
    }

    /// A journal tail that ``load()`` cut off. The records before it all count.
    struct DiscardedJournalTail: Hashable {
        enum Cause: Hashable {
            /// A record cut short or failing its checksum at the very end: what a crash
            /// during an append leaves, never acknowledged.
            case incompleteAppend
            /// A bad record with more bytes after it: damage to acknowledged data. The bytes
            /// from the bad record on are kept in `setAsideIn` for inspection; this node
            /// relearns what they held from its peers.
            case damage(reason: String, setAsideIn: String)
        }

        var offset: Int
        var bytes: Int
        var cause: Cause
    }

    /// Reads the snapshot, then the journal, and opens the journal for appends. A torn or
    /// damaged tail of the journal is cut off (and reported); an intact record that does not
    /// decode, or any fault in the snapshot, is an error naming the file and changes nothing.
    func load() throws(CatalogStoreError) -> Loaded {
        removeTemporaryFiles()
        var replica = CatalogReplica()
        var records = 0
        if let snapshot = try CatalogStoreError.performing({ () throws(DurableFile.Failure) in try DurableFile.read(snapshotPath) }) {
            records += try readSnapshot(snapshot, into: &replica)
        }
        let (journal, contents) = try CatalogStoreError.performing { () throws(DurableFile.Failure) in
            try JournalFile.open(journalPath, creatingWith: Self.journalHeader, mode: Self.fileMode)
        }
        let scan = try readJournal(contents, into: &replica)
        records += scan.payloads.count
        // Only once every intact record has decoded is anything changed on disk.
        if contents.isEmpty {
            try CatalogStoreError.performing { () throws(DurableFile.Failure) in try journal.append(Self.journalHeader) }
        }
        let discarded = try scan.stop.map { stop throws(CatalogStoreError) in
            try cutTail(of: journal, contents, at: scan.end, stop)
        }
        self.journal = journal
        return Loaded(replica: replica, records: records, discardedTail: discarded)
    }

    private func readSnapshot(_ contents: [UInt8], into replica: inout CatalogReplica) throws(CatalogStoreError) -> Int {
        let counted = Self.snapshotHeader.count + 4
        guard contents.starts(with: Self.snapshotHeader), contents.count >= counted else {
            throw .unreadable(path: snapshotPath, problem: "it does not start with \"nodeagent catalog snapshot v1\" and a count", remedy: .moveAway)
        }
        let count = contents[Self.snapshotHeader.count..<counted].reduce(0) { $0 << 8 | Int($1) }
        let scan = ChecksummedRecords.scan(contents, from: counted)
        if let stop = scan.stop {
            // Written whole and renamed into place: no crash leaves a snapshot like this.
            throw .unreadable(path: snapshotPath, problem: stop.reason, remedy: .moveAway)
        }
        guard scan.payloads.count == count else {
            throw .unreadable(path: snapshotPath, problem: "it holds \(scan.payloads.count) records where its header says \(count)", remedy: .moveAway)
        }
        for payload in scan.payloads { replica.merge(try decode(contents[payload], in: snapshotPath)) }
        return count
    }

    private func readJournal(_ contents: [UInt8], into replica: inout CatalogReplica) throws(CatalogStoreError) -> ChecksummedRecords.Scan {
        // An empty file is a journal truncated by hand: taken as a new one.
        guard !contents.isEmpty else { return ChecksummedRecords.Scan(payloads: [], end: 0, stop: nil) }
        guard contents.starts(with: Self.journalHeader) else {
            throw .unreadable(path: journalPath, problem: "it does not start with \"nodeagent catalog journal v1\"", remedy: .moveAway)
        }
        let scan = ChecksummedRecords.scan(contents, from: Self.journalHeader.count)
        for payload in scan.payloads { replica.merge(try decode(contents[payload], in: journalPath)) }
        return scan
    }

    private func decode(_ payload: ArraySlice<UInt8>, in path: String) throws(CatalogStoreError) -> CatalogEntry {
        do {
            return try CatalogCodec.decodeEntry(payload)
        } catch {
            // The checksum held, so these are the bytes some agent wrote: not damage.
            let offset = payload.startIndex - ChecksummedRecords.headerLength
            throw .unreadable(path: path, problem: "the entry at byte \(offset) does not decode (\(error))", remedy: .laterAgent)
        }
    }

    private func cutTail(
        of journal: JournalFile, _ contents: [UInt8], at end: Int, _ stop: ChecksummedRecords.Stop
    ) throws(CatalogStoreError) -> DiscardedJournalTail {
        var cause = DiscardedJournalTail.Cause.incompleteAppend
        if case .damaged(let reason) = stop {
            let setAside = "\(journalPath).damaged-\(WallClock.now().millisecondsSinceEpoch)"
            try CatalogStoreError.performing { () throws(DurableFile.Failure) in
                try DurableFile.write(Array(contents[end...]), to: setAside, mode: Self.fileMode)
            }
            cause = .damage(reason: reason, setAsideIn: setAside)
        }
        try CatalogStoreError.performing { () throws(DurableFile.Failure) in try journal.truncate(to: end) }
        return DiscardedJournalTail(offset: end, bytes: contents.count - end, cause: cause)
    }

    /// DurableFile's temporary files of writes a crash interrupted.
    private func removeTemporaryFiles() {
        guard let listing = opendir(directory) else { return }
        defer { closedir(listing) }
        var names: [String] = []
        while let entry = readdir(listing) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.contains(".tmp-") { names.append(name) }
        }
        for name in names { unlink(directory + "/" + name) }
    }

    // MARK: Writing

    /// Appends `entries` to the journal; they are on disk when this returns.
    func append(_ entries: [CatalogEntry]) throws(CatalogStoreError) {
        guard !entries.isEmpty else { return }
        let journal = openJournal()
        var bytes: [UInt8] = []
        for entry in entries { ChecksummedRecords.append(CatalogCodec.encode(entry), to: &bytes) }
        try CatalogStoreError.performing { () throws(DurableFile.Failure) in try journal.append(bytes) }
    }

    /// Writes `entries`, the whole catalog, as the new snapshot, then empties the journal.
    /// A crash before the snapshot's rename leaves the old snapshot and the journal; one
    /// between the rename and the truncation leaves the new snapshot and the old journal,
    /// whose entries are each as old as the snapshot's or older (or tombstones purged since,
    /// which the next purge drops again), so either replays to the same catalog.
    func compact(_ entries: [CatalogEntry]) throws(CatalogStoreError) {
        let journal = openJournal()
        var snapshot = Self.snapshotHeader
        let count = UInt32(entries.count)
        snapshot += [UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF)]
        for entry in entries { ChecksummedRecords.append(CatalogCodec.encode(entry), to: &snapshot) }
        try CatalogStoreError.performing { () throws(DurableFile.Failure) in
            try DurableFile.write(snapshot, to: snapshotPath, mode: Self.fileMode)
            try journal.truncate(to: Self.journalHeader.count)
        }
    }

    /// The bytes of records in the journal: the shell compacts when they grow past a bound.
    var journalBytes: Int {
        guard let journal else { return 0 }
        return max(0, journal.length - Self.journalHeader.count)
    }

    private func openJournal() -> JournalFile {
        guard let journal else { preconditionFailure("CatalogStore.load() must read \(journalPath) before it is written") }
        return journal
    }

    // MARK: Last contact

    /// Records that this node heard a peer at `milliseconds` since the epoch. Written at most
    /// every ``contactWriteInterval``, or at once when the clock went back.
    func recordContact(_ milliseconds: UInt64) throws(CatalogStoreError) {
        contactKnown = milliseconds
        if let written = contactOnDisk, milliseconds >= written, milliseconds - written < Self.contactWriteInterval { return }
        // Set first: a write that fails is tried again after the interval, not on the next
        // datagram (the caller calls this for every one).
        contactOnDisk = milliseconds
        try CatalogStoreError.performing { () throws(DurableFile.Failure) in
            try DurableFile.write(Array("\(milliseconds)\n".utf8), to: lastContactPath, mode: Self.fileMode)
        }
    }

    /// When this node last heard a peer, in milliseconds since the epoch; nil when it never
    /// did, or `last-contact` cannot be read (then how long it was away is unknown).
    func lastContact() -> UInt64? { contactKnown }

    private func readLastContact() -> UInt64? {
        guard let contents = try? DurableFile.read(lastContactPath) else { return nil }
        return UInt64(String(decoding: contents, as: UTF8.self).trimmingSuffix(while: \.isNewline))
    }

    // MARK: Directory

    private static func createDirectory(_ path: String) throws(CatalogStoreError) {
        if mkdir(path, 0o700) == 0 {
            // The new directory's name is in its parent: make that durable too.
            let parent = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            let descriptor = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { throw .file(DurableFile.Failure(path: parent, step: "open directory", errno: errno)) }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else { throw .file(DurableFile.Failure(path: parent, step: "fsync directory", errno: errno)) }
        } else if errno != EEXIST {
            throw .file(DurableFile.Failure(path: path, step: "create the catalog directory", errno: errno))
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[..<end]
    }
}
