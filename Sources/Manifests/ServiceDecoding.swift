import ClusterModel
import Yams

/// `kind: Service`, per SPEC.md §4 and Kubernetes' own validation of the same fields.
enum ServiceDecoding {
    static func decode(_ object: ManifestMapping) throws(ManifestError) -> KubernetesService {
        let metadata = try ObjectMetadataDecoding.decode(
            object.require("metadata", "a mapping with at least name"), nameRule: .dns1035Label, annotations: true)
        let specField = try object.require("spec", "a mapping with at least ports")
        let spec = try decodeSpec(specField.mapping())
        object.ignoreRest()
        return KubernetesService(metadata: metadata, spec: spec)
    }

    private static func decodeSpec(_ spec: ManifestMapping) throws(ManifestError) -> KubernetesService.Spec {
        var result = KubernetesService.Spec()
        if let field = spec.take("type") { result.type = try field.word(ServiceType.self, what: "Service type") }
        if let field = spec.take("selector") { result.selector = LabelSelector(Labels(try field.stringMap(validatingLabels: true))) }
        if let field = spec.take("clusterIP") { result.clusterIP = try clusterIP(field, type: result.type) }
        if let field = spec.take("ports") {
            result.ports = try ports(field, type: result.type)
        }
        if result.ports.isEmpty && result.clusterIP != .headless {
            let at = spec.take("ports") ?? spec.field
            throw ManifestError(
                file: at.reading.file, line: at.line, field: at.reading.fieldPrefix + "spec.ports",
                message: "required (expected at least one port, such as - port: 80)")
        }
        if let field = spec.take("sessionAffinity") {
            switch try field.string(expected: "None or ClientIP") {
            case "None": result.sessionAffinity = .none
            case "ClientIP": result.sessionAffinity = .clientIP(timeoutSeconds: SessionAffinity.defaultTimeoutSeconds)
            case let other: throw field.error("\(quoted(other)) is not a valid session affinity (expected None or ClientIP)")
            }
        }
        if let field = spec.take("sessionAffinityConfig") {
            result.sessionAffinity = try sessionAffinityConfig(field, affinity: result.sessionAffinity)
        }
        if let field = spec.take("externalTrafficPolicy") {
            result.externalTrafficPolicy = try field.word(ExternalTrafficPolicy.self, what: "external traffic policy")
            guard result.type.hasNodePorts else {
                throw field.error("may only be set when spec.type is NodePort or LoadBalancer (spec.type is ClusterIP)")
            }
        }
        if let field = spec.take("healthCheckNodePort") {
            result.healthCheckNodePort = try field.int(in: 1...65535, what: "port")
            guard result.type == .loadBalancer, result.externalTrafficPolicy == .local else {
                throw field.error("may only be set when spec.type is LoadBalancer and spec.externalTrafficPolicy is Local")
            }
        }
        if let field = spec.take("loadBalancerSourceRanges") {
            result.loadBalancerSourceRanges = try sourceRanges(field)
            guard result.type == .loadBalancer || result.loadBalancerSourceRanges.isEmpty else {
                throw field.error("may only be set when spec.type is LoadBalancer (spec.type is \(result.type.rawValue))")
            }
        }
        spec.ignoreRest()
        return result
    }

    private static func clusterIP(_ field: ManifestField, type: ServiceType) throws(ManifestError) -> ClusterIPRequest {
        let text = try field.string(expected: "an IPv4 address, or None for a headless Service")
        switch text {
        case "": return .allocate
        case "None":
            guard !type.hasNodePorts else {
                throw field.error("may not be None when spec.type is \(type.rawValue) (expected an IPv4 address, or no clusterIP to have one allocated)")
            }
            return .headless
        default:
            guard let address = IPv4(text) else {
                throw field.error("\(quoted(text)) is not a valid cluster IP (expected an IPv4 address such as 10.96.0.10, or None for a headless Service)")
            }
            return .pinned(address)
        }
    }

    private static func ports(_ field: ManifestField, type: ServiceType) throws(ManifestError) -> [ServicePort] {
        let elements = try field.sequence()
        var ports: [ServicePort] = []
        var firstWithName: [String: Int] = [:]
        var firstWithPort: [String: Int] = [:]
        var firstWithNodePort: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let mapping = try element.mapping()
            var port = ServicePort(port: 0)
            if let name = mapping.take("name") {
                let text = try name.string()
                guard KubernetesNames.isDNS1123Label(text) else {
                    throw name.error("\(quoted(text)) is not a valid port name (expected at most 63 of a-z, 0-9 and -, starting and ending with a letter or digit)")
                }
                if let first = firstWithName[text] {
                    throw name.error("\(quoted(text)) is already the name of \(field.path)[\(first)] (expected each port to have its own name)")
                }
                firstWithName[text] = index
                port.name = text
            } else if elements.count > 1 {
                throw ManifestError(
                    file: element.reading.file, line: element.line, field: element.reading.fieldPrefix + "\(element.path).name",
                    message: "required when a Service has more than one port (expected a name such as http)")
            }
            if let value = mapping.take("protocol") { port.protocol = try value.word(TransportProtocol.self, what: "protocol") }
            port.port = try mapping.require("port", "a port number, 1–65535").int(in: 1...65535, what: "port")
            port.targetPort = .number(port.port)
            if let value = mapping.take("targetPort") { port.targetPort = try targetPort(value) }
            if let value = mapping.take("nodePort") {
                let number = try value.int(in: 1...65535, what: "port")
                guard type.hasNodePorts else {
                    throw value.error("may not be set when spec.type is ClusterIP (expected type NodePort or LoadBalancer, or no nodePort)")
                }
                let identity = "\(number)/\(port.protocol.rawValue)"
                if let first = firstWithNodePort[identity] {
                    throw value.error("\(number)/\(port.protocol.rawValue) is already the nodePort of \(field.path)[\(first)] (expected each port its own)")
                }
                firstWithNodePort[identity] = index
                port.nodePort = number
            }
            let identity = "\(port.port)/\(port.protocol.rawValue)"
            if let first = firstWithPort[identity] {
                throw (mapping.take("port") ?? element).error(
                    "\(identity) is already the port of \(field.path)[\(first)] (expected each port and protocol once)")
            }
            firstWithPort[identity] = index
            mapping.ignoreRest()
            ports.append(port)
        }
        return ports
    }

    private static func sessionAffinityConfig(_ field: ManifestField, affinity: SessionAffinity) throws(ManifestError) -> SessionAffinity {
        guard affinity != .none else {
            throw field.error("may only be set when spec.sessionAffinity is ClientIP")
        }
        let config = try field.mapping()
        var result = affinity
        if let clientIP = config.take("clientIP") {
            let clientIPMapping = try clientIP.mapping()
            if let timeout = clientIPMapping.take("timeoutSeconds") {
                result = .clientIP(timeoutSeconds: try timeout.int(in: 1...SessionAffinity.maximumTimeoutSeconds, what: "timeout in seconds"))
            }
            clientIPMapping.ignoreRest()
        }
        config.ignoreRest()
        return result
    }

    private static func sourceRanges(_ field: ManifestField) throws(ManifestError) -> [IPv4Network] {
        var ranges: [IPv4Network] = []
        for element in try field.sequence() {
            let text = try element.string(expected: "an IPv4 network such as 203.0.113.0/24")
            guard let network = IPv4Network(text) else {
                throw element.error("\(quoted(text)) is not a valid source range (expected an IPv4 network such as 203.0.113.0/24, with no bits set past the prefix)")
            }
            ranges.append(network)
        }
        return ranges
    }

    static func targetPort(_ field: ManifestField) throws(ManifestError) -> TargetPort {
        let expected = "a port number (1–65535) or the name of a container port"
        if case .scalar = field.node, field.node.tag == Tag(.int) {
            return .number(try field.int(in: 1...65535, what: "port"))
        }
        let name = try field.string(expected: expected)
        guard KubernetesNames.isPortName(name) else {
            throw field.error("\(quoted(name)) is not a valid port name (expected \(expected): at most 15 of a-z, 0-9 and -, with at least one letter)")
        }
        return .name(name)
    }
}
