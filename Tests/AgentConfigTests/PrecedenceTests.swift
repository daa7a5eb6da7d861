import AgentConfig
import Testing

@Suite struct Precedence {
    @Test func theConfigFileOverridesTheDefault() throws {
        #expect(try load(yaml: "balance: random\n").balance == .random)
    }

    @Test func theEnvironmentOverridesTheConfigFile() throws {
        let configuration = try load(environment: ["AGENT_BALANCE": "round-robin"], yaml: "balance: random\n")
        #expect(configuration.balance == .roundRobin)
    }

    @Test func aFlagOverridesTheEnvironment() throws {
        let configuration = try load(
            flags: [.bind: .string("10.0.0.5:8000")], environment: ["AGENT_BIND": "10.0.0.6:8001"],
            yaml: "bind: 10.0.0.7:8002\n")
        #expect(configuration.bind.description == "10.0.0.5:8000")
    }

    @Test func eachSourceAppliesWhereNoHigherOneSpeaks() throws {
        let configuration = try load(
            flags: [.nodeName: .string("from-flag")],
            environment: ["AGENT_DATA_DIR": "/srv/agent"],
            yaml: "nodeName: from-file\ndataDir: /var/tmp/agent\nsocket: /tmp/agent.sock\n")
        #expect(configuration.nodeName.rawValue == "from-flag")
        #expect(configuration.dataDir == "/srv/agent")
        #expect(configuration.socket == "/tmp/agent.sock")
        #expect(configuration.metricsAddr?.description == "127.0.0.1:9950")
    }

    @Test func joinPeersFromAHigherSourceReplaceTheLowerOnesList() throws {
        let yaml = "join: [10.0.0.1, 10.0.0.2]\n"
        #expect(try load(yaml: yaml).join.map(\.description) == ["10.0.0.1:7950", "10.0.0.2:7950"])

        let fromEnvironment = try load(environment: ["AGENT_JOIN": "10.0.0.3:8000, peer-b"], yaml: yaml)
        #expect(fromEnvironment.join.map(\.description) == ["10.0.0.3:8000", "peer-b:7950"])

        let fromFlags = try load(
            flags: [.join: .strings(["10.0.0.4", "10.0.0.5:7951"])], environment: ["AGENT_JOIN": "10.0.0.3"], yaml: yaml)
        #expect(fromFlags.join.map(\.description) == ["10.0.0.4:7950", "10.0.0.5:7951"])
    }

    @Test func labelsFromAHigherSourceReplaceTheLowerOnesLabels() throws {
        let yaml = "labels:\n  zone: a\n  rack: r1\n"
        #expect(try load(yaml: yaml).labels == ["zone": "a", "rack": "r1"])

        let fromEnvironment = try load(environment: ["AGENT_LABELS": "zone=b,example.com/tier=edge"], yaml: yaml)
        #expect(fromEnvironment.labels == ["zone": "b", "example.com/tier": "edge"])

        let fromFlags = try load(
            flags: [.labels: .strings(["zone=c", "empty="])], environment: ["AGENT_LABELS": "zone=b"], yaml: yaml)
        #expect(fromFlags.labels == ["zone": "c", "empty": ""])
    }

    @Test func insecureDevCanComeFromEverySource() throws {
        #expect(try load().insecureDev == false)
        #expect(try load(yaml: "insecureDev: true\n").insecureDev)
        #expect(try load(environment: ["AGENT_INSECURE_DEV": "1"]).insecureDev)
        #expect(try load(flags: [.insecureDev: .bool(true)]).insecureDev)
        #expect(try load(environment: ["AGENT_INSECURE_DEV": "false"], yaml: "insecureDev: true\n").insecureDev == false)
    }

    @Test func anEmptyEnvironmentVariableCountsAsUnset() throws {
        #expect(try load(environment: ["AGENT_BALANCE": ""], yaml: "balance: random\n").balance == .random)
    }

    @Test func aBadValueIsReportedEvenWhenAHigherSourceOverridesIt() throws {
        let message = try loadError(flags: [.balance: .string("random")], yaml: "balance: fastest\n")
        #expect(message == "agent.yaml:1: key \"balance\": \"fastest\" is not one of round-robin, random")
    }

    @Test func theCLIsLayerLeavesOutOptionsTheUserDidNotPass() throws {
        var layer = ConfigurationLayer()
        layer.set(.bind, nil as String?)
        layer.set(.join, [String]())
        layer.set(.insecureDev, false)
        layer.set(.nodeName, "cli-node")
        #expect(layer == ConfigurationLayer([.nodeName: .string("cli-node")]))
    }
}
