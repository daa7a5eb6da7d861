import AgentConfig
import Testing

@Suite struct ConfigFileContents {
    static let knownKeys =
        "bind, advertise, nodeName, socket, dataDir, metricsAddr, serviceCIDR, serviceNodePortRange, balance, "
        + "dataplane, routes, podCIDR, nodePortAddresses, join, encrypt, keyringFile, insecureDev, labels, logFormat, loadBalancer"

    @Test func anUnknownKeyIsReportedWithItsLineAndTheLikelyMeantKey() throws {
        let yaml = """
            # agent.yaml
            nodeName: n1
            balance: random

            labels:
              zone: a
            bindd: 0.0.0.0:7950
            """
        #expect(
            try loadError(yaml: yaml)
                == "agent.yaml:7: unknown key \"bindd\" (did you mean \"bind\"?; known keys: \(Self.knownKeys))")
    }

    @Test func aKeySpelledLikeItsFlagOrEnvironmentVariableIsMatchedToTheRealKey() throws {
        #expect(try loadError(yaml: "node-name: n1\n")?.contains("did you mean \"nodeName\"?") == true)
        #expect(try loadError(yaml: "service_cidr: 10.96.0.0/12\n")?.contains("did you mean \"serviceCIDR\"?") == true)
    }

    @Test func anUnknownKeyWithNothingCloseListsTheKnownKeysOnly() throws {
        #expect(try loadError(yaml: "colour: blue\n") == "agent.yaml:1: unknown key \"colour\" (known keys: \(Self.knownKeys))")
    }

    @Test func aMappingWhereStringsAreExpectedIsReportedAtItsKeysLine() throws {
        let yaml = "nodeName: n1\n\nlabels:\n  - zone=a\n"
        #expect(try loadError(yaml: yaml) == "agent.yaml:3: key \"labels\" must be a mapping of strings, not a sequence")
    }

    @Test func wrongTypesNameTheKeyTheLineAndWhatWasExpected() throws {
        #expect(try loadError(yaml: "bind:\n  host: 0.0.0.0\n") == "agent.yaml:1: key \"bind\" must be a string, not a mapping")
        #expect(
            try loadError(yaml: "balance: random\njoin: 10.0.0.1\n")
                == "agent.yaml:2: key \"join\" must be a sequence of strings, not the single value \"10.0.0.1\"")
        #expect(
            try loadError(yaml: "join:\n  - 10.0.0.1\n  - {host: 10.0.0.2}\n")
                == "agent.yaml:3: key \"join\" must be a sequence of strings, not a sequence holding a mapping")
        #expect(
            try loadError(yaml: "insecureDev: sometimes\n")
                == "agent.yaml:1: key \"insecureDev\" must be true or false, not the single value \"sometimes\"")
        #expect(try loadError(yaml: "socket:\n") == "agent.yaml:1: key \"socket\" has no value (expected a string)")
    }

    @Test func aValueErrorNamesTheLineOfTheValue() throws {
        let yaml = "join:\n  - 10.0.0.1\n  - 10.0.0.2:0\n"
        #expect(
            try loadError(yaml: yaml)
                == "agent.yaml:3: key \"join\": \"10.0.0.2:0\" is not a valid peer: port must be 1–65535 "
                + "(expected host or host:port such as 10.0.0.1:7950 (port 7950 when left out))")
    }

    @Test func brokenYAMLIsReportedWithItsLineAndTheParsersMessage() throws {
        let message = try loadError(yaml: "nodeName: n1\nlabels:\n  zone: a\n   rack: b: c\n")
        #expect(message?.hasPrefix("agent.yaml:4: not valid YAML: ") == true)
        #expect(message?.contains("mapping values are not allowed") == true)
    }

    @Test func aKeyGivenTwiceIsAnError() throws {
        let message = try loadError(yaml: "bind: 10.0.0.1\nbalance: random\nbind: 10.0.0.2\n")
        #expect(message == "agent.yaml:1: key \"bind\" appears more than once in the mapping beginning here")
    }

    @Test func aFileThatIsNotAMappingSaysWhatItShouldBe() throws {
        #expect(
            try loadError(yaml: "- bind: 0.0.0.0\n")
                == "agent.yaml:1: the config file must be a mapping of keys such as \"bind: 0.0.0.0:7950\", not a sequence")
    }

    @Test func everyKeyOfSPECsExampleIsAccepted() throws {
        let yaml = """
            bind: 0.0.0.0:7950
            advertise: 10.0.0.1
            nodeName: n1
            socket: /run/agent/agent.sock
            dataDir: /var/lib/agent
            metricsAddr: 127.0.0.1:9950
            serviceCIDR: 10.96.0.0/12
            serviceNodePortRange: 30000-32767
            balance: random
            dataplane: none
            routes: host-gw
            podCIDR: 10.244.1.0/24
            nodePortAddresses: [10.0.0.0/8, 192.168.1.10/32]
            join: [10.0.0.2, 10.0.0.3:7951]
            encrypt: cg8StVXbQJ0gPvMd9o7yrg==
            keyringFile: /etc/agent/keyring.json
            insecureDev: false
            labels: {zone: a}
            logFormat: json
            """
        let configuration = try load(yaml: yaml)
        #expect(configuration.advertise.description == "10.0.0.1:7950")
        #expect(configuration.routes == .hostGateway)
        #expect(configuration.podCIDR?.description == "10.244.1.0/24")
        #expect(configuration.nodePortAddresses.map(\.description) == ["10.0.0.0/8", "192.168.1.10/32"])
        #expect(configuration.encrypt == "cg8StVXbQJ0gPvMd9o7yrg==")
        #expect(configuration.keyringFile == "/etc/agent/keyring.json")
        #expect(configuration.logFormat == .json)
        #expect(configuration.dataplane == Dataplane.none)
    }
}
