import ClusterModel
import Foundation
import Election
import Testing
import Wire

@Suite struct ElectionCodecTests {
    let claim = LeaderClaim(term: 7, leader: try! NodeName("n2"), since: Timestamp(millisecondsSinceEpoch: 1_767_225_600_123))

    @Test func anEndorsementAndAnAnnouncementRoundTripWithAndWithoutAClaim() throws {
        for message in [
            ElectionMessage.endorse(known: nil, knownCount: 1), .endorse(known: claim, knownCount: 1_000), .announce(known: nil, leading: false),
            .announce(known: claim, leading: true),
        ] {
            let frames = try CompoundPacket.unpack(message.payload[...])
            #expect(frames.count == 1)
            #expect(try ElectionMessage(frame: frames[0]) == message)
        }
    }

    @Test func anAnnouncementIsEncodedFieldByField() {
        #expect(
            ElectionMessage.announce(known: claim, leading: true).encodedHex
                == "0d0015" + "01" + "0000000000000007" + "02" + "6e32" + "0000019b76daa87b" + "01")
    }

    @Test func aClaimMarkerThatIsNeitherAbsentNorPresentIsRefused() {
        let frame = Frame(tag: .electionEndorse, body: [2][...])
        #expect(throws: DecodeError.self) { try ElectionMessage(frame: frame) }
    }
}

extension ElectionMessage {
    fileprivate var encodedHex: String { payload.map { String(format: "%02x", $0) }.joined() }
}
