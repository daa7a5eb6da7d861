/// Maps an exact (method, path) to the closure that answers it; answers 404 naming the
/// endpoints that do exist, and 405 naming the methods a known path accepts.
public struct ControlRouter: ControlHandler {
    public typealias Route = @Sendable (ControlRequest) async -> ControlResponse

    private var routes: [String: [String: Route]] = [:]

    public init() {}

    /// Adds or replaces the route for `method` (any case) on `path`.
    public mutating func add(_ method: String, _ path: String, _ route: @escaping Route) {
        routes[path, default: [:]][method.uppercased()] = route
    }

    /// Every endpoint as `METHOD /path`, sorted by path then method.
    public var endpoints: [String] {
        routes.keys.sorted().flatMap { path in
            routes[path, default: [:]].keys.sorted().map { "\($0) \(path)" }
        }
    }

    public func handle(_ request: ControlRequest) async -> ControlResponse {
        guard let methods = routes[request.path] else {
            let known = endpoints.isEmpty ? "none" : endpoints.joined(separator: ", ")
            return .error(
                status: 404,
                message: "no such endpoint: \(request.method) \(request.path); endpoints are \(known)"
            )
        }
        guard let route = methods[request.method] else {
            let allowed = methods.keys.sorted().joined(separator: ", ")
            var response = ControlResponse.error(
                status: 405,
                message: "\(request.path) does not accept \(request.method); it accepts \(allowed)"
            )
            response.headers["Allow"] = allowed
            return response
        }
        return await route(request)
    }
}
