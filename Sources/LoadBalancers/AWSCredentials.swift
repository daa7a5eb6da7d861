import Foundation

/// An access key, as the AWS CLI finds it: the environment first, then the shared
/// credentials file.
public struct AWSCredentials: Hashable, Sendable {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Present for temporary credentials (STS, SSO, instance roles written out by a tool);
    /// sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension AWSCredentials {
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` if set; else the
    /// profile `AWS_PROFILE` (or `default`) of `AWS_SHARED_CREDENTIALS_FILE` (or
    /// `~/.aws/credentials`).
    ///
    /// - Parameter readFile: the file's text, or nil when it does not exist.
    /// - Throws: ``AWSError/credentialsNotFound(_:)`` naming what was tried, or
    ///   ``AWSError/credentialsIncomplete(_:)`` when only half a key was given.
    public static func resolve(
        environment: [String: String], readFile: (String) throws -> String? = AWSCredentials.readIfPresent
    ) throws -> AWSCredentials {
        let accessKeyID = environment["AWS_ACCESS_KEY_ID"].flatMap(nonEmpty)
        let secretAccessKey = environment["AWS_SECRET_ACCESS_KEY"].flatMap(nonEmpty)
        switch (accessKeyID, secretAccessKey) {
        case (let accessKeyID?, let secretAccessKey?):
            return AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey,
                sessionToken: environment["AWS_SESSION_TOKEN"].flatMap(nonEmpty))
        case (.some, nil):
            throw AWSError.credentialsIncomplete("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, .some):
            throw AWSError.credentialsIncomplete("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (nil, nil):
            break
        }
        let path =
            environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap(nonEmpty)
            ?? "\(environment["HOME"] ?? NSHomeDirectory())/.aws/credentials"
        let profile = environment["AWS_PROFILE"].flatMap(nonEmpty) ?? "default"
        let tried = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and"
        guard let text = try readFile(path) else {
            throw AWSError.credentialsNotFound("\(tried) \(path) does not exist")
        }
        guard let profileValues = sharedCredentialsProfiles(text)[profile] else {
            throw AWSError.credentialsNotFound("\(tried) \(path) has no profile [\(profile)]")
        }
        guard let accessKeyID = profileValues["aws_access_key_id"], let secretAccessKey = profileValues["aws_secret_access_key"] else {
            throw AWSError.credentialsIncomplete("profile [\(profile)] of \(path) needs aws_access_key_id and aws_secret_access_key")
        }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: profileValues["aws_session_token"])
    }

    /// The shared credentials file's profiles, read as the AWS CLI's INI parser reads them:
    /// `[name]` sections, `key = value` or `key: value` lines, keys case-insensitive, `#` and
    /// `;` comment lines. Indented lines continue a nested value (`s3 =` settings), which no
    /// credential uses, so they are skipped.
    static func sharedCredentialsProfiles(_ text: String) -> [String: [String: String]] {
        var profiles = [String: [String: String]]()
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            guard let first = rawLine.first, !first.isWhitespace else { continue }
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                profiles[name] = profiles[name] ?? [:]
                continue
            }
            guard let current, let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if !value.isEmpty { profiles[current]?[key] = value }
        }
        return profiles
    }

    /// The file's text, or nil when there is no such file.
    public static func readIfPresent(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}

/// How the provider gets its key: once, or afresh at every reconcile so that rotated
/// temporary credentials (a rewritten credentials file) are picked up.
public enum CredentialSource: Sendable {
    case fixed(AWSCredentials)
    /// ``AWSCredentials/resolve(environment:readFile:)`` over the process environment.
    case environment
    /// The same over these variables instead of the process's.
    case variables([String: String])

    func credentials() throws -> AWSCredentials {
        switch self {
        case .fixed(let credentials): credentials
        case .environment: try AWSCredentials.resolve(environment: ProcessInfo.processInfo.environment)
        case .variables(let variables): try AWSCredentials.resolve(environment: variables)
        }
    }
}
