import AgentConfig
import ClusterModel
import Foundation
import Testing

@Suite struct Defaults {
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/etc/agent/agent.yaml"), "the default file exists here"))
    func anAbsentDefaultConfigFileGivesSpecDefaults() throws {
        // The default path /etc/agent/agent.yaml is absent on a test machine; the load must
        // not care. Pointing AGENT_CONFIG nowhere would make it explicit, so it is left out.
        let configuration = try AgentConfiguration.load(environment: [:], configFile: nil, host: ordinaryHost)
        #expect(configuration.bind.description == "0.0.0.0:7950")
        #expect(configuration.advertise.description == "192.168.1.20:7950")
        #expect(configuration.nodeName.rawValue == "node-a")
        #expect(configuration.socket == "/run/agent/agent.sock")
        #expect(configuration.dataDir == "/var/lib/agent")
        #expect(configuration.metricsAddr?.description == "127.0.0.1:9950")
        #expect(configuration.serviceCIDR.description == "10.96.0.0/12")
        #expect(configuration.serviceNodePortRange.description == "30000-32767")
        #expect(configuration.balance == .roundRobin)
        #expect(configuration.dataplane == .iptables)
        #expect(configuration.routes == PodRoutes.none)
        #expect(configuration.podCIDR == nil)
        #expect(configuration.nodePortAddresses.isEmpty, "every local address")
        #expect(configuration.join.isEmpty)
        #expect(configuration.encrypt == nil && configuration.keyringFile == nil && !configuration.insecureDev)
        #expect(configuration.labels.isEmpty)
        #expect(configuration.logFormat == nil)
        #expect(configuration.loadBalancer.provider == .none)
    }

    @Test func anEmptyFileOrOneWithOnlyCommentsGivesTheDefaults() throws {
        let empty = try load(yaml: "")
        #expect(try load(yaml: "# agent.yaml\n\n   # nothing set yet\n") == empty)
        #expect(empty.bind.description == "0.0.0.0:7950")
    }

    @Test func anExplicitlyNamedConfigFileThatIsMissingIsAnErrorNamingThePath() {
        let path = missingPath()
        #expect(throws: ConfigurationError.self) {
            try AgentConfiguration.load(environment: [:], configFile: path, host: ordinaryHost)
        }
        do {
            _ = try AgentConfiguration.load(environment: [:], configFile: path, host: ordinaryHost)
        } catch {
            #expect(error.description == "\(path): cannot read the config file: No such file or directory")
        }
    }

    @Test func aConfigFileNamedByAgentConfigMustExistToo() {
        let path = missingPath()
        do {
            _ = try AgentConfiguration.load(environment: ["AGENT_CONFIG": path], configFile: nil, host: ordinaryHost)
            Issue.record("a missing AGENT_CONFIG file was accepted")
        } catch {
            #expect(error.description.hasPrefix("\(path): cannot read the config file"))
        }
    }

    @Test func anUnreadableConfigFileIsAnErrorWithTheSystemsReason() {
        // A directory cannot be read as a file, even by root.
        let path = FileManager.default.temporaryDirectory.path
        do {
            _ = try AgentConfiguration.load(environment: [:], configFile: path, host: ordinaryHost)
            Issue.record("a directory was read as a config file")
        } catch {
            #expect(error.description == "\(path): cannot read the config file: Is a directory")
        }
    }
}
