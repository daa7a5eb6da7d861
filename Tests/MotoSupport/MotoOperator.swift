import CLITestSupport
import Foundation

import LoadBalancers

/// What an operator does and sees on a moto server through ELBv2's and EC2's APIs: makes the
/// network the settings name, lists load balancers, their listeners and targets. Shared by
/// the provider's tests and the integration tests of agents using it.
package struct MotoOperator: Sendable {
    package let server: MotoServer
    let client: AWSQueryClient

    package static let region = "us-east-1"
    package static let credentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")
    /// The same credentials as the environment variables an agent reads.
    package static let environment = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"]

    package init(server: MotoServer) {
        self.server = server
        client = AWSQueryClient(transport: URLSessionTransport(), region: Self.region, endpoint: server.endpoint, credentials: Self.credentials, now: { Date() })
    }

    /// A VPC and a subnet in each of two zones. After a restart, the same calls give the
    /// same IDs (``MotoServer`` seeds moto).
    package func createNetwork() async throws -> [String] {
        var vpc = QueryParameters()
        vpc.append("CidrBlock", "10.0.0.0/16")
        guard let vpcID = try await client.call(.ec2, "CreateVpc", vpc).value("vpc", "vpcId") else {
            throw MotoServer.Failure("CreateVpc answered no vpcId")
        }
        var subnets = [String]()
        for (zone, cidr) in [("us-east-1a", "10.0.1.0/24"), ("us-east-1b", "10.0.2.0/24")] {
            var subnet = QueryParameters()
            subnet.append("VpcId", vpcID)
            subnet.append("CidrBlock", cidr)
            subnet.append("AvailabilityZone", zone)
            guard let subnetID = try await client.call(.ec2, "CreateSubnet", subnet).value("subnet", "subnetId") else {
                throw MotoServer.Failure("CreateSubnet answered no subnetId")
            }
            subnets.append(subnetID)
        }
        return subnets
    }

    package var elb: ELBv2 { ELBv2(client: client) }

    package func loadBalancers() async throws -> [ELBv2.LoadBalancer] { try await elb.describeLoadBalancers() }

    /// The target groups a load balancer's listeners forward to, by listener port.
    package func listeners(of loadBalancer: ELBv2.LoadBalancer) async throws -> [Int: ELBv2.TargetGroup] {
        let targetGroups = try await elb.describeTargetGroups()
        var byPort = [Int: ELBv2.TargetGroup]()
        for listener in try await elb.describeListeners(loadBalancerArn: loadBalancer.arn) {
            byPort[listener.port] = targetGroups.first { $0.arn == listener.targetGroupArn }
        }
        return byPort
    }

    /// `address:port` of each registered target, sorted.
    package func targets(of targetGroup: ELBv2.TargetGroup) async throws -> [String] {
        try await elb.describeTargetHealth(targetGroupArn: targetGroup.arn).filter { $0.state != "draining" }
            .map { "\($0.target.id):\($0.target.port)" }.sorted()
    }
}
