import AgentConfig
import Catalog
import ClusterModel
import DataPlane
import Logging
import Membership
import Metrics
import NIOCore

/// Keeps this host's netfilter rules, UDP conntrack entries and pod routes in step with
/// the catalog: the shell around ``RulePlanner`` and ``RuleTransaction``.
///
/// - At start it reads back what is installed (a restart leaves the rules in place, and
///   traffic flows while the agent is away) and changes only what differs.
/// - After each catalog or membership change it plans again and sends iptables-restore
///   only the chains that changed, at most one sync at a time; changes made meanwhile are
///   taken together by the next.
/// - Every `fullResyncInterval`, and after any failure (with a growing pause), it reads
///   back again and rewrites every chain: rules someone else removed come back.
actor DataPlaneNode {
    struct Settings: Sendable {
        var planner: DataPlaneSettings
        var hostGatewayRoutes: Bool
        /// `--nodeport-addresses`: NodePorts answer on the local addresses in these; empty
        /// for every local address.
        var nodePortNetworks: [IPv4Network] = []
        var fullResyncInterval: Duration = .seconds(3600)
        /// The shortest time between the starts of two syncs, so that a burst of changes
        /// costs one sync rather than one each.
        var minimumSyncInterval: Duration = .milliseconds(30)
        /// How long after start nodes that membership has not heard of yet count as live.
        /// A restarted agent knows only itself until gossip reaches the others again; their
        /// Pods must not leave the rules meanwhile (kube-proxy's restart pain).
        var startupGrace: Duration = .seconds(20)
    }

    enum Trigger: Sendable {
        case changed
        case resync
    }

    let catalog: CatalogNode
    let settings: Settings
    let logger: Logger
    let healthChecks: HealthCheckServers

    /// What is installed, as this agent last wrote or read it; nil when unknown (before the
    /// first sync, after a failure), so that the next sync reads it back.
    private var installed: RuleSet?
    private var applied: DataPlaneInput?
    /// The version of each object the last sync saw, for the programming latency.
    private var seenVersions: [ObjectKey: CatalogVersion] = [:]
    private var failures = 0
    private var lastFullSync: ContinuousClock.Instant?
    private var synced = false
    private var syncWaiters: [CheckedContinuation<Void, Never>] = []
    private let startedAt = ContinuousClock.now

    private let syncDuration = Timer(label: "agent_sync_rules_duration_seconds", preferredDisplayUnit: .seconds)
    private let programmingLatency = Timer(label: "agent_network_programming_duration_seconds", preferredDisplayUnit: .seconds)

    init(catalog: CatalogNode, settings: Settings, healthChecks: HealthCheckServers, logger: Logger) {
        self.catalog = catalog
        self.settings = settings
        self.healthChecks = healthChecks
        self.logger = logger
    }

    /// Returns once the rules were synced once (successfully or not): systemd's `READY=1`
    /// waits for it.
    func firstSync() async {
        if synced { return }
        await withCheckedContinuation { syncWaiters.append($0) }
    }

    /// Syncs until cancelled.
    func run() async {
        let (triggers, continuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(4))
        let cancelObserving = try? await catalog.observe { continuation.yield(.changed) }.get()
        defer { cancelObserving?() }
        let clock = ContinuousClock()
        let resyncTimer = Task { [settings] in
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.fullResyncInterval)
                continuation.yield(.resync)
            }
        }
        defer { resyncTimer.cancel() }

        continuation.yield(.changed)
        let graceTimer = Task { [settings] in
            try? await Task.sleep(for: settings.startupGrace)
            continuation.yield(.changed)
        }
        defer { graceTimer.cancel() }
        var lastStart = clock.now - settings.minimumSyncInterval
        var full = true
        for await trigger in triggers {
            if Task.isCancelled { break }
            if case .resync = trigger { full = true }
            let wait = lastStart + settings.minimumSyncInterval - clock.now
            if wait > .zero { try? await Task.sleep(for: wait) }
            lastStart = clock.now
            let succeeded = await sync(full: full)
            full = !succeeded
            if !succeeded {
                // Again after 1, 2, 4 … 30 seconds, reading back what is there.
                let pause = Duration.seconds(min(30, 1 << min(failures - 1, 5)))
                Task {
                    try? await Task.sleep(for: pause)
                    continuation.yield(.resync)
                }
            }
            if !synced {
                synced = true
                syncWaiters.forEach { $0.resume() }
                syncWaiters.removeAll()
            }
        }
    }

    /// One sync; false when it failed.
    func sync(full: Bool) async -> Bool {
        let snapshot: CatalogNode.Snapshot
        do {
            snapshot = try await catalog.snapshot().get()
        } catch {
            logger.error("cannot read the catalog to sync the rules", metadata: ["error": "\(error)"])
            return false
        }
        let live = liveNodes(snapshot)
        let input = DataPlaneInput(
            replica: snapshot.replica, conflicts: Set(snapshot.conflicts.keys), liveNodes: live, node: settings.planner.node)
        let changedSince = changedEntries(in: snapshot.replica)
        if !full, input == applied {
            await syncRoutes(snapshot.members)
            return true
        }
        let started = ContinuousClock.now
        let desired = RulePlanner.rules(for: input, settings: plannerSettings())
        do {
            let current: RuleSet
            if full || installed == nil {
                current = try await Self.readBack()
            } else {
                current = installed!
            }
            // After a read-back the difference is exact: what someone else removed or changed
            // is written again, and nothing else.
            if let text = RuleTransaction.text(from: current, to: desired) {
                _ = try await HostCommand.run(["iptables-restore", "--noflush", "--wait"], input: text)
                logger.log(
                    level: full ? .info : .debug, "rules synced",
                    metadata: ["full": "\(full)", "services": "\(input.services.count)", "bytes": "\(text.utf8.count)"])
            }
            installed = desired
        } catch {
            failures += 1
            installed = nil
            logger.error("cannot sync the rules; trying again with a full resync", metadata: ["error": "\(error)", "failures": "\(failures)"])
            return false
        }
        failures = 0
        syncDuration.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        let now = WallClock.now().millisecondsSinceEpoch
        for version in changedSince where version.timestamp.wallMilliseconds <= now {
            programmingLatency.recordMilliseconds(Int64(now - version.timestamp.wallMilliseconds))
        }
        if let applied { await deleteStaleFlows(FlowDeletion.between(applied, input)) }
        applied = input
        healthChecks.update(HealthCheckServers.desired(input, node: settings.planner.node))
        await syncRoutes(snapshot.members)
        return true
    }

    /// The planner's settings, with the local addresses NodePorts answer on as they are now.
    private func plannerSettings() -> DataPlaneSettings {
        var planner = settings.planner
        guard !settings.nodePortNetworks.isEmpty else { return planner }
        let local = (try? LocalHost.system.interfaceAddresses().get()) ?? []
        planner.nodePortAddresses = local.map(\.address).filter { address in settings.nodePortNetworks.contains { $0.contains(address) } }
        return planner
    }

    /// Nodes whose Pods take traffic: live members; during the startup grace also the nodes
    /// Pods name that membership does not know yet.
    private func liveNodes(_ snapshot: CatalogNode.Snapshot) -> Set<NodeName> {
        var live = Set(snapshot.members.filter(\.status.isLive).map(\.name))
        guard ContinuousClock.now < startedAt + settings.startupGrace else { return live }
        let known = Set(snapshot.members.map(\.name))
        for entry in snapshot.replica.entries.values {
            if let node = entry.pod?.spec.nodeName, !known.contains(node) { live.insert(node) }
        }
        return live
    }

    /// The versions of objects written since the last sync, and remembers them all.
    private func changedEntries(in replica: CatalogReplica) -> [CatalogVersion] {
        var changed: [CatalogVersion] = []
        var seen: [ObjectKey: CatalogVersion] = [:]
        seen.reserveCapacity(replica.entries.count)
        for (key, entry) in replica.entries {
            seen[key] = entry.version
            if !seenVersions.isEmpty, seenVersions[key] != entry.version { changed.append(entry.version) }
        }
        seenVersions = seen
        return changed
    }

    static func readBack() async throws(HostCommand.Failure) -> RuleSet {
        var text = ""
        for table in Table.allCases {
            text += try await HostCommand.run(["iptables-save", "-t", table.rawValue])
        }
        return RuleSet(iptablesSave: text)
    }

    private func deleteStaleFlows(_ deletions: [FlowDeletion]) async {
        for deletion in deletions {
            do {
                // conntrack exits 1 when there was nothing to delete.
                _ = try await HostCommand.run(["conntrack", "-D"] + deletion.arguments, accepting: [0, 1])
            } catch {
                logger.warning("cannot delete stale UDP conntrack entries", metadata: ["command": "\(deletion)", "error": "\(error)"])
            }
        }
    }

    private func syncRoutes(_ members: [SWIM.Member]) async {
        guard settings.hostGatewayRoutes else { return }
        let nodes = members.compactMap { member in
            IPv4(member.address.ipAddress).map {
                PodRouting.Node(name: member.name, address: $0, labels: member.labels, isLive: member.status.isLive)
            }
        }
        let desired = PodRouting.desired(nodes, this: settings.planner.node)
        do {
            let installed = PodRouting.installed(try await HostCommand.run(["ip", "-4", "route", "show", "proto", "\(PodRouting.routeProtocol)"]))
            var commands = PodRouting.commands(from: installed, to: desired)
            // Routes of nodes membership has not heard from again yet stay, as their rules do.
            if ContinuousClock.now < startedAt + settings.startupGrace { commands.removeAll { $0[1] == "del" } }
            for command in commands {
                _ = try await HostCommand.run(["ip"] + command)
                logger.info("pod route changed", metadata: ["route": "\(command.dropFirst().prefix(4).joined(separator: " "))"])
            }
        } catch {
            logger.warning("cannot sync pod routes", metadata: ["error": "\(error)"])
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
