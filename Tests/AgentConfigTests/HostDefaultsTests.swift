import ClusterModel
import AgentConfig
import Foundation
import Testing

@Suite struct HostDefaults {
    @Test func theNodeNameDefaultsToTheHostName() throws {
        var buffer = [CChar](repeating: 0, count: 256)
        #expect(gethostname(&buffer, buffer.count) == 0)
        let hostName = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let host = LocalHost(hostName: LocalHost.system.hostName, interfaceAddresses: ordinaryHost.interfaceAddresses)
        let configuration = try load(host: host)
        #expect(configuration.nodeName.rawValue == hostName)
    }

    @Test func aHostNameThatIsNoNodeNameAsksForNodeName() throws {
        let host = LocalHost(hostName: { .success("bad name") }, interfaceAddresses: ordinaryHost.interfaceAddresses)
        #expect(
            try loadError(host: host)
                == "nodeName: the host name \"bad name\" is not a valid node name: a node name may not contain white space "
                + "or control characters (found U+0020); pass --node-name, set AGENT_NODE_NAME, or set nodeName in the config file")
        #expect(try load(flags: [.nodeName: .string("n1")], host: host).nodeName.rawValue == "n1")
    }

    @Test func theAdvertiseAddressDefaultsToTheFirstUpNonLoopbackIPv4Address() throws {
        let host = LocalHost(
            hostName: { .success("n1") },
            interfaceAddresses: {
                .success([
                    .init(interface: "lo", address: IPv4(127, 0, 0, 1), isLoopback: true),
                    .init(interface: "eth0", address: IPv4(10, 1, 0, 4), isUp: false),
                    .init(interface: "eth1", address: IPv4(10, 2, 0, 5)),
                    .init(interface: "eth2", address: IPv4(10, 3, 0, 6)),
                ])
            })
        #expect(try load(flags: [.bind: .string(":7960")], host: host).advertise.description == "10.2.0.5:7960")
    }

    @Test func aSpecificBindAddressIsAdvertisedAsItIs() throws {
        #expect(try load(flags: [.bind: .string("10.9.9.9:7999")]).advertise.description == "10.9.9.9:7999")
    }

    @Test func aHostWithOnlyLoopbackAddressesAsksForAdvertise() throws {
        let host = LocalHost(
            hostName: { .success("n1") },
            interfaceAddresses: { .success([.init(interface: "lo", address: IPv4(127, 0, 0, 1), isLoopback: true)]) })
        #expect(
            try loadError(host: host)
                == "advertise: this host has no non-loopback IPv4 address that is up, so other nodes could not reach this one; "
                + "pass --advertise, set AGENT_ADVERTISE, or set advertise in the config file")
        #expect(try load(flags: [.advertise: .string("127.0.0.1")], host: host).advertise.description == "127.0.0.1:7950")
    }

    @Test func theSystemListsItsLoopbackAddress() throws {
        let addresses = try LocalHost.system.interfaceAddresses().get()
        #expect(addresses.contains { $0.address == IPv4(127, 0, 0, 1) && $0.isLoopback })
    }
}
