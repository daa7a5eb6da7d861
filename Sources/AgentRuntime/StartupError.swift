/// Why `agent run` could not start. `badInput` exits 2 (fix the configuration), `failed`
/// exits 1 (something on the host is in the way).
public enum StartupError: Error, Equatable, CustomStringConvertible {
    case badInput(String)
    case failed(String)

    public var description: String {
        switch self {
        case .badInput(let message), .failed(let message): message
        }
    }
}
