import ClusterModel
import Foundation
import Membership
import Sealing
import Wire

/// libFuzzer calls this once before fuzzing, with the command line; it leaves flags that
/// start with `--` to the target. `--write-seeds=DIR` writes a few well-formed inputs for
/// each path (sealed datagrams that open, compound packets) into DIR and exits, so that
/// the corpus starts from datagrams that authenticate rather than from nothing.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
) -> CInt {
    let flag = "--write-seeds="
    for index in 1..<Int(argc.pointee) {
        guard let raw = argv.pointee[index] else { continue }
        let argument = String(cString: raw)
        guard argument.hasPrefix(flag) else { continue }
        exit(writeSeeds(into: String(argument.dropFirst(flag.count))))
    }
    return 0
}

private func writeSeeds(into directory: String) -> CInt {
    let seeds = seedInputs()
    for seed in seeds {
        let path = directory + "/" + seed.name
        guard FileManager.default.createFile(atPath: path, contents: Data(seed.bytes)) else {
            FileHandle.standardError.write(Data("FuzzOpenDecode: cannot write \(path)\n".utf8))
            return 1
        }
    }
    print("FuzzOpenDecode: wrote \(seeds.count) seeds to \(directory)")
    return 0
}

private func seedInputs() -> [(name: String, bytes: [UInt8])] {
    func frame(_ tag: UInt8, _ body: [UInt8]) -> Frame { Frame(tag: MessageTag(rawValue: tag), body: body[...]) }
    let payloads: [[UInt8]] = [
        [],
        try! CompoundPacket.pack(membershipMessages().map(\.frame), budget: defaultMTU)[0],
        try! CompoundPacket.pack([frame(1, Array("hello".utf8))], budget: defaultMTU)[0],
        try! CompoundPacket.pack([frame(1, Array(repeating: 7, count: 40)), frame(2, []), frame(3, Array(0..<40))], budget: defaultMTU)[0],
        // A full datagram's worth of 40-byte frames.
        try! CompoundPacket.pack((0..<40).map { frame(UInt8(1 + $0 % 8), Array(repeating: UInt8($0), count: 40)) },
                                 budget: Fixtures.sealer.payloadBudget(mtu: defaultMTU))[0],
    ]
    var seeds: [(name: String, bytes: [UInt8])] = []
    for (index, payload) in payloads.enumerated() {
        let sealed = Fixtures.sealer.seal(payload, keyring: Fixtures.keyring, now: Fixtures.now)
        seeds.append(("seed-open-\(index)", [FuzzPath.openRawDatagram.rawValue] + sealed))
        seeds.append(("seed-seal-\(index)", [FuzzPath.sealOpenDecode.rawValue] + payload))
        seeds.append(("seed-decode-\(index)", [FuzzPath.decodePayload.rawValue] + payload))
        // The same datagram as a key holder's record, then the next three of its session
        // (sequence numbers 1000, 1001 and 999 past it: forward, forward, back).
        let plaintext = [UInt8(Fixtures.sender.rawValue.utf8.count)] + Array(Fixtures.sender.rawValue.utf8) + payload
        var records: [UInt8] = []
        for step: UInt64 in [0, 1_000, 1_001, 999] {
            var header = Array(sealed[..<DatagramLayout.headerLength])
            let sequenceAt = 13  // version(1) | keyID(4) | session(8) | sequence(8) | sentAt(8)
            let sequence = header[sequenceAt..<(sequenceAt + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } + step
            withUnsafeBytes(of: sequence.bigEndian) { header.replaceSubrange(sequenceAt..<(sequenceAt + 8), with: $0) }
            records += header + [UInt8(plaintext.count >> 8), UInt8(plaintext.count & 0xFF)] + plaintext
        }
        seeds.append(("seed-authentic-\(index)", [FuzzPath.openAuthenticRun.rawValue] + records))
    }
    return seeds
}

/// One membership message of each kind, with every kind of update and both address families.
private func membershipMessages() -> [SWIM.Message] {
    let alpha = try! NodeName("alpha"), beta = try! NodeName("beta.example"), gamma = try! NodeName("γ-3")
    let v4 = PeerAddress(ipv4: (10, 0, 0, 7), port: 7946)
    let v6 = PeerAddress(ipv6: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1], port: 7946)
    let updates: [SWIM.Update] = [
        .alive(name: alpha, incarnation: 3, address: v4, labels: ["zone": "a", "role": "edge"]),
        .suspect(name: beta, incarnation: 1, reporter: alpha),
        .failed(name: gamma, incarnation: 9, reporter: beta),
        .left(name: beta, incarnation: 2),
    ]
    return [
        .ping(SWIM.Ping(sequence: 1, target: beta, gossip: updates)),
        .pingRequest(SWIM.PingRequest(sequence: 2, target: gamma, targetAddress: v6, wantsNack: true, gossip: [updates[0]])),
        .ack(SWIM.Ack(sequence: 1, gossip: [updates[1]])),
        .nack(SWIM.Nack(sequence: 2)),
        .gossip(SWIM.Gossip(updates: updates)),
        .state(SWIM.StateChunk(exchange: 5, isRequest: true, index: 0, members: [
            SWIM.Member(name: alpha, address: v4, incarnation: 3, status: .alive, labels: ["zone": "a"]),
            SWIM.Member(name: gamma, address: v6, incarnation: 9, status: .failed, labels: [:]),
        ])),
    ]
}
