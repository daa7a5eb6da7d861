import AgentConfig
import ClusterModel
import Foundation

/// A host with a name and a LAN address, so that defaults do not depend on the machine.
let ordinaryHost = LocalHost(
    hostName: { .success("node-a") },
    interfaceAddresses: {
        .success([
            .init(interface: "lo", address: IPv4(127, 0, 0, 1), isLoopback: true),
            .init(interface: "eth0", address: IPv4(192, 168, 1, 20)),
        ])
    })

/// A config file for one test, removed when the test ends.
final class TemporaryConfigFile {
    let path: String

    init(_ yaml: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A path where no file is.
func missingPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("absent-\(UUID().uuidString).yaml").path
}

/// Loads with the given flags, environment and YAML (none: an explicit empty file).
func load(
    flags: [ConfigurationKey: ConfigurationLayer.Value] = [:], environment: [String: String] = [:], yaml: String = "",
    host: LocalHost = ordinaryHost
) throws -> AgentConfiguration {
    let file = try TemporaryConfigFile(yaml)
    return try withExtendedLifetime(file) {
        try AgentConfiguration.load(
            flags: ConfigurationLayer(flags), environment: environment, configFile: file.path, host: host)
    }
}

/// The message `agent run` would print for this input, or nil if it loads.
func loadError(
    flags: [ConfigurationKey: ConfigurationLayer.Value] = [:], environment: [String: String] = [:], yaml: String = "",
    host: LocalHost = ordinaryHost
) throws -> String? {
    let file = try TemporaryConfigFile(yaml)
    do {
        _ = try AgentConfiguration.load(
            flags: ConfigurationLayer(flags), environment: environment, configFile: file.path, host: host)
        return nil
    } catch {
        return error.description.replacingOccurrences(of: file.path, with: "agent.yaml")
    }
}
