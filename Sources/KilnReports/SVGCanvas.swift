import Foundation

/// An SVG drawing built element by element, rendered as an inline `<svg>` fragment.
///
/// Every text and attribute value passes through ``HTMLEscaping/escape(_:)``; coordinates are
/// written with two decimals, and coordinates that are not finite are written as 0 so a bad
/// number can never produce malformed markup.
public struct SVGCanvas: Sendable {
    /// Width in CSS pixels.
    public let width: Double
    /// Height in CSS pixels.
    public let height: Double
    /// The accessible name of the drawing (its `aria-label`).
    public let label: String
    /// The CSS class of the `<svg>` element, for tests and styling (`chart latency`).
    public let cssClass: String
    private var elements: [String] = []

    /// Creates an empty drawing.
    /// - Parameters:
    ///   - width: width in CSS pixels.
    ///   - height: height in CSS pixels.
    ///   - label: what the drawing shows, for screen readers.
    ///   - cssClass: the class attribute of the `<svg>` element.
    public init(width: Double, height: Double, label: String, cssClass: String) {
        self.width = width
        self.height = height
        self.label = label
        self.cssClass = cssClass
    }

    /// A coordinate or length as SVG text (two decimals, 0 for non-finite values).
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let text = String(format: "%.2f", value)
        return text == "-0.00" ? "0.00" : text
    }

    /// Adds a rectangle; `tooltip` becomes its `<title>` (shown on hover).
    /// - Parameter cssClass: a class attribute (`bar`, `front`), or nil.
    public mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                                   tooltip: String? = nil, cssClass: String? = nil) {
        let attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\" height=\"\(Self.number(max(0, height)))\" fill=\"\(HTMLEscaping.escape(fill))\"" + classAttribute(cssClass)
        elements.append(element("rect", attributes, tooltip: tooltip))
    }

    /// Adds a straight line.
    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                              dashed: Bool = false, cssClass: String? = nil) {
        let dash = dashed ? " stroke-dasharray=\"4 3\"" : ""
        elements.append("<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\" stroke=\"\(HTMLEscaping.escape(stroke))\" stroke-width=\"\(Self.number(width))\"\(dash)\(classAttribute(cssClass))/>")
    }

    /// Adds an open polyline through `points`.
    public mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5,
                                  dashed: Bool = false, tooltip: String? = nil, cssClass: String? = nil) {
        guard points.count >= 2 else { return }
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        let dash = dashed ? " stroke-dasharray=\"5 4\"" : ""
        let attributes = "points=\"\(list)\" fill=\"none\" stroke=\"\(HTMLEscaping.escape(stroke))\" stroke-width=\"\(Self.number(width))\"\(dash)" + classAttribute(cssClass)
        elements.append(element("polyline", attributes, tooltip: tooltip))
    }

    /// Adds a circle; `tooltip` becomes its `<title>`.
    public mutating func circle(x: Double, y: Double, radius: Double, fill: String, stroke: String? = nil,
                                tooltip: String? = nil, cssClass: String? = nil) {
        let outline = stroke.map { " stroke=\"\(HTMLEscaping.escape($0))\" stroke-width=\"1.5\"" } ?? ""
        let attributes = "cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(radius))\" fill=\"\(HTMLEscaping.escape(fill))\"\(outline)" + classAttribute(cssClass)
        elements.append(element("circle", attributes, tooltip: tooltip))
    }

    /// How a text's anchor point relates to the text.
    public enum TextAnchor: String, Sendable {
        /// The point is at the start of the text.
        case start
        /// The point is in the middle of the text.
        case middle
        /// The point is at the end of the text.
        case end
    }

    /// Adds a line of text whose baseline starts, centres or ends at (x, y).
    /// - Parameters:
    ///   - size: font size in CSS pixels.
    ///   - rotation: degrees clockwise about (x, y) (−90 for a vertical axis title).
    ///   - bold: whether the text is bold.
    public mutating func text(_ content: String, x: Double, y: Double, anchor: TextAnchor = .start, size: Double = 11,
                              fill: String = "#222", rotation: Double = 0, bold: Bool = false, cssClass: String? = nil) {
        var attributes = "x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(Self.number(size))\" fill=\"\(HTMLEscaping.escape(fill))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if rotation != 0 { attributes += " transform=\"rotate(\(Self.number(rotation)) \(Self.number(x)) \(Self.number(y)))\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        attributes += classAttribute(cssClass)
        elements.append("<text \(attributes)>\(HTMLEscaping.escape(content))</text>")
    }

    /// The drawing as an `<svg>` element with its `viewBox`, class and accessible label.
    public func rendered() -> String {
        var output = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"\(HTMLEscaping.escape(cssClass))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" role=\"img\" aria-label=\"\(HTMLEscaping.escape(label))\">\n"
        output += "<title>\(HTMLEscaping.escape(label))</title>\n"
        for element in elements { output += element + "\n" }
        output += "</svg>"
        return output
    }

    private func classAttribute(_ cssClass: String?) -> String {
        cssClass.map { " class=\"\(HTMLEscaping.escape($0))\"" } ?? ""
    }

    private func element(_ name: String, _ attributes: String, tooltip: String?) -> String {
        guard let tooltip else { return "<\(name) \(attributes)/>" }
        return "<\(name) \(attributes)><title>\(HTMLEscaping.escape(tooltip))</title></\(name)>"
    }
}
