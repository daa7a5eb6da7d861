import ClusterModel
import Systemd

/// Every key checked and typed, none required yet: sources are applied to it from the lowest
/// precedence to the highest, each overwriting what it sets.
struct PartialConfiguration {
    var bind: IPv4Endpoint?
    var advertise: (address: IPv4, port: UInt16?)?
    var nodeName: NodeName?
    var socket: String?
    var dataDir: String?
    var metricsAddr: IPv4Endpoint??
    var serviceCIDR: IPv4Network?
    var serviceNodePortRange: NodePortRange?
    var balance: BalancePolicy?
    var dataplane: Dataplane?
    var routes: PodRoutes?
    var podCIDR: IPv4Network?
    var nodePortAddresses: [IPv4Network]?
    var join: [PeerSpec]?
    var encrypt: String?
    var keyringFile: String?
    var insecureDev: Bool?
    var labels: [String: String]?
    var logFormat: LogFormat?
    var loadBalancer: LoadBalancerConfiguration?

    /// Where the value in force for each key came from.
    var origins: [ConfigurationKey: ConfigurationError.Origin] = [:]

    static let metricsPort: UInt16 = 9950

    mutating func apply(_ setting: RawSetting) throws(ConfigurationError) {
        let key = setting.key
        let expected = key.row.expected
        origins[key] = setting.origin
        do {
            switch key {
            case .bind: bind = try ValueSyntax.endpoint(text(setting), defaultPort: PeerSpec.defaultPort, expected: expected)
            case .advertise: advertise = try ValueSyntax.advertise(text(setting), expected: expected)
            case .nodeName:
                do {
                    nodeName = try NodeName(text(setting))
                } catch {
                    throw InvalidValue(problem: "\"\(text(setting))\" is not a valid node name: \(error.description)")
                }
            case .socket: socket = try ValueSyntax.nonEmpty(text(setting), expected: expected)
            case .dataDir: dataDir = try ValueSyntax.nonEmpty(text(setting), expected: expected)
            case .metricsAddr:
                let text = text(setting)
                metricsAddr = text == "off" ? .some(nil) : try ValueSyntax.endpoint(text, defaultPort: Self.metricsPort, expected: expected)
            case .serviceCIDR: serviceCIDR = try ValueSyntax.cidr(text(setting), prefixLengths: 8...30, expected: expected)
            case .serviceNodePortRange: serviceNodePortRange = try ValueSyntax.portRange(text(setting), expected: expected)
            case .balance: balance = try ValueSyntax.choice(text(setting), of: BalancePolicy.self)
            case .dataplane: dataplane = try ValueSyntax.choice(text(setting), of: Dataplane.self, notYet: ["nftables"])
            case .routes: routes = try ValueSyntax.choice(text(setting), of: PodRoutes.self)
            case .podCIDR: podCIDR = try ValueSyntax.cidr(text(setting), prefixLengths: 8...30, expected: expected)
            case .nodePortAddresses: nodePortAddresses = try networks(setting, expected: expected)
            case .join: join = try peers(setting)
            case .encrypt: encrypt = try ValueSyntax.nonEmpty(text(setting), expected: expected)
            case .keyringFile: keyringFile = try ValueSyntax.nonEmpty(text(setting), expected: expected)
            case .insecureDev:
                if case .boolean(let flag) = setting.value {
                    insecureDev = flag
                } else {
                    insecureDev = try ValueSyntax.boolean(text(setting))
                }
            case .labels: labels = try labels(setting)
            case .logFormat: logFormat = try ValueSyntax.choice(text(setting), of: LogFormat.self)
            case .loadBalancer:
                guard case .loadBalancer(let configuration) = setting.value else { preconditionFailure("loadBalancer comes from the file") }
                loadBalancer = configuration
            }
        } catch let invalid as InvalidValue {
            throw ConfigurationError(origin: setting.origin, problem: invalid.problem)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    private func text(_ setting: RawSetting) -> String {
        switch setting.value {
        case .text(let text): return text
        case .boolean(let flag): return String(flag)
        case .list(let items): return items.last?.text ?? ""
        case .pairs, .loadBalancer: preconditionFailure("\(setting.key) is not a single value")
        }
    }

    private func peers(_ setting: RawSetting) throws(ConfigurationError) -> [PeerSpec] {
        guard case .list(let items) = setting.value else { preconditionFailure("join comes as a list") }
        var peers: [PeerSpec] = []
        for item in items {
            do {
                peers.append(try PeerSpec(parsing: item.text))
            } catch {
                throw ConfigurationError(origin: item.origin, problem: error.description)
            }
        }
        return peers
    }

    private func networks(_ setting: RawSetting, expected: String) throws(ConfigurationError) -> [IPv4Network] {
        guard case .list(let items) = setting.value else { preconditionFailure("\(setting.key) comes as a list") }
        var networks: [IPv4Network] = []
        for item in items {
            do {
                networks.append(try ValueSyntax.cidr(item.text, prefixLengths: 0...32, expected: expected))
            } catch {
                throw ConfigurationError(origin: item.origin, problem: error.problem)
            }
        }
        return networks
    }

    private func labels(_ setting: RawSetting) throws(ConfigurationError) -> [String: String] {
        var pairs: [(key: String, value: String, origin: ConfigurationError.Origin)] = []
        switch setting.value {
        case .pairs(let given): pairs = given
        case .list(let items):
            for item in items {
                do {
                    let (key, value) = try NodeLabels.pair(item.text)
                    pairs.append((key, value, item.origin))
                } catch {
                    throw ConfigurationError(origin: item.origin, problem: error.problem)
                }
            }
        default: preconditionFailure("labels come as a list or pairs")
        }
        var labels: [String: String] = [:]
        for pair in pairs {
            do {
                try NodeLabels.check(key: pair.key)
                try NodeLabels.check(value: pair.value, of: pair.key)
            } catch {
                throw ConfigurationError(origin: pair.origin, problem: error.problem)
            }
            guard labels.updateValue(pair.value, forKey: pair.key) == nil else {
                throw ConfigurationError(origin: pair.origin, problem: "label \"\(pair.key)\" is given more than once")
            }
        }
        return labels
    }
}
