import AgentConfig
import Testing

@Suite struct KeyTable {
    @Test func everyEnvironmentVariableIsAGENTAndTheKeyInUpperSnakeCase() {
        for key in ConfigurationKey.allCases where key.row.environmentVariable != nil {
            var snake = ""
            for (index, character) in key.yamlKey.enumerated() {
                let previous = index > 0 ? Array(key.yamlKey)[index - 1] : nil
                if character.isUppercase, let previous, previous.isLowercase { snake += "_" }
                snake += character.uppercased()
            }
            #expect(key.row.environmentVariable == "AGENT_" + snake, "\(key)")
        }
    }

    @Test func theFlagsAreThoseOfSPEC() {
        let flags = ConfigurationKey.allCases.compactMap(\.row.flag)
        #expect(
            flags == [
                "--bind", "--advertise", "--node-name", "--socket", "--data-dir", "--metrics-addr", "--service-cidr",
                "--service-node-port-range", "--balance", "--dataplane", "--routes", "--pod-cidr", "--nodeport-addresses", "--join", "--encrypt",
                "--keyring-file", "--insecure-dev", "--label", "--log-format",
            ])
        #expect(ConfigurationKey.loadBalancer.row.flag == nil && ConfigurationKey.loadBalancer.row.environmentVariable == nil)
    }

    @Test func theKeyDescriptionListsEveryKeyWithItsFlagEnvironmentVariableAndDefault() {
        let text = AgentConfiguration.describeKeys()
        let lines = text.split(separator: "\n")
        for key in ConfigurationKey.allCases {
            let line = lines.first { $0.hasPrefix(key.yamlKey + " ") }
            #expect(line != nil, "\(key.yamlKey) is missing")
            #expect(line?.contains(key.row.flag ?? "(config file only)") == true)
            if let variable = key.row.environmentVariable { #expect(line?.contains(variable) == true) }
            #expect(line?.hasSuffix(key.row.defaultValue) == true)
        }
        #expect(text.contains("/etc/agent/agent.yaml"))
        #expect(lines.contains { $0.hasPrefix("bind ") && $0.hasSuffix("0.0.0.0:7950") })
    }
}
