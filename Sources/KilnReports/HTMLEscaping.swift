/// Escaping of text for HTML and SVG (XML) documents.
///
/// Every string that comes from a model, a target file or the command line (names, layer
/// names, sources, error messages) goes through ``escape(_:)`` before it enters a page, so a
/// name like `<script>` or `a&b` is shown as text, never interpreted.
public enum HTMLEscaping {
    /// The text with `&`, `<`, `>`, `"` and `'` replaced by character references, and control
    /// characters other than tab and line breaks (illegal in XML 1.0) replaced by U+FFFD.
    /// - Complexity: O(n) in the length of `text`.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
