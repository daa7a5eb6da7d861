import CLITestSupport
import ClusterModel
import Foundation
import Testing

@testable import LoadBalancers
import MotoSupport

/// Whether the moto tests run: always under CI (where a missing moto_server fails them, with
/// how to install it), elsewhere only when moto_server is there.
let motoTestsEnabled: Bool = {
    if ProcessInfo.processInfo.environment["CI"] != nil { return true }
    if !MotoServer.isAvailable { print("Skipping the aws-elbv2 tests against moto: \(MotoServer.installHint)") }
    return MotoServer.isAvailable
}()

/// A moto server holding a VPC with two subnets, the provider pointed at it, and the calls an
/// operator would make to look at the result (``MotoOperator``).
struct MotoCloud {
    let server: MotoServer
    let subnets: [String]
    let recorder: RecordingTransport
    let provider: AWSLoadBalancerProvider
    let cloud: MotoOperator

    init(scheme: AWSLoadBalancerProvider.Settings.Scheme = .internetFacing) async throws {
        server = try await MotoServer()
        cloud = MotoOperator(server: server)
        subnets = try await cloud.createNetwork()
        recorder = RecordingTransport()
        provider = try AWSLoadBalancerProvider(
            settings: .init(
                region: MotoOperator.region, subnets: subnets, scheme: scheme, endpoint: server.endpoint,
                credentials: .fixed(MotoOperator.credentials), clusterName: "test"),
            transport: recorder)
    }

    func restart() async throws {
        try await server.restart()
        let again = try await cloud.createNetwork()
        #expect(again == subnets, "moto was seeded, so the network comes back with the same IDs")
    }

    var elb: ELBv2 { cloud.elb }
    func loadBalancers() async throws -> [ELBv2.LoadBalancer] { try await cloud.loadBalancers() }
    func listeners(of loadBalancer: ELBv2.LoadBalancer) async throws -> [Int: ELBv2.TargetGroup] { try await cloud.listeners(of: loadBalancer) }
    func targets(of targetGroup: ELBv2.TargetGroup) async throws -> [String] { try await cloud.targets(of: targetGroup) }
}

/// `count` nodes at 10.0.1.11, 10.0.1.12, …
func nodes(_ count: Int) -> [LoadBalancerTarget] {
    (1...count).map { LoadBalancerTarget(name: "node-\($0)", address: IPv4(10, 0, 1, UInt8(10 + $0))) }
}

/// `default/web` with HTTP on 80 and HTTPS on 443.
func web(
    ports: [LoadBalancerRequest.Port] = [.init(name: "http", port: 80, nodePort: 30080), .init(name: "https", port: 443, nodePort: 30443)],
    annotations: [String: String] = [:], policy: ExternalTrafficPolicy = .cluster, healthCheckNodePort: Int? = nil
) -> LoadBalancerRequest {
    LoadBalancerRequest(
        namespace: "default", name: "web", annotations: annotations, ports: ports, externalTrafficPolicy: policy,
        healthCheckNodePort: healthCheckNodePort)
}
