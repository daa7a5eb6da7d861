import ClusterModel
import Foundation
import Testing

@testable import LoadBalancers

/// The provider against scripted answers: what moto cannot be made to do (refuse an action),
/// and a steady state checked without any server.
@Suite struct AWSLoadBalancerProviderTests {
    static let settings = AWSLoadBalancerProvider.Settings(
        region: "eu-west-1", subnets: ["subnet-a", "subnet-b"], endpoint: URL(string: "http://aws.invalid/"),
        credentials: .fixed(AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "secret")), clusterName: "prod")

    static func provider(_ answers: [String: (status: Int, body: String)]) throws -> (AWSLoadBalancerProvider, RecordingTransport) {
        let recorder = RecordingTransport(ScriptedTransport(answers: answers))
        return (try AWSLoadBalancerProvider(settings: settings, transport: recorder), recorder)
    }

    static func ok(_ action: String, _ result: String = "") -> (status: Int, body: String) {
        (200, "<\(action)Response><\(action)Result>\(result)</\(action)Result></\(action)Response>")
    }

    static let nothingYet: [String: (status: Int, body: String)] = [
        "DescribeLoadBalancers": ok("DescribeLoadBalancers", "<LoadBalancers/>"),
        "DescribeTargetGroups": ok("DescribeTargetGroups", "<TargetGroups/>"),
    ]

    @Test func anActionAWSRefusesFailsThatServiceWithActionCodeAndMessage() async throws {
        var answers = Self.nothingYet
        answers["CreateLoadBalancer"] = (
            403,
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: elasticloadbalancing:CreateLoadBalancer</Message></Error></ErrorResponse>"
        )
        let (provider, _) = try Self.provider(answers)
        let outcomes = try await provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(1)))
        #expect(
            outcomes == [
                "default/web": .failed(
                    "CreateLoadBalancer: AccessDenied: User is not authorized to perform: elasticloadbalancing:CreateLoadBalancer")
            ])
    }

    @Test func aRefusedLookAtWhatExistsFailsTheWholeReconcile() async throws {
        var answers = Self.nothingYet
        answers["DescribeLoadBalancers"] = (
            400, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"
        )
        let (provider, _) = try Self.provider(answers)
        await #expect(
            throws: AWSServiceError(action: "DescribeLoadBalancers", code: "Throttling", message: "Rate exceeded", httpStatus: 400)
        ) {
            _ = try await provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(1)))
        }
    }

    @Test func missingCredentialsFailTheWholeReconcileBeforeAnyCall() async throws {
        var settings = Self.settings
        settings.credentials = .variables(["HOME": "/home/nobody"])
        let recorder = RecordingTransport(ScriptedTransport(answers: Self.nothingYet))
        let provider = try AWSLoadBalancerProvider(settings: settings, transport: recorder)
        await #expect {
            _ = try await provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(1)))
        } throws: { error in
            "\(error)"
                == "no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and /home/nobody/.aws/credentials does not exist"
        }
        #expect(recorder.actions.isEmpty)
    }

    @Test func anEndpointThatDoesNotAnswerFailsTheWholeReconcile() async throws {
        let (provider, _) = try Self.provider([:])
        await #expect(throws: AWSError.unreachable(endpoint: "http://aws.invalid/", reason: "no scripted answer")) {
            _ = try await provider.reconcile(DesiredLoadBalancers(services: [web()], nodes: nodes(1)))
        }
    }

    @Test func settingsWithoutSubnetsAreRefusedWithWhatToSet() {
        var settings = Self.settings
        settings.subnets = []
        #expect(throws: AWSLoadBalancerProvider.SettingsError.self) { try AWSLoadBalancerProvider(settings: settings) }
    }

    /// Everything already as `web()` on one node wants it: the answers AWS would give.
    @Test func aServiceAlreadyInPlaceIsOnlyDescribed() async throws {
        let request = web(ports: [.init(port: 80, nodePort: 30080)])
        let loadBalancerName = ResourceNames.loadBalancer(cluster: "prod", namespace: "default", name: "web")
        let targetGroupName = ResourceNames.targetGroup(cluster: "prod", namespace: "default", name: "web", port: request.ports[0])
        let tags = OwnershipTags.tags(cluster: "prod", serviceKey: "default/web")
            .map { "<member><Key>\($0.key)</Key><Value>\($0.value)</Value></member>" }.joined()
        let (provider, recorder) = try Self.provider([
            "DescribeLoadBalancers": Self.ok(
                "DescribeLoadBalancers",
                """
                <LoadBalancers><member><LoadBalancerArn>arn:lb</LoadBalancerArn><LoadBalancerName>\(loadBalancerName)</LoadBalancerName>
                <DNSName>web.elb.example</DNSName><Scheme>internet-facing</Scheme><Type>network</Type><VpcId>vpc-1</VpcId>
                </member></LoadBalancers>
                """),
            "DescribeTargetGroups": Self.ok(
                "DescribeTargetGroups",
                """
                <TargetGroups><member><TargetGroupArn>arn:tg</TargetGroupArn><TargetGroupName>\(targetGroupName)</TargetGroupName>
                <Protocol>TCP</Protocol><Port>30080</Port><HealthCheckProtocol>TCP</HealthCheckProtocol>
                <HealthCheckPort>traffic-port</HealthCheckPort><LoadBalancerArns><member>arn:lb</member></LoadBalancerArns>
                </member></TargetGroups>
                """),
            "DescribeTags": Self.ok(
                "DescribeTags",
                """
                <TagDescriptions><member><ResourceArn>arn:lb</ResourceArn><Tags>\(tags)</Tags></member>
                <member><ResourceArn>arn:tg</ResourceArn><Tags>\(tags)</Tags></member></TagDescriptions>
                """),
            "DescribeTargetHealth": Self.ok(
                "DescribeTargetHealth",
                """
                <TargetHealthDescriptions>
                <member><Target><Id>10.0.1.11</Id><Port>30080</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member>
                <member><Target><Id>10.0.1.12</Id><Port>30080</Port></Target><TargetHealth><State>draining</State></TargetHealth></member>
                </TargetHealthDescriptions>
                """),
            "DescribeListeners": Self.ok(
                "DescribeListeners",
                """
                <Listeners><member><ListenerArn>arn:listener</ListenerArn><Port>80</Port><Protocol>TCP</Protocol>
                <DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg</TargetGroupArn></member></DefaultActions>
                </member></Listeners>
                """),
        ])

        let outcomes = try await provider.reconcile(DesiredLoadBalancers(services: [request], nodes: nodes(1)))

        #expect(outcomes == ["default/web": .ensured([LoadBalancerIngress(hostname: "web.elb.example")])])
        #expect(
            recorder.actions == [
                "DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTags", "DescribeTargetHealth", "DescribeListeners",
            ])
    }
}
