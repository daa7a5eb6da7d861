import CLITestSupport
import ControlAPI
import Foundation
import Testing

/// `apply`, `get`, `describe` and `delete` as a user runs them, against a stand-in agent.
@Suite("The object commands")
struct ObjectCommandTests {
    /// Created 3h10m ago: AGE reads `3h10m` for a whole minute, long enough for any test.
    static let threeHoursAgo = Kube.time(millisecondsSinceEpoch: UInt64((Date().timeIntervalSince1970 - 11_400) * 1000))

    static let nginx = service(
        "my-nginx", type: "NodePort", clusterIP: "10.96.18.7", ports: [Kube.ServicePort(port: 80, targetPort: 80, nodePort: 30433)],
        created: threeHoursAgo)
    static let other = service("other", ports: [Kube.ServicePort(port: 80, targetPort: 80)], created: threeHoursAgo)

    static let header = "NAMESPACE   NAME       TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE\n"
    static let nginxRow = "default     my-nginx   NodePort   10.96.18.7   <none>        80:30433/TCP   3h10m\n"

    /// Lists `services` (404 for a name not among them) and watches them as `events`.
    static func servicesRouter(
        _ services: [Kube.Service], events: [Kube.WatchEvent<Kube.Service>] = [], requests: Requests = Requests()
    ) -> ControlRouter {
        var router = ControlRouter()
        router.add("GET", V1.Path.services) { request in
            requests.record(request)
            let name = request.query["name"]
            let items = services.filter { name == nil || $0.metadata.name == name }
            if let name, items.isEmpty { return .error(status: 404, message: "service \"\(name)\" not found") }
            guard request.query["watch"] == "true" else { return .json(Kube.List(items: items)) }
            let (chunks, continuation) = AsyncStream<[UInt8]>.makeStream()
            for event in events {
                continuation.yield(Array((try? ObjectLine.encode(event)) ?? []))
            }
            continuation.finish()
            return .stream(chunks)
        }
        return router
    }

    @Test("get services prints SPEC §3's table for the default namespace")
    func getServices() async throws {
        let requests = Requests()
        try await StubAgent.with(Self.servicesRouter([Self.nginx], requests: requests)) { agent in
            let result = try await agent.run("get", "services")
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == Self.header + Self.nginxRow)
            #expect(result.standardError.isEmpty)
        }
        #expect(requests.all.map(\.query) == [["namespace": "default"]])
    }

    @Test("a name that does not exist is kubectl's NotFound and exit 1")
    func getMissing() async throws {
        try await StubAgent.with(Self.servicesRouter([Self.nginx])) { agent in
            let result = try await agent.run("get", "svc", "missing")
            #expect(result.status == 1)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError == "Error from server (NotFound): services \"missing\" not found\n")
        }
    }

    @Test("nothing to list says so on standard error, names the namespace, and exits 0")
    func noResources() async throws {
        let requests = Requests()
        try await StubAgent.with(Self.servicesRouter([], requests: requests)) { agent in
            let inDefault = try await agent.run("get", "svc")
            #expect(inDefault.status == 0 && inDefault.standardOutput.isEmpty)
            #expect(inDefault.standardError == "No resources found in default namespace.\n")
            let everywhere = try await agent.run("get", "svc", "-A")
            #expect(everywhere.status == 0 && everywhere.standardError == "No resources found\n")
            let inProd = try await agent.run("get", "svc", "-n", "prod")
            #expect(inProd.standardError == "No resources found in prod namespace.\n")
        }
        #expect(requests.all.map(\.query) == [["namespace": "default"], [:], ["namespace": "prod"]])
    }

    @Test("-o json prints one named object, or a List; -o yaml the same in YAML")
    func documents() async throws {
        try await StubAgent.with(Self.servicesRouter([Self.nginx, Self.other])) { agent in
            let one = try await agent.run("get", "svc", "my-nginx", "-o", "json")
            #expect(one.status == 0)
            #expect(try ControlJSON.makeDecoder().decode(Kube.Service.self, from: Data(one.standardOutput.utf8)) == Self.nginx)
            let all = try await agent.run("get", "svc", "-o", "json")
            #expect(
                try ControlJSON.makeDecoder().decode(Kube.List<Kube.Service>.self, from: Data(all.standardOutput.utf8)).items == [
                    Self.nginx, Self.other,
                ])
            let yaml = try await agent.run("get", "svc", "-o", "yaml")
            #expect(yaml.standardOutput.hasPrefix("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Service\n"))
        }
    }

    @Test("get -w prints the table, then one row per change, without repeating the objects already shown")
    func watchTable() async throws {
        let events: [Kube.WatchEvent<Kube.Service>] = [
            .init(type: .added, object: Self.nginx), .init(type: .added, object: Self.other), .init(type: .deleted, object: Self.nginx),
        ]
        let requests = Requests()
        try await StubAgent.with(Self.servicesRouter([Self.nginx], events: events, requests: requests)) { agent in
            let result = try await agent.run("get", "svc", "-w")
            #expect(result.status == 0, "\(result.standardError)")
            #expect(
                result.standardOutput == Self.header + Self.nginxRow
                    + "default     other      ClusterIP   10.96.0.10   <none>        80/TCP         3h10m\n" + Self.nginxRow)
        }
        #expect(requests.all.map(\.query) == [["namespace": "default"], ["namespace": "default", "watch": "true"]])
    }

    @Test("get -w -o json prints every object of the watch, one JSON object a line")
    func watchJSON() async throws {
        let events: [Kube.WatchEvent<Kube.Service>] = [.init(type: .added, object: Self.nginx), .init(type: .modified, object: Self.other)]
        try await StubAgent.with(Self.servicesRouter([Self.nginx], events: events)) { agent in
            let result = try await agent.run("get", "svc", "--watch", "-o", "json")
            #expect(result.status == 0, "\(result.standardError)")
            let lines = result.standardOutput.split(separator: "\n")
            #expect(
                try lines.map { try ControlJSON.makeDecoder().decode(Kube.Service.self, from: Data($0.utf8)) } == [Self.nginx, Self.other])
        }
    }

    @Test("apply sends every file in one request, prints kind/name action, and warnings on standard error")
    func apply() async throws {
        let requests = Requests()
        var router = ControlRouter()
        router.add("POST", V1.Path.apply) { request in
            requests.record(request)
            return .json(
                V1.ApplyResponse(
                    results: [
                        V1.ObjectResult(
                            object: V1.ObjectReference(kind: "service", namespace: "default", name: "my-nginx"), action: "created"),
                        V1.ObjectResult(object: V1.ObjectReference(kind: "pod", namespace: "default", name: "web-1"), action: "unchanged"),
                    ],
                    warnings: ["app.yaml:7: spec.foo is not a field the agent uses; ignored"]))
        }
        try await StubAgent.with(router) { agent in
            let file = agent.socket + ".yaml"
            try "kind: Service\n".write(toFile: file, atomically: true, encoding: .utf8)
            let result = try await agent.run("apply", "-f", file, "-f", "-", input: "kind: Pod\n")
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput == "service/my-nginx created\npod/web-1 unchanged\n")
            #expect(result.standardError == "Warning: app.yaml:7: spec.foo is not a field the agent uses; ignored\n")
            let sent = try requests.all.map { try $0.decodeJSON(V1.ApplyRequest.self) }
            #expect(
                sent == [
                    V1.ApplyRequest(manifests: [
                        V1.Manifest(file: file, text: "kind: Service\n"), V1.Manifest(file: "<stdin>", text: "kind: Pod\n"),
                    ])
                ])
        }
    }

    @Test("apply with a file it cannot read sends nothing and exits 2 naming the file")
    func applyUnreadable() async throws {
        let requests = Requests()
        var router = ControlRouter()
        router.add("POST", V1.Path.apply) { request in
            requests.record(request)
            return .json(V1.ApplyResponse(results: []))
        }
        try await StubAgent.with(router) { agent in
            let result = try await agent.run("apply", "-f", "/nonexistent/app.yaml")
            #expect(result.status == 2)
            #expect(
                result.standardError == "error: /nonexistent/app.yaml: cannot be read (no such file); expected a YAML or JSON manifest\n")
        }
        #expect(requests.all.isEmpty)
    }

    @Test("apply refused by the agent is bad input: exit 2 with the agent's message")
    func applyRefused() async throws {
        var router = ControlRouter()
        router.add("POST", V1.Path.apply) { _ in .error(status: 400, message: "app.yaml:4: spec.ports[0].port: expected 1-65535, found 0") }
        try await StubAgent.with(router) { agent in
            let result = try await agent.run("apply", "-f", "-", input: "kind: Service\n")
            #expect(result.status == 2)
            #expect(result.standardError == "error: app.yaml:4: spec.ports[0].port: expected 1-65535, found 0\n")
        }
    }

    @Test("delete by name prints kubectl's deleted lines, NotFound for the missing ones, and exits 1 if any was missing")
    func deleteByName() async throws {
        let requests = Requests()
        var router = ControlRouter()
        router.add("POST", V1.Path.delete) { request in
            requests.record(request)
            let objects = (try? request.decodeJSON(V1.DeleteRequest.self).objects) ?? []
            if objects.allSatisfy({ $0.name == "x" }) { return .error(status: 404, message: "pod \"x\" not found") }
            return .json(
                V1.DeleteResponse(results: objects.map { V1.ObjectResult(object: $0, action: $0.name == "a" ? "deleted" : "not found") }))
        }
        try await StubAgent.with(router) { agent in
            let some = try await agent.run("delete", "svc", "a", "b", "-n", "prod")
            #expect(some.status == 1)
            #expect(some.standardOutput == "service \"a\" deleted\n")
            #expect(some.standardError == "Error from server (NotFound): services \"b\" not found\n")

            let none = try await agent.run("delete", "pod", "x")
            #expect(none.status == 1)
            #expect(none.standardOutput.isEmpty)
            #expect(none.standardError == "Error from server (NotFound): pods \"x\" not found\n")
        }
        let sent = try requests.all.map { try $0.decodeJSON(V1.DeleteRequest.self) }
        #expect(
            sent.first
                == V1.DeleteRequest(objects: [
                    V1.ObjectReference(kind: "service", namespace: "prod", name: "a"),
                    V1.ObjectReference(kind: "service", namespace: "prod", name: "b"),
                ]))
        #expect(sent.last?.objects == [V1.ObjectReference(kind: "pod", namespace: "default", name: "x")])
    }

    @Test("describe service shows the Service with its endpoints; a missing one is NotFound")
    func describe() async throws {
        var router = Self.servicesRouter([Self.nginx])
        router.add("GET", V1.Path.endpoints) { _ in
            .json(Kube.List(items: [endpoints("my-nginx", [subset(["10.244.1.2"], ports: [(nil, 80)])])]))
        }
        router.add("GET", V1.Path.pods) { _ in .error(status: 404, message: "pod not found") }
        try await StubAgent.with(router) { agent in
            let result = try await agent.run("describe", "svc", "my-nginx")
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardOutput.hasPrefix("Name:                     my-nginx\nNamespace:                default\n"))
            #expect(result.standardOutput.contains("\nEndpoints:                10.244.1.2:80\n"))
            let missing = try await agent.run("describe", "po", "web-9")
            #expect(missing.status == 1)
            #expect(missing.standardError == "Error from server (NotFound): pods \"web-9\" not found\n")
        }
    }

    @Test("no agent on the socket: exit 3 naming the socket")
    func unreachable() throws {
        let result = try AgentBinary.run("get", "pods", "--socket", "/tmp/no-agent-here.sock")
        #expect(result.status == 3)
        #expect(result.standardError.contains("/tmp/no-agent-here.sock"))
    }

    @Test(
        "bad usage exits 2 and says what would be accepted",
        arguments: [
            (
                ["get", "deployments"],
                "unknown resource type \"deployments\"; expected services (svc), pods (po), endpoints (ep) or nodes (no)"
            ),
            (["describe", "node", "n1"], "unknown resource type \"node\"; expected services (svc) or pods (po)"),
            (["delete", "ep", "web"], "unknown resource type \"ep\"; expected services (svc) or pods (po)"),
            (["delete", "service"], "name what to delete: -f FILE, or service|pod NAME"),
            (["delete", "-f", "app.yaml", "svc", "web"], "give either -f FILE or service|pod NAME, not both"),
            (["get", "svc", "-A", "-n", "prod"], "give either -n NAMESPACE or -A"),
            (["get", "svc", "web", "-A"], "give -n NAMESPACE instead of -A"),
            (["get", "svc", "-o", "xml"], "wide"),
            (["apply"], "name at least one manifest: -f FILE, or -f - for standard input"),
            (["apply", "-f", "-", "-f", "-"], "standard input (-f -) can be read only once"),
        ])
    func badUsage(arguments: [String], message: String) throws {
        let result = try AgentBinary.run(arguments + ["--socket", "/tmp/no-agent-here.sock"])
        #expect(result.status == 2, "\(arguments)")
        #expect(result.standardError.contains(message), "\(result.standardError)")
    }
}

/// A watch event as the agent streams it: one JSON object and a newline.
enum ObjectLine {
    static func encode(_ event: some Encodable) throws -> [UInt8] {
        Array(try ControlJSON.makeEncoder().encode(event)) + [UInt8(ascii: "\n")]
    }
}
