/// A table rendered as an HTML `<table>`, every cell escaped.
public struct HTMLTable: Sendable, Hashable {
    /// The column titles.
    public var titles: [String]
    /// The rows, each with one cell per column (short rows are padded with empty cells).
    public var rows: [[String]]
    /// Indices of rows to highlight (class `highlight`, e.g. Pareto-optimal points).
    public var highlightedRows: Set<Int>

    /// Creates a table.
    public init(titles: [String], rows: [[String]], highlightedRows: Set<Int> = []) {
        self.titles = titles
        self.rows = rows
        self.highlightedRows = highlightedRows
    }

    /// The table as HTML; cells that look numeric are right-aligned (class `number`).
    public func html() -> String {
        var output = "<table>\n<thead><tr>"
        for title in titles { output += "<th>\(HTMLEscaping.escape(title))</th>" }
        output += "</tr></thead>\n<tbody>\n"
        for (index, row) in rows.enumerated() {
            output += highlightedRows.contains(index) ? "<tr class=\"highlight\">" : "<tr>"
            for column in titles.indices {
                let cell = column < row.count ? row[column] : ""
                let numeric = cell.first.map { $0.isNumber || $0 == "-" || $0 == "." } ?? false && cell.count < 24
                output += numeric ? "<td class=\"number\">" : "<td>"
                output += HTMLEscaping.escape(cell) + "</td>"
            }
            output += "</tr>\n"
        }
        output += "</tbody>\n</table>"
        return output
    }
}
