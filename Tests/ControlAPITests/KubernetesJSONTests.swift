import ControlAPI
import Foundation
import Testing

@Suite("Kubernetes-shaped JSON")
struct KubernetesJSONTests {
    func json(_ value: some Encodable) throws -> String {
        String(decoding: try ControlJSON.makeEncoder().encode(value), as: UTF8.self)
    }

    @Test("a Service encodes with Kubernetes' field names, nil fields left out, and decodes back the same")
    func serviceRoundTrip() throws {
        let service = Kube.Service(
            metadata: Kube.ObjectMeta(name: "my-nginx", namespace: "default", creationTimestamp: "2024-05-01T12:00:00Z"),
            spec: Kube.ServiceSpec(
                type: "NodePort", selector: ["app": "nginx"], ports: [Kube.ServicePort(port: 80, targetPort: 8080, nodePort: 30433)],
                clusterIP: "10.96.18.7", externalTrafficPolicy: "Cluster"))
        let text = try json(service)
        #expect(
            text == """
                {"apiVersion":"v1","kind":"Service","metadata":{"creationTimestamp":"2024-05-01T12:00:00Z","name":"my-nginx",\
                "namespace":"default"},"spec":{"clusterIP":"10.96.18.7","clusterIPs":["10.96.18.7"],"externalTrafficPolicy":"Cluster",\
                "ports":[{"nodePort":30433,"port":80,"protocol":"TCP","targetPort":8080}],"selector":{"app":"nginx"},\
                "sessionAffinity":"None","type":"NodePort"},"status":{"loadBalancer":{}}}
                """)
        #expect(try ControlJSON.makeDecoder().decode(Kube.Service.self, from: Data(text.utf8)) == service)
    }

    @Test("a target port is a bare number or a bare string, as Kubernetes' IntOrString")
    func intOrString() throws {
        #expect(try json([Kube.IntOrString.int(8080), .string("http")]) == #"[8080,"http"]"#)
        let decoded = try ControlJSON.makeDecoder().decode([Kube.IntOrString].self, from: Data(#"[80,"web"]"#.utf8))
        #expect(decoded == [80, "web"])
        #expect(throws: DecodingError.self) { try ControlJSON.makeDecoder().decode([Kube.IntOrString].self, from: Data("[true]".utf8)) }
    }

    @Test("a list and a watch event have kubectl's envelope")
    func envelopes() throws {
        let node = Kube.Node(
            metadata: Kube.ObjectMeta(name: "n1"),
            status: Kube.NodeStatus(addresses: [Kube.NodeAddress(address: "10.0.0.1")], conditions: [Kube.NodeCondition(status: "True")]))
        #expect(
            try json(Kube.List(items: [node]))
                == #"{"apiVersion":"v1","items":[{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"status":{"addresses":[{"address":"10.0.0.1","type":"InternalIP"}],"conditions":[{"status":"True","type":"Ready"}]}}],"kind":"List","metadata":{"resourceVersion":""}}"#
        )
        let event = Kube.WatchEvent(type: .deleted, object: node)
        let line = try json(event)
        #expect(line.hasPrefix(#"{"object":{"apiVersion":"v1","kind":"Node""#) && line.hasSuffix(#""type":"DELETED"}"#))
        #expect(try ControlJSON.makeDecoder().decode(Kube.WatchEvent<Kube.Node>.self, from: Data(line.utf8)) == event)
    }

    @Test("times are RFC 3339 in UTC to the second, and read back")
    func times() {
        #expect(Kube.time(millisecondsSinceEpoch: 1_714_564_800_999) == "2024-05-01T12:00:00Z")
        #expect(Kube.date("2024-05-01T12:00:00Z") == Date(timeIntervalSince1970: 1_714_564_800))
        #expect(Kube.date("yesterday") == nil)
    }
}
