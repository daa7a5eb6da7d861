import Catalog
import ClusterModel

// The fields of a catalog entry's body, revision 1, after its revision byte. Ports are two
// bytes and seconds and thresholds four, the ranges manifests are validated to; `opt X` is
// a presence byte (0 absent, 1 present) and X when present; `map` is the labels layout of
// the membership messages (count (2), then key and value as two-byte-length strings) with
// keys in ascending order, each once.
//
//   service  = metadata | type (1: 1 ClusterIP, 2 NodePort, 3 LoadBalancer) | selector map
//              | count (2) | port... | clusterIP request | session affinity
//              | external traffic policy (1: 1 Cluster, 2 Local) | healthCheckNodePort opt (2)
//              | count (2) | { address (4) | prefix length (1) }...   loadBalancerSourceRanges
//              | allocated clusterIP opt (4) | { allocated nodePort opt (2) }, one per port
//              | clusterIP taken-at opt (version) | { nodePort taken-at opt (version) }, one per
//                port: when the Service took that value, if not at its creation
//              revision 2 appends:
//              | load balancer status (only a Service with one is marked revision 2)
//   load balancer status = parts (1: bit 1 ingress, bit 2 condition; no other bit)
//              | ingress: count (2, at least 1) | { ip opt (4) | hostname opt (string) }...
//              | condition: synced (1) | reason (string) | message (string)
//                | since (8, nanoseconds since the epoch)
//   port     = name opt (short) | protocol | port (2) | target port | nodePort opt (2)
//   clusterIP request = 1 allocate | 2 headless | 3 pinned, address (4)
//   session affinity  = 1 None | 2 ClientIP, timeout seconds (4)
//
//   pod      = metadata | nodeName opt (short) | hostNetwork (1) | count (2) | container...
//              | podIP opt (4) | ready (1: 0 not reported, 1 not ready, 2 ready)
//   container = count (2) | { name opt (short) | containerPort (2) | protocol | hostPort opt (2) }...
//              | readiness probe opt
//   probe    = check (1: 1 tcpSocket, 2 httpGet, path (2-byte length string)) | target port
//              | periodSeconds (4) | failureThreshold (4)
//
//   metadata = names (1: 1 the key's namespace and name, 2 namespace (short) | name (short))
//              | labels map | annotations map
//   target port = 1 number (2) | 2 name (short)
//   protocol = 1 TCP | 2 UDP
//
// The key already names almost every object, so its names are not repeated; explicit names
// equal to the key's are refused, so that every value has one encoding.

enum CatalogObjectCodec {
    static let minimumMapSize = 2
    static let minimumMetadataSize = 1 + 2 * minimumMapSize
    static let minimumServicePortSize = 1 + 1 + 2 + 3 + 1
    static let minimumSourceRangeSize = 5
    static let minimumContainerSize = 2 + 1
    static let minimumContainerPortSize = 1 + 2 + 1 + 1

    // MARK: Services

    static func size(of service: AllocatedService, key: ObjectKey) -> Int {
        let spec = service.service.spec
        var total = Self.size(of: service.service.metadata, key: key) + 1 + MembershipCodec.size(of: spec.selector.matchLabels.values)
        total += 2
        for port in spec.ports {
            total += optionalSize(port.name.map { 1 + $0.utf8.count }) + 1 + 2 + Self.size(of: port.targetPort)
            total += optionalSize(port.nodePort.map { _ in 2 })
        }
        if case .pinned = spec.clusterIP { total += 5 } else { total += 1 }
        if case .clientIP = spec.sessionAffinity { total += 5 } else { total += 1 }
        total += 1 + optionalSize(spec.healthCheckNodePort.map { _ in 2 })
        total += 2 + 5 * spec.loadBalancerSourceRanges.count
        total += optionalSize(service.allocation.clusterIP.map { _ in 4 })
        for nodePort in service.allocation.nodePorts { total += optionalSize(nodePort.map { _ in 2 }) }
        for taken in takenAtSlots(service.allocation) { total += optionalSize(taken.map(CatalogCodec.size(of:))) }
        if revision(of: service) >= 2 { total += size(of: service.loadBalancer) }
        return total
    }

    /// The lowest revision that carries the Service, so that it has one encoding: 2 for a
    /// Service with a load balancer status, 1 otherwise (an empty status costs nothing).
    static func revision(of service: AllocatedService) -> UInt8 {
        service.loadBalancer == LoadBalancerStatus() ? 1 : 2
    }

    static func write(_ allocated: AllocatedService, key: ObjectKey, into writer: inout ByteWriter) {
        let service = allocated.service
        write(service.metadata, key: key, into: &writer)
        writer.write(typeByte(service.spec.type))
        MembershipCodec.write(service.spec.selector.matchLabels.values, into: &writer)
        writer.write(CatalogCodec.countField(service.spec.ports.count, "service ports"))
        for port in service.spec.ports {
            writeOptional(port.name, into: &writer) { $1.writeShortString($0) }
            writer.write(protocolByte(port.protocol))
            writePort(port.port, "service port", into: &writer)
            write(port.targetPort, into: &writer)
            writeOptional(port.nodePort, into: &writer) { writePort($0, "service nodePort", into: &$1) }
        }
        switch service.spec.clusterIP {
        case .allocate: writer.write(UInt8(1))
        case .headless: writer.write(UInt8(2))
        case .pinned(let address):
            writer.write(UInt8(3))
            writer.write(address.value)
        }
        switch service.spec.sessionAffinity {
        case .none: writer.write(UInt8(1))
        case .clientIP(let timeout):
            writer.write(UInt8(2))
            writeSeconds(timeout, "service session affinity timeout", into: &writer)
        }
        writer.write(service.spec.externalTrafficPolicy == .cluster ? UInt8(1) : 2)
        writeOptional(service.spec.healthCheckNodePort, into: &writer) { writePort($0, "service healthCheckNodePort", into: &$1) }
        writer.write(CatalogCodec.countField(service.spec.loadBalancerSourceRanges.count, "service loadBalancerSourceRanges"))
        for network in service.spec.loadBalancerSourceRanges {
            writer.write(network.address.value)
            writer.write(UInt8(network.prefixLength))
        }
        writeOptional(allocated.allocation.clusterIP, into: &writer) { $1.write($0.value) }
        for nodePort in allocated.allocation.nodePorts {
            writeOptional(nodePort, into: &writer) { writePort($0, "allocated nodePort", into: &$1) }
        }
        for taken in takenAtSlots(allocated.allocation) {
            writeOptional(taken, into: &writer) { CatalogCodec.write($0, into: &$1) }
        }
        if revision(of: allocated) >= 2 { write(allocated.loadBalancer, into: &writer) }
    }

    /// The taken-at time of the clusterIP slot, then of each nodePort slot.
    private static func takenAtSlots(_ allocation: ServiceAllocation) -> [CatalogVersion?] {
        [allocation.clusterIP.flatMap { allocation.takenAt[.clusterIP($0)] }]
            + allocation.nodePorts.map { port in port.flatMap { allocation.takenAt[.nodePort($0)] } }
    }

    private static func readTakenAt(
        clusterIP: IPv4?, nodePorts: [Int?], from reader: inout ByteReader
    ) throws(DecodeError) -> [HeldValue: CatalogVersion] {
        var takenAt: [HeldValue: CatalogVersion] = [:]
        let slots: [HeldValue?] = [clusterIP.map(HeldValue.clusterIP)] + nodePorts.map { $0.map(HeldValue.nodePort) }
        for slot in slots {
            let at = reader.offset
            let taken = try readOptional("allocation taken-at", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
                try CatalogCodec.readVersion("allocation taken-at", from: &reader)
            }
            guard let taken else { continue }
            guard let slot else { throw .invalid(field: "allocation taken-at", offset: at, reason: "a time for a value the Service does not hold") }
            if let other = takenAt[slot], other != taken {
                throw .invalid(field: "allocation taken-at", offset: at, reason: "two times for \(slot)")
            }
            takenAt[slot] = taken
        }
        return takenAt
    }

    /// - Parameter revision: the body's; the fields of the revisions up to it that this build
    ///   knows are read.
    static func readService(key: ObjectKey, revision: UInt8, from reader: inout ByteReader) throws(DecodeError) -> AllocatedService {
        let metadata = try readMetadata(key: key, from: &reader)
        let type = try readType(from: &reader)
        let selector = LabelSelector(Labels(try readMap("service selector", from: &reader)))
        let ports = try reader.readArray("service ports", minimumElementSize: minimumServicePortSize) {
            (reader: inout ByteReader) throws(DecodeError) in
            let name = try readOptional("service port name", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
                try reader.readShortString("service port name")
            }
            let transport = try readProtocol("service port protocol", from: &reader)
            let number = Int(try reader.read(UInt16.self, "service port"))
            let target = try readTargetPort("service port targetPort", from: &reader)
            let nodePort = try readOptionalPort("service port nodePort", from: &reader)
            return ServicePort(name: name, protocol: transport, port: number, targetPort: target, nodePort: nodePort)
        }
        let clusterIP = try readClusterIPRequest(from: &reader)
        let affinity = try readSessionAffinity(from: &reader)
        let policy = try readTrafficPolicy(from: &reader)
        let healthCheckNodePort = try readOptionalPort("service healthCheckNodePort", from: &reader)
        let ranges = try reader.readArray("service loadBalancerSourceRanges", minimumElementSize: minimumSourceRangeSize) {
            (reader: inout ByteReader) throws(DecodeError) in
            let at = reader.offset
            let address = IPv4(value: try reader.read(UInt32.self, "service loadBalancerSourceRange"))
            let prefixLength = Int(try reader.readUInt8("service loadBalancerSourceRange"))
            guard let network = IPv4Network(address: address, prefixLength: prefixLength) else {
                throw .invalid(field: "service loadBalancerSourceRange", offset: at, reason: "\(address)/\(prefixLength) is not a network")
            }
            return network
        }
        let allocatedIP = try readOptional("allocated clusterIP", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
            IPv4(value: try reader.read(UInt32.self, "allocated clusterIP"))
        }
        // One slot per port, so the counts agree by construction: no count of its own.
        var nodePorts: [Int?] = []
        nodePorts.reserveCapacity(ports.count)
        for _ in ports { nodePorts.append(try readOptionalPort("allocated nodePort", from: &reader)) }
        let takenAt = try readTakenAt(clusterIP: allocatedIP, nodePorts: nodePorts, from: &reader)
        let loadBalancer = revision >= 2 ? try readLoadBalancerStatus(from: &reader) : LoadBalancerStatus()
        let spec = KubernetesService.Spec(
            type: type, selector: selector, ports: ports, clusterIP: clusterIP, sessionAffinity: affinity,
            externalTrafficPolicy: policy, healthCheckNodePort: healthCheckNodePort, loadBalancerSourceRanges: ranges)
        return AllocatedService(
            service: KubernetesService(metadata: metadata, spec: spec),
            allocation: ServiceAllocation(clusterIP: allocatedIP, nodePorts: nodePorts, takenAt: takenAt),
            loadBalancer: loadBalancer)
    }

    // MARK: Load balancer status

    private enum StatusPart {
        static let ingress: UInt8 = 1
        static let condition: UInt8 = 2
    }

    static let minimumIngressSize = 2

    private static func size(of status: LoadBalancerStatus) -> Int {
        var total = 1
        if !status.ingress.isEmpty {
            total += 2
            for ingress in status.ingress {
                total += optionalSize(ingress.ip.map { _ in 4 }) + optionalSize(ingress.hostname.map { 2 + $0.utf8.count })
            }
        }
        if let condition = status.condition { total += 1 + 2 + condition.reason.utf8.count + 2 + condition.message.utf8.count + 8 }
        return total
    }

    private static func write(_ status: LoadBalancerStatus, into writer: inout ByteWriter) {
        writer.write((status.ingress.isEmpty ? 0 : StatusPart.ingress) | (status.condition == nil ? 0 : StatusPart.condition))
        if !status.ingress.isEmpty {
            writer.write(CatalogCodec.countField(status.ingress.count, "load balancer ingress"))
            for ingress in status.ingress {
                writeOptional(ingress.ip, into: &writer) { $1.write($0.value) }
                writeOptional(ingress.hostname, into: &writer) { $1.writeString($0) }
            }
        }
        if let condition = status.condition {
            writer.write(condition.synced)
            writer.writeString(condition.reason)
            writer.writeString(condition.message)
            writer.write(condition.since.nanosecondsSinceEpoch)
        }
    }

    private static func readLoadBalancerStatus(from reader: inout ByteReader) throws(DecodeError) -> LoadBalancerStatus {
        let at = reader.offset
        let parts = try reader.readUInt8("load balancer status")
        guard parts & ~(StatusPart.ingress | StatusPart.condition) == 0 else {
            throw .invalid(field: "load balancer status", offset: at, reason: "\(parts) names parts other than 1 (ingress) and 2 (condition)")
        }
        var status = LoadBalancerStatus()
        if parts & StatusPart.ingress != 0 {
            let countAt = reader.offset
            status.ingress = try reader.readArray("load balancer ingress", minimumElementSize: minimumIngressSize) {
                (reader: inout ByteReader) throws(DecodeError) in
                let ip = try readOptional("load balancer ingress ip", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
                    IPv4(value: try reader.read(UInt32.self, "load balancer ingress ip"))
                }
                let hostname = try readOptional("load balancer ingress hostname", from: &reader) {
                    (reader: inout ByteReader) throws(DecodeError) in try reader.readString("load balancer ingress hostname")
                }
                return LoadBalancerIngress(ip: ip, hostname: hostname)
            }
            // No ingress is said by the parts byte, never by an empty list: one encoding.
            guard !status.ingress.isEmpty else {
                throw .invalid(field: "load balancer ingress", offset: countAt, reason: "an empty list marked present")
            }
        }
        if parts & StatusPart.condition != 0 {
            let synced = try reader.readBool("load balancer condition status")
            let reason = try reader.readString("load balancer condition reason")
            let message = try reader.readString("load balancer condition message")
            let since = Timestamp(nanosecondsSinceEpoch: try reader.read(UInt64.self, "load balancer condition since"))
            status.condition = LoadBalancerCondition(synced: synced, reason: reason, message: message, since: since)
        }
        return status
    }

    private static func typeByte(_ type: ServiceType) -> UInt8 {
        switch type {
        case .clusterIP: 1
        case .nodePort: 2
        case .loadBalancer: 3
        }
    }

    private static func readType(from reader: inout ByteReader) throws(DecodeError) -> ServiceType {
        let at = reader.offset
        switch try reader.readUInt8("service type") {
        case 1: return .clusterIP
        case 2: return .nodePort
        case 3: return .loadBalancer
        case let other: throw .invalid(field: "service type", offset: at, reason: "\(other) is not a type (1 ClusterIP, 2 NodePort, 3 LoadBalancer)")
        }
    }

    private static func readClusterIPRequest(from reader: inout ByteReader) throws(DecodeError) -> ClusterIPRequest {
        let at = reader.offset
        switch try reader.readUInt8("service clusterIP") {
        case 1: return .allocate
        case 2: return .headless
        case 3: return .pinned(IPv4(value: try reader.read(UInt32.self, "service clusterIP")))
        case let other: throw .invalid(field: "service clusterIP", offset: at, reason: "\(other) is not a request (1 allocate, 2 headless, 3 pinned)")
        }
    }

    private static func readSessionAffinity(from reader: inout ByteReader) throws(DecodeError) -> SessionAffinity {
        let at = reader.offset
        switch try reader.readUInt8("service sessionAffinity") {
        case 1: return .none
        case 2: return .clientIP(timeoutSeconds: Int(try reader.read(UInt32.self, "service sessionAffinity")))
        case let other: throw .invalid(field: "service sessionAffinity", offset: at, reason: "\(other) is not an affinity (1 None, 2 ClientIP)")
        }
    }

    private static func readTrafficPolicy(from reader: inout ByteReader) throws(DecodeError) -> ExternalTrafficPolicy {
        let at = reader.offset
        switch try reader.readUInt8("service externalTrafficPolicy") {
        case 1: return .cluster
        case 2: return .local
        case let other: throw .invalid(field: "service externalTrafficPolicy", offset: at, reason: "\(other) is not a policy (1 Cluster, 2 Local)")
        }
    }

    // MARK: Pods

    static func size(of pod: Pod, key: ObjectKey) -> Int {
        var total = Self.size(of: pod.metadata, key: key) + optionalSize(pod.spec.nodeName.map(MembershipCodec.size(of:))) + 1
        total += 2
        for container in pod.spec.containers {
            total += 2
            for port in container.ports {
                total += optionalSize(port.name.map { 1 + $0.utf8.count }) + 2 + 1 + optionalSize(port.hostPort.map { _ in 2 })
            }
            total += optionalSize(container.readinessProbe.map(Self.size(of:)))
        }
        return total + optionalSize(pod.status.podIP.map { _ in 4 }) + 1
    }

    static func write(_ pod: Pod, key: ObjectKey, into writer: inout ByteWriter) {
        write(pod.metadata, key: key, into: &writer)
        writeOptional(pod.spec.nodeName, into: &writer) { MembershipCodec.write($0, into: &$1) }
        writer.write(pod.spec.hostNetwork)
        writer.write(CatalogCodec.countField(pod.spec.containers.count, "pod containers"))
        for container in pod.spec.containers {
            writer.write(CatalogCodec.countField(container.ports.count, "pod container ports"))
            for port in container.ports {
                writeOptional(port.name, into: &writer) { $1.writeShortString($0) }
                writePort(port.containerPort, "containerPort", into: &writer)
                writer.write(protocolByte(port.protocol))
                writeOptional(port.hostPort, into: &writer) { writePort($0, "hostPort", into: &$1) }
            }
            writeOptional(container.readinessProbe, into: &writer) { write($0, into: &$1) }
        }
        writeOptional(pod.status.podIP, into: &writer) { $1.write($0.value) }
        writer.write(UInt8(pod.status.ready.map { $0 ? 2 : 1 } ?? 0))
    }

    static func readPod(key: ObjectKey, from reader: inout ByteReader) throws(DecodeError) -> Pod {
        let metadata = try readMetadata(key: key, from: &reader)
        let nodeName = try readOptional("pod nodeName", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
            try MembershipCodec.readName("pod nodeName", from: &reader)
        }
        let hostNetwork = try reader.readBool("pod hostNetwork")
        let containers = try reader.readArray("pod containers", minimumElementSize: minimumContainerSize) {
            (reader: inout ByteReader) throws(DecodeError) in
            let ports = try reader.readArray("pod container ports", minimumElementSize: minimumContainerPortSize) {
                (reader: inout ByteReader) throws(DecodeError) in
                let name = try readOptional("containerPort name", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
                    try reader.readShortString("containerPort name")
                }
                let number = Int(try reader.read(UInt16.self, "containerPort"))
                let transport = try readProtocol("containerPort protocol", from: &reader)
                let hostPort = try readOptionalPort("hostPort", from: &reader)
                return Pod.ContainerPort(name: name, containerPort: number, protocol: transport, hostPort: hostPort)
            }
            let probe = try readOptional("readinessProbe", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
                try readProbe(from: &reader)
            }
            return Pod.Container(ports: ports, readinessProbe: probe)
        }
        let podIP = try readOptional("pod podIP", from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
            IPv4(value: try reader.read(UInt32.self, "pod podIP"))
        }
        let readyAt = reader.offset
        let ready: Bool?
        switch try reader.readUInt8("pod ready") {
        case 0: ready = nil
        case 1: ready = false
        case 2: ready = true
        case let other: throw .invalid(field: "pod ready", offset: readyAt, reason: "\(other) is not a readiness (0 not reported, 1 not ready, 2 ready)")
        }
        return Pod(
            metadata: metadata, spec: Pod.Spec(nodeName: nodeName, hostNetwork: hostNetwork, containers: containers),
            status: Pod.Status(podIP: podIP, ready: ready))
    }

    private static func size(of probe: ReadinessProbe) -> Int {
        let check =
            switch probe.check {
            case .tcpSocket(let port): 1 + size(of: port)
            case .httpGet(let path, let port): 1 + 2 + path.utf8.count + size(of: port)
            }
        return check + 4 + 4
    }

    private static func write(_ probe: ReadinessProbe, into writer: inout ByteWriter) {
        switch probe.check {
        case .tcpSocket(let port):
            writer.write(UInt8(1))
            write(port, into: &writer)
        case .httpGet(let path, let port):
            writer.write(UInt8(2))
            writer.writeString(path)
            write(port, into: &writer)
        }
        writeSeconds(probe.periodSeconds, "readinessProbe periodSeconds", into: &writer)
        writeSeconds(probe.failureThreshold, "readinessProbe failureThreshold", into: &writer)
    }

    private static func readProbe(from reader: inout ByteReader) throws(DecodeError) -> ReadinessProbe {
        let at = reader.offset
        let check: ReadinessProbe.Check
        switch try reader.readUInt8("readinessProbe check") {
        case 1:
            check = .tcpSocket(port: try readTargetPort("readinessProbe port", from: &reader))
        case 2:
            let path = try reader.readString("readinessProbe path")
            check = .httpGet(path: path, port: try readTargetPort("readinessProbe port", from: &reader))
        case let other:
            throw .invalid(field: "readinessProbe check", offset: at, reason: "\(other) is not a check (1 tcpSocket, 2 httpGet)")
        }
        let period = Int(try reader.read(UInt32.self, "readinessProbe periodSeconds"))
        let threshold = Int(try reader.read(UInt32.self, "readinessProbe failureThreshold"))
        return ReadinessProbe(check: check, periodSeconds: period, failureThreshold: threshold)
    }

    // MARK: Shared fields

    private static func size(of metadata: ObjectMetadata, key: ObjectKey) -> Int {
        let names = namesAreTheKeys(metadata, key) ? 1 : 1 + 1 + metadata.namespace.utf8.count + 1 + metadata.name.utf8.count
        return names + MembershipCodec.size(of: metadata.labels.values) + MembershipCodec.size(of: metadata.annotations)
    }

    /// Byte for byte, not by `String`'s Unicode equivalence: every name keeps its own bytes.
    private static func namesAreTheKeys(_ metadata: ObjectMetadata, _ key: ObjectKey) -> Bool {
        metadata.namespace.utf8.elementsEqual(key.namespace.utf8) && metadata.name.utf8.elementsEqual(key.name.utf8)
    }

    private static func write(_ metadata: ObjectMetadata, key: ObjectKey, into writer: inout ByteWriter) {
        if namesAreTheKeys(metadata, key) {
            writer.write(UInt8(1))
        } else {
            writer.write(UInt8(2))
            writer.writeShortString(metadata.namespace)
            writer.writeShortString(metadata.name)
        }
        MembershipCodec.write(metadata.labels.values, into: &writer)
        MembershipCodec.write(metadata.annotations, into: &writer)
    }

    private static func readMetadata(key: ObjectKey, from reader: inout ByteReader) throws(DecodeError) -> ObjectMetadata {
        let at = reader.offset
        var metadata: ObjectMetadata
        switch try reader.readUInt8("metadata names") {
        case 1:
            metadata = ObjectMetadata(name: key.name, namespace: key.namespace)
        case 2:
            let namespace = try reader.readShortString("metadata namespace")
            metadata = ObjectMetadata(name: try reader.readShortString("metadata name"), namespace: namespace)
            guard !namesAreTheKeys(metadata, key) else {
                throw .invalid(field: "metadata names", offset: at, reason: "explicit names equal to the key's")
            }
        case let other:
            throw .invalid(field: "metadata names", offset: at, reason: "\(other) is neither 1 (the key's) nor 2 (explicit)")
        }
        metadata.labels = Labels(try readMap("metadata labels", from: &reader))
        metadata.annotations = try readMap("metadata annotations", from: &reader)
        return metadata
    }

    /// Like the membership labels, but a map out of order is refused: it is not what any
    /// writer sends, and it would decode to a value that encodes differently.
    private static func readMap(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> [String: String] {
        let at = reader.offset
        let pairs = try reader.readArray(field, minimumElementSize: 4) { (reader: inout ByteReader) throws(DecodeError) in
            (try reader.readString(field), try reader.readString(field))
        }
        guard !pairs.isEmpty else { return [:] }
        var map: [String: String] = [:]
        map.reserveCapacity(pairs.count)
        for (index, (key, value)) in pairs.enumerated() {
            if index > 0, !(pairs[index - 1].0 < key) {
                throw .invalid(field: "\(field)", offset: at, reason: "the key \"\(key)\" is out of order or repeated")
            }
            map[key] = value
        }
        return map
    }

    private static func size(of port: TargetPort) -> Int {
        switch port {
        case .number: 1 + 2
        case .name(let name): 1 + 1 + name.utf8.count
        }
    }

    private static func write(_ port: TargetPort, into writer: inout ByteWriter) {
        switch port {
        case .number(let number):
            writer.write(UInt8(1))
            writePort(number, "target port", into: &writer)
        case .name(let name):
            writer.write(UInt8(2))
            writer.writeShortString(name)
        }
    }

    private static func readTargetPort(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> TargetPort {
        let at = reader.offset
        switch try reader.readUInt8(field) {
        case 1: return .number(Int(try reader.read(UInt16.self, field)))
        case 2: return .name(try reader.readShortString(field))
        case let other: throw .invalid(field: "\(field)", offset: at, reason: "\(other) is neither 1 (number) nor 2 (name)")
        }
    }

    private static func protocolByte(_ transport: TransportProtocol) -> UInt8 {
        switch transport {
        case .tcp: 1
        case .udp: 2
        }
    }

    private static func readProtocol(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> TransportProtocol {
        let at = reader.offset
        switch try reader.readUInt8(field) {
        case 1: return .tcp
        case 2: return .udp
        case let other: throw .invalid(field: "\(field)", offset: at, reason: "\(other) is not a protocol (1 TCP, 2 UDP)")
        }
    }

    /// Manifests allow 1–65535; a model value outside two bytes is a bug, not input.
    private static func writePort(_ port: Int, _ field: StaticString, into writer: inout ByteWriter) {
        precondition((0...Int(UInt16.max)).contains(port), "\(field) \(port) does not fit two bytes")
        writer.write(UInt16(port))
    }

    private static func writeSeconds(_ value: Int, _ field: StaticString, into writer: inout ByteWriter) {
        precondition((0...Int(UInt32.max)).contains(value), "\(field) \(value) does not fit four bytes")
        writer.write(UInt32(value))
    }

    private static func readOptionalPort(_ field: StaticString, from reader: inout ByteReader) throws(DecodeError) -> Int? {
        try readOptional(field, from: &reader) { (reader: inout ByteReader) throws(DecodeError) in
            Int(try reader.read(UInt16.self, field))
        }
    }

    private static func optionalSize(_ size: Int?) -> Int { 1 + (size ?? 0) }

    private static func writeOptional<Value>(
        _ value: Value?, into writer: inout ByteWriter, _ write: (Value, inout ByteWriter) -> Void
    ) {
        guard let value else {
            writer.write(false)
            return
        }
        writer.write(true)
        write(value, &writer)
    }

    private static func readOptional<Value>(
        _ field: StaticString, from reader: inout ByteReader, _ read: (inout ByteReader) throws(DecodeError) -> Value
    ) throws(DecodeError) -> Value? {
        try reader.readBool(field) ? try read(&reader) : nil
    }
}
