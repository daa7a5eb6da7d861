import FuzzFixtures
import Sealing
import Wire

#if canImport(Glibc)
import Glibc
#endif

// Writes a few well-formed inputs into the corpus folder given as the only argument, one
// per path, so the fuzzer starts from datagrams that open rather than from nothing.
guard CommandLine.arguments.count == 2 else {
    fail("usage: FuzzSeeds CORPUS-DIRECTORY")
}
let directory = CommandLine.arguments[1]

func frame(_ tag: UInt8, _ body: [UInt8]) -> Frame { Frame(tag: MessageTag(rawValue: tag), body: body[...]) }

let packets: [[UInt8]] = [
    [],
    try! CompoundPacket.pack([frame(1, Array("hello".utf8))], budget: defaultMTU)[0],
    try! CompoundPacket.pack([frame(1, Array(repeating: 7, count: 40)), frame(2, []), frame(3, Array(0..<40))], budget: defaultMTU)[0],
    try! CompoundPacket.pack((0..<40).map { frame(UInt8(1 + $0 % 8), Array(repeating: UInt8($0), count: 40)) },
                             budget: FuzzFixtures.sealer.payloadBudget(mtu: defaultMTU))[0],
]

var seeds: [(name: String, bytes: [UInt8])] = []
for (index, packet) in packets.enumerated() {
    let path = FuzzFixtures.Path.self
    let sealed = FuzzFixtures.sealer.seal(packet, keyring: FuzzFixtures.keyring, now: FuzzFixtures.now)
    seeds.append(("seed-open-\(index)", [path.openRawDatagram.rawValue] + sealed))
    seeds.append(("seed-seal-\(index)", [path.sealOpenDecode.rawValue] + packet))
    seeds.append(("seed-decode-\(index)", [path.decodePayload.rawValue] + packet))
}

for seed in seeds {
    let path = directory + "/" + seed.name
    guard let file = fopen(path, "wb") else { fail("cannot create \(path)") }
    let written = seed.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
    guard written == seed.bytes.count else { fail("cannot write \(path)") }
}
print("wrote \(seeds.count) seeds to \(directory)")

func fail(_ message: String) -> Never {
    fputs("FuzzSeeds: \(message)\n", stderr)
    exit(1)
}
