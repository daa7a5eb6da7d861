import CLITestSupport
import ClusterModel
import Foundation
import Testing

@testable import LoadBalancers

/// The provider against moto's ELBv2 and EC2, each test on a moto of its own. What is
/// asserted is what the describe calls show an operator afterwards. One at a time: moto
/// servers starting side by side on a small machine answer slower than the provider waits.
@Suite("aws-elbv2 against moto", .enabled(if: motoTestsEnabled), .serialized)
struct AWSLoadBalancerProviderMotoTests {
    @Test func aServiceGetsANetworkLoadBalancerWithATargetGroupAndListenerPerPortHoldingEveryNode() async throws {
        let cloud = try await MotoCloud(scheme: .internal)
        let outcomes = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(5)))

        let loadBalancers = try await cloud.loadBalancers()
        try #require(loadBalancers.count == 1)
        let loadBalancer = loadBalancers[0]
        #expect(loadBalancer.type == "network")
        #expect(loadBalancer.scheme == "internal")
        #expect(Set(loadBalancer.subnets) == Set(cloud.subnets))
        #expect(outcomes == ["default/web": .ensured([LoadBalancerIngress(hostname: loadBalancer.dnsName)])])

        let listeners = try await cloud.listeners(of: loadBalancer)
        #expect(listeners.keys.sorted() == [80, 443])
        for (port, nodePort) in [(80, 30080), (443, 30443)] {
            let targetGroup = try #require(listeners[port])
            #expect(targetGroup.protocol == "TCP")
            #expect(targetGroup.port == nodePort)
            #expect(targetGroup.healthCheck == ELBv2.HealthCheck(protocol: "TCP", port: "traffic-port", path: nil))
            #expect(try await cloud.targets(of: targetGroup) == (11...15).map { "10.0.1.\($0):\(nodePort)" })
        }
    }

    @Test func aNodeThatLeftIsDeregisteredFromEveryTargetGroup() async throws {
        let cloud = try await MotoCloud()
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(5)))
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(4)))

        let listeners = try await cloud.listeners(of: try #require(try await cloud.loadBalancers().first))
        #expect(try await cloud.targets(of: try #require(listeners[80])) == (11...14).map { "10.0.1.\($0):30080" })
        #expect(try await cloud.targets(of: try #require(listeners[443])) == (11...14).map { "10.0.1.\($0):30443" })
    }

    @Test func reconcilingTheSameStateAgainOnlyDescribes() async throws {
        let cloud = try await MotoCloud()
        let desired = DesiredLoadBalancers(services: [web(policy: .local, healthCheckNodePort: 32100)], nodes: nodes(3))
        let first = try await cloud.provider.reconcile(desired)
        cloud.recorder.forget()

        let second = try await cloud.provider.reconcile(desired)
        #expect(second == first)
        #expect(!cloud.recorder.actions.isEmpty)
        #expect(cloud.recorder.actions.filter { !$0.hasPrefix("Describe") } == [])
    }

    @Test func aChangedPortMovesItsListenerAndTargetGroup() async throws {
        let cloud = try await MotoCloud()
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(2)))
        let before = try await cloud.listeners(of: try #require(try await cloud.loadBalancers().first))

        // https moves from 443 to 8443; http keeps port 80 but gets a new NodePort.
        let changed = web(ports: [.init(name: "http", port: 80, nodePort: 31080), .init(name: "https", port: 8443, nodePort: 30443)])
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [changed], nodes: nodes(2)))

        let after = try await cloud.listeners(of: try #require(try await cloud.loadBalancers().first))
        #expect(after.keys.sorted() == [80, 8443])
        #expect(after[80]?.port == 31080)
        #expect(after[8443]?.port == 30443)
        #expect(try await cloud.targets(of: try #require(after[80])) == ["10.0.1.11:31080", "10.0.1.12:31080"])
        let remaining = Set(try await cloud.elb.describeTargetGroups().map(\.arn))
        #expect(remaining == Set(after.values.map(\.arn)), "the target groups of the old ports are gone")
        #expect(before[80]?.arn != after[80]?.arn)
    }

    @Test func theLocalPolicyHealthChecksTheHealthCheckNodePort() async throws {
        let cloud = try await MotoCloud()
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(2)))
        let local = web(policy: .local, healthCheckNodePort: 32100)
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [local], nodes: nodes(2)))

        let listeners = try await cloud.listeners(of: try #require(try await cloud.loadBalancers().first))
        #expect(listeners.count == 2)
        for targetGroup in listeners.values {
            #expect(targetGroup.healthCheck == ELBv2.HealthCheck(protocol: "HTTP", port: "32100", path: "/healthz"))
        }
    }

    @Test func aServiceNoLongerDesiredLosesItsLoadBalancerAndTargetGroups() async throws {
        let cloud = try await MotoCloud()
        var api = web()
        api.name = "api"
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [api, web()], nodes: nodes(2)))
        #expect(try await cloud.loadBalancers().count == 2)

        let outcomes = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [api], nodes: nodes(2)))

        let remaining = try await cloud.loadBalancers()
        #expect(remaining.map(\.name) == [ResourceNames.loadBalancer(cluster: "test", namespace: "default", name: "api")])
        #expect(outcomes == ["default/api": .ensured([LoadBalancerIngress(hostname: remaining.first?.dnsName)])])
        let listeners = try await cloud.listeners(of: try #require(remaining.first))
        #expect(Set(try await cloud.elb.describeTargetGroups().map(\.arn)) == Set(listeners.values.map(\.arn)))
    }

    @Test func anAnnotatedNameAdoptsAnExistingLoadBalancerWhichOutlivesTheService() async throws {
        let cloud = try await MotoCloud()
        let shared = try await cloud.elb.createLoadBalancer(
            name: "shared-ingress", scheme: "internet-facing", subnets: cloud.subnets, tags: [:])
        let adopting = web(
            ports: [.init(port: 80, nodePort: 30080)], annotations: [AWSLoadBalancerProvider.nameAnnotation: "shared-ingress"])

        let outcomes = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [adopting], nodes: nodes(2)))
        #expect(outcomes == ["default/web": .ensured([LoadBalancerIngress(hostname: shared.dnsName)])])
        #expect(try await cloud.listeners(of: shared).keys.sorted() == [80])

        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [], nodes: nodes(2)))
        #expect(try await cloud.loadBalancers().map(\.name) == ["shared-ingress"])
        #expect(try await cloud.elb.describeListeners(loadBalancerArn: shared.arn).isEmpty)
        #expect(try await cloud.elb.describeTargetGroups().isEmpty)
    }

    @Test func aPortSomeoneElsesListenerHoldsOnAnAdoptedLoadBalancerIsRefusedNotTakenOver() async throws {
        let cloud = try await MotoCloud()
        let shared = try await cloud.elb.createLoadBalancer(
            name: "shared-ingress", scheme: "internet-facing", subnets: cloud.subnets, tags: [:])
        let vpc = try #require(shared.vpcID.isEmpty ? nil : shared.vpcID)
        let theirs = try await cloud.elb.createTargetGroup(
            name: "theirs", protocol: "TCP", port: 31000, vpcID: vpc, healthCheck: .trafficPort, tags: [:])
        try await cloud.elb.createListener(loadBalancerArn: shared.arn, protocol: "TCP", port: 80, targetGroupArn: theirs.arn)
        let adopting = web(
            ports: [.init(port: 80, nodePort: 30080)], annotations: [AWSLoadBalancerProvider.nameAnnotation: "shared-ingress"])

        let outcomes = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [adopting], nodes: nodes(2)))

        #expect(
            outcomes == [
                "default/web": .failed(
                    "CreateListener: DuplicateListener: port 80 of load balancer shared-ingress forwards to a target group this Service did not make"
                )
            ])
        #expect(try await cloud.listeners(of: shared)[80]?.arn == theirs.arn)
    }

    @Test func aServiceThatCannotHaveItsLoadBalancerFailsAloneWhileOthersAreEnsured() async throws {
        let cloud = try await MotoCloud()
        _ = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(2)))
        let webName = ResourceNames.loadBalancer(cluster: "test", namespace: "default", name: "web")
        var thief = web(annotations: [AWSLoadBalancerProvider.nameAnnotation: webName])
        thief.name = "thief"

        let outcomes = try await cloud.provider.reconcile(DesiredLoadBalancers(services: [thief, web()], nodes: nodes(2)))

        #expect(
            outcomes["default/thief"]
                == .failed("CreateLoadBalancer: DuplicateLoadBalancerName: load balancer \(webName) exists and is Service default/web's"))
        guard case .ensured = outcomes["default/web"] else {
            Issue.record("default/web was not ensured: \(String(describing: outcomes["default/web"]))")
            return
        }
    }

    @Test func anUnreachableEndpointFailsTheWholeReconcileUntilItIsBack() async throws {
        let cloud = try await MotoCloud()
        let desired = DesiredLoadBalancers(services: [web()], nodes: nodes(2))
        cloud.server.stop()
        await #expect {
            _ = try await cloud.provider.reconcile(desired)
        } throws: { error in
            guard case .unreachable(let endpoint, _) = error as? AWSError else { return false }
            return endpoint == cloud.server.endpoint.absoluteString
        }

        try await cloud.restart()
        let outcomes = try await cloud.provider.reconcile(desired)
        let loadBalancer = try #require(try await cloud.loadBalancers().first)
        #expect(outcomes == ["default/web": .ensured([LoadBalancerIngress(hostname: loadBalancer.dnsName)])])
    }
}
