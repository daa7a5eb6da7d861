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
