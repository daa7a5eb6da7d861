import ClusterModel
import Logging
import NIOCore

/// Runs the readiness probes of the Pods this node owns, as kubelet does, and reports each
/// Pod's readiness when it changes; the catalog shell writes it as `Pod.Status.ready`.
///
/// - Each probe runs every `periodSeconds`, the first after a random delay of at most
///   `Settings.maximumFirstDelay` (so Pods applied together do not probe in step), and
///   may take `Settings.timeout` (kubelet's default `timeoutSeconds`, which the model does
///   not carry). A probe never overlaps its previous run.
/// - A container is ready after one success, and not ready after `failureThreshold`
///   consecutive failures; before either it is undecided. A Pod is ready when every probed
///   container is, not ready when any is not; the first decided value is always reported,
///   later ones only when they differ.
///
/// Confined to `eventLoop`: `update` and `stop` must be called there, and `onChange` is
/// called there. That is why the class can be `@unchecked Sendable`: the closures it
/// schedules on its own loop are the only other place its state is touched.
final class ReadinessProber: @unchecked Sendable {
    struct Settings {
        var timeout: TimeAmount = .seconds(1)
        var maximumFirstDelay: TimeAmount = .seconds(1)
        /// How long one of a probe's `periodSeconds` lasts; tests shorten it.
        var periodUnit: TimeAmount = .seconds(1)
    }

    let eventLoop: any EventLoop
    let group: any EventLoopGroup
    let logger: Logger
    let settings: Settings
    private let onChange: (ObjectKey, Bool) -> Void

    private var pods: [ObjectKey: ProbedPod] = [:]
    /// Tells a probe's completion from one of an earlier plan of the same Pod.
    private var nextGeneration = 0
    private var isStopped = false

    init(
        eventLoop: any EventLoop, group: any EventLoopGroup, logger: Logger, settings: Settings = Settings(),
        onChange: @escaping (ObjectKey, Bool) -> Void
    ) {
        self.eventLoop = eventLoop
        self.group = group
        self.logger = logger
        self.settings = settings
        self.onChange = onChange
    }

    /// Probes exactly `pods` from now on: those new or whose probes changed (a new port, a
    /// new address) start afresh, those gone stop. `hostAddress` is where a host-network Pod
    /// without a podIP listens.
    func update(_ pods: [Pod], hostAddress: IPv4) {
        eventLoop.preconditionInEventLoop()
        guard !isStopped else { return }
        var wanted: [ObjectKey: ProbePlan] = [:]
        for pod in pods {
            let plan = ProbePlan(pod: pod, hostAddress: hostAddress)
            if !plan.probes.isEmpty { wanted[pod.key] = plan }
        }
        for (key, probed) in self.pods where wanted[key] != probed.plan {
            probed.cancelTimers()
            self.pods[key] = nil
        }
        for (key, plan) in wanted where self.pods[key] == nil { start(key, plan) }
    }

    /// What was last reported for a Pod being probed; nil before the first report.
    func reportedReadiness(of key: ObjectKey) -> Bool? {
        eventLoop.preconditionInEventLoop()
        return pods[key]?.reported
    }

    /// Stops every probe; results still in flight are dropped.
    func stop() {
        eventLoop.preconditionInEventLoop()
        isStopped = true
        for probed in pods.values { probed.cancelTimers() }
        pods = [:]
    }

    // MARK: Probing

    private func start(_ key: ObjectKey, _ plan: ProbePlan) {
        let probed = ProbedPod(generation: nextGeneration, plan: plan)
        nextGeneration += 1
        pods[key] = probed
        for (index, probe) in plan.probes.enumerated() {
            if case .unrunnable(let reason) = probe.target {
                logger.warning("readiness probe cannot run", metadata: ["pod": "\(key)", "container": "\(probe.container)", "reason": "\(reason)"])
            }
            let delay = Int64.random(in: 0...max(0, settings.maximumFirstDelay.nanoseconds))
            schedule(key, probed, index, at: .now() + .nanoseconds(delay))
        }
    }

    private func schedule(_ key: ObjectKey, _ probed: ProbedPod, _ index: Int, at deadline: NIODeadline) {
        let generation = probed.generation
        probed.timers[index] = eventLoop.scheduleTask(deadline: deadline) { [self] in
            runProbe(key, generation, index)
        }
    }

    private func runProbe(_ key: ObjectKey, _ generation: Int, _ index: Int) {
        guard let probed = current(key, generation) else { return }
        let probe = probed.plan.probes[index]
        let started = NIODeadline.now()
        ProbeConnection.run(probe.target, group: group, timeout: settings.timeout)
            .hop(to: eventLoop)
            .whenComplete { [self] result in
                guard let probed = current(key, generation) else { return }
                let outcome = (try? result.get()) ?? .failure("the probe did not complete")
                record(outcome, of: key, probed, index)
                // Periods count from each start, as kubelet's ticker does; a probe that took
                // longer than its period is followed at once.
                schedule(key, probed, index, at: started + settings.periodUnit * Int64(probe.periodSeconds))
            }
    }

    private func current(_ key: ObjectKey, _ generation: Int) -> ProbedPod? {
        guard !isStopped, let probed = pods[key], probed.generation == generation else { return nil }
        return probed
    }

    private func record(_ outcome: ProbeOutcome, of key: ObjectKey, _ probed: ProbedPod, _ index: Int) {
        let probe = probed.plan.probes[index]
        switch outcome {
        case .success:
            probed.containers[index] = ContainerReadiness(ready: true)
        case .failure(let reason):
            probed.containers[index].consecutiveFailures += 1
            probed.containers[index].lastFailure = reason
            if probed.containers[index].consecutiveFailures >= probe.failureThreshold { probed.containers[index].ready = false }
            logger.debug("readiness probe failed", metadata: ["pod": "\(key)", "probe": "\(probe.target)", "reason": "\(reason)"])
        }
        guard let ready = probed.readiness, ready != probed.reported else { return }
        probed.reported = ready
        var metadata: Logger.Metadata = ["pod": "\(key)", "ready": "\(ready)"]
        if !ready, let failing = probed.containers.indices.first(where: { probed.containers[$0].ready == false }) {
            metadata["probe"] = "\(probed.plan.probes[failing].target)"
            metadata["reason"] = "\(probed.containers[failing].lastFailure ?? "")"
        }
        logger.info("pod readiness changed", metadata: metadata)
        onChange(key, ready)
    }
}

/// One container's probe results so far.
private struct ContainerReadiness {
    /// nil until the first success or `failureThreshold` failures.
    var ready: Bool?
    var consecutiveFailures = 0
    var lastFailure: String?
}

/// A Pod being probed under one plan. A class so that the results of its probes, which
/// complete one by one on the event loop, update one shared record.
private final class ProbedPod {
    let generation: Int
    let plan: ProbePlan
    var containers: [ContainerReadiness]
    var timers: [Scheduled<Void>?]
    /// What was last reported through `onChange`; nil before the first report.
    var reported: Bool?

    init(generation: Int, plan: ProbePlan) {
        self.generation = generation
        self.plan = plan
        containers = Array(repeating: ContainerReadiness(), count: plan.probes.count)
        timers = Array(repeating: nil, count: plan.probes.count)
    }

    /// Ready when every probed container is, not ready when any is not, else undecided.
    var readiness: Bool? {
        if containers.contains(where: { $0.ready == false }) { return false }
        return containers.allSatisfy { $0.ready == true } ? true : nil
    }

    func cancelTimers() {
        for timer in timers { timer?.cancel() }
    }
}
