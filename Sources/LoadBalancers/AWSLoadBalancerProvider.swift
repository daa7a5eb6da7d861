import ClusterModel
import Foundation

/// `aws-elbv2`: a Network Load Balancer per LoadBalancer Service, a target group per port
/// with every node's address at the port's NodePort (targets of type `ip`: nodes need not be
/// EC2 instances), and a listener per port forwarding to it.
///
/// Each reconcile reads what exists (every load balancer and target group with their tags,
/// then each Service's listeners and targets) and changes only what differs, so the same
/// desired state handed twice makes no change the second time. Reading every target group
/// rather than those of the Service's load balancer finds the ones a failed attempt left
/// unattached, and those of Services deleted while the agent was down.
public struct AWSLoadBalancerProvider: LoadBalancerProvider {
    public struct Settings: Sendable {
        public var region: String
        /// One endpoint for ELBv2 and EC2 (moto, LocalStack); nil for AWS's own per service.
        public var endpoint: URL?
        /// Where new load balancers go; their VPC is where target groups go.
        public var subnets: [String]
        public var scheme: Scheme
        public var credentials: CredentialSource
        /// Tags and names carry it, so that two clusters in one account and region never
        /// take each other's load balancers for their own (and delete them).
        public var clusterName: String

        public enum Scheme: String, Sendable, CaseIterable {
            case internetFacing = "internet-facing"
            case `internal`
        }

        public init(
            region: String, subnets: [String], scheme: Scheme = .internetFacing, endpoint: URL? = nil,
            credentials: CredentialSource = .environment, clusterName: String = "nodeagent"
        ) {
            self.region = region
            self.subnets = subnets
            self.scheme = scheme
            self.endpoint = endpoint
            self.credentials = credentials
            self.clusterName = clusterName
        }

        /// Throws a message that says what to set.
        public func validate() throws(SettingsError) {
            if region.isEmpty { throw SettingsError("the AWS region is empty; set it, e.g. us-east-1") }
            if subnets.isEmpty {
                throw SettingsError("no subnets; name at least one subnet (two or more in different zones for availability)")
            }
            if clusterName.isEmpty { throw SettingsError("the cluster name is empty; it tags what this cluster creates") }
        }
    }

    public struct SettingsError: Error, Hashable, Sendable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// Names the load balancer a Service uses instead of one derived from its name, as in
    /// Kubernetes' AWS load balancer controller. An existing one is adopted: its listeners
    /// and target groups are managed, but it is never deleted.
    public static let nameAnnotation = "service.beta.kubernetes.io/aws-load-balancer-name"

    public let name = "aws-elbv2"
    public let settings: Settings
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date

    public init(
        settings: Settings, transport: any HTTPTransport = URLSessionTransport(), now: @escaping @Sendable () -> Date = { Date() }
    )
        throws(SettingsError)
    {
        try settings.validate()
        self.settings = settings
        self.transport = transport
        self.now = now
    }

    public func reconcile(_ desired: DesiredLoadBalancers) async throws -> [String: LoadBalancerOutcome] {
        let client = AWSQueryClient(
            transport: transport, region: settings.region, endpoint: settings.endpoint,
            credentials: try settings.credentials.credentials(), now: now)
        var reconciliation = try await Reconciliation.start(api: ELBv2(client: client), ec2: EC2(client: client), settings: settings)
        var outcomes = [String: LoadBalancerOutcome]()
        for request in desired.services {
            let plan = ServiceLoadBalancerPlan(request, nodes: desired.nodes, settings: settings)
            do {
                outcomes[request.key] = .ensured([LoadBalancerIngress(hostname: try await reconciliation.ensure(plan))])
            } catch let error as AWSServiceError {
                outcomes[request.key] = .failed(error.description)
            }
        }
        for (key, error) in try await reconciliation.removeUnused() where outcomes[key] != nil {
            outcomes[key] = .failed(error.description)
        }
        return outcomes
    }
}
