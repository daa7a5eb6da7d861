extension SWIM {
    /// Every knob of the protocol. The defaults follow hashicorp/memberlist's LAN profile
    /// (`DefaultLANConfig`) and Serf's reconnect and reap times.
    public struct Settings: Sendable, Hashable {
        public var probe = Probe()
        public var lifeguard = Lifeguard()
        public var gossip = Gossip()
        public var sync = Sync()
        public var reconnect = Reconnect()
        public var leave = Leave()

        public init() {}

        public struct Probe: Sendable, Hashable {
            /// How often one member is probed (before Lifeguard's health multiplier).
            public var interval: Duration = .seconds(1)
            /// How long to wait for the direct ack before asking others (ping-req).
            public var timeout: Duration = .milliseconds(500)
            /// How many members are asked to probe indirectly.
            public var indirectProbes = 3
            public init() {}
        }

        public struct Lifeguard: Sendable, Hashable {
            /// Lifeguard IV.A: probe interval and timeout are multiplied by (score + 1), and
            /// the score stays below this.
            public var awarenessMaxMultiplier = 8
            /// Lifeguard IV.B: the shortest suspicion lasts
            /// `suspicionMultiplier * max(1, log10(N)) * probe.interval`.
            public var suspicionMultiplier = 4
            /// The longest suspicion (no confirmations) is this times the shortest.
            public var suspicionMaxTimeoutMultiplier = 6
            /// A helper that relays a probe sends its nack after this fraction of the probe
            /// timeout, so the nack reaches the requester before its own deadline.
            public var nackFraction = 0.8
            public init() {}
        }

        public struct Gossip: Sendable, Hashable {
            public var interval: Duration = .milliseconds(200)
            /// Members sent gossip each interval.
            public var fanout = 3
            /// Each update is sent `retransmitMultiplier * ceil(log10(N + 1))` times.
            public var retransmitMultiplier = 4
            /// Bytes of updates piggybacked on one ping, ack or ping-req, or sent in one gossip
            /// message. 1,100 keeps the datagram under 1,400 bytes after sealing and framing
            /// for node names up to 80 bytes.
            public var piggybackBudget = 1_100
            /// Failed members still receive gossip this long, so they learn they were declared
            /// failed and can refute (memberlist's GossipToTheDeadTime).
            public var toTheDeadTime: Duration = .seconds(30)
            public init() {}
        }

        public struct Sync: Sendable, Hashable {
            /// Full state exchange with one random member, scaled up above 32 members as
            /// memberlist's pushPullScale does.
            public var pushPullInterval: Duration = .seconds(30)
            /// Bytes of member records in one `state` message.
            public var chunkBudget = 1_150
            /// A join request unanswered this long is sent again.
            public var joinRetryInterval: Duration = .seconds(1)
            /// How many times a seed is asked before `joinUnanswered`.
            public var joinAttempts = 5
            /// After a join is answered, catch-up push-pulls follow at this delay, doubling
            /// each time, for as long as the node keeps learning of members it did not know
            /// (and until the delay reaches the push-pull interval). A node joining a settled
            /// cluster learns nothing new and makes none; nodes that joined together (a mass
            /// restart) fill in one another's gaps in seconds instead of waiting minutes for
            /// the periodic push-pull.
            public var catchUpDelay: Duration = .milliseconds(250)
            /// Ticks with nothing learned end the ramp only once its delay has reached this:
            /// a node that joined together with others may hear nothing new for a moment
            /// and still be missing members that only a push-pull will bring.
            public var catchUpPatience: Duration = .seconds(2)
            /// After any other exchange that taught something (a reconnect across a healed
            /// partition, a push-pull that found what gossip missed), the first follow-up
            /// goes back to the same partner after this long: time enough for the
            /// refutations the first exchange caused there to be made, so they cross over.
            public var followUpDelay: Duration = .seconds(2)
            public init() {}
        }

        public struct Reconnect: Sendable, Hashable {
            /// How often one failed member is offered a push-pull (Serf's ReconnectInterval).
            public var interval: Duration = .seconds(30)
            /// Failed and left members are forgotten after this long (Serf's
            /// ReconnectTimeout and TombstoneTimeout).
            public var reapTime: Duration = .seconds(24 * 3600)
            public init() {}
        }

        public struct Leave: Sendable, Hashable {
            /// Leaving completes when the `left` announcement is spent, or after this long.
            public var timeout: Duration = .seconds(5)
            public init() {}
        }

        /// What is wrong with these settings, one sentence each; empty when they are usable.
        public var problems: [String] {
            var problems: [String] = []
            func positive(_ value: Duration, _ name: String) {
                if value <= .zero { problems.append("\(name) must be longer than zero, not \(value)") }
            }
            positive(probe.interval, "probe.interval")
            positive(probe.timeout, "probe.timeout")
            positive(gossip.interval, "gossip.interval")
            positive(gossip.toTheDeadTime, "gossip.toTheDeadTime")
            positive(sync.pushPullInterval, "sync.pushPullInterval")
            positive(sync.joinRetryInterval, "sync.joinRetryInterval")
            positive(sync.catchUpDelay, "sync.catchUpDelay")
            positive(sync.catchUpPatience, "sync.catchUpPatience")
            positive(sync.followUpDelay, "sync.followUpDelay")
            positive(reconnect.interval, "reconnect.interval")
            positive(reconnect.reapTime, "reconnect.reapTime")
            positive(leave.timeout, "leave.timeout")
            if probe.timeout >= probe.interval {
                problems.append("probe.timeout (\(probe.timeout)) must be shorter than probe.interval (\(probe.interval)), leaving time for indirect probes")
            }
            if probe.indirectProbes < 0 { problems.append("probe.indirectProbes must be 0 or more, not \(probe.indirectProbes)") }
            if lifeguard.awarenessMaxMultiplier < 1 {
                problems.append("lifeguard.awarenessMaxMultiplier must be at least 1, not \(lifeguard.awarenessMaxMultiplier)")
            }
            if lifeguard.suspicionMultiplier < 1 {
                problems.append("lifeguard.suspicionMultiplier must be at least 1, not \(lifeguard.suspicionMultiplier)")
            }
            if lifeguard.suspicionMaxTimeoutMultiplier < 1 {
                problems.append("lifeguard.suspicionMaxTimeoutMultiplier must be at least 1, not \(lifeguard.suspicionMaxTimeoutMultiplier)")
            }
            if !(lifeguard.nackFraction > 0 && lifeguard.nackFraction <= 1) {
                problems.append("lifeguard.nackFraction must be in (0, 1], not \(lifeguard.nackFraction)")
            }
            if gossip.fanout < 1 { problems.append("gossip.fanout must be at least 1, not \(gossip.fanout)") }
            if gossip.retransmitMultiplier < 1 {
                problems.append("gossip.retransmitMultiplier must be at least 1, not \(gossip.retransmitMultiplier)")
            }
            if gossip.piggybackBudget < 64 { problems.append("gossip.piggybackBudget must be at least 64 bytes, not \(gossip.piggybackBudget)") }
            if sync.chunkBudget < 300 {
                problems.append("sync.chunkBudget must be at least 300 bytes (one member record), not \(sync.chunkBudget)")
            }
            if sync.joinAttempts < 1 { problems.append("sync.joinAttempts must be at least 1, not \(sync.joinAttempts)") }
            return problems
        }
    }
}
