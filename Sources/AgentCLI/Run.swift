import AgentConfig
import AgentRuntime
import ArgumentParser
import Dispatch
import Foundation
import Logging
import Systemd

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the agent in the foreground (as systemd's agent.service does).",
        discussion: """
            Settings come from flags, then AGENT_* environment variables, then the config \
            file, then defaults. A bad setting stops the agent with exit 2 and says which and \
            what is accepted. SIGTERM, SIGINT or `agent leave` leave the cluster gracefully \
            and exit 0.
            """
    )

    @Option(help: ArgumentHelp("The config file (default /etc/agent/agent.yaml; absent is fine).", valueName: "path"))
    var config: String?
    @Option(help: ArgumentHelp("UDP address for gossip (default 0.0.0.0:7950).", valueName: "host:port"))
    var bind: String?
    @Option(help: ArgumentHelp("The address others reach this node at (default: the first non-loopback IPv4).", valueName: "host[:port]"))
    var advertise: String?
    @Option(help: ArgumentHelp("This node's name (default: the host name).", valueName: "name"))
    var nodeName: String?
    @Option(help: ArgumentHelp("The control socket (default /run/agent/agent.sock).", valueName: "path"))
    var socket: String?
    @Option(help: ArgumentHelp("The state directory (default /var/lib/agent).", valueName: "path"))
    var dataDir: String?
    @Option(help: ArgumentHelp("Where to serve Prometheus metrics, or `off` (default 127.0.0.1:9950).", valueName: "host:port"))
    var metricsAddr: String?
    @Option(help: ArgumentHelp("The Service CIDR for ClusterIPs (default 10.96.0.0/12).", valueName: "cidr"))
    var serviceCIDR: String?
    @Option(help: ArgumentHelp("The NodePort range (default 30000-32767).", valueName: "low-high"))
    var serviceNodePortRange: String?
    @Option(help: ArgumentHelp("Endpoint choice: round-robin or random.", valueName: "policy"))
    var balance: String?
    @Option(help: ArgumentHelp("The data plane: iptables or none.", valueName: "kind"))
    var dataplane: String?
    @Option(help: ArgumentHelp("Pod routes between hosts: none or host-gw.", valueName: "mode"))
    var routes: String?
    @Option(help: ArgumentHelp("This node's pod CIDR (for --routes host-gw).", valueName: "cidr"))
    var podCIDR: String?
    @Option(
        name: .customLong("nodeport-addresses"),
        help: ArgumentHelp("Answer NodePorts only on the local addresses in these networks; repeatable (default: every local address).", valueName: "cidr"))
    var nodePortAddresses: [String] = []
    @Option(help: ArgumentHelp("A peer to join at start; repeatable.", valueName: "host[:port]"))
    var join: [String] = []
    @Option(help: ArgumentHelp("The cluster key, as `agent keygen` prints it; seeds the keyring file on first start.", valueName: "key"))
    var encrypt: String?
    @Option(help: ArgumentHelp("The keyring file (default DATA-DIR/keyring.json).", valueName: "path"))
    var keyringFile: String?
    @Flag(help: "Run without a cluster key (sealed with a published key): for experiments only.")
    var insecureDev = false
    @Option(help: ArgumentHelp("A node label; repeatable.", valueName: "key=value"))
    var label: [String] = []
    @Option(help: ArgumentHelp("Logs: text or json on stderr, or journald (default: journald under systemd, else text).", valueName: "format"))
    var logFormat: String?
    @Flag(help: "Check the configuration, print it as resolved, and exit without starting.")
    var dryRun = false

    /// The flags as the configuration's highest layer.
    var flagLayer: ConfigurationLayer {
        var layer = ConfigurationLayer()
        layer.set(.bind, bind)
        layer.set(.advertise, advertise)
        layer.set(.nodeName, nodeName)
        layer.set(.socket, socket)
        layer.set(.dataDir, dataDir)
        layer.set(.metricsAddr, metricsAddr)
        layer.set(.serviceCIDR, serviceCIDR)
        layer.set(.serviceNodePortRange, serviceNodePortRange)
        layer.set(.balance, balance)
        layer.set(.dataplane, dataplane)
        layer.set(.routes, routes)
        layer.set(.podCIDR, podCIDR)
        if !nodePortAddresses.isEmpty { layer.set(.nodePortAddresses, nodePortAddresses) }
        if !join.isEmpty { layer.set(.join, join) }
        layer.set(.encrypt, encrypt)
        layer.set(.keyringFile, keyringFile)
        if insecureDev { layer.set(.insecureDev, true) }
        if !label.isEmpty { layer.set(.labels, label) }
        layer.set(.logFormat, logFormat)
        return layer
    }

    func run() throws {
        let configuration: AgentConfiguration
        do {
            configuration = try AgentConfiguration.load(flags: flagLayer, environment: ProcessInfo.processInfo.environment, configFile: config)
        } catch {
            throw CommandFailure.badInput("\(error)")
        }
        if dryRun {
            print(Self.describe(configuration), terminator: "")
            return
        }
        let format = configuration.logFormat ?? .automatic()
        format.bootstrap(nodeName: configuration.nodeName.rawValue)
        let logger = Logger(label: "agent")
        if configuration.metricsAddr != nil { AgentDaemon.bootstrapMetrics() }

        let outcome = blockingRun { () async -> StartupError? in
            do {
                try await AgentDaemon.run(configuration, version: AgentVersion.number, logger: logger)
                return nil
            } catch let error as StartupError {
                return error
            } catch {
                return .failed("\(error)")
            }
        }
        switch outcome {
        case .none: return
        case .badInput(let message)?: throw CommandFailure.badInput(message)
        case .failed(let message)?: throw CommandFailure(status: ExitStatus.failed, message)
        }
    }
}

extension Run {
    /// The resolved settings, one `key: value` line each, as `--dry-run` prints them. The
    /// cluster key is not printed.
    static func describe(_ configuration: AgentConfiguration) -> String {
        let lines: [(String, String)] = [
            ("nodeName", configuration.nodeName.rawValue),
            ("bind", "\(configuration.bind)"),
            ("advertise", "\(configuration.advertise)"),
            ("socket", configuration.socket),
            ("dataDir", configuration.dataDir),
            ("metricsAddr", configuration.metricsAddr.map { "\($0)" } ?? "off"),
            ("serviceCIDR", "\(configuration.serviceCIDR)"),
            ("serviceNodePortRange", "\(configuration.serviceNodePortRange)"),
            ("balance", configuration.balance.rawValue),
            ("dataplane", configuration.dataplane.rawValue),
            ("routes", configuration.routes.rawValue),
            ("podCIDR", configuration.podCIDR.map { "\($0)" } ?? "none"),
            ("nodePortAddresses", configuration.nodePortAddresses.isEmpty ? "all" : configuration.nodePortAddresses.map(\.description).joined(separator: ",")),
            ("join", configuration.join.map(\.description).joined(separator: ",")),
            ("encrypt", configuration.encrypt == nil ? "not given" : "given"),
            ("keyringFile", configuration.keyringFile ?? "\(configuration.dataDir)/keyring.json"),
            ("insecureDev", "\(configuration.insecureDev)"),
            ("labels", configuration.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")),
            ("logFormat", configuration.logFormat?.rawValue ?? "automatic"),
        ]
        return lines.map { "\($0.0): \($0.1)\n" }.joined()
    }
}

/// Runs async work from a synchronous command and waits for it. The main thread only
/// waits; the work runs on Swift's cooperative pool and NIO's event loops.
func blockingRun<Result: Sendable>(_ work: @escaping @Sendable () async -> Result) -> Result {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<Result>()
    Task {
        box.value = await work()
        done.signal()
    }
    done.wait()
    return box.value!
}

private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var value: Value?
}
