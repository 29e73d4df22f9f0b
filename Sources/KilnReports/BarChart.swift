/// A horizontal bar chart: one bar per category, each bar stacked from the same series
/// (energy by component, time by cause), on a linear or logarithmic value axis.
///
/// On a logarithmic axis a bar's length shows its total; the segments split that length in
/// proportion to their share of the total (stacking on a log axis would otherwise exaggerate
/// the first segment). The caption of such a chart says so.
public struct BarChart: Sendable {
    /// One stacked component, with its legend name and colour.
    public struct Series: Sendable, Hashable {
        /// The legend name (`compute`).
        public var name: String
        /// The fill colour (CSS).
        public var color: String

        /// Creates a series.
        public init(name: String, color: String) {
            self.name = name
            self.color = color
        }
    }

    /// One bar.
    public struct Bar: Sendable, Hashable {
        /// The category label at the left (a target or layer name).
        public var label: String
        /// One value per series, in the chart's unit; values that are not positive and finite
        /// are left out of the bar.
        public var segments: [Double]
        /// Text shown instead of a bar when there is nothing to draw (`does not run: …`).
        public var note: String?

        /// Creates a bar.
        public init(label: String, segments: [Double], note: String? = nil) {
            self.label = label
            self.segments = segments
            self.note = note
        }

        /// The sum of the positive, finite segments.
        public var total: Double { segments.filter { $0.isFinite && $0 > 0 }.reduce(0, +) }
    }

    /// The heading drawn above the bars.
    public var title: String
    /// The value axis title, without the unit (`energy per inference`).
    public var axisTitle: String
    /// The unit symbol of the values (`s`, `J`).
    public var unit: String
    /// The stacked components; one for a plain bar chart.
    public var series: [Series]
    /// The bars, top to bottom.
    public var bars: [Bar]
    /// Whether to use a logarithmic axis when the totals span two decades or more.
    public var preferLogarithmic: Bool
    /// The class of the `<svg>` element (`chart latency`).
    public var cssClass: String
    /// The drawing's width in CSS pixels.
    public var width: Double = 900

    /// Creates a chart.
    public init(title: String, axisTitle: String, unit: String, series: [Series], bars: [Bar],
                preferLogarithmic: Bool, cssClass: String) {
        self.title = title
        self.axisTitle = axisTitle
        self.unit = unit
        self.series = series
        self.bars = bars
        self.preferLogarithmic = preferLogarithmic
        self.cssClass = cssClass
    }

    /// The value axis this chart uses for its totals.
    public var scale: AxisScale {
        AxisScale.fitting(bars.map(\.total).filter { $0 > 0 }, preferLogarithmic: preferLogarithmic, includeZero: true)
    }

    /// The chart as an inline `<svg>` element. Each drawn segment is a `rect` of class `bar`;
    /// each drawn bar has one total label of class `bar-total`.
    public func svg() -> String {
        let labelWidth = min(280, max(90, Double(bars.map(\.label.count).max() ?? 0) * 6.6 + 14))
        let plotLeft = labelWidth
        let plotRight = width - 90
        let legendHeight = series.count > 1 ? 24.0 : 0
        let plotTop = 34 + legendHeight
        let pitch = 24.0
        let barHeight = 16.0
        let plotBottom = plotTop + pitch * Double(max(bars.count, 1))
        let height = plotBottom + 46
        let scale = self.scale
        var canvas = SVGCanvas(width: width, height: height, label: title, cssClass: cssClass)
        canvas.text(title, x: 4, y: 18, size: 14, bold: true)
        if series.count > 1 {
            var x = plotLeft
            for entry in series {
                canvas.rectangle(x: x, y: 30, width: 12, height: 12, fill: entry.color, cssClass: "legend-swatch")
                canvas.text(entry.name, x: x + 16, y: 40, size: 11, cssClass: "legend")
                x += 28 + Double(entry.name.count) * 6.4
            }
        }
        // Grid and value axis.
        for tick in scale.ticks {
            let x = scale.position(of: tick, from: plotLeft, to: plotRight)
            canvas.line(x1: x, y1: plotTop - 4, x2: x, y2: plotBottom, stroke: ChartPalette.grid)
            canvas.text(QuantityFormat.engineering(tick, unit: unit), x: x, y: plotBottom + 14, anchor: .middle, size: 10,
                        fill: ChartPalette.axis, cssClass: "tick")
        }
        canvas.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, stroke: ChartPalette.axis)
        canvas.line(x1: plotLeft, y1: plotTop - 4, x2: plotLeft, y2: plotBottom, stroke: ChartPalette.axis)
        let scaleNote = scale.kind == .logarithmic ? " — logarithmic scale" : ""
        canvas.text("\(axisTitle) (\(unit))\(scaleNote)", x: (plotLeft + plotRight) / 2, y: plotBottom + 34,
                    anchor: .middle, size: 11, fill: ChartPalette.axis, cssClass: "axis-title")

        for (row, bar) in bars.enumerated() {
            let y = plotTop + Double(row) * pitch + (pitch - barHeight) / 2
            canvas.text(Self.shortened(bar.label, to: Int((labelWidth - 12) / 6.4)), x: plotLeft - 6, y: y + 12,
                        anchor: .end, size: 11, cssClass: "category")
            let total = bar.total
            guard total > 0 else {
                canvas.text(bar.note ?? "no value", x: plotLeft + 6, y: y + 12, size: 11, fill: ChartPalette.host, cssClass: "bar-note")
                continue
            }
            let end = scale.position(of: total, from: plotLeft, to: plotRight)
            let length = max(end - plotLeft, 1)
            var x = plotLeft
            for (index, value) in bar.segments.enumerated() where value.isFinite && value > 0 {
                let segmentWidth = length * value / total
                let entry = index < series.count ? series[index] : Series(name: "part \(index + 1)", color: ChartPalette.dominated)
                let share = QuantityFormat.percent(value / total)
                canvas.rectangle(x: x, y: y, width: segmentWidth, height: barHeight, fill: entry.color,
                                 tooltip: "\(bar.label) — \(entry.name): \(QuantityFormat.engineering(value, unit: unit)) (\(share))",
                                 cssClass: "bar")
                x += segmentWidth
            }
            canvas.text(QuantityFormat.engineering(total, unit: unit), x: plotLeft + length + 4, y: y + 12, size: 10,
                        fill: ChartPalette.axis, cssClass: "bar-total")
        }
        return canvas.rendered()
    }

    /// `text` cut to `limit` characters with an ellipsis (the tooltip keeps the full text).
    static func shortened(_ text: String, to limit: Int) -> String {
        guard limit > 1, text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
