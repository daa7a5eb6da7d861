extension RandomNumberGenerator {
    // The instance's inputs take a generator of a type known only at run time (the shell's
    // choice, in another module), so the standard library's generic helpers run
    // unspecialised there and look up type metadata on every call: `Int.random(in:using:)`
    // costs more than handling a small datagram. These spell out the same algorithms with
    // concrete integer types, drawing the same numbers and giving the same results, so a
    // seed replays exactly as before.

    /// `Int.random(in: range, using: &self)`: Lemire's nearly divisionless method, as the
    /// standard library implements it for 64-bit integers.
    mutating func uniform(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "Can't get random value with an empty range")
        let bound = UInt64(truncatingIfNeeded: range.upperBound &- range.lowerBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(truncatingIfNeeded: UInt64(truncatingIfNeeded: range.lowerBound) &+ product.high)
    }

    /// `elements[start...].shuffle(using: &self)`: the same swaps in the same order.
    mutating func shuffle(_ elements: inout [Int32], from start: Int = 0) {
        var remaining = elements.count - start
        var current = start
        while remaining > 1 {
            let offset = uniform(in: 0..<remaining)
            remaining -= 1
            elements.swapAt(current, current + offset)
            current += 1
        }
    }
}
