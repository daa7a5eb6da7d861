import Testing

@testable import Wire

@Suite("Keyring messages")
struct KeyringMessageTests {
    @Test("a keyring request is id, operation, key length and key (golden bytes), and decodes back")
    func requestGolden() throws {
        let request = KeyringRequest(id: 0x0102_0304_0506_0708, operation: .use, key: [0xAA, 0xBB])
        #expect(request.encodedBody == [1, 2, 3, 4, 5, 6, 7, 8, 3, 2, 0xAA, 0xBB])
        #expect(try KeyringRequest(body: request.encodedBody[...]) == request)
    }

    @Test("a keyring response carries the error text and the keys, primary first (golden bytes)")
    func responseGolden() throws {
        let response = KeyringResponse(id: 9, error: "no", keys: [[1], [2, 3]])
        #expect(response.encodedBody == [0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 0x6E, 0x6F, 2, 1, 1, 2, 2, 3])
        #expect(try KeyringResponse(body: response.encodedBody[...]) == response)
    }

    @Test("an unknown operation and a truncated key are refused, not trusted")
    func hostile() {
        #expect(throws: DecodeError.self) { try KeyringRequest(body: [0, 0, 0, 0, 0, 0, 0, 1, 9, 0][...]) }
        #expect(throws: DecodeError.self) { try KeyringRequest(body: [0, 0, 0, 0, 0, 0, 0, 1, 2, 32, 1, 2][...]) }
        #expect(throws: DecodeError.self) { try KeyringResponse(body: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 5, 1][...]) }
    }
}
