extension SWIM {
    /// How many bytes an update or a member record takes on the wire. `Wire` owns the
    /// encoding and provides the exact functions (`SWIM.EncodedSize.wire`); the core only
    /// needs the numbers, to fill each datagram up to its budget and no further.
    public struct EncodedSize: Sendable {
        public var update: @Sendable (Update) -> Int
        public var member: @Sendable (Member) -> Int

        public init(update: @escaping @Sendable (Update) -> Int, member: @escaping @Sendable (Member) -> Int) {
            self.update = update
            self.member = member
        }
    }
}
