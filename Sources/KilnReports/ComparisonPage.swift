import KilnCompiler

/// The HTML report of `kiln compare --html`: the comparison table, per-target latency and
/// energy bars, an accuracy-versus-energy scatter with its Pareto front, per-layer time bars
/// for each target, and a roofline per target with its layers placed on it.
public struct ComparisonPage: Sendable {
    /// The model's name.
    public var model: String
    /// One result per target, in table order.
    public var results: [TargetResult]
    /// The comparison table as the command prints it.
    public var table: HTMLTable

    /// The series of the energy bars, in stacking order.
    public static let energySeries: [BarChart.Series] = [
        .init(name: "compute", color: ChartPalette.compute),
        .init(name: "on-chip memory", color: ChartPalette.onChipMemory),
        .init(name: "off-chip memory", color: ChartPalette.offChipMemory),
        .init(name: "static", color: ChartPalette.staticEnergy),
        .init(name: "host link", color: ChartPalette.hostLink),
    ]

    /// The series of the per-layer time bars, in stacking order.
    public static let layerTimeSeries: [BarChart.Series] = [
        .init(name: "compute", color: ChartPalette.compute),
        .init(name: "memory stall", color: ChartPalette.onChipMemory),
        .init(name: "overhead", color: ChartPalette.overhead),
        .init(name: "host", color: ChartPalette.host),
        .init(name: "host link", color: ChartPalette.hostLink),
    ]

    /// Whether the run was interrupted before every target was evaluated (the page says so).
    public var partial = false

    /// Creates a page.
    public init(model: String, results: [TargetResult], table: HTMLTable) {
        self.model = model
        self.results = results
        self.table = table
    }

    /// The latency chart: one bar per target.
    public func latencyChart() -> BarChart {
        BarChart(title: "Latency per inference", axisTitle: "latency", unit: "s",
                 series: [.init(name: "latency", color: ChartPalette.primary)],
                 bars: results.map { .init(label: $0.label, segments: [$0.cost?.latencySeconds ?? 0], note: Self.note($0)) },
                 preferLogarithmic: true, cssClass: "chart latency")
    }

    /// The energy chart: one bar per target, stacked by ``energySeries``.
    public func energyChart() -> BarChart {
        BarChart(title: "Energy per inference by component", axisTitle: "energy per inference", unit: "J",
                 series: Self.energySeries,
                 bars: results.map { result in
                     let energy = result.cost?.energy
                     return .init(label: result.label,
                                  segments: energy.map { [$0.compute, $0.onChipMemory, $0.offChipMemory, $0.staticEnergy, $0.hostLink] } ?? [],
                                  note: Self.note(result))
                 },
                 preferLogarithmic: true, cssClass: "chart energy")
    }

    /// The accuracy (top-1, else SQNR) versus energy scatter with the Pareto front (lower
    /// energy, higher accuracy); nil when no target has an accuracy figure.
    ///
    /// An exact result (SQNR +∞: the outputs equal the reference) is more accurate than any
    /// other for the front, and is drawn at ``exactSQNRPosition(finite:)`` with a ring.
    public func accuracyChart() -> ScatterChart? {
        let useTop1 = results.contains { $0.top1 != nil }
        let candidates = results.compactMap { result -> (label: String, energy: Double, accuracy: Double)? in
            guard let energy = result.cost?.energy.total, let accuracy = useTop1 ? result.top1 : result.sqnrDecibels,
                  !accuracy.isNaN, accuracy != -.infinity else { return nil }
            return (result.label, energy, accuracy)
        }
        guard !candidates.isEmpty else { return nil }
        let front = ParetoFront.membership(of: candidates.map { [$0.energy, $0.accuracy.isInfinite ? -.greatestFiniteMagnitude : -$0.accuracy] })
        let top = Self.exactSQNRPosition(finite: candidates.map(\.accuracy).filter(\.isFinite))
        let points = zip(candidates, front).map { candidate, onFront in
            ScatterChart.Point(label: candidate.label, x: candidate.energy, y: candidate.accuracy.isInfinite ? top : candidate.accuracy,
                               onFront: onFront, isExact: candidate.accuracy.isInfinite)
        }
        let yAxis = useTop1
            ? ScatterChart.Axis(title: "top-1 accuracy", unit: "", isPercentage: true, preferLogarithmic: false)
            : ScatterChart.Axis(title: "output SQNR", unit: "dB", preferLogarithmic: false)
        return ScatterChart(title: "Accuracy versus energy", xAxis: .init(title: "energy per inference", unit: "J"), yAxis: yAxis,
                            points: points, joinFront: true, frontMaximizesY: true,
                            frontLegend: "Pareto front (lower energy, higher accuracy)", cssClass: "chart accuracy-energy")
    }

    /// Where an exact (+∞ dB) SQNR is drawn: 10 dB above the largest finite SQNR rounded up to
    /// a multiple of 10 dB, or 100 dB when every result is exact.
    public static func exactSQNRPosition(finite: [Double]) -> Double {
        guard let largest = finite.max() else { return 100 }
        return (largest / 10).rounded(.up) * 10 + 10
    }

    /// The per-layer time chart of one target: one bar per program step, stacked by
    /// ``layerTimeSeries``; nil when the target did not compile.
    public static func layerChart(_ result: TargetResult) -> BarChart? {
        guard let cost = result.cost else { return nil }
        let bars = cost.steps.map { step -> BarChart.Bar in
            var segments = [0.0, 0, 0, 0, 0]
            switch step.resource {
            case .host: segments[3] = step.seconds
            case .link: segments[4] = step.seconds
            default:
                let cycles = step.cost.totalCycles
                if cycles > 0 {
                    segments[0] = step.seconds * step.cost.computeCycles / cycles
                    segments[1] = step.seconds * step.cost.memoryStallCycles / cycles
                    segments[2] = step.seconds * step.cost.overheadCycles / cycles
                }
            }
            let label = step.kernel == "transfer" ? "⇄ \(step.layer)" : step.layer
            return .init(label: label, segments: segments, note: "no time")
        }
        return BarChart(title: "Time per layer: \(result.label)", axisTitle: "time per inference", unit: "s",
                        series: layerTimeSeries, bars: bars, preferLogarithmic: false, cssClass: "chart layers")
    }

    /// The per-layer table of one target (``LayerTable``); nil when the target did not compile.
    public static func layerTable(_ result: TargetResult) -> LayerTable? {
        result.cost.map { LayerTable(cost: $0, target: result.target) }
    }

    /// The rooflines of the targets that compiled.
    public func rooflines() -> [Roofline] {
        results.compactMap { result in result.cost.flatMap { Roofline(target: result.target, cost: $0) } }
    }

    /// The page.
    public func page() -> HTMLPage {
        let ran = results.filter { $0.cost != nil }.count
        var sections: [String] = []
        sections.append("<h1>Kiln comparison: \(HTMLEscaping.escape(model))\(partial ? " (partial)" : "")</h1>")
        if partial {
            sections.append("<p class=\"partial\">Partial report: the run was interrupted; only the targets below were evaluated.</p>")
        }
        sections.append("<p class=\"meta\">\(results.count) targets, \(ran) of which run the model. Latency and energy come from each family's cost model and the targets' sourced numbers; accuracy from bit-exact functional simulation. Hover over a bar or point for its numbers.</p>")
        sections.append("<h2>Comparison</h2>\n" + table.html())

        let latency = latencyChart()
        sections.append("<h2>Latency</h2>\n" + latency.svg())
        let energy = energyChart()
        var energyCaption = "Each bar is one inference's energy, stacked by where it is spent."
        if energy.scale.kind == .logarithmic {
            energyCaption += " The axis is logarithmic: a bar's length shows its total, and its segments split that length in proportion to their share."
        }
        sections.append("<h2>Energy</h2>\n<p class=\"caption\">\(HTMLEscaping.escape(energyCaption))</p>\n" + energy.svg())

        sections.append("<h2>Accuracy versus energy</h2>")
        if let accuracy = accuracyChart() {
            sections.append("<p class=\"caption\">A target is on the Pareto front when no other target uses less energy and is at least as accurate (or is more accurate at no more energy).</p>\n" + accuracy.svg())
        } else {
            sections.append("<p class=\"caption\">No accuracy figures: run with --data (and --labels) to place the targets.</p>")
        }

        sections.append("<h2>Time per layer</h2>\n<p class=\"caption\">Each step's time from the cost model, split into compute, memory stalls and fixed overheads (host steps and host-link transfers in their own colours). A pipelined design (one engine per layer) overlaps its layers, so its latency can be less than the sum.</p>")
        for result in results {
            guard let chart = Self.layerChart(result) else { continue }
            let layers = Self.layerTable(result).map { "\n" + $0.html() } ?? ""
            sections.append("<details open=\"open\">\n<summary>\(HTMLEscaping.escape(result.label)) (\(HTMLEscaping.escape(result.target.family)))</summary>\n\(chart.svg())\(layers)\n</details>")
        }

        sections.append("<h2>Rooflines</h2>\n<p class=\"caption\">Attainable operations per second against arithmetic intensity (a MAC is two operations). The compute roof is the target's peak; the memory roof is the read bandwidth of its nearest activation/weight memory level × its clock. Each point is an accelerator layer: its operations over the bytes it moves, at the rate its estimated time gives.</p>")
        sections.append("<div class=\"grid\">\n" + rooflines().map { RooflineChart(roofline: $0).svg() }.joined(separator: "\n") + "\n</div>")
        return HTMLPage(title: "Kiln comparison: \(model)", sections: sections)
    }

    /// The whole HTML document.
    public func html() -> String { page().html() }

    private static func note(_ result: TargetResult) -> String {
        result.failure.map { "does not run: \($0)" } ?? "no estimate"
    }
}
