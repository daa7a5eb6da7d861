import ClusterModel

/// Where gap repair stands: a cursor that walks all writes of the replica in (writer,
/// version) order, a window at a time, and wraps (see "Gap repair" in ``CatalogSync``).
struct GapRepairCursor: Hashable, Sendable {
    var writer: NodeName?
    /// The peer is asked for `writer`'s writes after this one; `.zero` asks for all of them.
    var from: HybridTimestamp = .zero

    /// Lowers `digest` for the writers whose writes fall in the next window of about
    /// `windowBytes` (measured on this replica's own copies), so that the peer sends them
    /// again, and moves the cursor past them.
    mutating func lower(
        _ digest: inout CatalogDigest, in replica: CatalogReplica, windowBytes: Int, size: (CatalogEntry) -> Int
    ) {
        guard windowBytes > 0 else { return }
        var byWriter: [NodeName: [CatalogEntry]] = [:]
        for entry in replica.entries.values { byWriter[entry.version.writer, default: []].append(entry) }
        let writers = byWriter.keys.sorted()
        guard !writers.isEmpty else { return }
        let start = writers.firstIndex { $0 >= (writer ?? writers[0]) } ?? 0
        if writers[start] != writer { from = .zero }

        var bytes = 0
        for step in 0..<writers.count {
            let current = writers[(start + step) % writers.count]
            let after = step == 0 ? from : .zero
            digest.newestByWriter[current] = after == .zero ? nil : min(after, digest.newestByWriter[current] ?? after)
            let writes = byWriter[current]!.filter { $0.version.timestamp > after }.sorted { $0.version < $1.version }
            for entry in writes {
                bytes += size(entry)
                if bytes > windowBytes {
                    // The window ends inside this writer's writes: the next digest goes on from here.
                    writer = current
                    from = entry.version.timestamp
                    return
                }
            }
        }
        // The whole replica fitted: start over with the next writer next time.
        writer = writers[(start + 1) % writers.count]
        from = .zero
    }
}
