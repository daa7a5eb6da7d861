import Benchmark
import ClusterModel
import Sealing
import Wire

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 100,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )
    sealingBenchmarks()
    codecBenchmarks()
}

// MARK: - Sealing

/// The size of a payload near the MTU budget: what a full gossip datagram carries.
let payloadLength = 1_200

/// A fixed wall-clock instant; the freshness check only compares it with itself.
let benchmarkNow = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)

func sealingBenchmarks() {
    let key = try! ClusterKey(bytes: (0..<ClusterKey.length).map { UInt8($0) })
    let keyring = Keyring(primary: key)
    let payload = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    // One Sealer per run: every iteration seals a fresh datagram, so the sequence number
    // advances and the replay window admits each one as new (it moves forward in order).
    Benchmark("Sealer.seal + Opener.open, 1200-byte payload") { benchmark in
        let sealer = Sealer(sender: try! NodeName("bench-node-01"), session: 1)
        var opener = Opener()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let datagram = sealer.seal(payload, keyring: keyring, now: benchmarkNow)
            do {
                let opened = try opener.open(datagram, keyring: keyring, now: benchmarkNow)
                blackHole(opened.payload.count)
            } catch {
                fatalError("a datagram sealed a moment ago was refused: \(error)")
            }
        }
    }

    // The bare AEAD on the same amount of data: the same plaintext length the Sealer
    // encrypts (sender length byte + sender + payload), the same 29-byte additional data,
    // a 24-byte nonce and the same key. The ratio of the two is the layer's own cost.
    Benchmark("bare XChaCha20Poly1305.seal + .open, same input") { benchmark in
        let sender = Array("bench-node-01".utf8)
        let plaintext = [UInt8(sender.count)] + sender + payload
        var header = [UInt8](repeating: 0, count: DatagramLayout.headerLength)
        header[0] = DatagramLayout.version
        var sealed = [UInt8](repeating: 0, count: plaintext.count + XChaCha20Poly1305.tagLength)
        var opened = [UInt8](repeating: 0, count: plaintext.count)
        let nonceOffset = DatagramLayout.headerLength - XChaCha20Poly1305.nonceLength
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let ok = plaintext.withUnsafeBytes { plain in
                header.withUnsafeBytes { ad in
                    key.bytes.withUnsafeBytes { keyBytes in
                        sealed.withUnsafeMutableBytes { out in
                            let nonce = UnsafeRawBufferPointer(rebasing: ad[nonceOffset...])
                            XChaCha20Poly1305.seal(plaintext: plain, additionalData: ad, nonce: nonce, key: keyBytes, into: out)
                            return opened.withUnsafeMutableBytes { back in
                                XChaCha20Poly1305.open(
                                    ciphertext: UnsafeRawBufferPointer(out), additionalData: ad, nonce: nonce, key: keyBytes, into: back)
                            }
                        }
                    }
                }
            }
            precondition(ok, "the bare AEAD refused its own ciphertext")
            blackHole(opened[0])
        }
    }
}

// MARK: - Codec

/// A body size typical of a membership message (a member's name, address, incarnation).
let frameBodyLength = 40

func codecBenchmarks() {
    // The budget a real sender has: the MTU less what sealing adds for this sender's name.
    let sealer = Sealer(sender: try! NodeName("bench-node-01"), session: 1)
    let budget = sealer.payloadBudget(mtu: defaultMTU)
    let frames = (0..<64).map { index in
        Frame(tag: MessageTag(rawValue: UInt8(1 + index % 8)),
              body: (0..<frameBodyLength).map { UInt8(truncatingIfNeeded: index &+ $0) }[...])
    }
    let fullPacket = fill(budget: budget, from: frames)
    let framesPerPacket = try! CompoundPacket.unpack(fullPacket[...]).count

    Benchmark("PacketBuilder encode, full packet (\(framesPerPacket) x \(frameBodyLength)-byte frames, \(fullPacket.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(fill(budget: budget, from: frames))
        }
    }

    Benchmark("CompoundPacket.unpack, full packet (\(framesPerPacket) frames, \(fullPacket.count) B)") { benchmark in
        for _ in benchmark.scaledIterations {
            do {
                let decoded = try CompoundPacket.unpack(fullPacket[...])
                blackHole(decoded.count)
            } catch {
                fatalError("a packet just built did not decode: \(error)")
            }
        }
    }
}

/// Appends frames in turn until the next one no longer fits.
func fill(budget: Int, from frames: [Frame]) -> [UInt8] {
    var builder = PacketBuilder(budget: budget)
    var index = 0
    while builder.append(frames[index % frames.count]) { index += 1 }
    return builder.bytes
}
