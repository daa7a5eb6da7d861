import ClusterModel
import Testing

@Suite("PeerAddress")
struct PeerAddressTests {
    @Test("IPv4 and IPv6 addresses print as they were written", arguments: [
        "10.0.0.1:7950", "0.0.0.0:0", "255.255.255.255:65535", "[::1]:7950", "[2001:db8::8:800:200c:417a]:53",
        "[fe80::]:1", "[2001:db8:0:1:1:1:1:1]:7950", "[::]:9",
    ])
    func roundTrip(_ text: String) throws {
        let address = try #require(PeerAddress(text))
        #expect(address.description == text)
    }

    @Test("IPv6 is printed in RFC 5952 form")
    func canonicalIPv6() {
        #expect(PeerAddress("[2001:0DB8:0:0:0:0:2:1]:80")?.description == "[2001:db8::2:1]:80")
        #expect(PeerAddress("[2001:db8:0:0:1:0:0:1]:80")?.description == "[2001:db8::1:0:0:1]:80")
        #expect(PeerAddress("[::ffff:10.1.2.3]:80")?.description == "10.1.2.3:80", "IPv4-mapped is IPv4")
        #expect(PeerAddress("[::ffff:10.1.2.3]:80") == PeerAddress("10.1.2.3:80"))
    }

    @Test("malformed addresses are refused", arguments: [
        "10.0.0.1", "10.0.0:80", "10.0.0.256:80", "10.0.0.01:80", "10.0.0.1:65536", "[::1]", "::1:80", "[1::2::3]:80",
        "[1:2:3:4:5:6:7:8:9]:80", "[12345::]:80", "[::g]:80", "host:80", "",
    ])
    func refused(_ text: String) {
        #expect(PeerAddress(text) == nil)
    }

    @Test("an address is 18 bytes with no allocation, so a member table stays small")
    func compact() {
        #expect(MemoryLayout<PeerAddress>.size == 18)
    }
}
