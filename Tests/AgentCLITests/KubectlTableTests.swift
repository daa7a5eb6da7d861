import ControlAPI
import Foundation
import Testing

@testable import AgentCLI

@Suite("agent get's tables")
struct KubectlTableTests {
    let now = created + 12

    @Test("services: SPEC §3's columns, NodePorts after the port, <none> and <pending> external IPs")
    func services() {
        let objects = [
            service(
                "my-nginx", type: "NodePort", clusterIP: "10.96.18.7", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30433)]),
            service(
                "front", type: "LoadBalancer", clusterIP: "10.96.100.200",
                ports: [
                    Kube.ServicePort(name: "http", port: 80, targetPort: 80, nodePort: 30080),
                    Kube.ServicePort(name: "dns", protocol: "UDP", port: 53, targetPort: 53, nodePort: 30053),
                ]),
            service(
                "db", clusterIP: "None", ports: [Kube.ServicePort(port: 5432, targetPort: 5432)], selector: nil,
                created: "2024-05-01T08:50:00Z"),
        ]
        #expect(
            KubectlTable.render(objects, wide: false, now: now) == """
                NAMESPACE   NAME       TYPE           CLUSTER-IP      EXTERNAL-IP   PORT(S)                     AGE
                default     my-nginx   NodePort       10.96.18.7      <none>        80:30433/TCP                12s
                default     front      LoadBalancer   10.96.100.200   <pending>     80:30080/TCP,53:30053/UDP   12s
                default     db         ClusterIP      None            <none>        5432/TCP                    3h10m

                """)
    }

    @Test("services -o wide adds the selector; a registered load balancer shows its address")
    func servicesWide() {
        let objects = [
            service(
                "front", type: "LoadBalancer", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30080)],
                ingress: [Kube.LoadBalancerIngress(hostname: "lb-1.elb.amazonaws.com")]),
            service("bare", ports: [], selector: nil),
        ]
        #expect(
            KubectlTable.render(objects, wide: true, now: now) == """
                NAMESPACE   NAME    TYPE           CLUSTER-IP   EXTERNAL-IP              PORT(S)        AGE   SELECTOR
                default     front   LoadBalancer   10.96.0.10   lb-1.elb.amazonaws.com   80:30080/TCP   12s   app=nginx
                default     bare    ClusterIP      10.96.0.10   <none>                   <none>         12s   <none>

                """)
    }

    @Test("EXTERNAL-IP is kubectl's: each IP else hostname, sorted and once, cut to 16 characters unless -o wide")
    func externalIPs() {
        let long = service(
            "front", type: "LoadBalancer", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30080)],
            ingress: [Kube.LoadBalancerIngress(hostname: "front-1234.elb.us-east-1.amazonaws.com")])
        let two = service(
            "dual", type: "LoadBalancer", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30081)],
            ingress: [Kube.LoadBalancerIngress(ip: "10.0.0.9", hostname: "ignored.example"), Kube.LoadBalancerIngress(ip: "10.0.0.10"),
                      Kube.LoadBalancerIngress(ip: "10.0.0.9")])
        #expect(KubectlTable.externalIP(long, wide: false) == "front-1234.el...")
        #expect(KubectlTable.externalIP(long, wide: true) == "front-1234.elb.us-east-1.amazonaws.com")
        #expect(KubectlTable.externalIP(two, wide: true) == "10.0.0.10,10.0.0.9")
        #expect(KubectlTable.externalIP(two, wide: false) == "10.0.0.10,10....")
        #expect(
            KubectlTable.render([long], wide: false, now: now) == """
                NAMESPACE   NAME    TYPE           CLUSTER-IP   EXTERNAL-IP        PORT(S)        AGE
                default     front   LoadBalancer   10.96.0.10   front-1234.el...   80:30080/TCP   12s

                """)
    }

    @Test("pods: READY counts containers, all or none; wide adds IP and NODE")
    func pods() {
        let objects = [
            pod("web-1"),
            pod("web-2", node: "n3", ip: nil, ready: false, phase: "Unknown", containers: [Kube.Container(), Kube.Container()]),
        ]
        #expect(
            KubectlTable.render(objects, wide: false, now: now) == """
                NAMESPACE   NAME    READY   STATUS    AGE
                default     web-1   1/1     Running   12s
                default     web-2   0/2     Unknown   12s

                """)
        #expect(
            KubectlTable.render(objects, wide: true, now: now) == """
                NAMESPACE   NAME    READY   STATUS    AGE   IP           NODE
                default     web-1   1/1     Running   12s   10.244.1.2   n1
                default     web-2   0/2     Unknown   12s   <none>       n3

                """)
    }

    @Test("endpoints: each address with each port, three at most and how many more, <none> when empty")
    func endpointsColumn() {
        let objects = [
            endpoints("web", [subset(["10.0.0.1", "10.0.0.2"], ports: [(nil, 80)])]),
            endpoints(
                "many",
                [subset(["10.0.0.1", "10.0.0.2"], ports: [("http", 80), ("https", 443)]), subset(["10.0.0.3"], ports: [("http", 8080)])]),
            endpoints("empty", []),
            endpoints("headless-no-ports", [subset(["10.0.0.9"], ports: [])]),
        ]
        #expect(
            KubectlTable.render(objects, wide: false, now: now) == """
                NAMESPACE   NAME                ENDPOINTS                                          AGE
                default     web                 10.0.0.1:80,10.0.0.2:80                            12s
                default     many                10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...   12s
                default     empty               <none>                                             12s
                default     headless-no-ports   10.0.0.9                                           12s

                """)
    }

    @Test("nodes: Ready, NotReady (failed) or Unknown (left), the gossip address, labels when wide")
    func nodes() {
        let objects = [
            node("n1", address: "10.0.0.1", labels: ["zone": "a", "disk": "ssd"]),
            node("n2", address: "10.0.0.2", ready: "False"),
            node("n3", address: "10.0.0.3", ready: "Unknown"),
        ]
        #expect(
            KubectlTable.render(objects, wide: true, now: now) == """
                NAME   STATUS     INTERNAL-IP   LABELS
                n1     Ready      10.0.0.1      disk=ssd,zone=a
                n2     NotReady   10.0.0.2      <none>
                n3     Unknown    10.0.0.3      <none>

                """)
    }

    @Test("a watch's later rows keep the first table's columns; a wider cell pushes only its own row along")
    func watchRows() {
        let widths = TextTable.widths(of: [["NAME", "AGE"], ["web", "12s"]])
        #expect(TextTable.line(["db", "1s"], widths: widths) == "db     1s\n")
        #expect(TextTable.line(["a-long-name", "1s"], widths: widths) == "a-long-name   1s\n")
    }
}
