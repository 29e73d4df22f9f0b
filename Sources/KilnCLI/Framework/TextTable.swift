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
    /// Cells of ``rows`` to emphasize (the best value of a column) when rendered for a terminal.
    public var marked: Set<Cell> = []

    /// The position of a cell of ``rows``.
    public struct Cell: Hashable, Sendable {
        /// The row's index in ``TextTable/rows``.
        public var row: Int
        /// The column's index.
        public var column: Int

        /// Creates a position.
        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// Creates an empty table.
    public init(_ columns: [(String, Alignment)]) {
        titles = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    /// Adds a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table as aligned text with a rule under the titles.
    /// - Parameter emphasizing: whether to show ``marked`` cells in bold (ANSI escapes, for a
    ///   terminal).
    public func rendered(emphasizing: Bool = false) -> String {
        let all = [titles] + rows + footer
        let widths = titles.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        func line(_ cells: [String], row: Int? = nil) -> String {
            cells.indices.map { column in
                let cell = cells[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                let shown = emphasizing && row.map { marked.contains(Cell(row: $0, column: column)) } == true ? "\u{1B}[1m\(cell)\u{1B}[0m" : cell
                return alignments[column] == .right ? pad + shown : shown + pad
            }.joined(separator: "  ").replacingTrailingSpaces()
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        var lines = [line(titles), rule] + rows.enumerated().map { line($0.element, row: $0.offset) }
        if !footer.isEmpty { lines.append(rule); lines += footer.map { line($0) } }
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
