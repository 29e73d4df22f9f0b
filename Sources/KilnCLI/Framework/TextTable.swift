/// A table rendered as aligned text columns (for people) or as CSV (for programs).
public struct TextTable: Sendable {
    /// How a column's cells line up.
    public enum Alignment: Sendable { case left, right }

    /// The column titles.
    public var titles: [String]
    /// How each column aligns (numbers right, text left).
    public var alignments: [Alignment]
    /// The rows, each with one cell per column.
    public var rows: [[String]] = []
    /// Rows printed after a rule at the bottom (totals).
    public var footer: [[String]] = []

    /// Creates an empty table.
    public init(_ columns: [(String, Alignment)]) {
        titles = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    /// Adds a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as aligned text with a rule under the titles.
    public func rendered() -> String {
        let all = [titles] + rows + footer
        let widths = titles.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let cell = cells[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return alignments[column] == .right ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingTrailingSpaces()
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var lines = [line(titles), rule] + rows.map(line)
        if !footer.isEmpty { lines.append(rule); lines += footer.map(line) }
        return lines.joined(separator: "\n")
    }

    /// The table as RFC 4180 CSV (header row first; footer rows are left out).
    public func csv() -> String {
        ([titles] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n")
    }

    /// Quotes a CSV field when it holds a comma, quote or line break.
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }

    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
