import Catalog
import ClusterModel

// The wire form of the catalog's messages. Field by field, big-endian; every enum byte has
// an explicit number, counted from 1, that is never reused:
//
//   catalog.push   (9)  = answer (4) | part (2) | count (2) | entry...
//   catalog.digest (10) = is request (1) | after opt (name) | through opt (name) | count (2)
//                         | { writer name | version stamp }..., writers in ascending order,
//                         each once, each after `after` and at most `through`
//   catalog.rumor  (11) = count (2) | entry...
//
//   entry    = key kind (1: 1 Service, 2 Pod) | namespace (short) | name (short)
//              | version | createdAt
//              | body kind (1: 1 service, 2 pod, 3 tombstone) | body length (2) | body
//   version  = stamp | writer name
//   stamp    = wall milliseconds (8) | counter (4)
//   body     = revision (1) | the revision's fields (CatalogObjectCodec.swift)
//
// A body's revision says which fields it carries. This build knows revisions 1 and 2 (a
// Service's load balancer status), and marks each body with the lowest revision that
// carries its value, so a value has one encoding: a body marked with a known revision its
// value does not need is refused. A later revision only appends fields, at least one byte
// of them, so a reader reads the fields of the revisions it knows and skips the rest of a
// body marked later; a body marked with a revision the reader knows must end exactly where
// its fields do. Nothing else is
// skipped: a kind byte this build does not know is refused, so a new kind of object needs a
// new message tag, which an older agent's compound-packet reader skips whole.
//
// Budget: a push or a rumor travels in one frame of one datagram and is never split across
// datagrams. The core cuts them to its `messageBudget` of entry bytes (1,150 by default,
// sized by `size(of:)` here) and refuses a write whose entry alone exceeds it; a push adds
// `pushOverhead` (11 bytes) to its entries.

extension CatalogMessage {
    /// The tag of the frame this message travels in, without encoding it.
    public var tag: MessageTag {
        switch self {
        case .push: .catalogPush
        case .digest: .catalogDigest
        case .rumor: .catalogRumor
        }
    }

    /// The frame this message travels in.
    public var frame: Frame {
        var writer = ByteWriter(capacity: defaultMTU)
        switch self {
        case .push(let entries, let answer, let part):
            writer.write(answer)
            writer.write(part)
            writer.write(CatalogCodec.countField(entries.count, "catalog.push entries"))
            for entry in entries { CatalogCodec.write(entry, into: &writer) }
        case .rumor(let entries):
            writer.write(CatalogCodec.countField(entries.count, "catalog.rumor entries"))
            for entry in entries { CatalogCodec.write(entry, into: &writer) }
        case .digest(let digest, let isRequest):
            writer.write(isRequest)
            CatalogCodec.write(digest, into: &writer)
        }
        return Frame(tag: tag, body: writer.bytes[...])
    }

    /// Decodes a catalog frame; nil when the tag belongs to another protocol.
    public init?(frame: Frame) throws(DecodeError) {
        var reader = ByteReader(frame.body)
        switch frame.tag {
        case .catalogPush:
            let answer = try reader.read(UInt32.self, "catalog.push answer")
            let part = try reader.read(UInt16.self, "catalog.push part")
            let entries = try reader.readArray("catalog.push entries", minimumElementSize: CatalogCodec.minimumEntrySize) {
                (reader: inout ByteReader) throws(DecodeError) in
                try CatalogCodec.readEntry(from: &reader)
            }
            self = .push(entries, answer: answer, part: part)
        case .catalogRumor:
            self = .rumor(
                try reader.readArray("catalog.rumor entries", minimumElementSize: CatalogCodec.minimumEntrySize) {
                    (reader: inout ByteReader) throws(DecodeError) in
                    try CatalogCodec.readEntry(from: &reader)
                })
        case .catalogDigest:
            let isRequest = try reader.readBool("catalog.digest is request")
            self = .digest(try CatalogCodec.readDigest(from: &reader), isRequest: isRequest)
        default:
            return nil
        }
        try reader.expectEnd("\(frame.tag)")
    }

    /// One datagram payload holding just this message.
    public var payload: [UInt8] { frame.payload }
}

extension CatalogSync.EncodedSize {
    /// The exact sizes of the encoding in this file, for the core's budgets.
    public static let wire = CatalogSync.EncodedSize(entry: CatalogCodec.size(of:), digest: CatalogCodec.size(of:))
}

/// Field encoders of the catalog messages, and their exact sizes for cutting pushes.
public enum CatalogCodec {
    /// The latest body revision whose fields this build reads and writes.
    static let bodyRevision: UInt8 = 2

    /// The lowest revision whose fields carry `body`: each value has one encoding, and a body
    /// without the later fields stays readable by agents that know only revision 1.
    static func revision(of body: CatalogEntry.Body) -> UInt8 {
        switch body {
        case .service(let service): CatalogObjectCodec.revision(of: service)
        case .pod, .tombstone: 1
        }
    }

    /// Key kind, two empty-but-counted names, two versions of a one-byte writer, spec mark,
    /// body kind, body length and revision.
    static let minimumEntrySize = 1 + 1 + 1 + 2 * (12 + 2) + 1 + 1 + 2 + 1
    static let minimumDigestElementSize = 2 + 12

    /// What a push adds to its entries: the frame header, answer and part numbers, the
    /// count. A rumor adds 6 bytes less.
    public static let pushOverhead = Frame.headerLength + 4 + 2 + 2

    /// The bytes `entry` takes in a push.
    public static func size(of entry: CatalogEntry) -> Int {
        let body =
            switch entry.body {
            case .service(let service): CatalogObjectCodec.size(of: service, key: entry.key)
            case .pod(let pod): CatalogObjectCodec.size(of: pod, key: entry.key)
            case .tombstone: 0
            }
        return 1 + 1 + entry.key.namespace.utf8.count + 1 + entry.key.name.utf8.count
            + size(of: entry.version) + size(of: entry.createdAt) + 1 + (entry.isUserWrite ? 0 : size(of: entry.specVersion))
            + 1 + 2 + 1 + body
    }

    /// The body of a `catalog.digest` frame holding `digest`.
    public static func size(of digest: CatalogDigest) -> Int {
        let range = [digest.writers.after, digest.writers.through].reduce(0) { $0 + 1 + ($1.map(MembershipCodec.size(of:)) ?? 0) }
        return digest.newestByWriter.keys.reduce(1 + range + 2) { $0 + MembershipCodec.size(of: $1) + 12 }
    }

    /// The body of the frame `message` travels in; the frame adds `Frame.headerLength`.
    public static func size(of message: CatalogMessage) -> Int {
        switch message {
        case .push(let entries, _, _): entries.reduce(8) { $0 + size(of: $1) }
        case .rumor(let entries): entries.reduce(2) { $0 + size(of: $1) }
        case .digest(let digest, _): size(of: digest)
        }
    }

    // MARK: Single entries

    /// One entry alone, in exactly the bytes it takes inside a push (no count, no frame):
    /// the catalog store keeps entries on disk in this form, so that a value read back is
    /// the value that travelled, and one codec owns both.
    public static func encode(_ entry: CatalogEntry) -> [UInt8] {
        var writer = ByteWriter(capacity: size(of: entry))
        write(entry, into: &writer)
        return writer.bytes
    }

    /// Decodes what ``encode(_:)`` wrote: exactly one entry, with nothing after it.
    public static func decodeEntry(_ bytes: some Collection<UInt8>) throws(DecodeError) -> CatalogEntry {
        var reader = ByteReader(ArraySlice(bytes))
        let entry = try readEntry(from: &reader)
        try reader.expectEnd("a catalog entry")
        return entry
    }

    // MARK: Entries

    /// Whether the entry is a user's write, or the agent's rewrite of one, which carries the
    /// version of the write whose spec it keeps.
    private enum SpecMark: UInt8 {
        case userWrite = 0
        case rewrite = 1
    }

    private enum BodyKind: UInt8 {
        case service = 1
        case pod = 2
        case tombstone = 3
    }

    static func write(_ entry: CatalogEntry, into writer: inout ByteWriter) {
        writer.write(keyKindByte(entry.key.kind))
        writer.writeShortString(entry.key.namespace)
        writer.writeShortString(entry.key.name)
        write(entry.version, into: &writer)
        write(entry.createdAt, into: &writer)
        if entry.isUserWrite {
            writer.write(SpecMark.userWrite.rawValue)
        } else {
            writer.write(SpecMark.rewrite.rawValue)
            write(entry.specVersion, into: &writer)
        }
        let revision = revision(of: entry.body)
        switch entry.body {
        case .service(let service):
            writer.write(BodyKind.service.rawValue)
            writer.writeLengthPrefixed { body in
                body.write(revision)
                CatalogObjectCodec.write(service, key: entry.key, into: &body)
            }
        case .pod(let pod):
            writer.write(BodyKind.pod.rawValue)
            writer.writeLengthPrefixed { body in
                body.write(revision)
                CatalogObjectCodec.write(pod, key: entry.key, into: &body)
            }
        case .tombstone:
            writer.write(BodyKind.tombstone.rawValue)
            writer.writeLengthPrefixed { body in body.write(revision) }
        }
    }

    static func readEntry(from reader: inout ByteReader) throws(DecodeError) -> CatalogEntry {
        let kind = try readKeyKind(from: &reader)
        let namespace = try reader.readShortString("entry namespace")
        let key = ObjectKey(kind: kind, namespace: namespace, name: try reader.readShortString("entry name"))
        let version = try readVersion("entry version", from: &reader)
        let createdAt = try readVersion("entry createdAt", from: &reader)
        let specMarkAt = reader.offset
        let rawSpecMark = try reader.readUInt8("entry spec mark")
        let specVersion: CatalogVersion?
        switch SpecMark(rawValue: rawSpecMark) {
        case .userWrite: specVersion = nil
        case .rewrite: specVersion = try readVersion("entry specVersion", from: &reader)
        case nil:
            throw .invalid(field: "entry spec mark", offset: specMarkAt, reason: "\(rawSpecMark) is not a spec mark (0 a user write, 1 a rewrite)")
        }
        let bodyKindAt = reader.offset
        let rawBodyKind = try reader.readUInt8("entry body kind")
        guard let bodyKind = BodyKind(rawValue: rawBodyKind) else {
            throw .invalid(field: "entry body kind", offset: bodyKindAt, reason: "\(rawBodyKind) is not a body kind (1 service, 2 pod, 3 tombstone)")
        }
        var body = try reader.readLengthPrefixed("entry body")
        let revisionAt = body.offset
        let revision = try body.readUInt8("entry body revision")
        guard revision >= 1 else {
            throw .invalid(field: "entry body revision", offset: revisionAt, reason: "0 is not a revision")
        }
        let decoded: CatalogEntry.Body
        switch bodyKind {
        case .service:
            guard kind == .service else {
                throw .invalid(field: "entry body kind", offset: bodyKindAt, reason: "a service body under the key \(key)")
            }
            decoded = .service(try CatalogObjectCodec.readService(key: key, revision: revision, from: &body))
        case .pod:
            guard kind == .pod else {
                throw .invalid(field: "entry body kind", offset: bodyKindAt, reason: "a pod body under the key \(key)")
            }
            decoded = .pod(try CatalogObjectCodec.readPod(key: key, from: &body))
        case .tombstone:
            decoded = .tombstone
        }
        if revision <= bodyRevision {
            try body.expectEnd("the fields of an entry body of revision \(revision)")
            let needed = Self.revision(of: decoded)
            guard revision == needed else {
                throw .invalid(field: "entry body revision", offset: revisionAt, reason: "revision \(revision) for a body of revision \(needed)")
            }
        } else if body.isAtEnd {
            // A later revision always appends something; without it the mark is a lie.
            throw .invalid(field: "entry body revision", offset: revisionAt, reason: "revision \(revision) but no fields past revision \(bodyRevision)'s")
        }
        return CatalogEntry(key: key, version: version, createdAt: createdAt, specVersion: specVersion, body: decoded)
    }

    private static func keyKindByte(_ kind: ObjectKey.Kind) -> UInt8 {
        switch kind {
        case .service: 1
        case .pod: 2
        }
    }

    private static func readKeyKind(from reader: inout ByteReader) throws(DecodeError) -> ObjectKey.Kind {
        let at = reader.offset
        switch try reader.readUInt8("entry key kind") {
        case 1: return .service
        case 2: return .pod
        case let other: throw .invalid(field: "entry key kind", offset: at, reason: "\(other) is not a kind (1 Service, 2 Pod)")
        }
    }

    // MARK: Versions and digests

    static func size(of version: CatalogVersion) -> Int { 12 + MembershipCodec.size(of: version.writer) }

    static func write(_ stamp: HybridTimestamp, into writer: inout ByteWriter) {
        writer.write(stamp.wallMilliseconds)
        writer.write(stamp.counter)
    }

    static func readStamp(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> HybridTimestamp {
        let wall = try reader.read(UInt64.self, field)
        return HybridTimestamp(wallMilliseconds: wall, counter: try reader.read(UInt32.self, field))
    }

    static func write(_ version: CatalogVersion, into writer: inout ByteWriter) {
        write(version.timestamp, into: &writer)
        MembershipCodec.write(version.writer, into: &writer)
    }

    static func readVersion(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> CatalogVersion {
        let stamp = try readStamp(field, from: &reader)
        return CatalogVersion(timestamp: stamp, writer: try MembershipCodec.readName(field, from: &reader))
    }

    static func write(_ digest: CatalogDigest, into writer: inout ByteWriter) {
        writeOptionalName(digest.writers.after, into: &writer)
        writeOptionalName(digest.writers.through, into: &writer)
        writer.write(countField(digest.newestByWriter.count, "catalog.digest writers"))
        // Sorted, so that equal digests always encode to equal bytes.
        for (name, stamp) in digest.newestByWriter.sorted(by: { $0.key < $1.key }) {
            MembershipCodec.write(name, into: &writer)
            write(stamp, into: &writer)
        }
    }

    private static func writeOptionalName(_ name: NodeName?, into writer: inout ByteWriter) {
        if let name {
            writer.write(UInt8(1))
            MembershipCodec.write(name, into: &writer)
        } else {
            writer.write(UInt8(0))
        }
    }

    private static func readOptionalName(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> NodeName? {
        try reader.readBool(field) ? try MembershipCodec.readName(field, from: &reader) : nil
    }

    static func readDigest(from reader: inout ByteReader) throws(DecodeError) -> CatalogDigest {
        let rangeAt = reader.offset
        let writers = WriterRange(
            after: try readOptionalName("catalog.digest writers after", from: &reader),
            through: try readOptionalName("catalog.digest writers through", from: &reader))
        if let after = writers.after, let through = writers.through, !(after < through) {
            throw .invalid(field: "catalog.digest writers", offset: rangeAt, reason: "the range after \(after) through \(through) is empty")
        }
        let at = reader.offset
        let pairs = try reader.readArray("catalog.digest writers", minimumElementSize: minimumDigestElementSize) {
            (reader: inout ByteReader) throws(DecodeError) in
            (try MembershipCodec.readName("catalog.digest writer", from: &reader), try readStamp("catalog.digest stamp", from: &reader))
        }
        var newest: [NodeName: HybridTimestamp] = [:]
        newest.reserveCapacity(pairs.count)
        for (index, (name, stamp)) in pairs.enumerated() {
            // Ascending order is the one encoding of a digest; it also rules out repeats.
            if index > 0, !(pairs[index - 1].0 < name) {
                throw .invalid(field: "catalog.digest writers", offset: at, reason: "\(name) is out of order or repeated")
            }
            guard writers.contains(name) else {
                throw .invalid(field: "catalog.digest writers", offset: at, reason: "\(name) is outside the digest's range")
            }
            newest[name] = stamp
        }
        return CatalogDigest(newestByWriter: newest, writers: writers)
    }

    /// A count that must fit its two bytes; the model has no limit, the wire does.
    static func countField(_ count: Int, _ field: StaticString) -> UInt16 {
        precondition(count <= Int(UInt16.max), "\(field): \(count) elements do not fit a two-byte count")
        return UInt16(count)
    }
}
