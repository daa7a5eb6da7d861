import ClusterModel
import Foundation

/// A value that does not say what it should; `problem` names the value, not where it came from.
struct InvalidValue: Error {
    let problem: String
}

/// How each key's text becomes a typed value. Every function throws a problem that quotes the
/// text and says what would be accepted; the caller adds where the text came from.
enum ValueSyntax {
    static let portRule = "port must be 1–65535"

    /// `host:port`, `host` or `:port`, host an IPv4 address.
    static func endpoint(_ text: String, defaultPort: UInt16, expected: String) throws(InvalidValue) -> IPv4Endpoint {
        let invalid = { (reason: String) in
            InvalidValue(problem: "\"\(text)\" is not a valid address: \(reason) (expected \(expected))")
        }
        let (host, port) = try splitHostPort(text, defaultPort: defaultPort, invalid: invalid)
        if host.isEmpty { return IPv4Endpoint(address: .any, port: port) }
        guard let address = IPv4(host) else { throw invalid("\"\(host)\" is not an IPv4 address") }
        return IPv4Endpoint(address: address, port: port)
    }

    /// `host` or `host:port`: the port is nil when left out (the bind port applies).
    static func advertise(_ text: String, expected: String) throws(InvalidValue) -> (IPv4, UInt16?) {
        let invalid = { (reason: String) in
            InvalidValue(problem: "\"\(text)\" is not a valid address: \(reason) (expected \(expected))")
        }
        let (host, port) = try splitHostPort(text, defaultPort: 0, invalid: invalid)
        guard !host.isEmpty else { throw invalid("the host is missing") }
        guard let address = IPv4(host) else { throw invalid("\"\(host)\" is not an IPv4 address") }
        guard !address.isUnspecified else { throw invalid("0.0.0.0 cannot be reached by other nodes; give this host's address") }
        return (address, port == 0 ? nil : port)
    }

    /// Splits `host:port`; a missing port is `defaultPort`, an empty host is "".
    static func splitHostPort(
        _ text: String, defaultPort: UInt16, invalid: (String) -> InvalidValue
    ) throws(InvalidValue) -> (Substring, UInt16) {
        guard !text.contains("["), text.filter({ $0 == ":" }).count <= 1 else {
            throw invalid("IPv6 addresses are not supported")
        }
        guard let colon = text.firstIndex(of: ":") else { return (text[...], defaultPort) }
        return (text[..<colon], try port(text[text.index(after: colon)...], invalid: invalid))
    }

    static func port(_ text: Substring, invalid: (String) -> InvalidValue) throws(InvalidValue) -> UInt16 {
        guard !text.isEmpty else { throw invalid("the port is missing") }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }), text.count <= 5, let port = Int(text), (1...65535).contains(port)
        else { throw invalid(portRule) }
        return UInt16(port)
    }

    /// `a.b.c.d/prefix`, a network address (no host bits) with a prefix in `prefixLengths`.
    static func cidr(_ text: String, prefixLengths: ClosedRange<Int>, expected: String) throws(InvalidValue) -> IPv4Network {
        let invalid = { (reason: String) in
            InvalidValue(problem: "\"\(text)\" is not a valid network: \(reason) (expected \(expected))")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw invalid("the /prefix is missing") }
        guard let address = IPv4(parts[0]) else { throw invalid("\"\(parts[0])\" is not an IPv4 address") }
        guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 2, let prefix = Int(parts[1]),
            prefixLengths.contains(prefix)
        else { throw invalid("the prefix must be \(prefixLengths.lowerBound) to \(prefixLengths.upperBound)") }
        guard let cidr = IPv4Network(address: address, prefixLength: prefix) else {
            let network = IPv4(value: address.value & IPv4Network.mask(prefix))
            throw invalid("\(address) is not the network's address (did you mean \(network)/\(prefix)?)")
        }
        return cidr
    }

    /// `low-high`.
    static func portRange(_ text: String, expected: String) throws(InvalidValue) -> NodePortRange {
        let invalid = { (reason: String) in
            InvalidValue(problem: "\"\(text)\" is not a valid port range: \(reason) (expected \(expected))")
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw invalid("it must be two ports joined by -") }
        let lowest = try port(parts[0], invalid: invalid)
        let highest = try port(parts[1], invalid: invalid)
        guard let range = NodePortRange(lowest: lowest, highest: highest) else {
            throw invalid("the range is reversed (did you mean \(highest)-\(lowest)?)")
        }
        return range
    }

    static func choice<Choice: RawRepresentable<String> & CaseIterable>(
        _ text: String, of type: Choice.Type, notYet: [String] = []
    ) throws(InvalidValue) -> Choice {
        if let choice = Choice(rawValue: text) { return choice }
        let choices = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        if notYet.contains(text) {
            throw InvalidValue(problem: "\"\(text)\" is not yet supported; use \(choices.replacingLastComma(with: " or "))")
        }
        throw InvalidValue(problem: "\"\(text)\" is not one of \(choices)")
    }

    static func nonEmpty(_ text: String, expected: String) throws(InvalidValue) -> String {
        guard !text.isEmpty else { throw InvalidValue(problem: "the value is empty (expected \(expected))") }
        guard !text.contains("\0") else { throw InvalidValue(problem: "the value contains a NUL character (expected \(expected))") }
        return text
    }

    /// `true`/`false` as people write them in environment files.
    static func boolean(_ text: String) throws(InvalidValue) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw InvalidValue(problem: "\"\(text)\" is not true or false")
        }
    }

    /// A comma-separated environment list: blanks around entries and empty entries dropped.
    static func commaSeparated(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension String {
    fileprivate func replacingLastComma(with replacement: String) -> String {
        guard let comma = range(of: ", ", options: .backwards) else { return self }
        return replacingCharacters(in: comma, with: replacement)
    }
}
