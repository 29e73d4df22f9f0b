import KilnDiagnostics
import KilnCompiler
import KilnIR
import KilnJSON
import KilnTargets

/// Kiln's predictions beside measured latencies: one row per measurement of a
/// ``ValidationTable``, and per software stack and target the median and worst error (`kiln validate`,
/// `docs/validation.md`).
public struct Validation: Sendable {
    /// One measurement with Kiln's prediction.
    public struct Row: Sendable {
        /// The measurement.
        public var measurement: ValidationTable.Measurement
        /// Kiln's predicted seconds per inference.
        public var predictedSeconds: Double
        /// Kiln's predicted joules per inference (static power over the latency included).
        public var predictedJoules: Double
        /// The graph nodes that ran on the host partition.
        public var hostNodes: Int
        /// The target's software stack the prediction priced (`stacks[].name`), nil if it has none.
        public var predictedStack: String?
        /// `predicted / measured − 1`: positive when Kiln predicts slower than measured.
        public var error: Double { predictedSeconds / measurement.measuredSeconds - 1 }
        /// The energy's `predicted / measured − 1`, when the measurement has energy.
        public var energyError: Double? { measurement.measuredJoules.map { predictedJoules / $0 - 1 } }
    }

    /// The errors of one stack's rows on one target.
    public struct StackSummary: Sendable {
        /// The stack, as the measurements name it.
        public var stack: String
        /// The target that models the device.
        public var target: String
        /// Its rows.
        public var count: Int
        /// The median of the rows' absolute errors.
        public var medianAbsoluteError: Double
        /// The error of largest magnitude (signed).
        public var worstError: Double
        /// The share of rows within ±10 %.
        public var withinTenPercent: Double
        /// The share of rows within ±25 %.
        public var withinTwentyFivePercent: Double
        /// The median of the absolute energy errors of the rows that measured energy; nil if none did.
        public var medianAbsoluteEnergyError: Double?
    }

    /// The rows, in table order.
    public var rows: [Row]

    /// Per stack and target (in order of first appearance), the errors of its rows.
    public var stacks: [StackSummary] {
        struct Key: Hashable { var stack: String, target: String }
        var order: [Key] = []
        var errors: [Key: [Double]] = [:]
        for row in rows {
            let key = Key(stack: row.measurement.stack, target: row.measurement.target)
            if errors[key] == nil { order.append(key) }
            errors[key, default: []].append(row.error)
        }
        return order.map { key in
            let values = errors[key] ?? []
            let magnitudes = values.map(abs).sorted()
            let count = Double(values.count)
            let energy = rows.filter { $0.measurement.stack == key.stack && $0.measurement.target == key.target }.compactMap(\.energyError)
            return StackSummary(stack: key.stack, target: key.target, count: values.count, medianAbsoluteError: Self.median(magnitudes) ?? 0,
                                worstError: values.max { abs($0) < abs($1) } ?? 0,
                                withinTenPercent: Double(magnitudes.filter { $0 <= 0.10 }.count) / count,
                                withinTwentyFivePercent: Double(magnitudes.filter { $0 <= 0.25 }.count) / count,
                                medianAbsoluteEnergyError: Self.median(energy.map(abs).sorted()))
        }
    }

    /// The median of sorted values, nil for none.
    static func median(_ sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Predicts every measurement of a table.
    /// - Parameters:
    ///   - table: the measurements.
    ///   - evaluation: compiles and estimates (its catalog holds the targets).
    ///   - catalog: the targets the measurements name.
    ///   - loadModel: reads a model file named by a measurement (relative to the table's directory).
    ///   - loadFolding: reads a folding file named by a measurement (relative to the table's directory).
    /// - Throws: ``DiagnosticError`` naming the measurement when its target is unknown, its model
    ///   does not load or compile, its core count does not make a valid target, or the target has
    ///   no stack of its `targetStack` name.
    public static func run(_ table: ValidationTable, evaluation: Evaluation, catalog: TargetCatalog,
                           loadModel: (String) throws(DiagnosticError) -> Graph,
                           loadFolding: (String) throws(DiagnosticError) -> LayerSettingsFile) throws(DiagnosticError) -> Validation {
        var rows: [Row] = []
        for measurement in table.measurements {
            do throws(DiagnosticError) {
                guard let part = catalog.target(named: measurement.target) else {
                    throw DiagnosticError(.error("no target named '\(measurement.target)'"))
                }
                var target = part
                if let cores = measurement.cores { target = try variant(of: part, cores: cores, catalog: catalog) }
                if let stack = measurement.targetStack { target = try target.selecting(stack: stack) }
                var model = try EvaluationModel(try loadModel(measurement.model), calibration: nil)
                if let folding = measurement.folding { model.layerSettings = try loadFolding(folding) }
                let result = try evaluation.run(model: model, target: target, data: nil)
                let seconds = measurement.acceleratorCallInferences.map {
                    acceleratorCallSeconds(result.cost, clockHertz: target.clockMegahertz.value * 1e6, inferences: $0)
                } ?? result.cost.latencySeconds
                rows.append(Row(measurement: measurement, predictedSeconds: seconds, predictedJoules: result.cost.energy.total,
                                hostNodes: result.program.hostNodeCount, predictedStack: target.stack?.name))
            } catch {
                throw DiagnosticError(error.diagnostics.map { diagnostic in
                    var located = diagnostic
                    located.message = "measurement \(measurement.place) (\(measurement.model) on \(measurement.target)): \(diagnostic.message)"
                    return located
                })
            }
        }
        return Validation(rows: rows)
    }

    /// Seconds per inference of one accelerator call over `inferences` inferences: the first
    /// inference's accelerator latency and the host-link transfers next to an accelerator step (the
    /// accelerator's own reads of its inputs and writes of its outputs), then one accelerator
    /// interval per further inference (the next inputs stream in while the pipeline runs), over
    /// `inferences`. Host steps, and transfers between host steps, are outside the call.
    static func acceleratorCallSeconds(_ cost: ProgramCost, clockHertz: Double, inferences: Int) -> Double {
        let steps = cost.steps
        let transfers = steps.indices.filter { index in
            steps[index].placement == .link && [index - 1, index + 1].contains { steps.indices.contains($0) && steps[$0].placement == .accelerator }
        }.reduce(0) { $0 + steps[$1].seconds }
        let first = cost.acceleratorTiming.latencyCycles / clockHertz + transfers
        return (first + Double(inferences - 1) * cost.acceleratorTiming.intervalCycles / clockHertz) / Double(inferences)
    }

    /// The part with `cores` cores (a measurement on fewer threads than the part has): its
    /// description with `cores` replaced, decoded again.
    static func variant(of target: TargetDescription, cores: Int, catalog: TargetCatalog) throws(DiagnosticError) -> TargetDescription {
        guard var document = target.document.objectValue else { return target }
        document["cores"] = .object(JSONObject([("value", .integer(Int64(cores))),
                                                ("source", .string("validation variant: the measurement ran on \(cores) of the part's cores"))]))
        return try catalog.loader.decode(.object(document), file: target.file)
    }
}
