import ClusterModel
import Logging
import Membership
import NIOCore
import Sealing
import Wire

/// What one node answered to a cluster-wide keyring change.
struct KeyringNodeResult: Sendable, Equatable {
    enum Outcome: Sendable, Equatable {
        /// Applied (or, for list, read); the keys it holds now, primary first.
        case applied(keys: [ClusterKey])
        case refused(String)
        case noAnswer
    }

    var node: NodeName
    var outcome: Outcome
}

/// A keyring change in flight: the members asked and what each answered.
final class KeyringCall {
    let request: KeyringRequest
    var waiting: [NodeName: PeerAddress]
    var results: [KeyringNodeResult]
    var attemptsLeft: Int
    let promise: EventLoopPromise<[KeyringNodeResult]>

    init(request: KeyringRequest, waiting: [NodeName: PeerAddress], local: KeyringNodeResult, attempts: Int, promise: EventLoopPromise<[KeyringNodeResult]>) {
        self.request = request
        self.waiting = waiting
        self.results = [local]
        self.attemptsLeft = attempts
        self.promise = promise
    }

    /// Completes the call; members that never answered are reported as such.
    func finish() {
        for name in waiting.keys { results.append(KeyringNodeResult(node: name, outcome: .noAnswer)) }
        waiting.removeAll()
        promise.succeed(results.sorted { $0.node < $1.node })
    }
}

extension GossipNode {
    static let keyringRetryInterval = TimeAmount.milliseconds(500)
    static let keyringAttempts = 10

    /// Applies a keyring change here, then asks every live member to apply it, resending to
    /// those that have not answered until they do or the attempts run out. A change this
    /// node refuses is sent nowhere.
    func changeKeyring(_ operation: KeyringRequest.Operation, key: ClusterKey?) -> EventLoopFuture<[KeyringNodeResult]> {
        eventLoop.flatSubmit { [self] in
            let promise = eventLoop.makePromise(of: [KeyringNodeResult].self)
            let local = KeyringNodeResult(node: name, outcome: applyKeyring(operation, key: key))
            guard case .applied = local.outcome else {
                promise.succeed([local])
                return promise.futureResult
            }
            let request = KeyringRequest(id: UInt64.random(in: 1...UInt64.max, using: &random), operation: operation, key: key?.bytes ?? [])
            var waiting: [NodeName: PeerAddress] = [:]
            for member in instance.members where member.name != name && member.status.isLive {
                waiting[member.name] = member.address
            }
            let call = KeyringCall(request: request, waiting: waiting, local: local, attempts: Self.keyringAttempts, promise: promise)
            if waiting.isEmpty {
                call.finish()
                return promise.futureResult
            }
            keyringCalls[request.id] = call
            sendKeyringRequests(request.id)
            return promise.futureResult
        }
    }

    private func sendKeyringRequests(_ id: UInt64) {
        guard let call = keyringCalls[id] else { return }
        guard call.attemptsLeft > 0, !call.waiting.isEmpty else {
            keyringCalls[call.request.id] = nil
            call.finish()
            return
        }
        call.attemptsLeft -= 1
        let payload = Frame(call.request).payload
        for peer in call.waiting.values { send(payload: payload, to: peer) }
        flush()
        eventLoop.scheduleTask(in: Self.keyringRetryInterval) { [self] in sendKeyringRequests(id) }
    }

    /// A member asked this node to change its keyring.
    func answer(_ request: KeyringRequest, from sender: NodeName, at peer: PeerAddress) {
        let key: ClusterKey?
        if request.operation == .list {
            key = nil
        } else if let parsed = try? ClusterKey(bytes: request.key) {
            key = parsed
        } else {
            send(payload: Frame(KeyringResponse(id: request.id, error: "the request carried no valid key", keys: [])).payload, to: peer)
            flush()
            return
        }
        let outcome = applyKeyring(request.operation, key: key)
        let response: KeyringResponse
        switch outcome {
        case .applied(let keys):
            response = KeyringResponse(id: request.id, keys: keys.map(\.bytes))
            if request.operation != .list {
                logger.notice("keyring changed at a member's request", metadata: ["peer": "\(sender)", "operation": "\(request.operation)", "key": "\(key.map { "\($0.id)" } ?? "")"])
            }
        case .refused(let reason):
            response = KeyringResponse(id: request.id, error: reason, keys: keyring.keys.map(\.bytes))
        case .noAnswer:
            return
        }
        send(payload: Frame(response).payload, to: peer)
        flush()
    }

    func collect(_ response: KeyringResponse, from sender: NodeName) {
        guard let call = keyringCalls[response.id], call.waiting.removeValue(forKey: sender) != nil else { return }
        let keys = response.keys.compactMap { try? ClusterKey(bytes: $0) }
        let outcome: KeyringNodeResult.Outcome = response.error.isEmpty ? .applied(keys: keys) : .refused(response.error)
        call.results.append(KeyringNodeResult(node: sender, outcome: outcome))
        if call.waiting.isEmpty {
            keyringCalls[response.id] = nil
            call.finish()
        }
    }

    /// Applies one change to this node's keyring, persisting it before it takes effect: a
    /// change that cannot be saved is refused and changes nothing. Repeats succeed, so a
    /// request resent after a lost answer is harmless.
    func applyKeyring(_ operation: KeyringRequest.Operation, key: ClusterKey?) -> KeyringNodeResult.Outcome {
        var changed = keyring
        do throws(KeyringError) {
            switch (operation, key) {
            case (.list, _):
                return .applied(keys: keyring.keys)
            case (.install, let key?):
                try changed.install(key)
            case (.use, let key?):
                try changed.use(key)
            case (.remove, let key?):
                guard changed.key(for: key.id) == key else { return .applied(keys: keyring.keys) }
                try changed.remove(key)
            default:
                return .refused("\(operation) needs a key")
            }
        } catch {
            return .refused(error.description)
        }
        if changed != keyring {
            if let keyringFile {
                do {
                    try keyringFile.save(changed)
                } catch {
                    return .refused(error.description)
                }
            }
            keyring = changed
        }
        return .applied(keys: keyring.keys)
    }
}
