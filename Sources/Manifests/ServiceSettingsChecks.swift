import ClusterModel

// Checks that depend on the daemon's settings, not on the manifest alone: the CLI runs them
// with the settings the daemon reports, the daemon runs them again on what it receives.

/// Every `spec.ports[].nodePort` and `spec.healthCheckNodePort` the user chose must lie in
/// the daemon's NodePort range.
///
/// - Parameter origin: where the Service was written, for file and line in the message.
public func validateNodePorts(_ service: KubernetesService, range: ClosedRange<Int>, origin: ManifestOrigin? = nil) throws(ManifestError) {
    let advice =
        "expected \(range.lowerBound)–\(range.upperBound), the agent's NodePort range; leave nodePort out to have one allocated, or change the range with --service-node-port-range or serviceNodePortRange: in the configuration file"
    for (index, port) in service.spec.ports.enumerated() {
        if let nodePort = port.nodePort, !range.contains(nodePort) {
            throw error(origin, field: "spec.ports[\(index)].nodePort", "\(nodePort) is outside the NodePort range (\(advice))")
        }
    }
    if let nodePort = service.spec.healthCheckNodePort, !range.contains(nodePort) {
        throw error(origin, field: "spec.healthCheckNodePort", "\(nodePort) is outside the NodePort range (\(advice))")
    }
}

/// A pinned `spec.clusterIP` must lie in the daemon's service CIDR.
public func validateClusterIP(_ service: KubernetesService, cidr: IPv4Network, origin: ManifestOrigin? = nil) throws(ManifestError) {
    guard case .pinned(let address) = service.spec.clusterIP, !cidr.contains(address) else { return }
    throw error(
        origin, field: "spec.clusterIP",
        "\(address) is outside the service CIDR \(cidr) (expected an address in \(cidr), or no clusterIP to have one allocated; the CIDR is set with --service-cidr or serviceCIDR: in the configuration file)"
    )
}

private func error(_ origin: ManifestOrigin?, field: String, _ message: String) -> ManifestError {
    origin?.error(field: field, message) ?? ManifestError(file: nil, line: nil, field: field, message: message)
}
