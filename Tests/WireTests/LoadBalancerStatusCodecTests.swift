import Catalog
import ClusterModel
import Testing
import Wire

/// A Service's load balancer status on the wire and on disk: body revision 2.
@Suite("A load balancer status on the wire")
struct LoadBalancerStatusCodecTests {
    typealias Golden = CatalogCodecTests

    /// A LoadBalancer Service as the agent at fa66cb8 (before the status existed) encoded it,
    /// byte for byte: what its catalog journal and snapshot hold after an upgrade.
    static let previousReleaseHex = """
        01 07 64656661756c74 03 776562
        0000018bcfe56800 00000002 02 6e31
        0000018bcfe56800 00000001 02 6e31
        00
        01 0032
          01
          01 0000 0000
          03
          0001 0003 617070 0003 776562
          0001 01 04 68747470 01 0050 01 1f90 00
          01 01 01 00 0000
          01 0a60000a 01 7530
          00 00
        """

    static let key = ObjectKey(kind: .service, namespace: "default", name: "web")

    static let pendingService = AllocatedService(
        service: KubernetesService(
            metadata: ObjectMetadata(name: "web"),
            spec: KubernetesService.Spec(
                type: .loadBalancer, selector: ["app": "web"], ports: [ServicePort(name: "http", port: 80, targetPort: .number(8080))])),
        allocation: ServiceAllocation(clusterIP: IPv4(10, 96, 0, 10), nodePorts: [30000]))

    static func entry(_ status: LoadBalancerStatus, rewrite: Bool = true) -> CatalogEntry {
        var service = pendingService
        service.loadBalancer = status
        // The previous release's user write, or the leader's rewrite of it.
        let applied = Golden.version(1_700_000_000_000, 2, "n1")
        return CatalogEntry(
            key: key, version: rewrite ? Golden.version(1_700_000_000_500, 0, "leader-1") : applied,
            createdAt: Golden.version(1_700_000_000_000, 1, "n1"), specVersion: rewrite ? applied : nil, body: .service(service))
    }

    static let since = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_123_456_789)

    static let statuses: [LoadBalancerStatus] = [
        LoadBalancerStatus(
            ingress: [LoadBalancerIngress(ip: IPv4(203, 0, 113, 7))],
            condition: LoadBalancerCondition(synced: true, reason: LoadBalancerCondition.ensured, message: "", since: since)),
        LoadBalancerStatus(
            ingress: [LoadBalancerIngress(hostname: "k8s-default-web-0123456789.elb.us-east-1.amazonaws.com")],
            condition: LoadBalancerCondition(synced: true, reason: LoadBalancerCondition.ensured, message: "Ensured load balancer", since: since)),
        LoadBalancerStatus(
            ingress: [LoadBalancerIngress(ip: IPv4(198, 51, 100, 1), hostname: "lb.example.com"), LoadBalancerIngress(ip: IPv4(198, 51, 100, 2))]),
        LoadBalancerStatus(
            condition: LoadBalancerCondition(
                synced: false, reason: LoadBalancerCondition.failed, message: "ValidationError: subnet-0abc does not exist — é", since: since)),
    ]

    @Test("an entry the previous release wrote, without a status, still decodes, to a pending status, and re-encodes to the same bytes")
    func previousRelease() throws {
        let bytes = Golden.bytes(Self.previousReleaseHex)
        let decoded = try CatalogCodec.decodeEntry(bytes)
        #expect(decoded.key == Self.key && decoded.isUserWrite)
        #expect(decoded.service == Self.pendingService)
        #expect(decoded.service?.loadBalancer == LoadBalancerStatus())
        #expect(CatalogCodec.encode(decoded) == bytes)
    }

    @Test("an empty status costs nothing: the body stays revision 1, readable by agents that predate the status")
    func emptyStatusCostsNothing() {
        let bytes = CatalogCodec.encode(Self.entry(LoadBalancerStatus(), rewrite: false))
        let previous = Golden.bytes(Self.previousReleaseHex)
        #expect(bytes.count == previous.count)
        #expect(bytes[(bytes.count - 50)...].first == 1, "the revision byte")
    }

    @Test("a status is appended to the service body as revision 2: parts, ingress, condition")
    func golden() {
        let status = LoadBalancerStatus(
            ingress: [LoadBalancerIngress(ip: IPv4(203, 0, 113, 7))],
            condition: LoadBalancerCondition(synced: false, reason: "R", message: "m", since: Timestamp(nanosecondsSinceEpoch: 5)))
        let bytes = CatalogCodec.encode(Self.entry(status, rewrite: false))
        let previous = Golden.bytes(Self.previousReleaseHex)
        let appended = Golden.bytes("03 0001 01 cb007107 00  00 0001 52 0001 6d 0000000000000005")
        // Same header; the body length grows by the status, the revision is 2.
        #expect(Array(bytes[..<(previous.count - 52)]) == Array(previous[..<(previous.count - 52)]))
        #expect(Array(bytes[(previous.count - 52)..<(previous.count - 49)]) == [0x00, UInt8(50 + appended.count), 0x02])
        #expect(Array(bytes[(previous.count - 49)..<(previous.count)]) == Array(previous[(previous.count - 49)...]))
        #expect(Array(bytes[previous.count...]) == appended)
    }

    @Test("ip and hostname ingress, a synced and a failed condition with message and time, survive the wire at their exact sizes", arguments: statuses)
    func roundTrip(_ status: LoadBalancerStatus) throws {
        for message in [CatalogMessage.rumor([Self.entry(status)]), .push([Self.entry(status), Golden.smallPod], answer: 1, part: 0)] {
            let frames = try CompoundPacket.unpack(message.payload[...])
            #expect(try CatalogMessage(frame: frames[0]) == message)
            #expect(CatalogCodec.size(of: message) == message.frame.body.count)
        }
        let entry = Self.entry(status)
        #expect(try CatalogCodec.decodeEntry(CatalogCodec.encode(entry)) == entry)
        #expect(CatalogCodec.size(of: entry) == CatalogCodec.encode(entry).count)
    }

    /// The previous release's entry with its body replaced: revision byte, then fields.
    static func withBody(_ revision: UInt8, _ fieldsHex: String, bodyKind: UInt8 = 1) -> [UInt8] {
        let previous = Golden.bytes(previousReleaseHex)
        let header = Array(previous[..<(previous.count - 53)])
        let fields = Array(previous[(previous.count - 49)...]) + Golden.bytes(fieldsHex)
        let length = UInt16(1 + fields.count)
        return header + [bodyKind, UInt8(length >> 8), UInt8(length & 0xff), revision] + fields
    }

    @Test("a status has one encoding: an empty one marked revision 2, an unknown part, an empty ingress list marked present are refused")
    func oneEncoding() throws {
        #expect(try CatalogCodec.decodeEntry(Self.withBody(2, "01 0001 01 cb007107 00")).service?.loadBalancer.ingress.count == 1)
        for (hex, field) in [
            ("00", "entry body revision"), ("04", "load balancer status"), ("01 0000", "load balancer ingress"),
        ] {
            #expect(throws: DecodeError.self, "\(hex)") { try CatalogCodec.decodeEntry(Self.withBody(2, hex)) }
            do { _ = try CatalogCodec.decodeEntry(Self.withBody(2, hex)) } catch {
                guard case .invalid(let named, _, _) = error else { Issue.record("\(error)"); continue }
                #expect(named == field, "\(hex)")
            }
        }
        // Revision 1 never carries a status: the bytes after its fields are refused.
        #expect(throws: DecodeError.self) { try CatalogCodec.decodeEntry(Self.withBody(1, "01 0001 01 cb007107 00")) }
    }

    @Test("a pod or a tombstone marked revision 2 is refused: it has no revision 2 fields, and revision 1 is its one encoding")
    func podsStayRevisionOne() throws {
        var pod = CatalogCodec.encode(Golden.smallPod)
        let revisionAt = pod.count - 0x3c
        #expect(pod[revisionAt] == 1)
        pod[revisionAt] = 2
        #expect(throws: DecodeError.self) { try CatalogCodec.decodeEntry(pod) }
    }

    @Test("a mutated status is refused, or decodes to a value that encodes to the same bytes")
    func mutations() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("load balancer status mutations: seed \(seed)")
        var random = SeededGenerator(seed: seed)
        for status in Self.statuses {
            let original = CatalogCodec.encode(Self.entry(status))
            for _ in 0..<1_000 {
                var mutated = original
                let index = Int.random(in: 0..<mutated.count, using: &random)
                mutated[index] ^= UInt8.random(in: 1...255, using: &random)
                guard let decoded = try? CatalogCodec.decodeEntry(mutated) else { continue }
                #expect(CatalogCodec.encode(decoded) == mutated, "byte \(index) mutated, seed \(seed)")
            }
        }
    }
}
