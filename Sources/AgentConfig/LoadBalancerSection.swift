import Foundation
import Yams

/// The `loadBalancer:` section of the config file, with its `aws:` and `exec:` sections.
struct LoadBalancerSection {
    let file: ConfigurationFile

    static let providers = ["aws-elbv2", "exec", "none"]
    static let keys = ["provider", "aws", "exec"]
    static let awsKeys = ["region", "endpoint", "subnets", "scheme"]
    static let execKeys = ["command"]

    func configuration(_ node: Node, keyLine: Int?) throws(ConfigurationError) -> LoadBalancerConfiguration {
        let section = try entries(node, path: "loadBalancer", known: Self.keys, keyLine: keyLine)
        // Both subsections are checked whichever provider is chosen: a typo there is a typo.
        let aws = try section["aws"].map { entry throws(ConfigurationError) in
            try entries(entry.value, path: "loadBalancer.aws", known: Self.awsKeys, keyLine: entry.line)
        }
        let exec = try section["exec"].map { entry throws(ConfigurationError) in
            try entries(entry.value, path: "loadBalancer.exec", known: Self.execKeys, keyLine: entry.line)
        }
        guard let provider = section["provider"] else { return LoadBalancerConfiguration() }
        let name = try file.text(provider.value, path: "loadBalancer.provider", keyLine: provider.line)
        switch name {
        case "none":
            return LoadBalancerConfiguration()
        case "aws-elbv2":
            return LoadBalancerConfiguration(provider: .awsELBv2(try awsSettings(aws, providerLine: provider.line)))
        case "exec":
            return LoadBalancerConfiguration(provider: .exec(command: try command(exec, providerLine: provider.line)))
        default:
            throw file.fileError(
                "\"\(name)\" is not one of \(Self.providers.joined(separator: ", "))", line: provider.line,
                key: "loadBalancer.provider")
        }
    }

    private func awsSettings(_ aws: [String: Entry]?, providerLine: Int?) throws(ConfigurationError) -> LoadBalancerConfiguration.AWS {
        guard let region = aws?["region"] else {
            throw file.fileError(
                "provider aws-elbv2 needs aws.region, such as \"region: us-east-1\" under \"aws:\"", line: providerLine,
                key: "loadBalancer")
        }
        let regionName = try file.text(region.value, path: "loadBalancer.aws.region", keyLine: region.line)
        guard !regionName.isEmpty else {
            throw file.fileError(
                "the region is empty (expected a region such as us-east-1)", line: region.line, key: "loadBalancer.aws.region")
        }
        var settings = LoadBalancerConfiguration.AWS(region: regionName)
        if let endpoint = aws?["endpoint"] {
            let text = try file.text(endpoint.value, path: "loadBalancer.aws.endpoint", keyLine: endpoint.line)
            guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw file.fileError(
                    "\"\(text)\" is not an http or https URL (expected such as http://127.0.0.1:5000)", line: endpoint.line,
                    key: "loadBalancer.aws.endpoint")
            }
            settings.endpoint = url
        }
        if let subnets = aws?["subnets"] {
            settings.subnets = try file.list(subnets.value, path: "loadBalancer.aws.subnets", keyLine: subnets.line).map {
                item throws(ConfigurationError) in
                guard !item.text.isEmpty else {
                    throw ConfigurationError(origin: item.origin, problem: "a subnet is empty (expected an ID such as subnet-0abc)")
                }
                return item.text
            }
        }
        if let scheme = aws?["scheme"] {
            let text = try file.text(scheme.value, path: "loadBalancer.aws.scheme", keyLine: scheme.line)
            do {
                settings.scheme = try ValueSyntax.choice(text, of: LoadBalancerConfiguration.AWS.Scheme.self)
            } catch {
                throw file.fileError(error.problem, line: scheme.line, key: "loadBalancer.aws.scheme")
            }
        }
        return settings
    }

    private func command(_ exec: [String: Entry]?, providerLine: Int?) throws(ConfigurationError) -> [String] {
        let needed = "provider exec needs exec.command, a non-empty list such as [/usr/local/bin/lb-hook, --flag]"
        guard let command = exec?["command"] else { throw file.fileError(needed, line: providerLine, key: "loadBalancer") }
        let words = try file.list(command.value, path: "loadBalancer.exec.command", keyLine: command.line).map(\.text)
        guard let program = words.first, !program.isEmpty else {
            throw file.fileError(needed, line: command.line, key: "loadBalancer.exec.command")
        }
        return words
    }

    struct Entry {
        let value: Node
        let line: Int?
    }

    /// A section's keys, each checked against `known`; an empty section (`aws:`) has none.
    private func entries(_ node: Node, path: String, known: [String], keyLine: Int?) throws(ConfigurationError) -> [String: Entry] {
        if case .scalar = node, node.isNull { return [:] }
        guard case .mapping(let mapping) = node else {
            throw file.wrongType(path, expected: "a mapping with the keys \(known.joined(separator: ", "))", found: node, line: keyLine)
        }
        var entries: [String: Entry] = [:]
        for (keyNode, value) in mapping {
            let name = try file.keyName(keyNode)
            guard known.contains(name) else { throw file.unknownKey(name, line: keyNode.mark?.line, known: known, within: path) }
            entries[name] = Entry(value: value, line: keyNode.mark?.line)
        }
        return entries
    }
}
