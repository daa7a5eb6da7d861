/// An AWS service refused one call: the `<Error>` of its answer. The provider reports it as
/// the failure of the one Service it was reconciling, and goes on with the others.
public struct AWSServiceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The query API action that was refused: `CreateLoadBalancer`.
    public var action: String
    /// AWS's error code: `DuplicateLoadBalancerName`, `AccessDenied`.
    public var code: String
    public var message: String
    public var httpStatus: Int

    public init(action: String, code: String, message: String, httpStatus: Int) {
        self.action = action
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// `<Action>: <Code>: <Message>`, the text of the Service's failed condition.
    public var description: String { "\(action): \(code): \(message)" }
}

/// Why a whole reconcile could not be attempted: nothing can be done for any Service until
/// it is fixed, so the provider throws it and every Service keeps its address.
public enum AWSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No answer: connection refused, DNS, TLS or timeout.
    case unreachable(endpoint: String, reason: String)
    case credentialsNotFound(String)
    case credentialsIncomplete(String)
    /// An answer that is not the XML the action returns: the endpoint is not AWS.
    case malformedResponse(action: String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let endpoint, let reason): "cannot reach \(endpoint): \(reason)"
        case .credentialsNotFound(let detail): "no AWS credentials: \(detail)"
        case .credentialsIncomplete(let detail): "incomplete AWS credentials: \(detail)"
        case .malformedResponse(let action, let reason): "\(action): unexpected answer: \(reason)"
        }
    }
}
