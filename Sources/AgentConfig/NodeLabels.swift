/// Node labels with Kubernetes' label syntax, so that selectors written for Kubernetes work.
enum NodeLabels {
    static let maximumNameLength = 63
    static let maximumPrefixLength = 253

    /// `key=value`, as `--label` and `AGENT_LABELS` spell one label.
    static func pair(_ text: String) throws(InvalidValue) -> (key: String, value: String) {
        guard let equals = text.firstIndex(of: "=") else {
            throw InvalidValue(problem: "\"\(text)\" is not a label: expected key=value such as zone=a")
        }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    static func check(key: String) throws(InvalidValue) {
        let invalid = { (reason: String) in InvalidValue(problem: "label key \"\(key)\" is not valid: \(reason)") }
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { throw invalid("it may hold at most one /, after a DNS subdomain prefix") }
        let name = parts.last!
        if parts.count == 2 {
            let prefix = parts[0]
            guard !prefix.isEmpty, prefix.utf8.count <= maximumPrefixLength, isDNSSubdomain(prefix) else {
                throw invalid(
                    "the prefix must be a DNS subdomain of at most \(maximumPrefixLength) characters "
                        + "(lower-case letters, digits, - and ., such as example.com)")
            }
        }
        guard !name.isEmpty else { throw invalid("the name is empty") }
        guard isName(name) else { throw invalid(nameRule) }
    }

    static func check(value: String, of key: String) throws(InvalidValue) {
        let length = value.utf8.count
        guard length <= maximumNameLength else {
            throw InvalidValue(
                problem: "label \"\(key)\": the value is \(length) characters long; at most \(maximumNameLength) are allowed")
        }
        guard value.isEmpty || isName(value[...]) else {
            throw InvalidValue(problem: "label \"\(key)\": value \"\(value)\" is not valid: \(nameRule), or empty")
        }
    }

    static let nameRule =
        "it must be at most \(maximumNameLength) characters of A-Z a-z 0-9 - _ ., beginning and ending with a letter or digit"

    private static func isName(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= maximumNameLength, isAlphanumeric(bytes.first!), isAlphanumeric(bytes.last!)
        else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isDNSSubdomain(_ text: Substring) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            let bytes = Array(part.utf8)
            return !bytes.isEmpty && bytes.count <= 63 && isLowerAlphanumeric(bytes.first!) && isLowerAlphanumeric(bytes.last!)
                && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
