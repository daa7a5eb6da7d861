import AgentConfig
import Catalog
import ClusterModel
import ControlAPI
import DataPlane
import Election
import Foundation
import Logging
import Membership
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Systemd
import Wire

/// `agent run`: binds the gossip socket, the control socket and the metrics endpoint, joins
/// the cluster, tells systemd it is ready, and runs until SIGTERM, SIGINT or `agent leave`,
/// which all leave the cluster gracefully before the process exits 0.
public enum AgentDaemon {
    public static func run(
        _ configuration: AgentConfiguration, version: String, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(StartupError) {
        // A host tool that exits before reading all its input must not take the agent down.
        signal(SIGPIPE, SIG_IGN)
        let gossip = try await prepareGossip(configuration, logger: logger)
        let dataPlane = prepareDataPlane(configuration, catalog: gossip.catalog, logger: logger)
        let shutdown = ShutdownTrigger()
        let control = ControlServer(
            endpoint: .unix(path: configuration.socket, mode: 0o660),
            handler: ControlRoutes.router(node: gossip.node, catalog: gossip.catalog, version: version) { shutdown.trigger() },
            diagnostics: { line in logger.debug("control connection: \(line)") }
        )
        var services: [any Service] = [
            GossipService(gossip: gossip, control: control, logger: logger),
            ServerService(server: control, name: "control socket", logger: logger),
        ]
        if let dataPlane { services.append(DataPlaneService(dataPlane: dataPlane)) }
        if let reconciler = try prepareLoadBalancers(configuration, gossip: gossip, environment: environment, logger: logger) {
            services.append(LoadBalancerService(reconciler: reconciler))
        }
        var metricsServer: ControlServer?
        if let address = configuration.metricsAddr {
            let server = ControlServer(endpoint: .tcp(host: address.address.description, port: Int(address.port)), handler: MetricsEndpoint.router())
            services.append(ServerService(server: server, name: "metrics endpoint", logger: logger))
            metricsServer = server
        }
        let notifier = SystemdNotifier(environment: environment)
        var firstRuleSync: (@Sendable () async -> Void)?
        if let dataPlane { firstRuleSync = { await dataPlane.firstSync() } }
        services.append(
            SystemdService(
                notifier: notifier, watchdogInterval: SystemdNotifier.watchdogInterval(environment: environment), node: gossip.node,
                servers: [control] + (metricsServer.map { [$0] } ?? []), firstRuleSync: firstRuleSync,
                logger: logger))

        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            ))
        shutdown.attach(group)
        do {
            try await group.run()
        } catch let error as StartupError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
    }

    /// Everything before the first datagram: the keyring, the core, the socket.
    static func prepareGossip(_ configuration: AgentConfiguration, logger: Logger) async throws(StartupError) -> PreparedGossip {
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .failed("cannot create the data directory \(configuration.dataDir): \(error.localizedDescription)")
        }
        let keys = try KeyringSetup.resolve(
            encrypt: configuration.encrypt, keyringFile: configuration.keyringFile, insecureDev: configuration.insecureDev,
            dataDirectory: configuration.dataDir)
        if let notice = keys.notice { logger.warning("\(notice)") }

        var seeds: [PeerAddress] = []
        for peer in configuration.join {
            do {
                seeds += try peer.resolve().prefix(1)
            } catch {
                logger.warning("cannot resolve a peer to join; skipping it", metadata: ["peer": "\(peer)", "error": "\(error)"])
            }
        }
        let snapshot = MemberSnapshot(dataDirectory: configuration.dataDir)
        let (remembered, problem) = snapshot.load()
        let rejoin = remembered.compactMap { PeerAddress($0.address) }
        if let problem { logger.warning("\(problem)") }

        // The pod CIDR travels as a label, for the other nodes' host-gw routes.
        var labels = configuration.labels
        if let podCIDR = configuration.podCIDR { labels[PodRouting.podCIDRLabel] = PodRouting.labelValue(podCIDR) }
        let instance: SWIM.Instance
        do {
            instance = try SWIM.Instance(
                name: configuration.nodeName, address: configuration.advertise, labels: labels, encodedSize: .wire,
                now: WallClock.now())
        } catch {
            throw .badInput(error.description)
        }
        // Until a join is answered, a restarted node counts the members its snapshot
        // remembers, and a node told of peers never leads on a view of itself alone: cut off
        // from its cluster, it must not take itself for one (and tell the cloud so).
        let election: Election.Instance
        do {
            election = try Election.Instance(
                name: configuration.nodeName, remembered: Set(remembered.compactMap { try? NodeName($0.name) }),
                expectsPeers: !seeds.isEmpty || !rejoin.isEmpty,
                now: GossipNode.monotonicNow())
        } catch {
            throw .badInput(error.description)
        }
        let node = GossipNode(
            instance: instance, election: election, snapshotEntries: remembered, keyring: keys.keyring, keyringFile: keys.file, snapshot: snapshot, mtu: defaultMTU,
            eventLoop: MultiThreadedEventLoopGroup.singleton.next(), logger: logger, metrics: GossipMetrics())
        let channel: any Channel
        do {
            channel = try await GossipTransport.bind(host: configuration.bind.address.description, port: Int(configuration.bind.port), node: node)
        } catch {
            throw .failed("cannot bind the gossip socket to \(configuration.bind): \(error); is another agent running on that address? (--bind)")
        }
        logger.notice(
            "agent started",
            metadata: [
                "bind": "\(configuration.bind)", "advertise": "\(configuration.advertise)", "incarnation": "\(instance.localMember.incarnation)",
                "keys": "\(keys.keyring.keys.count)",
            ])
        let catalog = try prepareCatalog(configuration, eventLoop: node.eventLoop, logger: logger)
        node.catalog = catalog
        return PreparedGossip(node: node, catalog: catalog, channel: channel, seeds: seeds, rejoin: rejoin)
    }
}

extension AgentDaemon {
    /// The catalog as the last run left it in the data directory.
    static func prepareCatalog(_ configuration: AgentConfiguration, eventLoop: any EventLoop, logger: Logger) throws(StartupError) -> CatalogNode {
        var settings = CatalogSync.Settings()
        settings.allocation = AllocationRanges(configuration)
        let directory = CatalogStore.directory(inDataDirectory: configuration.dataDir)
        let catalog: CatalogNode
        do {
            let store = try CatalogStore(directory: directory)
            catalog = try CatalogNode(name: configuration.nodeName, settings: settings, store: store, eventLoop: eventLoop, logger: logger)
        } catch {
            throw .failed("cannot read the catalog in \(directory): \(error)")
        }
        catalog.hostAddress = IPv4(configuration.advertise.ipAddress) ?? catalog.hostAddress
        catalog.prober = ReadinessProber(
            eventLoop: eventLoop, group: MultiThreadedEventLoopGroup.singleton, logger: logger,
            onChange: { [unowned catalog] pod, ready in catalog.reportReadiness(of: pod, ready: ready) })
        return catalog
    }
}

extension AgentDaemon {
    /// The rule syncer, unless `--dataplane none`.
    static func prepareDataPlane(_ configuration: AgentConfiguration, catalog: CatalogNode, logger: Logger) -> DataPlaneNode? {
        guard configuration.dataplane == .iptables else { return nil }
        let choice: EndpointChoice = configuration.balance == .random ? .random : .roundRobin
        let settings = DataPlaneNode.Settings(
            planner: DataPlaneSettings(node: configuration.nodeName, choice: choice),
            hostGatewayRoutes: configuration.routes == .hostGateway, nodePortNetworks: configuration.nodePortAddresses)
        return DataPlaneNode(catalog: catalog, settings: settings, healthChecks: HealthCheckServers(logger: logger), logger: logger)
    }
}

/// The data plane as a lifecycle service: syncs until graceful shutdown, then stops and
/// leaves the rules in place, so that traffic flows while the agent restarts.
struct DataPlaneService: Service {
    let dataPlane: DataPlaneNode

    func run() async throws {
        await cancelWhenGracefulShutdown { await dataPlane.run() }
        dataPlane.healthChecks.stopAll()
    }
}

extension AllocationRanges {
    init(_ configuration: AgentConfiguration) {
        let cidr = configuration.serviceCIDR
        self.init(
            serviceCIDR: cidr,
            nodePorts: Int(configuration.serviceNodePortRange.lowest)...Int(configuration.serviceNodePortRange.highest))
    }
}

/// Lets `agent leave` end the service group the way SIGTERM does.
final class ShutdownTrigger: @unchecked Sendable {
    private let lock = NSLock()
    private var group: ServiceGroup?
    private var pending = false

    func attach(_ group: ServiceGroup) {
        let fire = lock.withLock {
            self.group = group
            return pending
        }
        if fire { Task { await group.triggerGracefulShutdown() } }
    }

    /// Shuts down a moment later, so that the response that asked for it is written first.
    func trigger() {
        let group = lock.withLock {
            pending = true
            return self.group
        }
        guard let group else { return }
        Task {
            try? await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
        }
    }
}

/// The gossip protocol as a lifecycle service: on graceful shutdown it leaves the cluster,
/// waits until the news went out (bounded by the leave timeout), and closes the socket.
struct PreparedGossip: Sendable {
    let node: GossipNode
    let catalog: CatalogNode
    let channel: any Channel
    let seeds: [PeerAddress]
    let rejoin: [PeerAddress]
}

/// The gossip protocol as a lifecycle service. It starts talking only once the control
/// socket is up, so an agent that cannot serve its operators never joins. On graceful
/// shutdown it leaves the cluster, waits until the news went out (bounded by the leave
/// timeout), and closes the socket; cancelled (another service failed), it just stops.
struct GossipService: Service {
    let gossip: PreparedGossip
    let control: ControlServer
    let logger: Logger

    func run() async throws {
        let node = gossip.node
        defer { _ = gossip.channel.close(mode: .all) }
        _ = try await control.listeningEndpoint()
        try await node.eventLoop.submit { [gossip] in node.start(on: gossip.channel, seeds: gossip.seeds, rejoin: gossip.rejoin) }.get()
        try? await gracefulShutdown()
        if !Task.isCancelled {
            try? await node.leave().get()
            logger.notice("left the cluster")
        }
        try? await node.stop().get()
        try? await gossip.catalog.stop().get()
    }
}

/// A `ControlServer` as a lifecycle service, stopped on graceful shutdown.
struct ServerService: Service {
    let server: ControlServer
    let name: String
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await server.run() }
        } catch let error as ControlServerError {
            throw StartupError.failed("\(name): \(error.description)")
        }
    }
}
