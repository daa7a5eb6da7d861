import ClusterModel
import Manifests
import Testing

/// A manifest that must be refused, and the start of the message it must give:
/// `file:line: field: ` and a word of what was wrong.
struct BadManifest: Sendable, CustomTestStringConvertible {
    let what: String
    let text: String
    let location: String
    let says: String

    var testDescription: String { what }
}

/// A Service whose spec is `spec` (indented by two), starting on line 6.
private func service(_ spec: String) -> String {
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n" + spec
}

private func pod(_ rest: String) -> String {
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n" + rest
}

private let badManifests: [BadManifest] = [
    BadManifest(what: "broken YAML", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n", location: "bad.yaml:5: ", says: "not valid YAML"),
    BadManifest(what: "a key given twice", text: service("  ports: [{port: 80}]\n  ports: [{port: 81}]\n"), location: "bad.yaml:6: ", says: "more than once"),
    BadManifest(what: "a port that is not a number", text: service("  ports:\n  - port: http\n"), location: "bad.yaml:7: spec.ports[0].port: ", says: "expected port (1–65535), not the string \"http\""),
    BadManifest(what: "a port out of range", text: service("  ports:\n  - port: 99999\n"), location: "bad.yaml:7: spec.ports[0].port: ", says: "99999 is not a valid port (expected 1–65535)"),
    BadManifest(what: "a targetPort out of range", text: service("  ports:\n  - port: 80\n    targetPort: 0\n"), location: "bad.yaml:8: spec.ports[0].targetPort: ", says: "0 is not a valid port"),
    BadManifest(what: "duplicate port names", text: service("  ports:\n  - {name: http, port: 80}\n  - {name: http, port: 81}\n"), location: "bad.yaml:8: spec.ports[1].name: ", says: "already the name of spec.ports[0]"),
    BadManifest(what: "several ports, one unnamed", text: service("  ports:\n  - {name: http, port: 80}\n  - {port: 81}\n"), location: "bad.yaml:8: spec.ports[1].name: ", says: "required when a Service has more than one port"),
    BadManifest(what: "an unknown kind", text: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", location: "bad.yaml:2: kind: ", says: "\"Deployment\" is not supported (expected Service, Pod or List)"),
    BadManifest(what: "a wrong apiVersion", text: "apiVersion: v2\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n", location: "bad.yaml:1: apiVersion: ", says: "expected v1"),
    BadManifest(what: "a missing name", text: "apiVersion: v1\nkind: Service\nmetadata:\n  labels: {app: web}\nspec: {ports: [{port: 80}]}\n", location: "bad.yaml:3: metadata.name: ", says: "required"),
    BadManifest(what: "a name with capitals", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: My_Web\nspec: {ports: [{port: 80}]}\n", location: "bad.yaml:4: metadata.name: ", says: "\"My_Web\" is not a valid name"),
    BadManifest(what: "a Pod without status.podIP", text: pod("spec:\n  containers: [{ports: [{containerPort: 80}]}]\n"), location: "bad.yaml:1: status.podIP: ", says: "required unless spec.hostNetwork is true"),
    BadManifest(what: "a nodePort on a ClusterIP Service", text: service("  ports:\n  - port: 80\n    nodePort: 30080\n"), location: "bad.yaml:8: spec.ports[0].nodePort: ", says: "may not be set when spec.type is ClusterIP"),
    BadManifest(what: "an unknown protocol", text: service("  ports:\n  - port: 80\n    protocol: SCTP\n"), location: "bad.yaml:8: spec.ports[0].protocol: ", says: "\"SCTP\" is not a valid protocol (expected TCP or UDP)"),
    BadManifest(what: "an unknown session affinity", text: service("  ports: [{port: 80}]\n  sessionAffinity: Cookie\n"), location: "bad.yaml:7: spec.sessionAffinity: ", says: "expected None or ClientIP"),
    BadManifest(what: "a client IP timeout over a day", text: service("  ports: [{port: 80}]\n  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 90000\n"), location: "bad.yaml:10: spec.sessionAffinityConfig.clientIP.timeoutSeconds: ", says: "90000 is not a valid timeout in seconds (expected 1–86400)"),
    BadManifest(what: "a source range that is not a CIDR", text: service("  type: LoadBalancer\n  ports: [{port: 80}]\n  loadBalancerSourceRanges:\n  - 10.0.0.0/33\n"), location: "bad.yaml:9: spec.loadBalancerSourceRanges[0]: ", says: "\"10.0.0.0/33\" is not a valid source range"),
    BadManifest(what: "a pinned clusterIP that is not IPv4", text: service("  clusterIP: 10.96.0.300\n  ports: [{port: 80}]\n"), location: "bad.yaml:6: spec.clusterIP: ", says: "\"10.96.0.300\" is not a valid cluster IP"),
    BadManifest(what: "a targetPort name that is no port name", text: service("  ports:\n  - port: 80\n    targetPort: Web_Port\n"), location: "bad.yaml:8: spec.ports[0].targetPort: ", says: "\"Web_Port\" is not a valid port name"),
    BadManifest(what: "a headless NodePort Service", text: service("  type: NodePort\n  clusterIP: None\n  ports: [{port: 80}]\n"), location: "bad.yaml:7: spec.clusterIP: ", says: "may not be None when spec.type is NodePort"),
    BadManifest(what: "a label that is a number", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    version: 2\nspec: {ports: [{port: 80}]}\n", location: "bad.yaml:6: metadata.labels[version]: ", says: "expected a string, not the number 2"),
    BadManifest(what: "hostNetwork that is not a boolean", text: pod("spec:\n  hostNetwork: sometimes\n  containers: [{}]\n"), location: "bad.yaml:6: spec.hostNetwork: ", says: "expected true or false"),
    BadManifest(what: "a probe naming a port the container lacks", text: pod("spec:\n  containers:\n  - ports: [{name: http, containerPort: 80}]\n    readinessProbe:\n      tcpSocket: {port: metrics}\n" + "status: {podIP: 10.244.0.2}\n"), location: "bad.yaml:9: spec.containers[0].readinessProbe.tcpSocket.port: ", says: "expected a port number or http"),
    BadManifest(what: "a probe with neither tcpSocket nor httpGet", text: pod("spec:\n  containers:\n  - readinessProbe:\n      exec: {command: [true]}\n" + "status: {podIP: 10.244.0.2}\n"), location: "bad.yaml:7: spec.containers[0].readinessProbe: ", says: "expected tcpSocket or httpGet"),
    BadManifest(what: "a List item with a bad port", text: "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n  spec:\n    ports: [{port: -1}]\n", location: "bad.yaml:8: items[0].spec.ports[0].port: ", says: "-1 is not a valid port"),
    BadManifest(what: "the same object twice", text: service("  ports: [{port: 80}]\n") + "---\n" + service("  ports: [{port: 81}]\n"), location: "bad.yaml:11: metadata.name: ", says: "already defined on line 1"),
    BadManifest(what: "a document that is not an object", text: "- just\n- a list\n", location: "bad.yaml:1: ", says: "expected a Kubernetes object"),
]

@Suite struct ManifestsThatAreRefused {
    @Test("A bad manifest is refused with file, line and field path", arguments: badManifests)
    func aBadManifestIsRefusedWithFileLineAndFieldPath(_ bad: BadManifest) {
        #expect {
            _ = try decode(bad.text, file: "bad.yaml")
        } throws: { error in
            let message = (error as? ManifestError)?.description ?? "\(error)"
            let ok = message.hasPrefix(bad.location) && message.contains(bad.says)
            if !ok { Issue.record("got: \(message)") }
            return ok
        }
    }

    @Test func oneBadObjectRefusesTheWholeInput() {
        let text = issueLoadBalancerManifest + "---\n" + service("  ports: [{port: 0}]\n")
        #expect(throws: ManifestError.self) { try decode(text) }
    }
}

@Suite struct ChecksAgainstTheDaemonsSettings {
    @Test func uncommentingNodePort8081PassesParsingButNotTheNodePortRange() throws {
        let text = issueNodePortManifest.replacingOccurrences(of: "#nodePort: 8081", with: "nodePort: 8081")
        let decoded = try decode(text, file: "my-nginx.yaml")
        let object = try #require(decoded.objects.first)
        let service = try #require(object.service)
        #expect(service.spec.ports[0].nodePort == 8081)
        #expect {
            try validateNodePorts(service, range: 30000...32767, origin: object.origin)
        } throws: { error in
            let message = (error as? ManifestError)?.description ?? ""
            return message.hasPrefix("my-nginx.yaml:13: spec.ports[0].nodePort: 8081 is outside the NodePort range")
                && message.contains("30000–32767") && message.contains("--service-node-port-range")
                && message.contains("serviceNodePortRange:")
        }
    }

    @Test func nodePortsInsideTheRangePass() throws {
        let service = try onlyService(issueNodePortManifest)
        try validateNodePorts(service, range: 30000...32767)
        var pinned = service
        pinned.spec.ports[0].nodePort = 30080
        try validateNodePorts(pinned, range: 30000...32767)
    }

    @Test func aPinnedClusterIPOutsideTheServiceCIDRIsRefused() throws {
        let cidr = try #require(IPv4Network("10.96.0.0/12"))
        let text = service("  clusterIP: 192.168.1.10\n  ports: [{port: 80}]\n")
        let object = try #require(try decode(text, file: "pinned.yaml").objects.first)
        let service = try #require(object.service)
        #expect {
            try validateClusterIP(service, cidr: cidr, origin: object.origin)
        } throws: { error in
            let message = (error as? ManifestError)?.description ?? ""
            return message.hasPrefix("pinned.yaml:6: spec.clusterIP: 192.168.1.10 is outside the service CIDR 10.96.0.0/12")
                && message.contains("--service-cidr")
        }
        var inside = service
        inside.spec.clusterIP = .pinned(IPv4(10, 100, 0, 1))
        try validateClusterIP(inside, cidr: cidr)
    }

    @Test func withoutAnOriginTheMessageStillNamesTheField() throws {
        var service = try onlyService(issueNodePortManifest)
        service.spec.ports[0].nodePort = 8081
        #expect(throws: ManifestError(
            file: nil, line: nil, field: "spec.ports[0].nodePort",
            message: "8081 is outside the NodePort range (expected 30000–32767, the agent's NodePort range; leave nodePort out to have one allocated, or change the range with --service-node-port-range or serviceNodePortRange: in the configuration file)")
        ) {
            try validateNodePorts(service, range: 30000...32767)
        }
    }
}
