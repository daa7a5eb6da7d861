import Synchronization

/// Whether a `ControlServer` is listening yet, for callers that wait for it (readiness
/// notification, tests binding port 0).
final class ListeningState: Sendable {
    private enum Phase {
        case notStarted
        case starting
        case listening(ControlEndpoint)
        case stopped(any Error)
    }

    private struct State {
        var phase = Phase.notStarted
        var waiters: [Int: CheckedContinuation<ControlEndpoint, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    func start() throws(ControlServerError) {
        let started = state.withLock { state -> Bool in
            guard case .notStarted = state.phase else { return false }
            state.phase = .starting
            return true
        }
        guard started else { throw .alreadyStarted }
    }

    func bound(to endpoint: ControlEndpoint) {
        resumeAll(with: .success(endpoint), phase: .listening(endpoint))
    }

    /// `reason` is why it never listened, or `ControlServerError.stopped` after serving.
    func stop(_ reason: any Error) {
        resumeAll(with: .failure(reason), phase: .stopped(reason))
    }

    func endpoint() async throws -> ControlEndpoint {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<ControlEndpoint, any Error>? = state.withLock { state in
                    switch state.phase {
                    case .listening(let endpoint): return .success(endpoint)
                    case .stopped(let failure): return .failure(failure)
                    case .notStarted, .starting:
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiters[id] = continuation
                        return nil
                    }
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    private func resumeAll(with result: Result<ControlEndpoint, any Error>, phase: Phase) {
        let waiters = state.withLock { state in
            state.phase = phase
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
