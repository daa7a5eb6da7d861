import Foundation
import Yams

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The YAML config file: read, checked key by key with line numbers, turned into settings.
struct ConfigurationFile {
    let path: String

    /// The file's text; nil when it does not exist and `mustExist` is false (the default path).
    func read(mustExist: Bool) throws(ConfigurationError) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let number = errno
            if number == ENOENT, !mustExist { return nil }
            throw fileError("cannot read the config file: \(String(cString: strerror(number)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw fileError("cannot read the config file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw fileError("the config file is not UTF-8 text")
        }
        return text
    }

    /// The settings the file holds, in the order they are written.
    func settings(in yaml: String) throws(ConfigurationError) -> [RawSetting] {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else { return [] }  // empty, or only comments
            root = node
        } catch {
            throw syntaxError(error, yaml: yaml)
        }
        guard case .mapping(let mapping) = root else {
            throw fileError(
                "the config file must be a mapping of keys such as \"bind: 0.0.0.0:7950\", not \(root.kindDescription)",
                line: root.mark?.line)
        }
        var settings: [RawSetting] = []
        for (keyNode, value) in mapping {
            let name = try keyName(keyNode)
            guard let key = ConfigurationKey(rawValue: name) else {
                throw unknownKey(name, line: keyNode.mark?.line, known: ConfigurationKey.allCases.map(\.yamlKey))
            }
            settings.append(try setting(key, value, keyLine: keyNode.mark?.line))
        }
        return settings
    }

    private func setting(_ key: ConfigurationKey, _ node: Node, keyLine: Int?) throws(ConfigurationError) -> RawSetting {
        let origin = ConfigurationError.Origin.file(path: path, line: node.mark?.line ?? keyLine, key: key.yamlKey)
        let value: RawSetting.Value
        switch key.row.shape {
        case .text: value = .text(try text(node, path: key.yamlKey, keyLine: keyLine))
        case .list: value = .list(try list(node, path: key.yamlKey, keyLine: keyLine))
        case .labels: value = .pairs(try pairs(node, path: key.yamlKey, keyLine: keyLine))
        case .boolean:
            guard let flag = node.bool else {
                throw wrongType(key.yamlKey, expected: "true or false", found: node, line: keyLine)
            }
            value = .boolean(flag)
        case .section:
            value = .loadBalancer(try LoadBalancerSection(file: self).configuration(node, keyLine: keyLine))
        }
        return RawSetting(key: key, value: value, origin: origin)
    }

    // MARK: Shapes of values, shared with the loadBalancer section

    /// A scalar's text; numbers and the like are taken as written (`nodeName: 007` is "007").
    func text(_ node: Node, path key: String, keyLine: Int?) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw wrongType(key, expected: "a string", found: node, line: keyLine) }
        guard !node.isNull else { throw wrongType(key, expected: "a string", found: node, line: keyLine) }
        return scalar.string
    }

    func list(_ node: Node, path key: String, keyLine: Int?) throws(ConfigurationError) -> [RawSetting.Item] {
        guard case .sequence(let sequence) = node else {
            throw wrongType(key, expected: "a sequence of strings", found: node, line: keyLine)
        }
        var items: [RawSetting.Item] = []
        for element in sequence {
            let line = element.mark?.line ?? keyLine
            guard case .scalar(let scalar) = element, !element.isNull else {
                throw wrongType(key, expected: "a sequence of strings", found: element, line: line, within: "a sequence")
            }
            items.append(RawSetting.Item(text: scalar.string, origin: .file(path: path, line: line, key: key)))
        }
        return items
    }

    private func pairs(
        _ node: Node, path key: String, keyLine: Int?
    ) throws(ConfigurationError) -> [(key: String, value: String, origin: ConfigurationError.Origin)] {
        guard case .mapping(let mapping) = node else {
            throw wrongType(key, expected: "a mapping of strings", found: node, line: keyLine)
        }
        var pairs: [(key: String, value: String, origin: ConfigurationError.Origin)] = []
        for (name, value) in mapping {
            let line = name.mark?.line ?? keyLine
            guard case .scalar(let nameScalar) = name, case .scalar(let valueScalar) = value else {
                throw wrongType(key, expected: "a mapping of strings", found: value, line: line, within: "a mapping")
            }
            // `zone:` with nothing after it is the empty value Kubernetes allows.
            let text = value.isNull ? "" : valueScalar.string
            pairs.append((nameScalar.string, text, .file(path: path, line: line, key: key)))
        }
        return pairs
    }

    func keyName(_ node: Node) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else {
            throw fileError("keys must be strings, not \(node.kindDescription)", line: node.mark?.line)
        }
        return scalar.string
    }

    // MARK: Errors

    func fileError(_ problem: String, line: Int? = nil, key: String? = nil) -> ConfigurationError {
        ConfigurationError(origin: .file(path: path, line: line, key: key), problem: problem)
    }

    func wrongType(_ key: String, expected: String, found node: Node, line: Int?, within holder: String? = nil) -> ConfigurationError {
        if case .scalar = node, node.isNull, holder == nil {
            return fileError("key \"\(key)\" has no value (expected \(expected))", line: line)
        }
        let found = holder.map { "\($0) holding \(node.kindDescription)" } ?? node.kindDescription
        return fileError("key \"\(key)\" must be \(expected), not \(found)", line: line)
    }

    func unknownKey(_ name: String, line: Int?, known: [String], within section: String? = nil) -> ConfigurationError {
        let place = section.map { " in \"\($0)\"" } ?? ""
        let suggestion = KeySuggestion.closest(to: name, among: known).map { "did you mean \"\($0)\"?; " } ?? ""
        return fileError("unknown key \"\(name)\"\(place) (\(suggestion)known keys: \(known.joined(separator: ", ")))", line: line)
    }

    private func syntaxError(_ error: any Error, yaml: String) -> ConfigurationError {
        guard let yamlError = error as? YamlError else { return fileError("is not valid YAML: \(error)") }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text), which began on line \($0.mark.line))" } ?? ""
            return fileError("not valid YAML: \(problem)\(during)", line: mark.line)
        case .reader(let problem, let offset, _, _):
            let line = offset.map { offset in yaml.prefix(offset).filter { $0 == "\n" }.count + 1 }
            return fileError("not valid YAML: \(problem)", line: line)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            return fileError("key \(keys) appears more than once in the mapping beginning here", line: context.mark.line)
        default:
            return fileError("not valid YAML: \(yamlError)")
        }
    }
}

extension Node {
    /// `key:`, `key: ~` or `key: null`, but not `key: ""`.
    var isNull: Bool { null != nil }

    /// "a sequence", as an error message says what it found.
    var kindDescription: String {
        switch self {
        case .mapping: "a mapping"
        case .sequence: "a sequence"
        case .scalar(let scalar): isNull ? "an empty value" : "the single value \"\(scalar.string)\""
        case .alias: "an alias"
        }
    }
}

/// The known key a mistyped one was most likely meant to be.
enum KeySuggestion {
    static func closest(to name: String, among known: [String]) -> String? {
        let folded = fold(name)
        if let match = known.first(where: { fold($0) == folded }) { return match }
        let scored = known.map { ($0, distance(folded, fold($0))) }.filter { $0.1 <= max(1, min(2, name.count / 3)) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// `node-name`, `node_name` and `NodeName` all fold to `nodename`.
    private static func fold(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// Levenshtein distance.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#else
private let systemRead = Darwin.read
#endif
