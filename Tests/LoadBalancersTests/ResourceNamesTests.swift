import ClusterModel
import Testing

@testable import LoadBalancers

@Suite struct ResourceNamesTests {
    /// ELBv2's rule for load balancer and target group names.
    static func isValid(_ name: String) -> Bool {
        name.count <= 32 && !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            && !name.hasPrefix("-") && !name.hasSuffix("-") && !name.hasPrefix("internal-")
    }

    @Test func aNameIsTheNamespaceAndNameThenAHashOfClusterAndService() {
        let name = ResourceNames.loadBalancer(cluster: "prod", namespace: "default", name: "web")
        #expect(name.hasPrefix("default-web-"))
        #expect(name.count == "default-web-".count + 8)
        #expect(name == ResourceNames.loadBalancer(cluster: "prod", namespace: "default", name: "web"))
        #expect(name != ResourceNames.loadBalancer(cluster: "staging", namespace: "default", name: "web"))
    }

    @Test func aTargetGroupNameCarriesItsPortAndChangesWithTheNodePort() {
        let port = LoadBalancerRequest.Port(protocol: .udp, port: 53, nodePort: 30053)
        let name = ResourceNames.targetGroup(cluster: "prod", namespace: "kube-system", name: "dns", port: port)
        #expect(name.hasPrefix("kube-system-dns-udp53-"))
        var moved = port
        moved.nodePort = 30054
        #expect(name != ResourceNames.targetGroup(cluster: "prod", namespace: "kube-system", name: "dns", port: moved))
    }

    @Test(arguments: [
        ("default", "web"), ("a-very-long-namespace-name-indeed", "and-an-even-longer-service-name-0123456789"),
        ("internal", "api"), ("x", "-"), ("team.one", "svc_two"),
    ])
    func everyNameIsAValidELBv2Name(_ namespace: String, _ name: String) {
        let loadBalancer = ResourceNames.loadBalancer(cluster: "c", namespace: namespace, name: name)
        let targetGroup = ResourceNames.targetGroup(
            cluster: "c", namespace: namespace, name: name, port: .init(port: 65535, nodePort: 32767))
        #expect(Self.isValid(loadBalancer), "\(loadBalancer)")
        #expect(Self.isValid(targetGroup), "\(targetGroup)")
    }

    @Test func longNamesAreCutReadablyAndStayDistinct() {
        let one = ResourceNames.loadBalancer(cluster: "c", namespace: "payments-production", name: "checkout-frontend-a")
        let two = ResourceNames.loadBalancer(cluster: "c", namespace: "payments-production", name: "checkout-frontend-b")
        #expect(one.hasPrefix("payments-production-che"))
        #expect(one.count == 32)
        #expect(one != two)
    }

    @Test func theDocumentedExampleHolds() {
        #expect(ResourceNames.loadBalancer(cluster: "prod", namespace: "default", name: "web") == "default-web-2a30e62b")
        #expect(
            ResourceNames.targetGroup(cluster: "prod", namespace: "default", name: "web", port: .init(port: 80, nodePort: 30080))
                == "default-web-tcp80-f2ec3013")
    }
}
