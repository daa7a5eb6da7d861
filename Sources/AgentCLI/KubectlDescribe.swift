import ControlAPI

/// The text of `agent describe`: kubectl describe's layout and words, built from the
/// Kubernetes-shaped objects alone.
enum KubectlDescribe {
    /// A Service with its Endpoints (nil when the agent had none to show).
    static func service(_ service: Kube.Service, endpoints: Kube.Endpoints?) -> String {
        var text = DescribeText()
        let spec = service.spec
        text.field("Name", service.metadata.name)
        text.field("Namespace", service.metadata.namespace ?? "default")
        text.field("Labels", lines: labelLines(service.metadata.labels))
        text.field("Annotations", lines: (service.metadata.annotations ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })
        text.field("Selector", KubectlTable.labels(spec.selector))
        text.field("Type", spec.type)
        text.field("IP", spec.clusterIP)
        // kubectl shows the line once the load balancer has an address, in the Service's order.
        let ingress = KubectlTable.ingressAddresses(service)
        if !ingress.isEmpty { text.field("LoadBalancer Ingress", ingress.joined(separator: ", ")) }
        for port in spec.ports {
            let name = port.name ?? "<unset>"
            text.row(["Port:", name, "\(port.port)/\(port.protocol)"])
            text.field("TargetPort", "\(port.targetPort)/\(port.protocol)")
            if let nodePort = port.nodePort { text.row(["NodePort:", name, "\(nodePort)/\(port.protocol)"]) }
            text.field("Endpoints", KubectlTable.endpoints(endpoints, portName: port.name))
        }
        text.field("Session Affinity", spec.sessionAffinity)
        if let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds { text.field("Session Affinity Timeout", "\(timeout)s") }
        if let policy = spec.externalTrafficPolicy { text.field("External Traffic Policy", policy) }
        if let port = spec.healthCheckNodePort { text.field("HealthCheck NodePort", "\(port)") }
        if let ranges = spec.loadBalancerSourceRanges { text.field("LoadBalancer Source Ranges", ranges.joined(separator: ",")) }
        if let conditions = service.status.conditions, !conditions.isEmpty {
            text.text("Conditions:")
            text.row(["  Type", "Status", "Reason", "Message"])
            text.row(["  ----", "------", "------", "-------"])
            for condition in conditions { text.row(["  " + condition.type, condition.status, condition.reason, condition.message]) }
        }
        text.field("Events", "<none>")
        return text.rendered
    }

    static func pod(_ pod: Kube.Pod) -> String {
        var text = DescribeText()
        text.field("Name", pod.metadata.name)
        text.field("Namespace", pod.metadata.namespace ?? "default")
        text.field("Node", pod.status.hostIP.map { "\(pod.spec.nodeName)/\($0)" } ?? pod.spec.nodeName)
        text.field("Labels", lines: labelLines(pod.metadata.labels))
        text.field("Status", pod.status.phase)
        text.field("IP", pod.status.podIP ?? "<none>")
        if pod.spec.hostNetwork == true { text.field("Host Network", "true") }
        if pod.spec.containers.isEmpty {
            text.field("Containers", "<none>")
        } else {
            text.text("Containers:")
            for (index, container) in pod.spec.containers.enumerated() {
                // The catalog keeps no container names: containers go by their place.
                text.text("  \(container.name ?? "#\(index + 1)"):")
                let ports = container.ports ?? []
                text.field(
                    ports.count > 1 ? "Ports" : "Port", ports.isEmpty ? "<none>" : ports.map(portText).joined(separator: ", "), indent: 4)
                let hostPorts = ports.compactMap { port in port.hostPort.map { "\($0)/\(port.protocol)" } }
                if !hostPorts.isEmpty {
                    text.field(hostPorts.count > 1 ? "Host Ports" : "Host Port", hostPorts.joined(separator: ", "), indent: 4)
                }
                if let probe = container.readinessProbe { text.field("Readiness", probeText(probe), indent: 4) }
            }
        }
        text.text("Conditions:")
        text.row(["  Type", "Status"])
        for condition in pod.status.conditions { text.row(["  " + condition.type, condition.status]) }
        text.field("Events", "<none>")
        return text.rendered
    }

    private static func labelLines(_ labels: [String: String]?) -> [String] {
        (labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// `80/TCP`, or `80/TCP (http)` for a named port, which a Service's targetPort may name.
    private static func portText(_ port: Kube.ContainerPort) -> String {
        "\(port.containerPort)/\(port.protocol)" + (port.name.map { " (\($0))" } ?? "")
    }

    /// kubectl's `tcp-socket :80 period=10s #failure=3`, without the timings the agent does
    /// not use.
    private static func probeText(_ probe: Kube.Probe) -> String {
        let check =
            if let http = probe.httpGet {
                "http-get http://:\(http.port)\(http.path)"
            } else if let tcp = probe.tcpSocket {
                "tcp-socket :\(tcp.port)"
            } else {
                "<none>"
            }
        return "\(check) period=\(probe.periodSeconds)s #failure=\(probe.failureThreshold)"
    }
}

/// kubectl describe's tabwriter: runs of consecutive rows line their cells up in columns,
/// two spaces apart; a line of plain text ends a run.
struct DescribeText {
    private var lines: [[String]] = []

    /// `Label:  value`; `indent` spaces before the label.
    mutating func field(_ label: String, _ value: String, indent: Int = 0) {
        row([String(repeating: " ", count: indent) + label + ":", value])
    }

    /// A field of several values, one a line under each other; `<none>` when there are none.
    mutating func field(_ label: String, lines values: [String], indent: Int = 0) {
        field(label, values.first ?? "<none>", indent: indent)
        for value in values.dropFirst() { row(["", value]) }
    }

    mutating func row(_ cells: [String]) { lines.append(cells) }

    mutating func text(_ line: String) { lines.append([line]) }

    var rendered: String {
        var output = ""
        var start = 0
        while start < lines.count {
            guard lines[start].count > 1 else {
                output += lines[start][0] + "\n"
                start += 1
                continue
            }
            var end = start
            while end < lines.count, lines[end].count > 1 { end += 1 }
            // The last cell of a row is never padded, so it does not widen its column.
            let widths = TextTable.widths(of: lines[start..<end].map { Array($0.dropLast()) })
            for row in lines[start..<end] {
                var line = ""
                for (index, cell) in row.enumerated() {
                    line += cell
                    if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 2) }
                }
                output += line + "\n"
            }
            start = end
        }
        return output
    }
}
