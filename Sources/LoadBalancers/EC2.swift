/// The one EC2 action the provider needs: target groups of type `ip` must name their VPC,
/// and the settings name only subnets.
struct EC2: Sendable {
    var client: AWSQueryClient

    struct Subnet: Hashable, Sendable {
        var id: String
        var vpcID: String
    }

    func describeSubnets(_ ids: [String]) async throws -> [Subnet] {
        var parameters = QueryParameters()
        parameters.appendItems("SubnetId", ids)
        return try await client.describeAll(.ec2, "DescribeSubnets", parameters) { answer in
            answer.list("subnetSet").compactMap { item in
                guard let id = item.value("subnetId"), let vpcID = item.value("vpcId") else { return nil }
                return Subnet(id: id, vpcID: vpcID)
            }
        }
    }
}
