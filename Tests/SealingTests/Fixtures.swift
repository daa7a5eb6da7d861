import ClusterModel
@testable import Sealing

/// Keys and clocks the sealing tests share.
enum Fixture {
    static let keyA = try! ClusterKey(bytes: Array(0..<32))
    static let keyB = try! ClusterKey(bytes: Array(100..<132))
    static let keyC = try! ClusterKey(bytes: Array(200..<232))
    static let now = Timestamp(millisecondsSinceEpoch: 1_764_000_000_000)

    static func name(_ text: String) -> NodeName { try! NodeName(text) }

    static func rejection(_ body: () throws(Rejection) -> OpenedDatagram) -> RejectionReason? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.reason
        }
    }
}
