import ClusterModel
import Manifests
import Testing

@Suite struct ManifestsThatApply {
    @Test func theIssuesNodePortManifestAppliesAsWritten() throws {
        let service = try onlyService(issueNodePortManifest, file: "my-nginx.yaml")
        #expect(service.key == ObjectKey(kind: .service, namespace: "default", name: "my-nginx"))
        #expect(service.spec.type == .nodePort)
        #expect(service.spec.selector == ["app": "nginx"])
        #expect(service.spec.ports == [ServicePort(name: "http", protocol: .tcp, port: 80, targetPort: .number(80), nodePort: nil)])
        #expect(service.spec.clusterIP == .allocate)
    }

    @Test func theIssuesLoadBalancerManifestAppliesAsWritten() throws {
        let service = try onlyService(issueLoadBalancerManifest)
        #expect(service.spec.type == .loadBalancer)
        #expect(service.spec.selector == ["app": "my-nginx"])
        #expect(service.spec.ports.map(\.port) == [80])
    }

    @Test func theServiceFromKubernetesDocumentationAppliesUnchanged() throws {
        let decoded = try decode(kubernetesDocumentationManifest)
        #expect(decoded.warnings.isEmpty)
        let service = try #require(decoded.objects.first?.service)
        #expect(service.metadata.name == "my-service")
        #expect(service.spec.selector == ["app.kubernetes.io/name": "MyApp"])
        #expect(service.spec.ports == [ServicePort(protocol: .tcp, port: 80, targetPort: .number(9376))])
        #expect(service.spec.type == .clusterIP)
    }

    @Test func aServiceLeftUnsaidGetsKubernetesDefaults() throws {
        let service = try onlyService(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              ports: [{port: 8080}]
            """)
        #expect(service.metadata.namespace == "default")
        #expect(service.spec.type == .clusterIP)
        #expect(service.spec.ports == [ServicePort(name: nil, protocol: .tcp, port: 8080, targetPort: .number(8080))])
        #expect(service.spec.sessionAffinity == .none)
        #expect(service.spec.externalTrafficPolicy == .cluster)
        #expect(service.spec.selector.selectsNothing)
    }

    @Test func clientIPAffinityDefaultsToThreeHoursAndTakesATimeout() throws {
        let base = """
            apiVersion: v1
            kind: Service
            metadata: {name: sticky}
            spec:
              ports: [{port: 80}]
              sessionAffinity: ClientIP

            """
        #expect(try onlyService(base).spec.sessionAffinity == .clientIP(timeoutSeconds: 10_800))
        let withTimeout = base + "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
        #expect(try onlyService(withTimeout).spec.sessionAffinity == .clientIP(timeoutSeconds: 60))
    }

    @Test func everyListedServiceFieldIsRead() throws {
        let service = try onlyService(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: edge
              namespace: shop
              labels: {tier: web}
              annotations: {note: "kept"}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.20
              externalTrafficPolicy: Local
              healthCheckNodePort: 32000
              loadBalancerSourceRanges: [203.0.113.0/24]
              ports:
              - {name: http, port: 80, targetPort: web, nodePort: 30080}
              - {name: dns, port: 53, protocol: UDP}
            """)
        #expect(service.key.description == "Service/shop/edge")
        #expect(service.metadata.labels == ["tier": "web"])
        #expect(service.metadata.annotations == ["note": "kept"])
        #expect(service.spec.clusterIP == .pinned(IPv4(10, 96, 0, 20)))
        #expect(service.spec.externalTrafficPolicy == .local)
        #expect(service.spec.healthCheckNodePort == 32000)
        #expect(service.spec.loadBalancerSourceRanges.map(\.description) == ["203.0.113.0/24"])
        #expect(service.spec.ports[0].targetPort == .name("web"))
        #expect(service.spec.ports[0].nodePort == 30080)
        #expect(service.spec.ports[1] == ServicePort(name: "dns", protocol: .udp, port: 53))
    }

    @Test func aHeadlessServiceNeedsNoPorts() throws {
        let service = try onlyService(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: db}
            spec: {clusterIP: None, selector: {app: db}}
            """)
        #expect(service.spec.clusterIP == .headless)
        #expect(service.spec.ports.isEmpty)
    }

    @Test func aPodWithProbesAndDefaults() throws {
        let pod = try onlyPod(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-1
              labels: {app: nginx}
            spec:
              nodeName: n2
              containers:
              - ports:
                - {name: http, containerPort: 8080}
                - {containerPort: 53, protocol: UDP, hostPort: 5353}
                readinessProbe:
                  httpGet: {path: /healthz, port: http}
              - readinessProbe:
                  tcpSocket: {port: 9000}
                  periodSeconds: 2
                  failureThreshold: 5
            status:
              podIP: 10.244.1.5
            """)
        #expect(pod.key == ObjectKey(kind: .pod, namespace: "default", name: "web-1"))
        #expect(pod.spec.nodeName?.rawValue == "n2")
        #expect(pod.spec.hostNetwork == false)
        #expect(pod.status.podIP == IPv4(10, 244, 1, 5))
        #expect(pod.spec.containers[0].ports[0] == Pod.ContainerPort(name: "http", containerPort: 8080, protocol: .tcp))
        #expect(pod.spec.containers[0].ports[1] == Pod.ContainerPort(containerPort: 53, protocol: .udp, hostPort: 5353))
        #expect(pod.spec.containers[0].readinessProbe == ReadinessProbe(check: .httpGet(path: "/healthz", port: .name("http")), periodSeconds: 10, failureThreshold: 3))
        #expect(pod.spec.containers[1].readinessProbe == ReadinessProbe(check: .tcpSocket(port: .number(9000)), periodSeconds: 2, failureThreshold: 5))
    }

    @Test func aHostNetworkPodNeedsNoPodIP() throws {
        let pod = try onlyPod(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: agent-probe}
            spec:
              hostNetwork: true
              containers: [{ports: [{containerPort: 9100}]}]
            """)
        #expect(pod.spec.hostNetwork)
        #expect(pod.status.podIP == nil)
    }

    @Test func severalDocumentsGiveEveryObjectInOrder() throws {
        let text = issueNodePortManifest + "---\n" + """
            apiVersion: v1
            kind: Pod
            metadata: {name: nginx-1, namespace: default, labels: {app: nginx}}
            spec: {containers: [{ports: [{containerPort: 80}]}]}
            status: {podIP: 10.244.0.7}
            ---

            """
        let decoded = try decode(text)
        #expect(decoded.objects.map(\.key.description) == ["Service/default/my-nginx", "Pod/default/nginx-1"])
        #expect(decoded.objects[1].origin.line == 16)
    }

    @Test func aKindListGivesItsItems() throws {
        let decoded = try decode(
            """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: a}
              spec: {ports: [{port: 80}]}
            - apiVersion: v1
              kind: Service
              metadata: {name: b, namespace: other}
              spec: {ports: [{port: 81}]}
            """)
        #expect(decoded.objects.map(\.key.description) == ["Service/default/a", "Service/other/b"])
    }

    @Test func jsonIsReadLikeYAML() throws {
        let decoded = try decode(
            """
            {
              "apiVersion": "v1",
              "kind": "List",
              "items": [
                {"apiVersion": "v1", "kind": "Service",
                 "metadata": {"name": "my-nginx"},
                 "spec": {"type": "NodePort", "selector": {"app": "nginx"},
                          "ports": [{"name": "http", "port": 80, "targetPort": 80, "nodePort": 30433}]}}
              ]
            }
            """, file: "svc.json")
        let service = try #require(decoded.objects.first?.service)
        #expect(service.spec.ports == [ServicePort(name: "http", port: 80, targetPort: .number(80), nodePort: 30433)])
    }

    @Test func fieldsTheAgentDoesNotUseGiveOneWarningEachAndNoError() throws {
        let decoded = try decode(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: my-nginx
              uid: 0b7d6c1e
              creationTimestamp: "2024-01-01T00:00:00Z"
            spec:
              ports: [{port: 80, appProtocol: http}]
              ipFamilies: [IPv4]
            status:
              loadBalancer: {}
            """, file: "my-nginx.yaml")
        #expect(decoded.objects.count == 1)
        #expect(decoded.warnings.map(\.description) == [
            "my-nginx.yaml:5: field metadata.uid is not used by the agent and is ignored",
            "my-nginx.yaml:6: field metadata.creationTimestamp is not used by the agent and is ignored",
            "my-nginx.yaml:8: field spec.ports[0].appProtocol is not used by the agent and is ignored",
            "my-nginx.yaml:9: field spec.ipFamilies is not used by the agent and is ignored",
            "my-nginx.yaml:10: field status is not used by the agent and is ignored",
        ])
    }

    @Test func emptyInputHoldsNothing() throws {
        #expect(try decode("").objects.isEmpty)
        #expect(try decode("---\n# only a comment\n").objects.isEmpty)
    }
}
