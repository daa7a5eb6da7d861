import AgentConfig
import LoadBalancers
import Logging
import ServiceLifecycle

extension AgentDaemon {
    /// The provider of `loadBalancer:` and the leader's reconciler over it; nil for
    /// `provider: none` (EXTERNAL-IP then stays `<pending>`, as on a cluster without a cloud).
    static func prepareLoadBalancers(
        _ configuration: AgentConfiguration, gossip: PreparedGossip, environment: [String: String], logger: Logger
    ) throws(StartupError) -> LoadBalancerReconciler? {
        let provider: any LoadBalancerProvider
        switch configuration.loadBalancer.provider {
        case .none:
            return nil
        case .exec(let command):
            provider = ExecLoadBalancerProvider(command: command) { command, input in
                try await HostCommand.run(command, input: input, environment: environment, timeout: execTimeout)
            }
        case .awsELBv2(let aws):
            do {
                provider = try AWSLoadBalancerProvider(
                    settings: AWSLoadBalancerProvider.Settings(
                        region: aws.region, subnets: aws.subnets, scheme: aws.scheme == .internal ? .internal : .internetFacing,
                        endpoint: aws.endpoint, credentials: .variables(environment)))
            } catch {
                throw .badInput("loadBalancer.aws: \(error)")
            }
        }
        let catalog = gossip.catalog
        return LoadBalancerReconciler(provider: provider, gossip: gossip.node, catalog: catalog, logger: logger) { statuses in
            await catalog.recordLoadBalancerStatuses(statuses)
        }
    }

    /// How long an exec provider may run before it is stopped and the reconcile counts as
    /// failed: a hung hook must not stall every later reconcile.
    static let execTimeout: Duration = .seconds(60)
}

/// The leader's reconciler as a lifecycle service: it runs on every node and acts only
/// while its node leads.
struct LoadBalancerService: Service {
    let reconciler: LoadBalancerReconciler

    func run() async throws {
        await cancelWhenGracefulShutdown { await reconciler.run() }
    }
}
