import NIOCore
import NIOPosix

/// The UDP socket of the gossip protocol: datagrams in go to the node, on its event loop.
enum GossipTransport {
    /// Large enough for a state exchange's burst of several hundred datagrams, and for a
    /// flood of garbage not to crowd out genuine traffic before it is rejected.
    static let receiveBufferBytes = 8 << 20

    static func bind(host: String, port: Int, node: GossipNode) async throws -> any Channel {
        try await DatagramBootstrap(group: node.eventLoop)
            .channelOption(.socketOption(.so_rcvbuf), value: receiveBufferBytes)
            .channelOption(.socketOption(.so_sndbuf), value: receiveBufferBytes)
            .channelOption(.maxMessagesPerRead, value: 64)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(node: node))
                }
            }
            .bind(host: host, port: port)
            .get()
    }
}

private final class DatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let node: GossipNode

    init(node: GossipNode) { self.node = node }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        node.receive(Array(envelope.data.readableBytesView), from: envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket reports errors of earlier sends (an ICMP unreachable); the socket
        // itself is fine, and failure detection is the protocol's job.
        node.logger.debug("gossip socket error", metadata: ["error": "\(error)"])
    }
}
