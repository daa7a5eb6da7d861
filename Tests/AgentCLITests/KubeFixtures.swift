import ControlAPI
import Foundation

/// 2024-05-01T12:00:00Z, when the fixtures were created.
let created = Date(timeIntervalSince1970: 1_714_564_800)
let createdText = "2024-05-01T12:00:00Z"

func service(
    _ name: String, namespace: String = "default", type: String = "ClusterIP", clusterIP: String = "10.96.0.10",
    ports: [Kube.ServicePort] = [Kube.ServicePort(port: 80, targetPort: 8080)], selector: [String: String]? = ["app": "nginx"],
    ingress: [Kube.LoadBalancerIngress]? = nil, created: String = createdText
) -> Kube.Service {
    Kube.Service(
        metadata: Kube.ObjectMeta(name: name, namespace: namespace, creationTimestamp: created),
        spec: Kube.ServiceSpec(
            type: type, selector: selector, ports: ports, clusterIP: clusterIP, externalTrafficPolicy: type == "ClusterIP" ? nil : "Cluster"
        ),
        status: Kube.ServiceStatus(loadBalancer: Kube.LoadBalancerStatus(ingress: ingress)))
}

func pod(
    _ name: String, node: String = "n1", ip: String? = "10.244.1.2", ready: Bool = true, phase: String = "Running",
    containers: [Kube.Container] = [Kube.Container(ports: [Kube.ContainerPort(containerPort: 8080)])]
) -> Kube.Pod {
    Kube.Pod(
        metadata: Kube.ObjectMeta(name: name, namespace: "default", labels: ["app": "nginx"], creationTimestamp: createdText),
        spec: Kube.PodSpec(nodeName: node, containers: containers),
        status: Kube.PodStatus(
            phase: phase, podIP: ip, hostIP: "10.0.0.1", conditions: [Kube.PodCondition(type: "Ready", status: ready ? "True" : "False")]))
}

func endpoints(_ name: String, _ subsets: [Kube.EndpointSubset]) -> Kube.Endpoints {
    Kube.Endpoints(metadata: Kube.ObjectMeta(name: name, namespace: "default", creationTimestamp: createdText), subsets: subsets)
}

func subset(_ ips: [String], ports: [(name: String?, port: Int)]) -> Kube.EndpointSubset {
    Kube.EndpointSubset(
        addresses: ips.map { Kube.EndpointAddress(ip: $0) }, ports: ports.map { Kube.EndpointPort(name: $0.name, port: $0.port) })
}

func node(_ name: String, address: String, ready: String = "True", labels: [String: String]? = nil) -> Kube.Node {
    Kube.Node(
        metadata: Kube.ObjectMeta(name: name, labels: labels),
        status: Kube.NodeStatus(addresses: [Kube.NodeAddress(address: address)], conditions: [Kube.NodeCondition(status: ready)]))
}
