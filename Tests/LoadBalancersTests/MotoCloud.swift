import CLITestSupport
import ClusterModel
import Foundation
import Testing

@testable import LoadBalancers

/// Whether the moto tests run: always under CI (where a missing moto_server fails them, with
/// how to install it), elsewhere only when moto_server is there.
let motoTestsEnabled: Bool = {
    if ProcessInfo.processInfo.environment["CI"] != nil { return true }
    if !MotoServer.isAvailable { print("Skipping the aws-elbv2 tests against moto: \(MotoServer.installHint)") }
    return MotoServer.isAvailable
}()

/// A moto server holding a VPC with two subnets, the provider pointed at it, and the calls an
/// operator would make to look at the result.
struct MotoCloud {
    let server: MotoServer
    let subnets: [String]
    let recorder: RecordingTransport
    let provider: AWSLoadBalancerProvider
    private let client: AWSQueryClient

    static let region = "us-east-1"
    static let credentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")

    init(scheme: AWSLoadBalancerProvider.Settings.Scheme = .internetFacing) async throws {
        server = try await MotoServer()
        client = AWSQueryClient(
            transport: URLSessionTransport(), region: Self.region, endpoint: server.endpoint, credentials: Self.credentials,
            now: { Date() })
        subnets = try await Self.createNetwork(client)
        recorder = RecordingTransport()
        provider = try AWSLoadBalancerProvider(
            settings: .init(
                region: Self.region, subnets: subnets, scheme: scheme, endpoint: server.endpoint, credentials: .fixed(Self.credentials),
                clusterName: "test"),
            transport: recorder)
    }

    /// A VPC and a subnet in each of two zones, through EC2's API as an operator would make
    /// them. After a restart, the same calls give the same IDs (``MotoServer`` seeds moto).
    @discardableResult
    static func createNetwork(_ client: AWSQueryClient) async throws -> [String] {
        var vpc = QueryParameters()
        vpc.append("CidrBlock", "10.0.0.0/16")
        let vpcID = try #require(try await client.call(.ec2, "CreateVpc", vpc).value("vpc", "vpcId"))
        var subnets = [String]()
        for (zone, cidr) in [("us-east-1a", "10.0.1.0/24"), ("us-east-1b", "10.0.2.0/24")] {
            var subnet = QueryParameters()
            subnet.append("VpcId", vpcID)
            subnet.append("CidrBlock", cidr)
            subnet.append("AvailabilityZone", zone)
            subnets.append(try #require(try await client.call(.ec2, "CreateSubnet", subnet).value("subnet", "subnetId")))
        }
        return subnets
    }

    func restart() async throws {
        try await server.restart()
        let again = try await Self.createNetwork(client)
        #expect(again == subnets, "moto was seeded, so the network comes back with the same IDs")
    }

    // MARK: What an operator sees

    var elb: ELBv2 { ELBv2(client: client) }

    func loadBalancers() async throws -> [ELBv2.LoadBalancer] { try await elb.describeLoadBalancers() }

    /// The target groups a load balancer's listeners forward to, by listener port.
    func listeners(of loadBalancer: ELBv2.LoadBalancer) async throws -> [Int: ELBv2.TargetGroup] {
        let targetGroups = try await elb.describeTargetGroups()
        var byPort = [Int: ELBv2.TargetGroup]()
        for listener in try await elb.describeListeners(loadBalancerArn: loadBalancer.arn) {
            byPort[listener.port] = targetGroups.first { $0.arn == listener.targetGroupArn }
        }
        return byPort
    }

    /// `address:port` of each registered target, sorted.
    func targets(of targetGroup: ELBv2.TargetGroup) async throws -> [String] {
        try await elb.describeTargetHealth(targetGroupArn: targetGroup.arn).filter { $0.state != "draining" }
            .map { "\($0.target.id):\($0.target.port)" }.sorted()
    }
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
