import Catalog
import ClusterModel
import Testing
import Wire

@Suite("Catalog messages on the wire")
struct CatalogCodecTests {
    static func name(_ text: String) -> NodeName { try! NodeName(text) }

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    static func version(_ wall: UInt64, _ counter: UInt32, _ writer: String) -> CatalogVersion {
        CatalogVersion(timestamp: HybridTimestamp(wallMilliseconds: wall, counter: counter), writer: name(writer))
    }

    static let smallPod = CatalogEntry(
        key: ObjectKey(kind: .pod, namespace: "default", name: "web"),
        version: version(1_700_000_000_000, 2, "n1"), createdAt: version(1_700_000_000_000, 1, "n1"),
        body: .pod(
            Pod(
                metadata: ObjectMetadata(name: "web", labels: ["app": "web"]),
                spec: Pod.Spec(
                    nodeName: name("n1"),
                    containers: [
                        Pod.Container(
                            ports: [Pod.ContainerPort(name: "http", containerPort: 8080)],
                            readinessProbe: ReadinessProbe(check: .httpGet(path: "/", port: .name("http"))))
                    ]),
                status: Pod.Status(podIP: IPv4(10, 244, 1, 5), ready: true))))

    static let smallPush = CatalogMessage.push([smallPod], answer: 7, part: 2)
    static let smallRumor = CatalogMessage.rumor([smallPod])
    static let smallPushHex = """
        00000007 0002
        0001
          02 07 64656661756c74 03 776562
          0000018bcfe56800 00000002 02 6e31
          0000018bcfe56800 00000001 02 6e31
          00
          02 003c
            01
            01 0001 0003 617070 0003 776562 0000
            01 02 6e31
            00
            0001
              0001 01 04 68747470 1f90 01 00
              01 02 0001 2f 02 04 68747470 0000000a 00000003
            01 0af40105
            02
        """

    static let smallDigest = CatalogMessage.digest(
        CatalogDigest(newestByWriter: [
            name("n2"): HybridTimestamp(wallMilliseconds: 1_700_000_000_000, counter: 7),
            name("n1"): HybridTimestamp(wallMilliseconds: 5, counter: 0),
        ]),
        isRequest: true)
    static let smallDigestHex = """
        01 00 00 0002
          02 6e31 0000000000000005 00000000
          02 6e32 0000018bcfe56800 00000007
        """

    static let richService = CatalogEntry(
        key: ObjectKey(kind: .service, namespace: "shop", name: "checkout"),
        version: version(1_700_000_123_456, 0, "node-b"), createdAt: version(1_699_999_999_000, 3, "node-a"),
        body: .service(
            AllocatedService(
                service: KubernetesService(
                    metadata: ObjectMetadata(
                        name: "checkout", namespace: "shop",
                        labels: ["app": "checkout", "tier": "web", "zone": "é-north"],
                        annotations: [
                            "kubernetes.io/description": String(repeating: "a long note ", count: 20),
                            "example.com/owner": "team-payments",
                        ]),
                    spec: KubernetesService.Spec(
                        type: .loadBalancer, selector: ["app": "checkout", "tier": "web"],
                        ports: [
                            ServicePort(name: "http", protocol: .tcp, port: 80, targetPort: .name("web"), nodePort: 30080),
                            ServicePort(name: "dns", protocol: .udp, port: 53, targetPort: .number(5353)),
                            ServicePort(name: "admin", port: 9000),
                        ],
                        clusterIP: .pinned(IPv4(10, 96, 0, 42)),
                        sessionAffinity: .clientIP(timeoutSeconds: 3_600),
                        externalTrafficPolicy: .local, healthCheckNodePort: 31999,
                        loadBalancerSourceRanges: [IPv4Network("192.168.0.0/16")!, IPv4Network("10.1.2.3/32")!, IPv4Network("0.0.0.0/0")!])),
                allocation: ServiceAllocation(
                    clusterIP: IPv4(10, 96, 0, 42), nodePorts: [30080, 31234, nil],
                    takenAt: [.nodePort(31234): version(1_700_000_100_000, 3, "node-b")]))))

    static let headlessService = CatalogEntry(
        key: ObjectKey(kind: .service, namespace: "default", name: "db"),
        version: version(10, 0, "n1"), createdAt: version(10, 0, "n1"),
        body: .service(
            AllocatedService(
                service: KubernetesService(
                    metadata: ObjectMetadata(name: "db"),
                    spec: KubernetesService.Spec(ports: [ServicePort(port: 5432)], clusterIP: .headless)),
                allocation: ServiceAllocation(clusterIP: nil, nodePorts: [nil]))))

    static let probedPod = CatalogEntry(
        key: ObjectKey(kind: .pod, namespace: "shop", name: "checkout-7d9f"),
        version: version(1_700_000_200_000, 9, "node-c"), createdAt: version(1_700_000_100_000, 0, "node-c"),
        body: .pod(
            Pod(
                metadata: ObjectMetadata(name: "checkout-7d9f", namespace: "shop", labels: ["app": "checkout"]),
                spec: Pod.Spec(
                    nodeName: nil, hostNetwork: true,
                    containers: [
                        Pod.Container(
                            ports: [
                                Pod.ContainerPort(name: "web", containerPort: 8080, protocol: .tcp, hostPort: 80),
                                Pod.ContainerPort(containerPort: 5353, protocol: .udp),
                            ],
                            readinessProbe: ReadinessProbe(check: .tcpSocket(port: .number(8080)), periodSeconds: 5, failureThreshold: 1)),
                        Pod.Container(
                            readinessProbe: ReadinessProbe(check: .httpGet(path: "/healthz?full=1", port: .name("web")))),
                        Pod.Container(),
                    ]),
                status: Pod.Status(podIP: nil, ready: false))))

    /// A key whose object names differ from it: the model allows it, so the wire keeps it.
    static let renamedPod = CatalogEntry(
        key: ObjectKey(kind: .pod, namespace: "default", name: "a"),
        version: version(1, 0, "n1"), createdAt: version(1, 0, "n1"),
        body: .pod(Pod(metadata: ObjectMetadata(name: "b", namespace: "other"), spec: Pod.Spec(), status: Pod.Status())))

    static let tombstone = CatalogEntry(
        key: ObjectKey(kind: .service, namespace: "shop", name: "legacy"),
        version: version(1_700_000_300_000, 1, "node-a"), createdAt: version(1_600_000_000_000, 0, "node-b"), body: .tombstone)

    /// The prober's readiness for a Pod applied elsewhere: a rewrite carries its spec version.
    static let rewrittenPod = CatalogEntry(
        key: smallPod.key, version: version(1_700_000_000_900, 0, "node-b"), createdAt: smallPod.createdAt,
        specVersion: smallPod.version, body: smallPod.body)

    static let richPush = CatalogMessage.push([richService, headlessService, probedPod, renamedPod, tombstone], answer: .max, part: .max)

    static let manyWriters = CatalogMessage.digest(
        CatalogDigest(
            newestByWriter: Dictionary(
                uniqueKeysWithValues: (0..<12).map { (name("node-\($0)"), HybridTimestamp(wallMilliseconds: UInt64($0) << 40, counter: UInt32($0))) })),
        isRequest: false)

    static func decode(_ tag: MessageTag, _ body: ArraySlice<UInt8>) throws(DecodeError) -> CatalogMessage? {
        try CatalogMessage(frame: Frame(tag: tag, body: body))
    }

    // MARK: Golden bytes

    @Test("a push of one Pod encodes to its golden bytes and decodes back")
    func goldenPush() throws {
        let frame = Self.smallPush.frame
        #expect(frame.tag == .catalogPush)
        #expect(Array(frame.body) == Self.bytes(Self.smallPushHex))
        #expect(try Self.decode(.catalogPush, Self.bytes(Self.smallPushHex)[...]) == Self.smallPush)
    }

    @Test("a rumor of one Pod is a push's bytes without the answer and part numbers, under tag 11")
    func goldenRumor() throws {
        let frame = Self.smallRumor.frame
        #expect(frame.tag == .catalogRumor)
        #expect(Array(frame.body) == Array(Self.bytes(Self.smallPushHex).dropFirst(6)))
        #expect(try Self.decode(.catalogRumor, frame.body) == Self.smallRumor)
    }

    @Test("a digest encodes to its golden bytes, writers in ascending order, and decodes back")
    func goldenDigest() throws {
        let frame = Self.smallDigest.frame
        #expect(frame.tag == .catalogDigest)
        #expect(Array(frame.body) == Self.bytes(Self.smallDigestHex))
        #expect(try Self.decode(.catalogDigest, Self.bytes(Self.smallDigestHex)[...]) == Self.smallDigest)
    }

    @Test("a digest of one writer range encodes its bounds and decodes back; a digest too large for one message splits into ranges that each fit")
    func digestRanges() throws {
        let ranged = CatalogMessage.digest(
            CatalogDigest(
                newestByWriter: [Self.name("n2"): HybridTimestamp(wallMilliseconds: 5, counter: 0)],
                writers: WriterRange(after: Self.name("n1"), through: Self.name("n3"))),
            isRequest: false)
        #expect(Array(ranged.frame.body) == Self.bytes("00 01 02 6e31 01 02 6e33 0001 02 6e32 0000000000000005 00000000"))
        #expect(try Self.decode(.catalogDigest, ranged.frame.body) == ranged)

        let many = CatalogDigest(newestByWriter: Dictionary(uniqueKeysWithValues: (0..<300).map {
            (Self.name("node-with-a-long-cloud-host-name-\($0)"), HybridTimestamp(wallMilliseconds: UInt64($0), counter: 0))
        }))
        let parts = many.split(budget: 1_150, size: CatalogCodec.size(of:))
        #expect(parts.count > 1)
        #expect(parts.allSatisfy { CatalogCodec.size(of: $0) <= 1_150 })
        #expect(parts.reduce(0) { $0 + $1.newestByWriter.count } == 300)
        #expect(parts.first?.writers.after == nil && parts.last?.writers.through == nil)
        for (part, next) in zip(parts, parts.dropFirst()) { #expect(part.writers.through == next.writers.after, "ranges meet") }
        for writer in many.newestByWriter.keys { #expect(parts.filter { $0.writers.contains(writer) }.count == 1, "each writer in one range") }
    }

    // MARK: Round trips and sizes

    static let roundTrips: [CatalogMessage] = [
        .rumor([richService]), .rumor([headlessService]), .push([probedPod], answer: 1, part: 0), .rumor([renamedPod]),
        .push([tombstone], answer: 0, part: 9), richPush, .push([], answer: 3, part: 1), .rumor([]), manyWriters,
        .digest(CatalogDigest(), isRequest: true), smallPush, smallRumor, smallDigest,
    ]

    @Test("every field of Services, Pods, tombstones and digests survives the wire", arguments: roundTrips)
    func roundTrip(_ message: CatalogMessage) throws {
        let frames = try CompoundPacket.unpack(message.payload[...])
        #expect(frames.count == 1)
        #expect(try CatalogMessage(frame: frames[0]) == message)
    }

    @Test("the size functions the shell budgets with are exactly the encoded sizes", arguments: roundTrips)
    func exactSizes(_ message: CatalogMessage) {
        let body = message.frame.body
        #expect(CatalogCodec.size(of: message) == body.count)
        switch message {
        case .push(let entries, _, _), .rumor(let entries):
            for entry in entries {
                #expect(CatalogCodec.size(of: entry) == CatalogMessage.rumor([entry]).frame.body.count - 2, "\(entry.key)")
                #expect(CatalogCodec.size(of: entry) == CatalogMessage.push([entry], answer: 1, part: 1).frame.body.count - 8, "\(entry.key)")
            }
        case .digest(let digest, _):
            #expect(CatalogCodec.size(of: digest) == body.count)
        }
    }

    @Test("the digest of a replica with several writers keeps each writer's newest version")
    func digestOfSeveralWriters() throws {
        guard case .digest(let digest, false) = try Self.decode(.catalogDigest, Self.manyWriters.frame.body) else {
            Issue.record("not a digest")
            return
        }
        #expect(digest.newestByWriter.count == 12)
        #expect(digest.newestByWriter[Self.name("node-7")] == HybridTimestamp(wallMilliseconds: 7 << 40, counter: 7))
    }

    // MARK: Single entries

    @Test("one entry alone encodes to its bytes inside a push and decodes back, with nothing else accepted")
    func singleEntry() throws {
        // The push's golden bytes less its answer, part and count are the entry's bytes.
        let golden = Array(Self.bytes(Self.smallPushHex).dropFirst(8))
        #expect(CatalogCodec.encode(Self.smallPod) == golden)
        #expect(try CatalogCodec.decodeEntry(golden) == Self.smallPod)
        for entry in [Self.richService, Self.headlessService, Self.probedPod, Self.renamedPod, Self.tombstone, Self.rewrittenPod] {
            let bytes = CatalogCodec.encode(entry)
            #expect(bytes.count == CatalogCodec.size(of: entry), "\(entry.key)")
            #expect(try CatalogCodec.decodeEntry(bytes[...]) == entry)
        }
        #expect(throws: DecodeError.trailingBytes(message: "a catalog entry", count: 1)) {
            try CatalogCodec.decodeEntry(golden + [0])
        }
        #expect(throws: DecodeError.self) { try CatalogCodec.decodeEntry(golden.dropLast()) }
        #expect(try CatalogCodec.decodeEntry(CatalogCodec.encode(Self.rewrittenPod)).specVersion == Self.smallPod.version)
        var badMark = golden
        badMark[1 + 1 + 7 + 1 + 3 + 2 * 15] = 2
        #expect(throws: DecodeError.invalid(field: "entry spec mark", offset: 43, reason: "2 is not a spec mark (0 a user write, 1 a rewrite)")) {
            try CatalogCodec.decodeEntry(badMark)
        }
    }

    // MARK: Hostile input

    @Test("every truncation of a rich push is refused with a decode error, never a trap")
    func truncations() {
        let body = Self.richPush.frame.body
        for length in 0..<body.count {
            #expect(throws: DecodeError.self, "the first \(length) of \(body.count) bytes") {
                try Self.decode(.catalogPush, body[..<length])
            }
        }
    }

    @Test("a mutated push or digest is refused, or decodes to a value that encodes to the same bytes")
    func mutations() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("catalog codec mutations: seed \(seed)")
        var random = SeededGenerator(seed: seed)
        for message in [Self.richPush, Self.manyWriters, Self.smallPush] {
            let original = Array(message.frame.body)
            for _ in 0..<3_000 {
                var mutated = original
                let index = Int.random(in: 0..<mutated.count, using: &random)
                mutated[index] ^= UInt8.random(in: 1...255, using: &random)
                do {
                    guard let decoded = try Self.decode(message.tag, mutated[...]) else {
                        Issue.record("a catalog tag decoded to nil, seed \(seed)")
                        continue
                    }
                    #expect(Array(decoded.frame.body) == mutated, "byte \(index) mutated, seed \(seed)")
                } catch {
                    // Refused: what a receiver must do with a datagram it cannot trust.
                }
            }
        }
    }

    static let malformed: [(field: String, hex: String)] = [
        ("entry key kind", "0001 03 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 03 0001 01"),
        ("entry body kind", "0001 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 04 0001 01"),
        ("entry body kind", "0001 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 02 000b 01 01 0000 0000 00 00 0000 00"),
        ("entry body revision", "0001 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 03 0001 00"),
        ("entry body revision", "0001 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 03 0001 02"),
        ("entry version", "0001 01 01 61 01 62 0000000000000001 00000000 01 20 0000000000000001 00000000 01 6e 03 0001 01"),
        ("catalog.rumor entries", "ffff 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 03 0001 01"),
        ("metadata names", "0001 02 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 02 000f 01 02 01 61 01 62 0000 0000 00 00 0000 00"),
        ("metadata labels", "0001 02 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 02 0015 01 01 0002 0001 62 0000 0001 61 0000 0000 00 00 0000 00"),
        ("containerPort protocol", "0001 02 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 02 0013 01 01 0000 0000 00 00 0001 0001 00 1f90 03 00 00 00"),
        ("service type", "0001 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 01 000b 01 01 0000 0000 04 0000 0000"),
    ]

    @Test("malformed fields are refused with the field named", arguments: malformed)
    func malformedField(_ field: String, _ hex: String) {
        do {
            // A rumor's body is a push's without the answer and part numbers.
            _ = try Self.decode(.catalogRumor, Self.bytes(hex)[...])
            Issue.record("decoded although \(field) is malformed")
        } catch {
            guard case .invalid(let named, _, _) = error else {
                Issue.record("expected an invalid \(field), got \(error)")
                return
            }
            #expect(named == field)
        }
    }

    @Test("a digest whose writers are out of order or repeated is refused")
    func digestOrder() {
        for hex in ["00 00 00 0002 02 6e32 0000000000000001 00000000 02 6e31 0000000000000001 00000000",
                    "00 00 00 0002 02 6e31 0000000000000001 00000000 02 6e31 0000000000000002 00000000",
                    // n1 is not after n1; and an empty range.
                    "00 01 02 6e31 00 0001 02 6e31 0000000000000001 00000000",
                    "00 01 02 6e32 01 02 6e31 0000"] {
            #expect(throws: DecodeError.self) { try Self.decode(.catalogDigest, Self.bytes(hex)[...]) }
        }
    }

    @Test("a body of a later revision is read for the fields this build knows, and the rest skipped")
    func laterRevision() throws {
        // A tombstone body of revision 3, carrying a field appended after revision 2's.
        let hex = "00000000 0000 0001 01 01 61 01 62 0000000000000001 00000000 01 6e 0000000000000001 00000000 01 6e 00 03 0004 03 aabbcc"
        let decoded = try Self.decode(.catalogPush, Self.bytes(hex)[...])
        let version = Self.version(1, 0, "n")
        #expect(decoded == .push([CatalogEntry(key: ObjectKey(kind: .service, namespace: "a", name: "b"), version: version, createdAt: version, body: .tombstone)], answer: 0, part: 0))
    }

    // MARK: Registry

    @Test("catalog tags are registered under their names, and other tags are left to their protocols")
    func registry() throws {
        #expect(MessageTag.catalogPush.name == "catalog.push" && MessageTag.catalogPush.rawValue == 9)
        #expect(MessageTag.catalogDigest.name == "catalog.digest" && MessageTag.catalogDigest.rawValue == 10)
        #expect(MessageTag.catalogRumor.name == "catalog.rumor" && MessageTag.catalogRumor.rawValue == 11)
        #expect(try Self.decode(.swimPing, [][...]) == nil)
        #expect(try Self.decode(MessageTag(rawValue: 200), [][...]) == nil)
    }
}

extension CatalogMessage: CustomTestStringConvertible {
    public var testDescription: String {
        switch self {
        case .push(let entries, let answer, let part): "push \(answer).\(part) of \(entries.map(\.key.description))"
        case .rumor(let entries): "rumor of \(entries.map(\.key.description))"
        case .digest(let digest, let isRequest): "digest of \(digest.newestByWriter.count) writers\(isRequest ? ", a request" : "")"
        }
    }
}
