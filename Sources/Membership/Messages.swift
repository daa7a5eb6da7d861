import ClusterModel

extension SWIM {
    /// What one membership datagram carries. The sender's name is not in the message: it
    /// comes from the sealed datagram, where it is authenticated.
    public enum Message: Hashable, Sendable {
        case ping(Ping)
        case pingRequest(PingRequest)
        case ack(Ack)
        case nack(Nack)
        case gossip(Gossip)
        case state(StateChunk)
    }

    /// "Are you there?" Answered with an `ack` of the same sequence number. The target's
    /// name is included so that a node now living at a departed member's old address does
    /// not answer for it.
    public struct Ping: Hashable, Sendable {
        public var sequence: UInt32
        public var target: NodeName
        public var gossip: [Update]

        public init(sequence: UInt32, target: NodeName, gossip: [Update] = []) {
            self.sequence = sequence
            self.target = target
            self.gossip = gossip
        }
    }

    /// "Probe `target` for me" (SWIM's ping-req). The helper answers with the target's ack
    /// relayed under the requester's sequence number, or with a `nack` when the target
    /// stayed silent and `wantsNack` is set (Lifeguard IV.A).
    public struct PingRequest: Hashable, Sendable {
        public var sequence: UInt32
        public var target: NodeName
        public var targetAddress: PeerAddress
        public var wantsNack: Bool
        public var gossip: [Update]

        public init(sequence: UInt32, target: NodeName, targetAddress: PeerAddress, wantsNack: Bool = true, gossip: [Update] = []) {
            self.sequence = sequence
            self.target = target
            self.targetAddress = targetAddress
            self.wantsNack = wantsNack
            self.gossip = gossip
        }
    }

    public struct Ack: Hashable, Sendable {
        public var sequence: UInt32
        public var gossip: [Update]

        public init(sequence: UInt32, gossip: [Update] = []) {
            self.sequence = sequence
            self.gossip = gossip
        }
    }

    /// "I asked the target on your behalf and heard nothing": proof that the requester's
    /// own network works, so a missed ack is not held against its health (Lifeguard IV.A).
    public struct Nack: Hashable, Sendable {
        public var sequence: UInt32

        public init(sequence: UInt32) { self.sequence = sequence }
    }

    /// Updates alone, sent every gossip interval to a few random members.
    public struct Gossip: Hashable, Sendable {
        public var updates: [Update]

        public init(updates: [Update]) { self.updates = updates }
    }

    /// One datagram's worth of a member table, for join, push-pull and reconnect.
    ///
    /// A requester sends its whole table as chunks with `isRequest` set; the receiver merges
    /// every chunk and answers chunk 0 with its own table under the same `exchange` number.
    public struct StateChunk: Hashable, Sendable {
        public var exchange: UInt32
        public var isRequest: Bool
        public var index: UInt16
        public var members: [Member]

        public init(exchange: UInt32, isRequest: Bool, index: UInt16, members: [Member]) {
            self.exchange = exchange
            self.isRequest = isRequest
            self.index = index
            self.members = members
        }
    }

    /// What the shell must do for the instance.
    public enum Directive: Hashable, Sendable {
        /// Send this message in one datagram to this address.
        case send(Message, to: PeerAddress)
        /// Feed `onTimer(timer)` back after this long. Timers are never cancelled: one that
        /// no longer matters is ignored when it fires.
        case scheduleTimer(Timer, after: Duration)
        case memberChanged(MemberChange)
        /// A failed or left member was dropped after the reap time.
        case memberForgotten(NodeName)
        /// A direct or indirect probe was answered (`agent_probe_rtt_seconds`).
        case probeAnswered(NodeName, roundTrip: Duration)
        /// A seed answered `join` with its state.
        case joinAnswered(seed: PeerAddress, by: NodeName)
        /// A seed gave no answer to any of the join attempts.
        case joinUnanswered(seed: PeerAddress)
        /// The `left` announcement has been sent enough times (or the bound passed): the
        /// shell may stop the socket and exit.
        case leaveCompleted
    }

    /// Timers as values: the shell schedules them and hands them back, unchanged.
    public enum Timer: Hashable, Sendable {
        /// Probe the next member (and conclude the previous probe).
        case probeTick
        /// The direct ping went unanswered: ask others to try (SWIM's ping-req).
        case probeTimeout(sequence: UInt32)
        /// A ping this node relays for someone else went unanswered: send the nack.
        case relayTimeout(sequence: UInt32)
        /// The suspicion of a member at this incarnation may have run out.
        case suspicionTimeout(NodeName, incarnation: UInt64)
        case gossipTick
        case pushPullTick
        case reconnectTick
        /// A join request may have been lost: ask the seed again.
        case joinRetry(sequence: UInt32)
        /// Leaving takes no longer than this.
        case leaveDeadline
        /// Time for the next catch-up push-pull after a join (`Settings.Sync.catchUpDelay`).
        case catchUpTick
    }
}
