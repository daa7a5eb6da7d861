import AgentConfig
import ClusterModel
import Testing

@Suite struct PeerSpecs {
    @Test func anAddressAloneTakesTheDefaultPort() throws {
        let peer = try PeerSpec(parsing: "10.0.0.1")
        #expect(peer.host == "10.0.0.1" && peer.port == 7950)
        #expect(try peer.resolve() == [PeerAddress("10.0.0.1:7950")!])
    }

    @Test func anAddressWithAPortKeepsIt() throws {
        let peer = try PeerSpec(parsing: "10.0.0.1:8000")
        #expect(peer.description == "10.0.0.1:8000")
        #expect(try peer.resolve() == [PeerAddress("10.0.0.1:8000")!])
    }

    @Test func localhostResolvesToTheLoopbackAddress() throws {
        let peer = try PeerSpec(parsing: "localhost:7951")
        #expect(try peer.resolve().contains(PeerAddress("127.0.0.1:7951")!))
    }

    @Test func portZeroIsRefused() {
        #expect(throws: PeerSpecError.self) { try PeerSpec(parsing: "host:0") }
        do {
            _ = try PeerSpec(parsing: "host:0")
        } catch {
            #expect(
                error.description
                    == "\"host:0\" is not a valid peer: port must be 1–65535 "
                    + "(expected host or host:port such as 10.0.0.1:7950 (port 7950 when left out))")
        }
    }

    @Test func aPortWithoutAHostIsRefused() {
        do {
            _ = try PeerSpec(parsing: ":7950")
            Issue.record(":7950 was accepted as a peer")
        } catch {
            #expect(error.description.hasPrefix("\":7950\" is not a valid peer: the host is missing"))
        }
    }

    @Test func malformedPeersAreRefusedBeforeAnyLookup() {
        for text in ["10.0.0.256", "10.0.0.1:", "a b", "[::1]:7950", "host:port", "-bad-.example", ""] {
            #expect(throws: PeerSpecError.self, "\(text)") { try PeerSpec(parsing: text) }
        }
    }

    @Test func anUnresolvableNameIsReportedWithTheResolversMessage() throws {
        // .invalid is reserved (RFC 6761): no resolver answers for it.
        let peer = try PeerSpec(parsing: "no-such-peer.invalid")
        do {
            _ = try peer.resolve()
            Issue.record("a .invalid name resolved")
        } catch {
            #expect(error.description.hasPrefix("cannot resolve peer no-such-peer.invalid (no-such-peer.invalid:7950): "))
            #expect(!error.reason.isEmpty)
        }
    }
}
