/// The Elastic Load Balancing v2 actions the provider uses, as typed calls over the query
/// client. Names follow the API's, so they can be looked up in its reference.
package struct ELBv2: Sendable {
    var client: AWSQueryClient

    package init(client: AWSQueryClient) { self.client = client }

    package struct LoadBalancer: Hashable, Sendable {
        package var arn: String
        package var name: String
        package var dnsName: String
        package var scheme: String
        package var type: String
        package var vpcID: String
        package var subnets: [String]

        init(_ element: ResponseElement) {
            arn = element.value("LoadBalancerArn") ?? ""
            name = element.value("LoadBalancerName") ?? ""
            dnsName = element.value("DNSName") ?? ""
            scheme = element.value("Scheme") ?? ""
            type = element.value("Type") ?? ""
            vpcID = element.value("VpcId") ?? ""
            subnets = element.list("AvailabilityZones").compactMap { $0.value("SubnetId") }
        }
    }

    /// How the load balancer decides a target is up.
    package struct HealthCheck: Hashable, Sendable {
        /// `TCP` or `HTTP`.
        package var `protocol`: String
        /// A port number, or `traffic-port` for the target's own.
        package var port: String
        /// For HTTP only.
        package var path: String?

        static let trafficPort = HealthCheck(protocol: "TCP", port: "traffic-port", path: nil)

        static func http(port: Int, path: String) -> HealthCheck { HealthCheck(protocol: "HTTP", port: "\(port)", path: path) }

        /// The parameters CreateTargetGroup and ModifyTargetGroup take.
        package var parameters: QueryParameters {
            var parameters = QueryParameters()
            parameters.append("HealthCheckProtocol", `protocol`)
            parameters.append("HealthCheckPort", port)
            if let path { parameters.append("HealthCheckPath", path) }
            return parameters
        }
    }

    package struct TargetGroup: Hashable, Sendable {
        package var arn: String
        package var name: String
        package var `protocol`: String
        package var port: Int
        package var healthCheck: HealthCheck
        package var loadBalancerArns: [String]

        init(_ element: ResponseElement) {
            arn = element.value("TargetGroupArn") ?? ""
            name = element.value("TargetGroupName") ?? ""
            `protocol` = element.value("Protocol") ?? ""
            port = element.value("Port").flatMap { Int($0) } ?? 0
            let healthProtocol = element.value("HealthCheckProtocol") ?? ""
            healthCheck = HealthCheck(
                protocol: healthProtocol, port: element.value("HealthCheckPort") ?? "",
                path: healthProtocol.hasPrefix("HTTP") ? element.value("HealthCheckPath") : nil)
            loadBalancerArns = element.list("LoadBalancerArns").map(\.text)
        }
    }

    package struct Listener: Hashable, Sendable {
        package var arn: String
        package var port: Int
        package var `protocol`: String
        /// The target group of its forward action; nil when it does something else.
        package var targetGroupArn: String?

        init(_ element: ResponseElement) {
            arn = element.value("ListenerArn") ?? ""
            port = element.value("Port").flatMap { Int($0) } ?? 0
            `protocol` = element.value("Protocol") ?? ""
            targetGroupArn = element.list("DefaultActions").first { $0.value("Type") == "forward" }?.value("TargetGroupArn")
        }
    }

    /// A node's address at a NodePort.
    package struct Target: Hashable, Sendable, Comparable {
        package var id: String
        package var port: Int

        package static func < (a: Target, b: Target) -> Bool { (a.id, a.port) < (b.id, b.port) }
    }

    package struct TargetHealth: Hashable, Sendable {
        package var target: Target
        /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
        package var state: String
    }

    // MARK: Load balancers

    package func describeLoadBalancers() async throws -> [LoadBalancer] {
        try await client.describeAll(.elasticLoadBalancing, "DescribeLoadBalancers") {
            $0.list("DescribeLoadBalancersResult", "LoadBalancers").map(LoadBalancer.init)
        }
    }

    package func createLoadBalancer(name: String, scheme: String, subnets: [String], tags: [String: String]) async throws -> LoadBalancer {
        var parameters = QueryParameters()
        parameters.append("Name", name)
        parameters.append("Type", "network")
        parameters.append("Scheme", scheme)
        parameters.appendMembers("Subnets", subnets)
        parameters.appendMembers("Tags", Self.tagFields(tags))
        let answer = try await client.call(.elasticLoadBalancing, "CreateLoadBalancer", parameters)
        guard let created = answer.list("CreateLoadBalancerResult", "LoadBalancers").first else {
            throw AWSError.malformedResponse(action: "CreateLoadBalancer", reason: "no load balancer in the answer")
        }
        return LoadBalancer(created)
    }

    func deleteLoadBalancer(arn: String) async throws {
        var parameters = QueryParameters()
        parameters.append("LoadBalancerArn", arn)
        _ = try await client.call(.elasticLoadBalancing, "DeleteLoadBalancer", parameters)
    }

    // MARK: Tags

    /// Every resource's tags, 20 resources a call (the API's limit).
    func describeTags(_ arns: [String]) async throws -> [String: [String: String]] {
        var tags = [String: [String: String]]()
        for start in stride(from: 0, to: arns.count, by: 20) {
            var parameters = QueryParameters()
            parameters.appendMembers("ResourceArns", Array(arns[start..<min(start + 20, arns.count)]))
            let answer = try await client.call(.elasticLoadBalancing, "DescribeTags", parameters)
            for description in answer.list("DescribeTagsResult", "TagDescriptions") {
                guard let arn = description.value("ResourceArn") else { continue }
                var resourceTags = [String: String]()
                for tag in description.list("Tags") {
                    if let key = tag.value("Key") { resourceTags[key] = tag.value("Value") ?? "" }
                }
                tags[arn] = resourceTags
            }
        }
        return tags
    }

    // MARK: Target groups

    package func describeTargetGroups() async throws -> [TargetGroup] {
        try await client.describeAll(.elasticLoadBalancing, "DescribeTargetGroups") {
            $0.list("DescribeTargetGroupsResult", "TargetGroups").map(TargetGroup.init)
        }
    }

    package func createTargetGroup(
        name: String, protocol: String, port: Int, vpcID: String, healthCheck: HealthCheck, tags: [String: String]
    ) async throws -> TargetGroup {
        var parameters = healthCheck.parameters
        parameters.append("Name", name)
        parameters.append("Protocol", `protocol`)
        parameters.append("Port", "\(port)")
        parameters.append("VpcId", vpcID)
        parameters.append("TargetType", "ip")
        parameters.appendMembers("Tags", Self.tagFields(tags))
        let answer = try await client.call(.elasticLoadBalancing, "CreateTargetGroup", parameters)
        guard let created = answer.list("CreateTargetGroupResult", "TargetGroups").first else {
            throw AWSError.malformedResponse(action: "CreateTargetGroup", reason: "no target group in the answer")
        }
        return TargetGroup(created)
    }

    func modifyTargetGroup(arn: String, healthCheck: HealthCheck) async throws {
        var parameters = healthCheck.parameters
        parameters.append("TargetGroupArn", arn)
        _ = try await client.call(.elasticLoadBalancing, "ModifyTargetGroup", parameters)
    }

    func deleteTargetGroup(arn: String) async throws {
        var parameters = QueryParameters()
        parameters.append("TargetGroupArn", arn)
        _ = try await client.call(.elasticLoadBalancing, "DeleteTargetGroup", parameters)
    }

    // MARK: Targets

    package func describeTargetHealth(targetGroupArn: String) async throws -> [TargetHealth] {
        var parameters = QueryParameters()
        parameters.append("TargetGroupArn", targetGroupArn)
        let answer = try await client.call(.elasticLoadBalancing, "DescribeTargetHealth", parameters)
        return answer.list("DescribeTargetHealthResult", "TargetHealthDescriptions").compactMap { description in
            guard let id = description.value("Target", "Id"), let port = description.value("Target", "Port").flatMap({ Int($0) })
            else { return nil }
            return TargetHealth(target: Target(id: id, port: port), state: description.value("TargetHealth", "State") ?? "")
        }
    }

    func registerTargets(targetGroupArn: String, _ targets: [Target]) async throws {
        try await changeTargets("RegisterTargets", targetGroupArn, targets)
    }

    func deregisterTargets(targetGroupArn: String, _ targets: [Target]) async throws {
        try await changeTargets("DeregisterTargets", targetGroupArn, targets)
    }

    private func changeTargets(_ action: String, _ targetGroupArn: String, _ targets: [Target]) async throws {
        var parameters = QueryParameters()
        parameters.append("TargetGroupArn", targetGroupArn)
        parameters.appendMembers("Targets", targets.map { [("Id", $0.id), ("Port", "\($0.port)")] })
        _ = try await client.call(.elasticLoadBalancing, action, parameters)
    }

    // MARK: Listeners

    package func describeListeners(loadBalancerArn: String) async throws -> [Listener] {
        var parameters = QueryParameters()
        parameters.append("LoadBalancerArn", loadBalancerArn)
        return try await client.describeAll(.elasticLoadBalancing, "DescribeListeners", parameters) {
            $0.list("DescribeListenersResult", "Listeners").map(Listener.init)
        }
    }

    package func createListener(loadBalancerArn: String, protocol: String, port: Int, targetGroupArn: String) async throws {
        var parameters = Self.listenerParameters(protocol: `protocol`, port: port, targetGroupArn: targetGroupArn)
        parameters.append("LoadBalancerArn", loadBalancerArn)
        _ = try await client.call(.elasticLoadBalancing, "CreateListener", parameters)
    }

    func modifyListener(arn: String, protocol: String, port: Int, targetGroupArn: String) async throws {
        var parameters = Self.listenerParameters(protocol: `protocol`, port: port, targetGroupArn: targetGroupArn)
        parameters.append("ListenerArn", arn)
        _ = try await client.call(.elasticLoadBalancing, "ModifyListener", parameters)
    }

    func deleteListener(arn: String) async throws {
        var parameters = QueryParameters()
        parameters.append("ListenerArn", arn)
        _ = try await client.call(.elasticLoadBalancing, "DeleteListener", parameters)
    }

    private static func listenerParameters(protocol: String, port: Int, targetGroupArn: String) -> QueryParameters {
        var parameters = QueryParameters()
        parameters.append("Protocol", `protocol`)
        parameters.append("Port", "\(port)")
        parameters.appendMembers("DefaultActions", [[("Type", "forward"), ("TargetGroupArn", targetGroupArn)]])
        return parameters
    }

    private static func tagFields(_ tags: [String: String]) -> [[(String, String)]] {
        tags.sorted { $0.key < $1.key }.map { [("Key", $0.key), ("Value", $0.value)] }
    }
}
