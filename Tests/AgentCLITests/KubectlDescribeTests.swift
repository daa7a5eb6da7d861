import ControlAPI
import Foundation
import Testing

@testable import AgentCLI

@Suite("agent describe's text")
struct KubectlDescribeTests {
    @Test("a NodePort Service in kubectl's layout: values lined up, each port with its endpoints")
    func nodePortService() {
        var described = service(
            "my-nginx", type: "NodePort", clusterIP: "10.96.18.7", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30433)])
        described.metadata.labels = ["run": "my-nginx", "tier": "web"]
        let backends = endpoints("my-nginx", [subset(["10.244.1.2", "10.244.2.3"], ports: [(nil, 80)])])
        #expect(
            KubectlDescribe.service(described, endpoints: backends) == """
                Name:                     my-nginx
                Namespace:                default
                Labels:                   run=my-nginx
                                          tier=web
                Annotations:              <none>
                Selector:                 app=nginx
                Type:                     NodePort
                IP:                       10.96.18.7
                Port:                     <unset>  80/TCP
                TargetPort:               80/TCP
                NodePort:                 <unset>  30433/TCP
                Endpoints:                10.244.1.2:80,10.244.2.3:80
                Session Affinity:         None
                External Traffic Policy:  Cluster
                Events:                   <none>

                """)
    }

    @Test("a LoadBalancer Service in Conflict: named ports with their own endpoints, no ingress line while pending, the condition")
    func conflictedLoadBalancer() {
        var described = service(
            "front", type: "LoadBalancer", clusterIP: "10.96.0.10",
            ports: [
                Kube.ServicePort(name: "http", port: 80, targetPort: "web", nodePort: 30080),
                Kube.ServicePort(name: "https", port: 443, targetPort: 8443, nodePort: 30443),
            ])
        described.metadata.annotations = ["team": "edge"]
        described.status.conditions = [
            Kube.Condition(
                type: "Conflict", status: "True", reason: "Conflict", message: "NodePort 30080 (pinned) is held by Service/default/old",
                lastTransitionTime: createdText)
        ]
        let backends = endpoints("front", [subset(["10.244.1.2"], ports: [("http", 8080), ("https", 8443)])])
        #expect(
            KubectlDescribe.service(described, endpoints: backends) == """
                Name:                     front
                Namespace:                default
                Labels:                   <none>
                Annotations:              team: edge
                Selector:                 app=nginx
                Type:                     LoadBalancer
                IP:                       10.96.0.10
                Port:                     http   80/TCP
                TargetPort:               web/TCP
                NodePort:                 http   30080/TCP
                Endpoints:                10.244.1.2:8080
                Port:                     https  443/TCP
                TargetPort:               8443/TCP
                NodePort:                 https  30443/TCP
                Endpoints:                10.244.1.2:8443
                Session Affinity:         None
                External Traffic Policy:  Cluster
                Conditions:
                  Type      Status  Reason    Message
                  ----      ------  ------    -------
                  Conflict  True    Conflict  NodePort 30080 (pinned) is held by Service/default/old
                Events:     <none>

                """)
    }

    @Test("a registered LoadBalancer Service: kubectl's LoadBalancer Ingress line, each IP else hostname in order, and its LoadBalancerSynced condition")
    func registeredLoadBalancer() {
        var described = service(
            "front", type: "LoadBalancer", clusterIP: "10.96.0.10", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30080)],
            ingress: [Kube.LoadBalancerIngress(hostname: "front-1234.elb.us-east-1.amazonaws.com"), Kube.LoadBalancerIngress(ip: "203.0.113.7")])
        described.status.conditions = [
            Kube.Condition(
                type: "LoadBalancerSynced", status: "False", reason: "SyncLoadBalancerFailed", message: "throttled by the provider",
                lastTransitionTime: createdText)
        ]
        #expect(
            KubectlDescribe.service(described, endpoints: nil) == """
                Name:                     front
                Namespace:                default
                Labels:                   <none>
                Annotations:              <none>
                Selector:                 app=nginx
                Type:                     LoadBalancer
                IP:                       10.96.0.10
                LoadBalancer Ingress:     front-1234.elb.us-east-1.amazonaws.com, 203.0.113.7
                Port:                     <unset>  80/TCP
                TargetPort:               80/TCP
                NodePort:                 <unset>  30080/TCP
                Endpoints:                <none>
                Session Affinity:         None
                External Traffic Policy:  Cluster
                Conditions:
                  Type                Status  Reason                  Message
                  ----                ------  ------                  -------
                  LoadBalancerSynced  False   SyncLoadBalancerFailed  throttled by the provider
                Events:               <none>

                """)
    }

    @Test("a Service without endpoints says <none>")
    func noEndpoints() {
        #expect(KubectlDescribe.service(service("lonely"), endpoints: nil).contains("\nEndpoints:         <none>\n"))
    }

    @Test("a Pod: its node and address, each container's ports and readiness probe, the Ready condition")
    func pod() {
        let probe = Kube.Probe(httpGet: .init(path: "/healthz", port: "http"), periodSeconds: 5, failureThreshold: 2)
        let described = AgentCLITests.pod(
            "web-1",
            containers: [
                Kube.Container(ports: [Kube.ContainerPort(name: "http", containerPort: 8080, hostPort: 80)], readinessProbe: probe),
                Kube.Container(
                    ports: [Kube.ContainerPort(containerPort: 53, protocol: "UDP"), Kube.ContainerPort(containerPort: 53)],
                    readinessProbe: Kube.Probe(tcpSocket: .init(port: 53), periodSeconds: 10, failureThreshold: 3)),
            ])
        #expect(
            KubectlDescribe.pod(described) == """
                Name:       web-1
                Namespace:  default
                Node:       n1/10.0.0.1
                Labels:     app=nginx
                Status:     Running
                IP:         10.244.1.2
                Containers:
                  #1:
                    Port:       8080/TCP (http)
                    Host Port:  80/TCP
                    Readiness:  http-get http://:http/healthz period=5s #failure=2
                  #2:
                    Ports:      53/UDP, 53/TCP
                    Readiness:  tcp-socket :53 period=10s #failure=3
                Conditions:
                  Type   Status
                  Ready  True
                Events:  <none>

                """)
    }
}
