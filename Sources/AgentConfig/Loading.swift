import ClusterModel
import Foundation

extension AgentConfiguration {
    /// The configuration of `agent run`: flags over `AGENT_*` environment variables over the
    /// config file over defaults (SPEC §2).
    ///
    /// Every value given is checked, also one a higher source overrides, so that a mistake in
    /// the config file shows now and not on the day the flag is dropped. Sources are checked
    /// in a fixed order (the file top to bottom, then the environment and the flags in the
    /// order of ``ConfigurationKey``), and the first problem is thrown.
    ///
    /// - Parameters:
    ///   - flags: what the user passed on the command line.
    ///   - environment: the process environment.
    ///   - configFile: `--config`, when given; otherwise `AGENT_CONFIG`, otherwise
    ///     `/etc/agent/agent.yaml`, which may be absent. A file the user named must exist.
    ///   - host: where the host name and interface addresses are read, for defaults.
    public static func load(
        flags: ConfigurationLayer = ConfigurationLayer(),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configFile: String? = nil,
        host: LocalHost = .system
    ) throws(ConfigurationError) -> AgentConfiguration {
        let named = configFile ?? environment[ConfigurationFileLocation.environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        let file = ConfigurationFile(path: named ?? ConfigurationFileLocation.defaultPath)

        var settings = ConfigurationKey.allCases.compactMap(RawSetting.defaultValue(of:))
        if let yaml = try file.read(mustExist: named != nil) { settings += try file.settings(in: yaml) }
        settings += RawSetting.environment(environment)
        settings += RawSetting.flags(flags)

        var partial = PartialConfiguration()
        for setting in settings { try partial.apply(setting) }
        return try partial.resolved(host: host)
    }

    /// The settings of `agent run` with their flags, environment variables and defaults, for `--help`.
    public static func describeKeys() -> String {
        let rows = ConfigurationKey.allCases.map { key in
            [key.yamlKey, key.row.flag ?? "(config file only)", key.row.environmentVariable ?? "", key.row.defaultValue]
        }
        let table = [["KEY", "FLAG", "ENVIRONMENT", "DEFAULT"]] + rows
        let widths = (0..<3).map { column in table.map { $0[column].count }.max()! + 2 }
        let lines = table.map { row in
            (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined() + row[3]
        }
        return """
            Settings of agent run. Precedence: flag > environment > config file > default.
            The config file is \(ConfigurationFileLocation.flag) FILE or \(ConfigurationFileLocation.environmentVariable), \
            else \(ConfigurationFileLocation.defaultPath) when it exists.
            --join and --label repeat; AGENT_JOIN and AGENT_LABELS are comma-separated.

            \(lines.joined(separator: "\n"))
            """
    }
}

extension PartialConfiguration {
    /// The configuration, once the defaults worked out from the host are in and the keys that
    /// depend on each other agree.
    func resolved(host: LocalHost) throws(ConfigurationError) -> AgentConfiguration {
        // Every key with a literal default has a value by now: the table's defaults came first.
        guard let bind, let socket, let dataDir, let metricsAddr, let serviceCIDR, let serviceNodePortRange, let balance,
            let dataplane, let routes, let insecureDev
        else { preconditionFailure("a key with a literal default has no value") }

        if routes == .hostGateway, podCIDR == nil {
            throw ConfigurationError(
                origin: origins[.routes]!,
                problem: "routes \(routes.rawValue) needs this node's pod network: \(ConfigurationKey.podCIDR.howToSet)")
        }
        if let podCIDR, podCIDR.overlaps(serviceCIDR) {
            throw ConfigurationError(
                origin: origins[.podCIDR]!,
                problem: "\(podCIDR) overlaps the Service CIDR \(serviceCIDR); pod and Service addresses must not share a range")
        }
        return AgentConfiguration(
            bind: bind, advertise: try advertiseAddress(bind: bind, host: host), nodeName: try nodeName(host: host),
            socket: socket, dataDir: dataDir, metricsAddr: metricsAddr, serviceCIDR: serviceCIDR,
            serviceNodePortRange: serviceNodePortRange, balance: balance, dataplane: dataplane, routes: routes,
            podCIDR: podCIDR, nodePortAddresses: nodePortAddresses ?? [], join: join ?? [], encrypt: encrypt, keyringFile: keyringFile, insecureDev: insecureDev,
            labels: labels ?? [:], logFormat: logFormat, loadBalancer: loadBalancer ?? LoadBalancerConfiguration())
    }

    private func nodeName(host: LocalHost) throws(ConfigurationError) -> NodeName {
        if let nodeName { return nodeName }
        let unusable = { (reason: String) in
            ConfigurationError(origin: .defaultValue(.nodeName), problem: "\(reason); \(ConfigurationKey.nodeName.howToSet)")
        }
        switch host.hostName() {
        case .failure(let error):
            throw unusable("cannot read the host name (\(error))")
        case .success(let name):
            do {
                return try NodeName(name)
            } catch {
                throw unusable("the host name \"\(name)\" is not a valid node name: \(error.description)")
            }
        }
    }

    /// As given (its port defaulting to the bind port), else the bind address when it names
    /// one, else the host's first non-loopback IPv4 address.
    private func advertiseAddress(bind: IPv4Endpoint, host: LocalHost) throws(ConfigurationError) -> PeerAddress {
        if let advertise { return PeerAddress(ipv4: advertise.address.value, port: advertise.port ?? bind.port) }
        if !bind.address.isUnspecified { return bind.peerAddress }
        let unusable = { (reason: String) in
            ConfigurationError(
                origin: .defaultValue(.advertise),
                problem: "\(reason), so other nodes could not reach this one; \(ConfigurationKey.advertise.howToSet)")
        }
        switch host.firstRoutableAddress() {
        case .failure(let error): throw unusable("cannot list the host's addresses (\(error))")
        case .success(nil): throw unusable("this host has no non-loopback IPv4 address that is up")
        case .success(let address?): return PeerAddress(ipv4: address.value, port: bind.port)
        }
    }
}
