import ClusterModel
import Foundation
import LoadBalancers
import Testing

@Suite struct LoadBalancerRequestTests {
    @Test func aRequestIsKeyedByNamespaceAndNameAndRoundTripsAsJSON() throws {
        let request = LoadBalancerRequest(
            namespace: "default", name: "my-service", ports: [.init(name: "http", port: 80, nodePort: 30080)],
            externalTrafficPolicy: .local, healthCheckNodePort: 32000)
        #expect(request.key == "default/my-service")
        let desired = DesiredLoadBalancers(services: [request], nodes: [LoadBalancerTarget(name: "n1", address: IPv4(10, 0, 0, 1))])
        let decoded = try JSONDecoder().decode(DesiredLoadBalancers.self, from: JSONEncoder().encode(desired))
        #expect(decoded == desired)
    }
}
