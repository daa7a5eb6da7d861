/// kubectl's tables: upper-case headers, each column as wide as its widest cell, three
/// spaces between columns, no trailing spaces.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let widths = widths(of: [header] + rows)
        return ([header] + rows).map { line($0, widths: widths) }.joined()
    }

    /// Each column's width over `rows`. `agent get -w` keeps the widths of the table it
    /// printed first, so that later rows line up under it.
    static func widths(of rows: [[String]]) -> [Int] {
        var widths: [Int] = []
        for row in rows {
            for (index, cell) in row.enumerated() {
                if index == widths.count { widths.append(0) }
                widths[index] = max(widths[index], cell.count)
            }
        }
        return widths
    }

    /// One row padded to `widths` (a cell wider than its column pushes the rest along), with
    /// its newline.
    static func line(_ row: [String], widths: [Int]) -> String {
        var line = ""
        for (index, cell) in row.enumerated() {
            line += cell
            if index < row.count - 1 {
                let width = index < widths.count ? widths[index] : cell.count
                line += String(repeating: " ", count: max(0, width - cell.count) + 3)
            }
        }
        return line + "\n"
    }
}
