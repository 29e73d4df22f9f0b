import Foundation
import KilnDiagnostics

/// A self-contained HTML page: inline CSS, inline SVG, no scripts, fonts or anything else
/// loaded from the network.
public struct HTMLPage: Sendable {
    /// The page title (escaped when rendered).
    public var title: String
    /// Already-rendered HTML body sections, in order.
    public var sections: [String]

    /// Creates a page.
    public init(title: String, sections: [String]) {
        self.title = title
        self.sections = sections
    }

    /// The style sheet every report page inlines.
    public static let styleSheet = """
    body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 24px; max-width: 1240px; }
    h1 { font-size: 22px; margin: 0 0 4px 0; }
    h2 { font-size: 17px; margin: 28px 0 6px 0; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    p.caption, p.meta { color: #555; font-size: 13px; margin: 4px 0 10px 0; max-width: 980px; }
    table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
    th, td { border: 1px solid #d5d9de; padding: 3px 7px; text-align: left; white-space: nowrap; }
    th { background: #f2f4f6; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; }
    tr.highlight td { background: #fff1e6; }
    .grid { display: flex; flex-wrap: wrap; gap: 12px; }
    svg { background: #fff; display: block; }
    svg text { font-family: inherit; }
    details { margin: 6px 0; }
    summary { cursor: pointer; font-weight: 600; font-size: 14px; }
    """

    /// The whole document.
    public func html() -> String {
        var output = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        output += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        output += "<title>\(HTMLEscaping.escape(title))</title>\n<style>\n\(Self.styleSheet)\n</style>\n</head>\n<body>\n"
        for section in sections { output += section + "\n" }
        output += "</body>\n</html>\n"
        return output
    }

    /// Writes the document to `path` as UTF-8.
    /// - Throws: ``DiagnosticError`` naming the file when it cannot be written.
    public func write(to path: String) throws(DiagnosticError) {
        do {
            try Data(html().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DiagnosticError(.error("cannot write the HTML report: \(error.localizedDescription)", file: path))
        }
    }
}
