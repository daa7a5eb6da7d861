/// One reconcile's work against ELBv2: what exists, read once at the start, then each
/// Service's load balancer brought to its plan, then what no Service uses removed.
struct Reconciliation {
    private let api: ELBv2
    private let ec2: EC2
    private let settings: AWSLoadBalancerProvider.Settings

    /// Every load balancer of the account and region: an annotation may name any of them.
    private var loadBalancers: [ELBv2.LoadBalancer]
    /// The target groups this cluster created.
    private var targetGroups: [ELBv2.TargetGroup]
    /// The Service key of each load balancer and target group this cluster created, by ARN.
    private var owners: [String: String]
    /// What this reconcile's Services use; the rest of what this cluster owns goes.
    private var inUse = Set<String>()
    private var subnetsVPC: String?

    /// Reads the load balancers, the target groups and their tags.
    static func start(api: ELBv2, ec2: EC2, settings: AWSLoadBalancerProvider.Settings) async throws -> Reconciliation {
        let loadBalancers = try await api.describeLoadBalancers()
        let targetGroups = try await api.describeTargetGroups()
        let tags = try await api.describeTags(loadBalancers.map(\.arn) + targetGroups.map(\.arn))
        let owners = tags.compactMapValues { OwnershipTags.serviceKey(of: $0, cluster: settings.clusterName) }
        return Reconciliation(
            api: api, ec2: ec2, settings: settings, loadBalancers: loadBalancers,
            targetGroups: targetGroups.filter { owners[$0.arn] != nil }, owners: owners)
    }

    private init(
        api: ELBv2, ec2: EC2, settings: AWSLoadBalancerProvider.Settings, loadBalancers: [ELBv2.LoadBalancer],
        targetGroups: [ELBv2.TargetGroup], owners: [String: String]
    ) {
        self.api = api
        self.ec2 = ec2
        self.settings = settings
        self.loadBalancers = loadBalancers
        self.targetGroups = targetGroups
        self.owners = owners
    }

    /// Brings one Service's load balancer, target groups, targets and listeners to `plan`.
    ///
    /// - Returns: the load balancer's DNS name.
    /// - Throws: ``AWSServiceError`` for this Service alone; anything else for the reconcile.
    mutating func ensure(_ plan: ServiceLoadBalancerPlan) async throws -> String {
        do {
            let (loadBalancer, adopted) = try await ensureLoadBalancer(plan)
            var targetGroupArns = [Int: String]()
            for port in plan.ports {
                let targetGroup = try await ensureTargetGroup(port, of: plan, vpcOf: adopted ? loadBalancer : nil)
                targetGroupArns[port.listenerPort] = targetGroup
                try await ensureTargets(port.targets, in: targetGroup)
            }
            try await ensureListeners(on: loadBalancer, adopted: adopted, plan: plan, targetGroupArns: targetGroupArns)
            return loadBalancer.dnsName
        } catch let error as AWSServiceError {
            // Half done: keep all of the Service's for the next attempt rather than remove it.
            inUse.formUnion(owners.filter { $0.value == plan.serviceKey }.keys)
            throw error
        }
    }

    /// Deletes the load balancers and target groups this cluster made that no Service of
    /// this reconcile uses, with the listeners that forward to those target groups.
    ///
    /// - Returns: what was refused, by the Service key of what could not be deleted; it is
    ///   tried again at the next reconcile.
    mutating func removeUnused() async throws -> [String: AWSServiceError] {
        var refusals = [String: AWSServiceError]()
        var deleted = Set<String>()
        for loadBalancer in loadBalancers {
            guard let owner = owners[loadBalancer.arn], !inUse.contains(loadBalancer.arn) else { continue }
            do {
                try await api.deleteLoadBalancer(arn: loadBalancer.arn)
                deleted.insert(loadBalancer.arn)
            } catch let error as AWSServiceError {
                refusals[owner] = error
            }
        }
        for targetGroup in targetGroups where !inUse.contains(targetGroup.arn) {
            do {
                for loadBalancerArn in targetGroup.loadBalancerArns where !deleted.contains(loadBalancerArn) {
                    for listener in try await listeners(on: loadBalancerArn) where listener.targetGroupArn == targetGroup.arn {
                        try await api.deleteListener(arn: listener.arn)
                    }
                }
                try await api.deleteTargetGroup(arn: targetGroup.arn)
            } catch let error as AWSServiceError {
                if let owner = owners[targetGroup.arn] { refusals[owner] = error }
            }
        }
        return refusals
    }

    // MARK: Steps

    /// The Service's load balancer, created if there is none of its name; `adopted` when the
    /// annotation named one this cluster did not create.
    private mutating func ensureLoadBalancer(_ plan: ServiceLoadBalancerPlan) async throws -> (ELBv2.LoadBalancer, adopted: Bool) {
        if let existing = loadBalancers.first(where: { $0.name == plan.loadBalancerName }) {
            let owner = owners[existing.arn]
            guard owner == plan.serviceKey || (owner == nil && plan.namedByAnnotation) else {
                throw AWSServiceError(
                    action: "CreateLoadBalancer", code: "DuplicateLoadBalancerName",
                    message: "load balancer \(existing.name) exists and is "
                        + (owner.map { "Service \($0)'s" }
                            ?? "not this cluster's (name it with \(AWSLoadBalancerProvider.nameAnnotation) to adopt it)"),
                    httpStatus: 0)
            }
            inUse.insert(existing.arn)
            return (existing, owner == nil)
        }
        let created = try await api.createLoadBalancer(
            name: plan.loadBalancerName, scheme: settings.scheme.rawValue, subnets: settings.subnets, tags: plan.tags)
        loadBalancers.append(created)
        owners[created.arn] = plan.serviceKey
        inUse.insert(created.arn)
        return (created, false)
    }

    /// The port's target group ARN, created or its health check corrected.
    private mutating func ensureTargetGroup(
        _ port: ServiceLoadBalancerPlan.Port, of plan: ServiceLoadBalancerPlan, vpcOf adoptedLoadBalancer: ELBv2.LoadBalancer?
    ) async throws -> String {
        if let existing = targetGroups.first(where: { $0.name == port.targetGroupName && owners[$0.arn] == plan.serviceKey }) {
            if existing.healthCheck != port.healthCheck {
                try await api.modifyTargetGroup(arn: existing.arn, healthCheck: port.healthCheck)
            }
            inUse.insert(existing.arn)
            return existing.arn
        }
        let vpcID: String
        if let adoptedLoadBalancer { vpcID = adoptedLoadBalancer.vpcID } else { vpcID = try await vpcOfSubnets() }
        let created = try await api.createTargetGroup(
            name: port.targetGroupName, protocol: port.protocol, port: port.nodePort, vpcID: vpcID, healthCheck: port.healthCheck,
            tags: plan.tags)
        targetGroups.append(created)
        owners[created.arn] = plan.serviceKey
        inUse.insert(created.arn)
        return created.arn
    }

    /// Registers the nodes missing from the target group and deregisters those it should
    /// no longer hold. Targets already draining count as gone: deregistering them again
    /// would be a change at every reconcile for the whole deregistration delay.
    private func ensureTargets(_ targets: Set<ELBv2.Target>, in targetGroupArn: String) async throws {
        let registered = Set(
            try await api.describeTargetHealth(targetGroupArn: targetGroupArn).filter { $0.state != "draining" }.map(\.target))
        let missing = targets.subtracting(registered)
        let departed = registered.subtracting(targets)
        if !missing.isEmpty { try await api.registerTargets(targetGroupArn: targetGroupArn, missing.sorted()) }
        if !departed.isEmpty { try await api.deregisterTargets(targetGroupArn: targetGroupArn, departed.sorted()) }
    }

    /// A listener per port forwarding to its target group. Listeners on ports the Service no
    /// longer has go: all of them on a load balancer this cluster made, on an adopted one
    /// only those forwarding to this Service's target groups. On an adopted load balancer, a
    /// port someone else's listener holds is refused rather than taken over.
    private func ensureListeners(
        on loadBalancer: ELBv2.LoadBalancer, adopted: Bool, plan: ServiceLoadBalancerPlan, targetGroupArns: [Int: String]
    ) async throws {
        let listeners = try await api.describeListeners(loadBalancerArn: loadBalancer.arn)
        for port in plan.ports {
            guard let targetGroupArn = targetGroupArns[port.listenerPort] else { continue }
            if let listener = listeners.first(where: { $0.port == port.listenerPort }) {
                if adopted, let current = listener.targetGroupArn, current != targetGroupArn, owners[current] != plan.serviceKey {
                    throw AWSServiceError(
                        action: "CreateListener", code: "DuplicateListener",
                        message:
                            "port \(port.listenerPort) of load balancer \(loadBalancer.name) forwards to a target group this Service did not make",
                        httpStatus: 0)
                }
                if listener.protocol != port.protocol || listener.targetGroupArn != targetGroupArn {
                    try await api.modifyListener(
                        arn: listener.arn, protocol: port.protocol, port: port.listenerPort, targetGroupArn: targetGroupArn)
                }
            } else {
                try await api.createListener(
                    loadBalancerArn: loadBalancer.arn, protocol: port.protocol, port: port.listenerPort, targetGroupArn: targetGroupArn)
            }
        }
        let listenerPorts = Set(plan.ports.map(\.listenerPort))
        for listener in listeners where !listenerPorts.contains(listener.port) {
            if !adopted || listener.targetGroupArn.map({ owners[$0] == plan.serviceKey }) == true {
                try await api.deleteListener(arn: listener.arn)
            }
        }
    }

    /// The VPC of the settings' subnets, where target groups of type `ip` must be; asked of
    /// EC2 at most once a reconcile, and only when a target group is to be created.
    private mutating func vpcOfSubnets() async throws -> String {
        if let subnetsVPC { return subnetsVPC }
        let vpcs = Set(try await ec2.describeSubnets(settings.subnets).map(\.vpcID))
        guard vpcs.count == 1, let vpc = vpcs.first else {
            throw AWSServiceError(
                action: "DescribeSubnets", code: "InvalidParameterValue",
                message: "subnets \(settings.subnets.joined(separator: ", ")) are in \(vpcs.count) VPCs; name subnets of one VPC",
                httpStatus: 0)
        }
        subnetsVPC = vpc
        return vpc
    }

    /// A load balancer's listeners; none when it is gone (its target group still names it).
    private func listeners(on loadBalancerArn: String) async throws -> [ELBv2.Listener] {
        do {
            return try await api.describeListeners(loadBalancerArn: loadBalancerArn)
        } catch let error as AWSServiceError where error.code == "LoadBalancerNotFound" {
            return []
        }
    }
}
