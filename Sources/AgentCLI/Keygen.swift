import ArgumentParser
import Sealing

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a new cluster key: base64 of 32 random bytes.",
        discussion: """
            Give the same key to every agent of a cluster (`agent run --encrypt KEY`). \
            Anyone who holds it can join the cluster and read its traffic: keep it secret.
            """)

    func run() {
        print(ClusterKey.generate().base64)
    }
}
