/// The Elastic Load Balancing v2 actions the provider uses, as typed calls over the query
/// client. Names follow the API's, so they can be looked up in its reference.
struct ELBv2: Sendable {
    var client: AWSQueryClient

    struct LoadBalancer: Hashable, Sendable {
        var arn: String
        var name: String
        var dnsName: String
        var scheme: String
        var type: String
        var vpcID: String
        var subnets: [String]

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
    struct HealthCheck: Hashable, Sendable {
        /// `TCP` or `HTTP`.
        var `protocol`: String
        /// A port number, or `traffic-port` for the target's own.
        var port: String
        /// For HTTP only.
        var path: String?

        static let trafficPort = HealthCheck(protocol: "TCP", port: "traffic-port", path: nil)

        static func http(port: Int, path: String) -> HealthCheck { HealthCheck(protocol: "HTTP", port: "\(port)", path: path) }

        /// The parameters CreateTargetGroup and ModifyTargetGroup take.
        var parameters: QueryParameters {
            var parameters = QueryParameters()
            parameters.append("HealthCheckProtocol", `protocol`)
            parameters.append("HealthCheckPort", port)
            if let path { parameters.append("HealthCheckPath", path) }
            return parameters
        }
    }

    struct TargetGroup: Hashable, Sendable {
        var arn: String
        var name: String
        var `protocol`: String
        var port: Int
        var healthCheck: HealthCheck
        var loadBalancerArns: [String]

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

    struct Listener: Hashable, Sendable {
        var arn: String
        var port: Int
        var `protocol`: String
        /// The target group of its forward action; nil when it does something else.
        var targetGroupArn: String?

        init(_ element: ResponseElement) {
            arn = element.value("ListenerArn") ?? ""
            port = element.value("Port").flatMap { Int($0) } ?? 0
            `protocol` = element.value("Protocol") ?? ""
            targetGroupArn = element.list("DefaultActions").first { $0.value("Type") == "forward" }?.value("TargetGroupArn")
        }
    }

    /// A node's address at a NodePort.
    struct Target: Hashable, Sendable, Comparable {
        var id: String
        var port: Int

        static func < (a: Target, b: Target) -> Bool { (a.id, a.port) < (b.id, b.port) }
    }

    struct TargetHealth: Hashable, Sendable {
        var target: Target
        /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
        var state: String
    }

    // MARK: Load balancers

    func describeLoadBalancers() async throws -> [LoadBalancer] {
        try await client.describeAll(.elasticLoadBalancing, "DescribeLoadBalancers") {
            $0.list("DescribeLoadBalancersResult", "LoadBalancers").map(LoadBalancer.init)
        }
    }

    func createLoadBalancer(name: String, scheme: String, subnets: [String], tags: [String: String]) async throws -> LoadBalancer {
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

    func describeTargetGroups() async throws -> [TargetGroup] {
        try await client.describeAll(.elasticLoadBalancing, "DescribeTargetGroups") {
            $0.list("DescribeTargetGroupsResult", "TargetGroups").map(TargetGroup.init)
        }
    }

    func createTargetGroup(
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

    func describeTargetHealth(targetGroupArn: String) async throws -> [TargetHealth] {
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

    func describeListeners(loadBalancerArn: String) async throws -> [Listener] {
        var parameters = QueryParameters()
        parameters.append("LoadBalancerArn", loadBalancerArn)
        return try await client.describeAll(.elasticLoadBalancing, "DescribeListeners", parameters) {
            $0.list("DescribeListenersResult", "Listeners").map(Listener.init)
        }
    }

    func createListener(loadBalancerArn: String, protocol: String, port: Int, targetGroupArn: String) async throws {
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
