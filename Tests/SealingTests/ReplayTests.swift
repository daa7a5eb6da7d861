import ClusterModel
import Testing

@testable import Sealing

@Suite("Replay protection")
struct ReplayTests {
    let ring = Keyring(primary: Fixture.keyA)

    func reason(_ opener: inout Opener, _ datagram: [UInt8], at now: Timestamp = Fixture.now) -> RejectionReason? {
        Fixture.rejection { () throws(Rejection) in try opener.open(datagram, keyring: ring, now: now) }
    }

    @Test("the same datagram delivered twice is accepted once, then rejected as replay")
    func duplicate() {
        let sealer = Sealer(sender: Fixture.name("n1"))
        let datagram = sealer.seal([7], keyring: ring, now: Fixture.now)
        var opener = Opener()
        #expect(reason(&opener, datagram) == nil)
        #expect(reason(&opener, datagram) == .replay)
        #expect(reason(&opener, datagram, at: Fixture.now + .seconds(5)) == .replay)
    }

    @Test("a datagram older than the freshness window is rejected as replay, even if never seen")
    func stale() {
        let sealer = Sealer(sender: Fixture.name("n1"))
        let datagram = sealer.seal([7], keyring: ring, now: Fixture.now)
        var opener = Opener()
        #expect(reason(&opener, datagram, at: Fixture.now + .seconds(61)) == .replay)
        let fromTheFuture = sealer.seal([7], keyring: ring, now: Fixture.now + .seconds(61))
        #expect(reason(&opener, fromTheFuture) == .replay)
    }

    @Test("datagrams reordered inside the window are all accepted, and each only once")
    func reordering() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("reordering seed: \(seed)")
        var random = SeededGenerator(seed: seed)
        let sealer = Sealer(sender: Fixture.name("n1"))
        let datagrams = (0..<900).map { sealer.seal([UInt8($0 & 0xFF)], keyring: ring, now: Fixture.now) }
        var opener = Opener()
        let shuffled = datagrams.shuffled(using: &random)
        #expect(shuffled.allSatisfy { reason(&opener, $0) == nil }, "seed \(seed)")
        #expect(shuffled.allSatisfy { reason(&opener, $0) == .replay }, "seed \(seed)")
    }

    @Test("a datagram that falls behind the sequence window is rejected as replay")
    func behindTheWindow() {
        let sealer = Sealer(sender: Fixture.name("n1"))
        let early = sealer.seal([1], keyring: ring, now: Fixture.now)
        let later = (0..<1_100).map { _ in sealer.seal([2], keyring: ring, now: Fixture.now) }
        var opener = Opener()
        #expect(later.allSatisfy { reason(&opener, $0) == nil })
        #expect(reason(&opener, early) == .replay)
    }

    @Test("a sender that restarts with the same name is accepted at once, and its old datagrams stay refused")
    func restartedSender() {
        let before = Sealer(sender: Fixture.name("n1"))
        let old = (0..<10).map { _ in before.seal([1], keyring: ring, now: Fixture.now) }
        var opener = Opener()
        #expect(old.allSatisfy { reason(&opener, $0) == nil })

        let after = Sealer(sender: Fixture.name("n1"))  // a new process: new session, sequence from 0
        let fresh = (0..<10).map { _ in after.seal([2], keyring: ring, now: Fixture.now + .seconds(2)) }
        #expect(fresh.allSatisfy { reason(&opener, $0, at: Fixture.now + .seconds(2)) == nil })
        #expect(old.allSatisfy { reason(&opener, $0, at: Fixture.now + .seconds(2)) == .replay })
    }

    @Test("a sender restarting many times quickly cannot have its forgotten sessions replayed")
    func evictedSessions() {
        var opener = Opener()
        let first = Sealer(sender: Fixture.name("n1"))
        let captured = first.seal([1], keyring: ring, now: Fixture.now)
        #expect(reason(&opener, first.seal([0], keyring: ring, now: Fixture.now)) == nil)
        for restart in 1...6 {
            let later = Sealer(sender: Fixture.name("n1"))
            let at = Fixture.now + .seconds(restart)
            #expect(reason(&opener, later.seal([0], keyring: ring, now: at), at: at) == nil)
        }
        #expect(reason(&opener, captured, at: Fixture.now + .seconds(7)) == .replay)
    }

    @Test("what the window remembers is bounded: senders silent past the freshness window are forgotten")
    func boundedMemory() {
        var window = ReplayWindow()
        for index in 0..<50 {
            #expect(window.admit(sender: Fixture.name("n\(index)"), session: 1, sequence: 0, sentAt: Fixture.now, now: Fixture.now) == .accepted)
        }
        #expect(window.rememberedSenders == 50)
        let later = Fixture.now + .seconds(120)
        for sequence in 0..<4_096 {
            _ = window.admit(sender: Fixture.name("talker"), session: 9, sequence: UInt64(sequence), sentAt: later, now: later)
        }
        #expect(window.rememberedSenders == 1)
    }
}
