/// A scatter plot with a marked Pareto front: points on the front are drawn larger, in the
/// front colour, and (for a two-objective front) joined by a staircase line.
public struct ScatterChart: Sendable {
    /// One point.
    public struct Point: Sendable, Hashable {
        /// The label drawn next to the point and in its tooltip.
        public var label: String
        /// The horizontal value.
        public var x: Double
        /// The vertical value.
        public var y: Double
        /// Whether the point is on the Pareto front.
        public var onFront: Bool
        /// Extra lines for the tooltip.
        public var details: String
        /// Whether the true vertical value is +∞ (an exact result, SQNR = ∞) and `y` is only
        /// where it is drawn: at the top of the axis, with a ring and `∞` in its label.
        public var isExact: Bool

        /// Creates a point.
        public init(label: String, x: Double, y: Double, onFront: Bool, details: String = "", isExact: Bool = false) {
            self.label = label
            self.x = x
            self.y = y
            self.onFront = onFront
            self.details = details
            self.isExact = isExact
        }
    }

    /// One axis: title, unit and how to format its values.
    public struct Axis: Sendable, Hashable {
        /// The title without the unit (`energy per inference`).
        public var title: String
        /// The unit symbol (`J`), or "" for a pure number.
        public var unit: String
        /// Whether values are fractions shown as percentages.
        public var isPercentage: Bool
        /// Whether to use a log scale when the values span two decades or more.
        public var preferLogarithmic: Bool

        /// Creates an axis.
        public init(title: String, unit: String, isPercentage: Bool = false, preferLogarithmic: Bool = true) {
            self.title = title
            self.unit = unit
            self.isPercentage = isPercentage
            self.preferLogarithmic = preferLogarithmic
        }

        /// A value formatted for this axis.
        public func format(_ value: Double) -> String {
            isPercentage ? QuantityFormat.percent(value) : QuantityFormat.engineering(value, unit: unit)
        }

        /// The axis title with its unit and scale.
        func caption(_ scale: AxisScale) -> String {
            let unitText = isPercentage ? " (%)" : unit.isEmpty ? "" : " (\(unit))"
            return title + unitText + (scale.kind == .logarithmic ? " — logarithmic scale" : "")
        }
    }

    /// The heading drawn above the plot.
    public var title: String
    /// The horizontal axis.
    public var xAxis: Axis
    /// The vertical axis.
    public var yAxis: Axis
    /// The points.
    public var points: [Point]
    /// Whether to join the front's points by a staircase (meaningful for a two-objective front:
    /// lower x, and higher y when `frontMaximizesY`, else lower y).
    public var joinFront: Bool
    /// Whether the front prefers larger y (accuracy) rather than smaller y (latency).
    public var frontMaximizesY: Bool
    /// The legend text for front points.
    public var frontLegend: String
    /// The class of the `<svg>` element.
    public var cssClass: String
    /// The drawing's width in CSS pixels.
    public var width: Double = 900
    /// The drawing's height in CSS pixels.
    public var height: Double = 460

    /// Creates a chart.
    public init(title: String, xAxis: Axis, yAxis: Axis, points: [Point], joinFront: Bool, frontMaximizesY: Bool,
                frontLegend: String, cssClass: String) {
        self.title = title
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.points = points
        self.joinFront = joinFront
        self.frontMaximizesY = frontMaximizesY
        self.frontLegend = frontLegend
        self.cssClass = cssClass
    }

    /// The chart as an inline `<svg>` element. Each drawn point is a `circle` of class `point`
    /// (and `point front` when on the front); the staircase is a `polyline` of class `front-line`.
    /// Points whose coordinates are not finite (or not positive on a log axis) are listed
    /// under the plot instead of drawn.
    public func svg() -> String {
        let drawable = points.filter { $0.x.isFinite && $0.y.isFinite }
        let xScale = AxisScale.fitting(drawable.map(\.x), preferLogarithmic: xAxis.preferLogarithmic, includeZero: false)
        let yScale = AxisScale.fitting(drawable.map(\.y), preferLogarithmic: yAxis.preferLogarithmic, includeZero: false)
        let plotLeft = 86.0, plotRight = width - 150, plotTop = 58.0, plotBottom = height - 58
        var canvas = SVGCanvas(width: width, height: height, label: title, cssClass: cssClass)
        canvas.text(title, x: 4, y: 18, size: 14, bold: true)
        canvas.circle(x: plotLeft + 6, y: 38, radius: 5, fill: ChartPalette.front, stroke: "#fff", cssClass: "legend-swatch")
        canvas.text(frontLegend, x: plotLeft + 16, y: 42, size: 11, cssClass: "legend")
        let otherX = plotLeft + 36 + Double(frontLegend.count) * 6.2
        canvas.circle(x: otherX, y: 38, radius: 4, fill: ChartPalette.dominated, cssClass: "legend-swatch")
        canvas.text("dominated", x: otherX + 10, y: 42, size: 11, cssClass: "legend")

        for tick in xScale.ticks {
            let x = xScale.position(of: tick, from: plotLeft, to: plotRight)
            canvas.line(x1: x, y1: plotTop, x2: x, y2: plotBottom, stroke: ChartPalette.grid)
            canvas.text(xAxis.format(tick), x: x, y: plotBottom + 14, anchor: .middle, size: 10, fill: ChartPalette.axis, cssClass: "tick")
        }
        for tick in yScale.ticks {
            let y = yScale.position(of: tick, from: plotBottom, to: plotTop)
            canvas.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: ChartPalette.grid)
            canvas.text(yAxis.format(tick), x: plotLeft - 6, y: y + 3, anchor: .end, size: 10, fill: ChartPalette.axis, cssClass: "tick")
        }
        canvas.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, stroke: ChartPalette.axis)
        canvas.line(x1: plotLeft, y1: plotTop, x2: plotLeft, y2: plotBottom, stroke: ChartPalette.axis)
        canvas.text(xAxis.caption(xScale), x: (plotLeft + plotRight) / 2, y: plotBottom + 34, anchor: .middle, size: 11,
                    fill: ChartPalette.axis, cssClass: "axis-title")
        canvas.text(yAxis.caption(yScale), x: 16, y: (plotTop + plotBottom) / 2, anchor: .middle, size: 11,
                    fill: ChartPalette.axis, rotation: -90, cssClass: "axis-title")

        func position(_ point: Point) -> (x: Double, y: Double) {
            (xScale.position(of: point.x, from: plotLeft, to: plotRight), yScale.position(of: point.y, from: plotBottom, to: plotTop))
        }
        let front = drawable.filter(\.onFront).sorted { $0.x < $1.x }
        if joinFront, front.count >= 2 {
            var stairs: [(x: Double, y: Double)] = []
            for (index, point) in front.enumerated() {
                let here = position(point)
                if index > 0 { stairs.append((here.x, stairs[stairs.count - 1].y)) }
                stairs.append(here)
            }
            let direction = frontMaximizesY ? "higher" : "lower"
            canvas.polyline(stairs, stroke: ChartPalette.front, width: 1.5, dashed: true,
                            tooltip: "Pareto front: no other point has lower \(xAxis.title) and \(direction) \(yAxis.title)",
                            cssClass: "front-line")
        }
        // Labels: front points first, then the rest, each only where it does not overlap a
        // label already placed (the tooltip always names the point).
        var placed: [(x: Double, y: Double, width: Double)] = []
        var labels: [(text: String, x: Double, y: Double, onFront: Bool)] = []
        for point in drawable.sorted(by: { $0.onFront && !$1.onFront }) {
            let at = position(point)
            let text = BarChart.shortened(point.label, to: 26) + (point.isExact ? " (∞)" : "")
            let box = (x: at.x + 8, y: at.y - 6, width: Double(text.count) * 5.9)
            let overlaps = placed.contains { abs($0.y - box.y) < 12 && box.x < $0.x + $0.width + 4 && $0.x < box.x + box.width + 4 }
            guard !overlaps, box.x + box.width <= width else { continue }
            placed.append(box)
            labels.append((text, box.x, box.y, point.onFront))
        }
        // Dominated points first so front points draw on top.
        for point in drawable.sorted(by: { !$0.onFront && $1.onFront }) {
            let at = position(point)
            var tooltip = "\(point.label)\n\(xAxis.title): \(xAxis.format(point.x))\n\(yAxis.title): \(point.isExact ? "∞ (exact)" : yAxis.format(point.y))"
            if point.onFront { tooltip += "\non the Pareto front" }
            if !point.details.isEmpty { tooltip += "\n" + point.details }
            canvas.circle(x: at.x, y: at.y, radius: point.onFront ? 6 : 4.5,
                          fill: point.onFront ? ChartPalette.front : ChartPalette.dominated, stroke: "#fff",
                          tooltip: tooltip, cssClass: (point.onFront ? "point front" : "point") + (point.isExact ? " exact" : ""))
            if point.isExact {
                canvas.circle(x: at.x, y: at.y, radius: (point.onFront ? 6 : 4.5) + 3, fill: "none", stroke: ChartPalette.axis, cssClass: "exact-ring")
            }
        }
        for label in labels {
            canvas.text(label.text, x: label.x, y: label.y, size: 10, fill: label.onFront ? "#8a3a00" : "#555", cssClass: "point-label")
        }
        if drawable.contains(where: \.isExact) {
            canvas.text("(∞): exact, outputs equal the reference; drawn at the top of the axis", x: plotRight - 330, y: plotTop - 6, size: 10,
                        fill: ChartPalette.axis, cssClass: "note")
        }
        let missing = points.count - drawable.count
        if missing > 0 {
            canvas.text("\(missing) point(s) without a value are not drawn", x: plotLeft, y: height - 6, size: 10,
                        fill: ChartPalette.host, cssClass: "note")
        }
        return canvas.rendered()
    }
}
