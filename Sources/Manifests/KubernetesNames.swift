/// The name syntaxes of Kubernetes' API validation, so that a manifest Kubernetes would
/// take is taken here and one it would refuse is refused.
enum KubernetesNames {
    /// A DNS-1123 label (namespaces, Service port names): 1–63 of `a-z 0-9 -`, starting
    /// and ending with a letter or digit.
    static func isDNS1123Label(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count), bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == hyphen }) else { return false }
        return isLowerAlphanumeric(bytes.first!) && isLowerAlphanumeric(bytes.last!)
    }

    /// A DNS-1035 label (Service names): a DNS-1123 label that starts with a letter.
    static func isDNS1035Label(_ text: String) -> Bool {
        isDNS1123Label(text) && text.utf8.first.map { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) } == true
    }

    /// A DNS-1123 subdomain (Pod names): at most 253 characters, DNS-1123 labels joined by dots.
    static func isDNS1123Subdomain(_ text: String) -> Bool {
        text.utf8.count <= 253
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    /// A port name (`targetPort`, container ports, probes): 1–15 of `a-z 0-9 -`, at least one
    /// letter, no hyphen at either end nor two in a row.
    static func isPortName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...15).contains(bytes.count), bytes.allSatisfy({ isLowerAlphanumeric($0) || $0 == hyphen }),
            bytes.contains(where: { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }),
            bytes.first != hyphen, bytes.last != hyphen, !text.contains("--")
        else { return false }
        return true
    }

    /// A label key: an optional DNS-1123 subdomain and `/`, then 1–63 of `A-Z a-z 0-9 - _ .`
    /// starting and ending with a letter or digit.
    static func isLabelKey(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isLabelName(String(parts[0]))
        case 2: return !parts[0].isEmpty && isDNS1123Subdomain(String(parts[0])) && isLabelName(String(parts[1]))
        default: return false
        }
    }

    /// A label value: empty, or what a label key's name part may be.
    static func isLabelValue(_ text: String) -> Bool {
        text.isEmpty || isLabelName(text)
    }

    private static func isLabelName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count),
            bytes.allSatisfy({ isAlphanumeric($0) || $0 == hyphen || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
        else { return false }
        return isAlphanumeric(bytes.first!) && isAlphanumeric(bytes.last!)
    }

    private static let hyphen = UInt8(ascii: "-")

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
