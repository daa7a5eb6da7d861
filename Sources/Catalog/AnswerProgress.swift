import ClusterModel

/// The parts of one peer's answer that arrived so far.
struct AnswerProgress: Hashable, Sendable {
    var answer: UInt32
    var partsSeen: Set<UInt16> = []

    init(answer: UInt32) { self.answer = answer }

    /// Records `part`; returns whether every part before it had arrived.
    mutating func received(_ part: UInt16) -> Bool {
        partsSeen.insert(part)
        return (0..<part).allSatisfy(partsSeen.contains)
    }
}
