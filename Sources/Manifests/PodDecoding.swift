import ClusterModel

/// `kind: Pod`, per SPEC.md §4: where it runs, its ports, its readiness probes, its address.
enum PodDecoding {
    static func decode(_ object: ManifestMapping) throws(ManifestError) -> Pod {
        let metadata = try ObjectMetadataDecoding.decode(
            object.require("metadata", "a mapping with at least name"), nameRule: .dns1123Subdomain, annotations: false)
        let specField = try object.require("spec", "a mapping with at least containers")
        let spec = try decodeSpec(specField.mapping())
        var status = Pod.Status()
        let statusField = object.take("status")
        if let statusField {
            let mapping = try statusField.mapping()
            if let podIP = mapping.take("podIP") {
                let text = try podIP.string(expected: "an IPv4 address such as 10.244.1.5")
                guard let address = IPv4(text) else {
                    throw podIP.error("\(quoted(text)) is not a valid Pod IP (expected an IPv4 address such as 10.244.1.5)")
                }
                status.podIP = address
            }
            mapping.ignoreRest()
        }
        if status.podIP == nil && !spec.hostNetwork {
            let at = statusField ?? object.field
            throw ManifestError(
                file: at.reading.file, line: at.line, field: at.reading.fieldPrefix + "status.podIP",
                message: "required unless spec.hostNetwork is true (expected the Pod's IPv4 address, such as 10.244.1.5)")
        }
        object.ignoreRest()
        return Pod(metadata: metadata, spec: spec, status: status)
    }

    private static func decodeSpec(_ spec: ManifestMapping) throws(ManifestError) -> Pod.Spec {
        var result = Pod.Spec()
        if let field = spec.take("nodeName") {
            let text = try field.string(expected: "a node name")
            do {
                result.nodeName = try NodeName(text)
            } catch {
                throw field.error("\(quoted(text)) is not a valid node name (\(error))")
            }
        }
        if let field = spec.take("hostNetwork") { result.hostNetwork = try field.bool() }
        let containers = try spec.require("containers", "a list of at least one container")
        var portNames: [String: String] = [:]
        for element in try containers.sequence() {
            result.containers.append(try container(element, portNames: &portNames))
        }
        if result.containers.isEmpty {
            throw containers.error("expected at least one container")
        }
        spec.ignoreRest()
        return result
    }

    private static func container(_ field: ManifestField, portNames: inout [String: String]) throws(ManifestError) -> Pod.Container {
        let mapping = try field.mapping()
        var container = Pod.Container()
        if let ports = mapping.take("ports") {
            for element in try ports.sequence() {
                let port = try containerPort(element)
                if let name = port.name {
                    if let first = portNames[name] {
                        throw element.error("\(quoted(name)) is already the name of \(first) (expected each port of a Pod to have its own name)")
                    }
                    portNames[name] = element.path
                }
                container.ports.append(port)
            }
        }
        if let probe = mapping.take("readinessProbe") {
            container.readinessProbe = try readinessProbe(probe, ports: container.ports)
        }
        mapping.ignoreRest()
        return container
    }

    private static func containerPort(_ field: ManifestField) throws(ManifestError) -> Pod.ContainerPort {
        let mapping = try field.mapping()
        var port = Pod.ContainerPort(containerPort: 0)
        if let name = mapping.take("name") {
            let text = try name.string()
            guard KubernetesNames.isPortName(text) else {
                throw name.error("\(quoted(text)) is not a valid port name (expected at most 15 of a-z, 0-9 and -, with at least one letter)")
            }
            port.name = text
        }
        port.containerPort = try mapping.require("containerPort", "a port number, 1–65535").int(in: 1...65535, what: "port")
        if let value = mapping.take("protocol") { port.protocol = try value.word(TransportProtocol.self, what: "protocol") }
        if let value = mapping.take("hostPort") { port.hostPort = try value.int(in: 1...65535, what: "port") }
        mapping.ignoreRest()
        return port
    }

    private static func readinessProbe(_ field: ManifestField, ports: [Pod.ContainerPort]) throws(ManifestError) -> ReadinessProbe {
        let mapping = try field.mapping()
        var checks: [ReadinessProbe.Check] = []
        if let tcp = mapping.take("tcpSocket") {
            let tcpMapping = try tcp.mapping()
            checks.append(.tcpSocket(port: try probePort(tcpMapping, ports: ports)))
            tcpMapping.ignoreRest()
        }
        if let http = mapping.take("httpGet") {
            let httpMapping = try http.mapping()
            var path = "/"
            if let pathField = httpMapping.take("path") {
                path = try pathField.string(expected: "a path such as /healthz")
                guard path.hasPrefix("/") else {
                    throw pathField.error("\(quoted(path)) is not a valid path (expected a path starting with /, such as /healthz)")
                }
            }
            checks.append(.httpGet(path: path, port: try probePort(httpMapping, ports: ports)))
            httpMapping.ignoreRest()
        }
        guard checks.count == 1, let check = checks.first else {
            throw field.error(
                checks.isEmpty
                    ? "expected tcpSocket or httpGet (the agent runs no other probes)"
                    : "expected one of tcpSocket or httpGet, not both")
        }
        var probe = ReadinessProbe(check: check)
        if let period = mapping.take("periodSeconds") { probe.periodSeconds = try period.int(in: 1...86_400, what: "period in seconds") }
        if let threshold = mapping.take("failureThreshold") {
            probe.failureThreshold = try threshold.int(in: 1...1_000, what: "failure threshold")
        }
        mapping.ignoreRest()
        return probe
    }

    /// A probe's port; a name must be one of the container's own ports, or the probe could never pass.
    private static func probePort(_ mapping: ManifestMapping, ports: [Pod.ContainerPort]) throws(ManifestError) -> TargetPort {
        let field = try mapping.require("port", "a port number (1–65535) or the name of one of this container's ports")
        let port = try ServiceDecoding.targetPort(field)
        if case .name(let name) = port, !ports.contains(where: { $0.name == name }) {
            let names = ports.compactMap(\.name)
            throw field.error(
                "\(quoted(name)) is not the name of one of this container's ports (expected a port number\(names.isEmpty ? "" : " or " + ManifestField.list(names)))")
        }
        return port
    }
}
