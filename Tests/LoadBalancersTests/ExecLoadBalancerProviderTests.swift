import ClusterModel
import Foundation
import LoadBalancers
import Testing

@Suite struct ExecLoadBalancerProviderTests {
    let desired = DesiredLoadBalancers(
        services: [
            LoadBalancerRequest(namespace: "default", name: "db", ports: [.init(port: 5432, nodePort: 30432)]),
            LoadBalancerRequest(namespace: "default", name: "web", ports: [.init(name: "http", port: 80, nodePort: 30080)]),
            LoadBalancerRequest(namespace: "shop", name: "cart", ports: [.init(protocol: .udp, port: 53, nodePort: 30053)]),
        ],
        nodes: [LoadBalancerTarget(name: "n1", address: IPv4(10, 0, 0, 1)), LoadBalancerTarget(name: "n2", address: IPv4(10, 0, 0, 2))])

    @Test func theCommandReceivesTheWholeDesiredStateAndEachServiceGetsWhatTheAnswerSays() async throws {
        let received = Received()
        let provider = ExecLoadBalancerProvider(command: ["/usr/local/bin/lb-hook", "--pool", "a"]) { command, input in
            await received.record(command, input)
            return #"{"services": {"default/web": {"ingress": [{"ip": "192.0.2.10"}]}, "default/db": {"error": "pool exhausted"}}}"#
        }
        let outcomes = try await provider.reconcile(desired)
        #expect(outcomes["default/web"] == .ensured([LoadBalancerIngress(ip: IPv4(192, 0, 2, 10))]))
        #expect(outcomes["default/db"] == .failed("pool exhausted"))
        #expect(outcomes["shop/cart"] == .failed("the exec provider's answer leaves out shop/cart"))
        let (command, input) = try #require(await received.calls.first)
        #expect(command == ["/usr/local/bin/lb-hook", "--pool", "a"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(input.utf8)) as? [String: Any])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.compactMap { $0["address"] as? String } == ["10.0.0.1", "10.0.0.2"])
        let services = try #require(object["services"] as? [[String: Any]])
        #expect(services.compactMap { $0["name"] as? String } == ["db", "web", "cart"])
        let cartPort = try #require((services[2]["ports"] as? [[String: Any]])?.first)
        #expect(cartPort["protocol"] as? String == "UDP" && cartPort["nodePort"] as? Int == 30053)
    }

    @Test func outputThatIsNotTheAnswersShapeFailsTheWholeReconcileSayingWhatWasExpected() async {
        let provider = ExecLoadBalancerProvider(command: ["hook"]) { _, _ in "192.0.2.10\n" }
        await #expect {
            try await provider.reconcile(desired)
        } throws: { error in
            "\(error)".contains("is not {\"services\"") && "\(error)".contains("192.0.2.10")
        }
    }

    @Test func aHostnameIngressIsTakenAsItIs() async throws {
        let provider = ExecLoadBalancerProvider(command: ["hook"]) { _, _ in
            #"{"services": {"default/web": {"ingress": [{"hostname": "web.lb.example"}]}}}"#
        }
        let outcomes = try await provider.reconcile(desired)
        #expect(outcomes["default/web"] == .ensured([LoadBalancerIngress(hostname: "web.lb.example")]))
    }
}

private actor Received {
    var calls: [([String], String)] = []
    func record(_ command: [String], _ input: String) { calls.append((command, input)) }
}
