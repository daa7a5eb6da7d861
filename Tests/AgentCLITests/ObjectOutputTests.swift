import ControlAPI
import Foundation
import Testing

@testable import AgentCLI

@Suite("agent get -o json and -o yaml")
struct ObjectOutputTests {
    let list = Kube.List(items: [node("n1", address: "10.0.0.1")])

    @Test("JSON is indented, keys sorted, and reads back as the same list")
    func json() throws {
        let text = try ObjectOutput.json(list)
        #expect(text.hasPrefix("{\n  \"apiVersion\" : \"v1\",\n  \"items\" : [\n"))
        #expect(text.hasSuffix("\"resourceVersion\" : \"\"\n  }\n}\n"))
        #expect(try ControlJSON.makeDecoder().decode(Kube.List<Kube.Node>.self, from: Data(text.utf8)) == list)
    }

    @Test("a watch's JSON is one object a line")
    func jsonLine() throws {
        #expect(
            try ObjectOutput.jsonLine(list.items[0])
                == #"{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"status":{"addresses":[{"address":"10.0.0.1","type":"InternalIP"}],"conditions":[{"status":"True","type":"Ready"}]}}"#
                + "\n")
    }

    @Test("a LoadBalancer Service's ingress and LoadBalancerSynced condition are in its YAML and JSON, where kubectl puts them")
    func loadBalancerStatus() throws {
        var front = service(
            "front", type: "LoadBalancer", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30080)],
            ingress: [Kube.LoadBalancerIngress(hostname: "front-1234.elb.amazonaws.com")])
        front.status.conditions = [
            Kube.Condition(
                type: "LoadBalancerSynced", status: "True", reason: "EnsuredLoadBalancer", message: "", lastTransitionTime: createdText)
        ]
        let yaml = try ObjectOutput.yaml(Kube.List(items: [front]))
        #expect(
            yaml.contains(
                """
                  status:
                    conditions:
                    - lastTransitionTime: '2024-05-01T12:00:00Z'
                      message: ''
                      reason: EnsuredLoadBalancer
                      status: 'True'
                      type: LoadBalancerSynced
                    loadBalancer:
                      ingress:
                      - hostname: front-1234.elb.amazonaws.com

                """))
        #expect(
            try ObjectOutput.jsonLine(front).contains(
                #""status":{"conditions":[{"lastTransitionTime":"2024-05-01T12:00:00Z","message":"","reason":"EnsuredLoadBalancer","status":"True","type":"LoadBalancerSynced"}],"loadBalancer":{"ingress":[{"hostname":"front-1234.elb.amazonaws.com"}]}}"#
            ))
    }

    @Test("YAML has kubectl's sorted keys")
    func yaml() throws {
        #expect(
            try ObjectOutput.yaml(list) == """
                apiVersion: v1
                items:
                - apiVersion: v1
                  kind: Node
                  metadata:
                    name: n1
                  status:
                    addresses:
                    - address: 10.0.0.1
                      type: InternalIP
                    conditions:
                    - status: 'True'
                      type: Ready
                kind: List
                metadata:
                  resourceVersion: ''

                """)
    }
}
