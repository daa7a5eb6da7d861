import AgentConfig
import Testing

@Suite struct Values {
    @Test func bindAcceptsHostPortAHostAloneOrAPortAlone() throws {
        #expect(try load(flags: [.bind: .string("10.0.0.1:8000")]).bind.description == "10.0.0.1:8000")
        #expect(try load(flags: [.bind: .string("10.0.0.1")]).bind.description == "10.0.0.1:7950")
        #expect(try load(flags: [.bind: .string(":8000")]).bind.description == "0.0.0.0:8000")
    }

    @Test func aBindPortOutOfRangeSaysWhatWouldBeAccepted() throws {
        #expect(
            try loadError(flags: [.bind: .string("1.2.3.4:99999")])
                == "flag --bind: \"1.2.3.4:99999\" is not a valid address: port must be 1–65535 "
                + "(expected host:port such as 0.0.0.0:7950, host, or :port)")
    }

    @Test func aBindHostThatIsNotAnIPv4AddressIsRefused() throws {
        #expect(
            try loadError(environment: ["AGENT_BIND": "eth0:7950"])
                == "environment AGENT_BIND: \"eth0:7950\" is not a valid address: \"eth0\" is not an IPv4 address "
                + "(expected host:port such as 0.0.0.0:7950, host, or :port)")
        #expect(try loadError(yaml: "bind: \"[::]:7950\"\n")?.contains("IPv6 addresses are not supported") == true)
        #expect(try loadError(yaml: "bind: 10.0.0.01\n")?.contains("\"10.0.0.01\" is not an IPv4 address") == true)
    }

    @Test func metricsCanBeTurnedOffOrMovedAndAreCheckedLikeBind() throws {
        #expect(try load(yaml: "metricsAddr: off\n").metricsAddr == nil)
        #expect(try load(flags: [.metricsAddr: .string("off")], yaml: "metricsAddr: 0.0.0.0:9100\n").metricsAddr == nil)
        #expect(try load(environment: ["AGENT_METRICS_ADDR": "0.0.0.0:9100"]).metricsAddr?.description == "0.0.0.0:9100")
        #expect(try load(flags: [.metricsAddr: .string(":9100")]).metricsAddr?.description == "0.0.0.0:9100")
        #expect(
            try loadError(flags: [.metricsAddr: .string("localhost:9950")])
                == "flag --metrics-addr: \"localhost:9950\" is not a valid address: \"localhost\" is not an IPv4 address "
                + "(expected host:port such as 127.0.0.1:9950, or off)")
        #expect(try loadError(flags: [.metricsAddr: .string("127.0.0.1:")])?.contains("the port is missing") == true)
    }

    @Test func theServiceCIDRMustBeANetworkAddress() throws {
        #expect(try load(flags: [.serviceCIDR: .string("172.20.0.0/16")]).serviceCIDR.description == "172.20.0.0/16")
        #expect(
            try loadError(flags: [.serviceCIDR: .string("10.96.0.1/12")])
                == "flag --service-cidr: \"10.96.0.1/12\" is not a valid network: 10.96.0.1 is not the network's address "
                + "(did you mean 10.96.0.0/12?) (expected an IPv4 network address with a prefix of 8 to 30, such as 10.96.0.0/12)")
    }

    @Test func nodePortAddressesAreNetworksEachCheckedWhereItWasGiven() throws {
        let configuration = try load(environment: ["AGENT_NODE_PORT_ADDRESSES": "10.99.0.0/24, 192.168.1.10/32"])
        #expect(configuration.nodePortAddresses.map(\.description) == ["10.99.0.0/24", "192.168.1.10/32"])
        #expect(
            try loadError(flags: [.nodePortAddresses: .strings(["10.0.0.0/8", "10.99.0.1/24"])])
                == "flag --nodeport-addresses: \"10.99.0.1/24\" is not a valid network: 10.99.0.1 is not the network's address "
                + "(did you mean 10.99.0.0/24?) (expected IPv4 networks such as 10.0.0.0/8 (the local addresses within them answer NodePorts))")
    }

    @Test func theServiceCIDRPrefixMustBe8To30() throws {
        for bad in ["10.0.0.0/7", "10.0.0.0/31", "10.0.0.0/", "10.0.0.0"] {
            let message = try loadError(yaml: "serviceCIDR: \(bad)\n")
            #expect(message?.hasPrefix("agent.yaml:1: key \"serviceCIDR\": \"\(bad)\" is not a valid network: ") == true)
        }
        #expect(try loadError(yaml: "serviceCIDR: 10.0.0.0/31\n")?.contains("the prefix must be 8 to 30") == true)
        #expect(try loadError(yaml: "serviceCIDR: 10.0.0.0\n")?.contains("the /prefix is missing") == true)
    }

    @Test func aNodePortRangeMustBeOrderedAndWithinThePortRange() throws {
        #expect(try load(flags: [.serviceNodePortRange: .string("31000-31010")]).serviceNodePortRange.count == 11)
        #expect(
            try loadError(flags: [.serviceNodePortRange: .string("32767-30000")])
                == "flag --service-node-port-range: \"32767-30000\" is not a valid port range: the range is reversed "
                + "(did you mean 30000-32767?) (expected low-high within 1–65535, such as 30000-32767)")
        #expect(try loadError(flags: [.serviceNodePortRange: .string("30000-70000")])?.contains("port must be 1–65535") == true)
        #expect(try loadError(flags: [.serviceNodePortRange: .string("0-100")])?.contains("port must be 1–65535") == true)
        #expect(try loadError(flags: [.serviceNodePortRange: .string("30000")])?.contains("two ports joined by -") == true)
    }

    @Test func balanceIsOneOfItsChoices() throws {
        #expect(
            try loadError(environment: ["AGENT_BALANCE": "fastest"])
                == "environment AGENT_BALANCE: \"fastest\" is not one of round-robin, random")
    }

    @Test func nftablesIsAnsweredAsNotYetSupported() throws {
        #expect(
            try loadError(flags: [.dataplane: .string("nftables")])
                == "flag --dataplane: \"nftables\" is not yet supported; use iptables or none")
    }

    @Test func hostGatewayRoutesNeedThisNodesPodCIDR() throws {
        #expect(
            try loadError(flags: [.routes: .string("host-gw")])
                == "flag --routes: routes host-gw needs this node's pod network: pass --pod-cidr, set AGENT_POD_CIDR, "
                + "or set podCIDR in the config file")
        #expect(try load(flags: [.routes: .string("host-gw"), .podCIDR: .string("10.244.3.0/24")]).podCIDR?.prefixLength == 24)
    }

    @Test func aPodCIDROverlappingTheServiceCIDRIsRefused() throws {
        #expect(
            try loadError(yaml: "podCIDR: 10.100.0.0/24\n")
                == "agent.yaml:1: key \"podCIDR\": 10.100.0.0/24 overlaps the Service CIDR 10.96.0.0/12; "
                + "pod and Service addresses must not share a range")
    }

    @Test func labelKeysFollowKubernetesSyntax() throws {
        let accepted = try load(flags: [.labels: .strings(["topology.kubernetes.io/zone=eu-1a", "Rack_2.b=R-7", "gpu="])])
        #expect(accepted.labels == ["topology.kubernetes.io/zone": "eu-1a", "Rack_2.b": "R-7", "gpu": ""])
        #expect(
            try loadError(flags: [.labels: .strings(["bad key=x"])])
                == "flag --label: label key \"bad key\" is not valid: it must be at most 63 characters of "
                + "A-Z a-z 0-9 - _ ., beginning and ending with a letter or digit")
        #expect(try loadError(flags: [.labels: .strings(["-zone=a"])])?.contains("label key \"-zone\" is not valid") == true)
        #expect(try loadError(flags: [.labels: .strings(["Example.com/zone=a"])])?.contains("the prefix must be a DNS subdomain") == true)
        #expect(try loadError(flags: [.labels: .strings(["a/b/c=x"])])?.contains("at most one /") == true)
        #expect(
            try loadError(flags: [.labels: .strings(["zone"])])
                == "flag --label: \"zone\" is not a label: expected key=value such as zone=a")
    }

    @Test func aLabelValueLongerThan63CharactersIsRefused() throws {
        let long = String(repeating: "v", count: 64)
        #expect(
            try loadError(environment: ["AGENT_LABELS": "zone=a,note=\(long)"])
                == "environment AGENT_LABELS: label \"note\": the value is 64 characters long; at most 63 are allowed")
        #expect(try load(environment: ["AGENT_LABELS": "note=\(long.dropLast())"]).labels["note"]?.count == 63)
        #expect(
            try loadError(yaml: "labels:\n  zone: a\n  note: \"a b\"\n")?.hasPrefix(
                "agent.yaml:3: key \"labels\": label \"note\": value \"a b\" is not valid") == true)
    }

    @Test func aLabelGivenTwiceIsAnError() throws {
        #expect(
            try loadError(flags: [.labels: .strings(["zone=a", "zone=b"])])
                == "flag --label: label \"zone\" is given more than once")
    }

    @Test func emptyKeysAndAnInvalidNodeNameAreRefused() throws {
        #expect(
            try loadError(flags: [.encrypt: .string("")])
                == "flag --encrypt: the value is empty (expected a cluster key from `agent keygen` (base64 of 32 bytes))")
        #expect(
            try loadError(flags: [.nodeName: .string("my node")])
                == "flag --node-name: \"my node\" is not a valid node name: a node name may not contain white space "
                + "or control characters (found U+0020)")
    }

    @Test func advertiseTakesTheBindPortUnlessItNamesOne() throws {
        let given = try load(flags: [.bind: .string(":8000"), .advertise: .string("10.0.0.9")])
        #expect(given.advertise.description == "10.0.0.9:8000")
        #expect(try load(flags: [.advertise: .string("10.0.0.9:9000")]).advertise.description == "10.0.0.9:9000")
        #expect(try loadError(flags: [.advertise: .string("0.0.0.0")])?.contains("0.0.0.0 cannot be reached") == true)
    }
}
