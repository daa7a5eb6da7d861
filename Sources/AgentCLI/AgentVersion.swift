import Sealing

public enum AgentVersion {
    /// The release, in semantic-versioning form.
    public static let number = "0.1.0"

    /// What `agent version` prints: the release and what it speaks and links with.
    static var summary: String {
        "agent \(number) (wire protocol \(DatagramLayout.version), libsodium \(Sodium.libraryVersion))"
    }
}
