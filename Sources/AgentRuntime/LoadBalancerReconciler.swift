import Catalog
import ClusterModel
import Foundation
import LoadBalancers
import Logging
import Metrics

/// The leader's side of `type: LoadBalancer`: while this node leads, it hands the provider
/// the whole desired state whenever that changes, every `resyncInterval` anyway, and again
/// after a failure with growing pauses; each Service's outcome goes into its status.
///
/// It asks the election before every reconcile, cancels one in progress as soon as the lease
/// runs out (the aws-elbv2 provider then makes no further call), and drops an outcome that
/// comes back after it: the one request in flight when leadership ends runs to its end (the
/// provider's timeouts bound it), and that is the only overlap with the next leader's calls.
actor LoadBalancerReconciler {
    struct Settings: Sendable {
        /// Even when nothing changed: the cloud may have drifted (someone deleted a target).
        var resyncInterval: Duration = .seconds(60)
        /// After a failed reconcile: 1, 2, 4 … up to this.
        var longestRetryPause: Duration = .seconds(60)
        /// A new leader waits this long before its first reconcile, for the catalog of a node
        /// that only just joined to fill in by anti-entropy (two rounds): it must not take an
        /// empty catalog for "delete every load balancer".
        var settleAfterElection: Duration = .seconds(4)
    }

    /// Writes the leader's view of Services' statuses into the catalog.
    typealias StatusRecorder = @Sendable ([ObjectKey: LoadBalancerStatus]) async -> Void

    let provider: any LoadBalancerProvider
    let gossip: GossipNode
    let catalog: CatalogNode
    let record: StatusRecorder
    let settings: Settings
    let logger: Logger

    private let succeeded = Counter(label: "agent_lb_reconcile_total", dimensions: [("result", "success")])
    private let failed = Counter(label: "agent_lb_reconcile_total", dimensions: [("result", "error")])

    /// The last desired state handed to the provider; nil before this node's first reconcile
    /// as leader. A different one is reconciled at once, the same one again only after a
    /// pause: `resyncInterval` after a success, a growing one after failures.
    private var attempted: DesiredLoadBalancers?
    private var lastReconcile = ContinuousClock.now
    private var failures = 0
    private var leadingSince: ContinuousClock.Instant?

    init(
        provider: any LoadBalancerProvider, gossip: GossipNode, catalog: CatalogNode, settings: Settings = Settings(), logger: Logger,
        record: @escaping StatusRecorder
    ) {
        self.provider = provider
        self.gossip = gossip
        self.catalog = catalog
        self.settings = settings
        self.logger = logger
        self.record = record
        succeeded.increment(by: 0)
        failed.increment(by: 0)
    }

    /// Reconciles until cancelled.
    func run() async {
        let (triggers, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let cancelObserving = try? await catalog.observe { continuation.yield() }.get()
        defer { cancelObserving?() }
        try? await gossip.observeLeadership { _ in continuation.yield() }.get()
        // Timed work (resync, retry, settling) is looked at every second.
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                continuation.yield()
            }
        }
        defer { ticker.cancel() }
        for await _ in triggers {
            if Task.isCancelled { break }
            await pass()
        }
    }

    /// One look: reconciles if this node leads and something is due.
    private func pass() async {
        guard (try? await gossip.isLeading().get()) == true else {
            if leadingSince != nil { logger.info("no longer reconciling load balancers: this node does not lead") }
            leadingSince = nil
            attempted = nil
            return
        }
        let now = ContinuousClock.now
        if leadingSince == nil { leadingSince = now }
        guard let since = leadingSince, now - since >= settings.settleAfterElection else { return }
        guard let snapshot = try? await catalog.snapshot().get() else { return }
        let desired = LoadBalancerPlan.desired(replica: snapshot.replica, conflicts: snapshot.conflicts, members: snapshot.members)
        let pause = failures == 0 ? settings.resyncInterval : min(settings.longestRetryPause, .seconds(1 << min(failures - 1, 6)))
        guard desired != attempted || now - lastReconcile >= pause else { return }
        lastReconcile = now
        attempted = desired
        await reconcile(desired, in: snapshot.replica)
    }

    /// - Parameter replica: where each Service's status stood before.
    private func reconcile(_ desired: DesiredLoadBalancers, in replica: CatalogReplica) async {
        let started = ContinuousClock.now
        var outcomes: [String: LoadBalancerOutcome] = [:]
        let provider = provider
        let work = Task { try await provider.reconcile(desired) }
        let watch = Task { [gossip] in
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(100))
                if (try? await gossip.isLeading().get()) != true { return work.cancel() }
            }
        }
        defer { watch.cancel() }
        do {
            outcomes = try await work.value
        } catch {
            let reason = "\(provider.name): \(error)"
            logger.error("load balancer reconcile failed; EXTERNAL-IPs stay as they were", metadata: ["error": "\(reason)"])
            for service in desired.services { outcomes[service.key] = .failed(reason) }
        }
        guard (try? await gossip.isLeading().get()) == true else {
            logger.warning("leadership ended during a load balancer reconcile; its outcome is not recorded")
            attempted = nil
            return
        }
        let now = WallClock.now()
        var changed: [ObjectKey: LoadBalancerStatus] = [:]
        var failedServices: [String] = []
        for service in desired.services {
            let outcome = outcomes[service.key] ?? .failed("\(provider.name) returned nothing for \(service.key)")
            if case .failed(let message) = outcome {
                failedServices.append(service.key)
                logger.warning("load balancer not ensured", metadata: ["service": "\(service.key)", "error": "\(message)"])
            }
            let old = replica[service.serviceKey]?.service?.loadBalancer ?? LoadBalancerStatus()
            let new = LoadBalancerPlan.status(after: outcome, previous: old, now: now)
            if new != old {
                changed[service.serviceKey] = new
            }
        }
        if !changed.isEmpty { await record(changed) }
        if failedServices.isEmpty {
            succeeded.increment()
            failures = 0
            logger.info(
                "load balancers reconciled",
                metadata: [
                    "services": "\(desired.services.count)", "nodes": "\(desired.nodes.count)",
                    "seconds": "\((ContinuousClock.now - started).seconds)",
                ])
        } else {
            failed.increment()
            failures += 1
        }
    }

}
