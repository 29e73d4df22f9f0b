/// The HTML report of `kiln sweep --html`: latency against energy and the resource figure
/// against latency for every grid point, with the points on the Pareto front (over latency,
/// energy and resources) marked, and the sweep table.
public struct SweepPage: Sendable {
    /// One grid point.
    public struct Point: Sendable, Hashable {
        /// The short label drawn next to the point (the grid index, `#12`).
        public var label: String
        /// The varied values as text (`clockMegahertz=200 cores=4`), for the tooltip.
        public var values: String
        /// Seconds per inference.
        public var latencySeconds: Double
        /// Joules per inference.
        public var energyJoules: Double
        /// The resource figure.
        public var resource: Double
        /// Whether the point is on the Pareto front.
        public var onFront: Bool

        /// Creates a point.
        public init(label: String, values: String, latencySeconds: Double, energyJoules: Double, resource: Double, onFront: Bool) {
            self.label = label
            self.values = values
            self.latencySeconds = latencySeconds
            self.energyJoules = energyJoules
            self.resource = resource
            self.onFront = onFront
        }
    }

    /// The model's name.
    public var model: String
    /// The base target's name.
    public var target: String
    /// The varied fields as `PATH=V1,V2` text.
    public var parameters: String
    /// The resource figure's name and unit (`processingElements`, `PE`).
    public var resourceName: String
    /// The resource figure's unit.
    public var resourceUnit: String
    /// The points that have an estimate.
    public var points: [Point]
    /// The sweep table (every grid point, failures included).
    public var table: HTMLTable

    /// Creates a page.
    public init(model: String, target: String, parameters: String, resourceName: String, resourceUnit: String,
                points: [Point], table: HTMLTable) {
        self.model = model
        self.target = target
        self.parameters = parameters
        self.resourceName = resourceName
        self.resourceUnit = resourceUnit
        self.points = points
        self.table = table
    }

    /// Energy against latency, front points marked.
    public func energyLatencyChart() -> ScatterChart {
        ScatterChart(title: "Energy versus latency", xAxis: .init(title: "latency", unit: "s"),
                     yAxis: .init(title: "energy per inference", unit: "J"),
                     points: points.map { .init(label: $0.label, x: $0.latencySeconds, y: $0.energyJoules, onFront: $0.onFront,
                                                details: "\($0.values)\n\(resourceName): \(QuantityFormat.engineering($0.resource, unit: resourceUnit))") },
                     joinFront: false, frontMaximizesY: false,
                     frontLegend: "Pareto front (latency, energy, \(resourceName))", cssClass: "chart sweep-energy")
    }

    /// The resource figure against latency, front points marked.
    public func resourceLatencyChart() -> ScatterChart {
        ScatterChart(title: "\(resourceName) versus latency", xAxis: .init(title: "latency", unit: "s"),
                     yAxis: .init(title: resourceName, unit: resourceUnit),
                     points: points.map { .init(label: $0.label, x: $0.latencySeconds, y: $0.resource, onFront: $0.onFront,
                                                details: "\($0.values)\nenergy: \(QuantityFormat.engineering($0.energyJoules, unit: "J"))") },
                     joinFront: false, frontMaximizesY: false,
                     frontLegend: "Pareto front (latency, energy, \(resourceName))", cssClass: "chart sweep-resource")
    }

    /// The page.
    public func page() -> HTMLPage {
        let front = points.filter(\.onFront).count
        var sections = ["<h1>Kiln sweep: \(HTMLEscaping.escape(model)) on \(HTMLEscaping.escape(target))</h1>"]
        sections.append("<p class=\"meta\">Varied: \(HTMLEscaping.escape(parameters)). \(points.count) grid points with an estimate, \(front) on the Pareto front: no other point is at least as good in latency, energy and \(HTMLEscaping.escape(resourceName)) and better in one. Front points are drawn larger, in orange, and labelled with their grid index (the # column of the table); hover for values.</p>")
        sections.append("<h2>Energy versus latency</h2>\n" + energyLatencyChart().svg())
        sections.append("<h2>\(HTMLEscaping.escape(resourceName)) versus latency</h2>")
        if Set(points.map(\.resource)).count > 1 {
            sections.append(resourceLatencyChart().svg())
        } else {
            let value = points.first.map { QuantityFormat.engineering($0.resource, unit: resourceUnit) } ?? "—"
            sections.append("<p class=\"caption\">\(HTMLEscaping.escape(resourceName)) is the same at every point (\(HTMLEscaping.escape(value))), so only latency and energy decide the front.</p>")
        }
        sections.append("<h2>Grid points</h2>\n" + table.html())
        return HTMLPage(title: "Kiln sweep: \(model) on \(target)", sections: sections)
    }
}
