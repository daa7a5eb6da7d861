import Catalog
import ClusterModel
import DataPlane

func node(_ name: String) -> NodeName { try! NodeName(name) }

/// A Service with its allocation, and endpoints "web-1".. on the nodes given, at
/// 10.244.<node number>.<index + 2>:8080 for every port.
func planned(
    _ name: String, type: ServiceType = .clusterIP, ports: [ServicePort] = [ServicePort(name: "http", port: 80, targetPort: .number(8080))],
    clusterIP: IPv4? = IPv4(10, 96, 0, 10), nodePorts: [Int?]? = nil, endpointsOn nodes: [String] = [],
    configure: (inout KubernetesService.Spec) -> Void = { _ in }
) -> PlannedService {
    var spec = KubernetesService.Spec(type: type, selector: ["app": name], ports: ports, clusterIP: clusterIP == nil ? .headless : .allocate)
    configure(&spec)
    let service = KubernetesService(metadata: ObjectMetadata(name: name), spec: spec)
    let allocation = ServiceAllocation(clusterIP: clusterIP, nodePorts: nodePorts ?? ports.map { _ in nil })
    var endpoints: [Endpoint] = []
    for port in ports {
        for (index, host) in nodes.enumerated() {
            let hostNumber = UInt8(host.dropFirst())!
            endpoints.append(
                Endpoint(
                    servicePort: port, pod: ObjectKey(kind: .pod, namespace: "default", name: "\(name)-\(index + 1)"), node: node(host),
                    address: IPv4(10, 244, hostNumber, UInt8(index + 2)), port: 8080))
        }
    }
    return PlannedService(service: AllocatedService(service: service, allocation: allocation), endpoints: endpoints)
}

func rules(_ services: [PlannedService], hostPorts: [HostPort] = [], on host: String = "h1", choice: EndpointChoice = .roundRobin) -> RuleSet {
    RulePlanner.rules(for: DataPlaneInput(services: services, hostPorts: hostPorts), settings: DataPlaneSettings(node: node(host), choice: choice))
}
