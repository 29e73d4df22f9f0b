import Foundation

/// A log–log roofline plot: attainable operations per second against arithmetic intensity,
/// with the memory and compute roofs and one point per layer.
public struct RooflineChart: Sendable {
    /// The roofline to draw.
    public var roofline: Roofline
    /// The drawing's width in CSS pixels.
    public var width: Double = 440
    /// The drawing's height in CSS pixels.
    public var height: Double = 330

    /// Creates a chart.
    public init(roofline: Roofline) {
        self.roofline = roofline
    }

    /// The chart as an inline `<svg>` of class `chart roofline`: the roof is a `polyline` of class
    /// `roof`, each layer a `circle` of class `point layer`.
    public func svg() -> String {
        let roof = roofline
        let ridge = roof.ridgeIntensity
        let intensities = roof.layers.map(\.arithmeticIntensity) + [ridge / 10, ridge * 10]
        let rates = roof.layers.map(\.operationsPerSecond) + [roof.peakOperationsPerSecond * 1.5, roof.attainable(atIntensity: ridge / 10)]
        let xScale = AxisScale(kind: .logarithmic, lower: pow(10, floor(log10(intensities.filter { $0 > 0 }.min() ?? 0.1))),
                               upper: pow(10, ceil(log10(intensities.max() ?? 10))))
        let yScale = AxisScale(kind: .logarithmic, lower: pow(10, floor(log10(rates.filter { $0 > 0 }.min() ?? 1))),
                               upper: pow(10, ceil(log10(rates.max() ?? 10))))
        let plotLeft = 70.0, plotRight = width - 14, plotTop = 40.0, plotBottom = height - 52
        let title = "Roofline: \(roof.targetName)"
        var canvas = SVGCanvas(width: width, height: height, label: title, cssClass: "chart roofline")
        canvas.text(title, x: 4, y: 16, size: 13, bold: true)
        canvas.text("peak \(QuantityFormat.engineering(roof.peakOperationsPerSecond, unit: "op/s")), \(roof.memoryLevel) \(QuantityFormat.engineering(roof.memoryBytesPerSecond, unit: "B/s"))",
                    x: 4, y: 31, size: 10, fill: ChartPalette.axis, cssClass: "subtitle")
        for tick in xScale.ticks {
            let x = xScale.position(of: tick, from: plotLeft, to: plotRight)
            canvas.line(x1: x, y1: plotTop, x2: x, y2: plotBottom, stroke: ChartPalette.grid)
            canvas.text(QuantityFormat.engineering(tick), x: x, y: plotBottom + 13, anchor: .middle, size: 9, fill: ChartPalette.axis, cssClass: "tick")
        }
        for tick in yScale.ticks {
            let y = yScale.position(of: tick, from: plotBottom, to: plotTop)
            canvas.line(x1: plotLeft, y1: y, x2: plotRight, y2: y, stroke: ChartPalette.grid)
            canvas.text(QuantityFormat.engineering(tick), x: plotLeft - 5, y: y + 3, anchor: .end, size: 9, fill: ChartPalette.axis, cssClass: "tick")
        }
        canvas.line(x1: plotLeft, y1: plotBottom, x2: plotRight, y2: plotBottom, stroke: ChartPalette.axis)
        canvas.line(x1: plotLeft, y1: plotTop, x2: plotLeft, y2: plotBottom, stroke: ChartPalette.axis)
        canvas.text("arithmetic intensity (op/B) — log", x: (plotLeft + plotRight) / 2, y: plotBottom + 30, anchor: .middle,
                    size: 10, fill: ChartPalette.axis, cssClass: "axis-title")
        canvas.text("attainable (op/s) — log", x: 13, y: (plotTop + plotBottom) / 2, anchor: .middle, size: 10,
                    fill: ChartPalette.axis, rotation: -90, cssClass: "axis-title")

        func at(_ intensity: Double, _ rate: Double) -> (x: Double, y: Double) {
            (xScale.position(of: intensity, from: plotLeft, to: plotRight), yScale.position(of: rate, from: plotBottom, to: plotTop))
        }
        // The memory roof is a line of slope 1 in log–log; start it where it enters the plot.
        let startIntensity = max(xScale.lower, yScale.lower / roof.memoryBytesPerSecond)
        canvas.polyline([at(startIntensity, roof.attainable(atIntensity: startIntensity)), at(ridge, roof.peakOperationsPerSecond)],
                        stroke: ChartPalette.memoryRoof, width: 2,
                        tooltip: "memory roof: \(roof.memoryLevel) \(QuantityFormat.engineering(roof.memoryBytesPerSecond, unit: "B/s")) × intensity",
                        cssClass: "roof memory-roof")
        canvas.polyline([at(ridge, roof.peakOperationsPerSecond), at(xScale.upper, roof.peakOperationsPerSecond)],
                        stroke: ChartPalette.compute, width: 2,
                        tooltip: "compute roof: \(QuantityFormat.engineering(roof.peakOperationsPerSecond, unit: "op/s"))",
                        cssClass: "roof compute-roof")
        for layer in roof.layers {
            let point = at(layer.arithmeticIntensity, layer.operationsPerSecond)
            let share = QuantityFormat.percent(layer.operationsPerSecond / roof.attainable(atIntensity: layer.arithmeticIntensity))
            canvas.circle(x: point.x, y: point.y, radius: 4, fill: ChartPalette.front, stroke: "#fff",
                          tooltip: "\(layer.name) (\(layer.kernel))\n\(QuantityFormat.engineering(layer.operations, unit: "op")), \(QuantityFormat.engineering(layer.bytes, unit: "B")): \(QuantityFormat.engineering(layer.arithmeticIntensity, unit: "op/B"))\nachieved \(QuantityFormat.engineering(layer.operationsPerSecond, unit: "op/s")) = \(share) of the roof",
                          cssClass: "point layer")
        }
        if roof.layers.isEmpty {
            canvas.text("no accelerator layer with operations and bytes", x: plotLeft + 8, y: plotBottom - 8, size: 10,
                        fill: ChartPalette.host, cssClass: "note")
        }
        return canvas.rendered()
    }
}
