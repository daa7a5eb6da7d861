/// Answers control API requests. The server calls `handle` off the event loop, one request
/// at a time per connection, so it may await freely.
public protocol ControlHandler: Sendable {
    func handle(_ request: ControlRequest) async -> ControlResponse
}
