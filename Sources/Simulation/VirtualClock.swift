import ClusterModel

/// A simulator on a virtual clock: what both simulators offer for running it.
public protocol VirtualClockRun: AnyObject {
    var now: Timestamp { get }
    /// Processes every event up to and including `deadline`, then sets the clock to it.
    func run(until deadline: Timestamp)
    /// How often `run(until:step:limit:)` looks at its condition, unless told.
    static var conditionStep: Duration { get }
}

extension VirtualClockRun {
    public func run(for duration: Duration) { run(until: now + duration) }

    /// Runs in steps until `condition` holds or `limit` passes; returns whether it held.
    @discardableResult
    public func run(until condition: () -> Bool, step: Duration? = nil, limit: Duration) -> Bool {
        let deadline = now + limit
        while now < deadline {
            if condition() { return true }
            run(until: min(deadline, now + (step ?? Self.conditionStep)))
        }
        return condition()
    }
}
