import KilnNumerics
import KilnCompiler
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnTargets

/// One target's row of a comparison.
struct ComparisonRow {
    var model = ""
    /// The target's name.
    var targetName: String
    /// The target's family.
    var family: String
    /// The target, or nil for a row read back from a shard file (``ComparisonShard``).
    var target: TargetDescription?
    var format = ""
    var top1: Double?
    /// Samples whose largest output is the label, and samples scored (the counts behind ``top1``,
    /// which a sharded compare merges).
    var topOneCounts: (correct: Int, scored: Int)?
    /// Output SQNR in dB against the reference output of the graph every target compiles (+∞ when exact).
    var sqnrVsReferenceDecibels: Double?
    /// Output SQNR in dB against the float model's output when Kiln quantized it (+∞ when exact).
    var sqnrVsFloatDecibels: Double?
    /// The per-sample sums behind the two SQNRs (which a sharded compare merges).
    var sqnrEnergies: (reference: SampleEnergies?, float: SampleEnergies?) = (nil, nil)
    var latencySeconds: Double?
    var inferencesPerSecond: Double?
    /// The accelerator's own steady-state rate (its clock over its interval), without the host.
    var acceleratorInferencesPerSecond: Double?
    var energyJoules: Double?
    var weightBytes: Int?
    var peakActivationBytes: Int?
    /// Peak bytes in use in the target's on-chip memories (SRAM), constants plus live activations.
    var onChipBytes: Int?
    /// Peak bytes in use in the target's off-chip memories (flash, DRAM).
    var offChipBytes: Int?
    /// Per memory level, `level=bytes` pairs of peak bytes in use (`sram=74478;flash=216000`).
    var memoryByLevel: String?
    var utilization: Double?
    var bound: String?
    var hostOps: Int?
    var failure: String?
    var program: TargetProgram?
    var cost: ProgramCost?

    init(target: TargetDescription, failure: String) {
        self.target = target
        targetName = target.name
        family = target.family
        self.failure = failure
    }

    init(target: TargetDescription, program: TargetProgram, cost: ProgramCost) {
        self.target = target
        targetName = target.name
        family = target.family
        self.program = program
        self.cost = cost
        format = Self.numericFormat(cost)
        latencySeconds = cost.latencySeconds
        inferencesPerSecond = cost.inferencesPerSecond
        acceleratorInferencesPerSecond = cost.acceleratorInferencesPerSecond
        energyJoules = cost.energy.total
        weightBytes = program.weightBytes
        peakActivationBytes = program.peakActivationBytes
        onChipBytes = program.onChipPeakBytes
        offChipBytes = program.offChipPeakBytes
        memoryByLevel = program.memoryUsageByLevel.map { "\($0.level)=\($0.peakBytes)" }.joined(separator: ";")
        utilization = cost.utilization
        bound = cost.bound.rawValue
        hostOps = program.hostNodeCount
    }

    /// Energy per inference over its latency: the average power while the inference runs, in W.
    var averagePowerWatts: Double? {
        guard let energyJoules, let latencySeconds, latencySeconds > 0 else { return nil }
        return energyJoules / latencySeconds
    }

    /// The operand formats of the accelerator's multiply-accumulate kernels (`u8×i8`, `q7×q7`,
    /// `bin×bin + u8×i8`), most frequent first, from the step counts the estimate already made.
    static func numericFormat(_ cost: ProgramCost) -> String {
        var counts: [[ElementType]: Int] = [:]
        for step in cost.steps where step.resource == .accelerator {
            for (kind, macs) in step.counts.multiplyAccumulates { counts[kind.operands, default: 0] += macs }
            for (kind, actions) in step.counts.familyActions where actions > 0 { counts[kind.operandFormats, default: 0] += actions }
        }
        let labelled = counts.map { (label: $0.key.map(\.name).joined(separator: "×"), count: $0.value) }
        return labelled.sorted { ($1.count, $0.label) < ($0.count, $1.label) }.map(\.label).joined(separator: " + ")
    }
}

/// The rows of a comparison as a table, CSV or JSON, from one list of columns
/// (``ComparisonColumn/all``) so the three cannot disagree; `docs/cli.md` and
/// `docs/schemas/compare.schema.json` document them.
struct ComparisonReport {
    /// The `kind` of compare JSON.
    static let kind = "kiln.compare"
    /// The version of the compare JSON layout (`docs/schemas/compare.schema.json`).
    static let schemaVersion: Int64 = 1

    let rows: [ComparisonRow]
    /// Whether the run was interrupted before every row was computed.
    var partial = false

    /// The columns that have a value in some row (accuracy columns appear only when measured).
    var tableColumns: [ComparisonColumn] {
        ComparisonColumn.all.filter { column in
            !column.hiddenInTable && (!column.optionalInTable || rows.contains { column.value($0) != .missing })
        }
    }

    /// The readable table: units in the titles, one SI scale per column, and (for marking on a
    /// terminal) the best value of each column among each model's rows.
    func table() -> TextTable {
        let columns = tableColumns
        let scales = columns.map { column in ColumnScale(unit: column.unit, values: rows.compactMap { column.value($0).number }) }
        var table = TextTable(zip(columns, scales).map { column, scale in
            (scale.title(column.title), column.unit == .text ? .left : .right)
        })
        for row in rows {
            if let failure = row.failure {
                table.append(columns.map { column in
                    switch column.key {
                    case "model": row.model
                    case "target": row.targetName
                    case "family": row.family
                    case "bound": "does not run: \(failure)"
                    default: ""
                    }
                })
                continue
            }
            table.append(zip(columns, scales).map { column, scale in scale.format(column.value(row)) })
        }
        for (index, column) in columns.enumerated() {
            guard let better = column.better else { continue }
            for model in Set(rows.map(\.model)) {
                let candidates = rows.indices.filter { rows[$0].model == model && rows[$0].failure == nil }
                let values = candidates.compactMap { row in column.value(rows[row]).number.map { (row, $0) } }
                guard values.count > 1, let best = better == .lower ? values.map(\.1).min() : values.map(\.1).max() else { continue }
                for (row, value) in values where value == best { table.marked.insert(TextTable.Cell(row: row, column: index)) }
            }
        }
        return table
    }

    /// What the table's columns mean, printed after the table.
    func legend(marked: Bool) -> String {
        var lines = tableColumns.compactMap { column in column.legend.map { "  \(column.title): \($0)" } }
        if marked { lines.append("  bold: the best value of its column among the model's targets") }
        return (["", "Columns:"] + lines).joined(separator: "\n")
    }

    /// CSV: the JSON keys as the header, raw numbers in SI base units, an empty field for a
    /// missing value.
    func csv() -> String {
        var table = TextTable(ComparisonColumn.all.map { ($0.key, .left) })
        for row in rows { table.append(ComparisonColumn.all.map { $0.value(row).csv }) }
        return table.csv()
    }

    /// JSON: `{"kind", "schemaVersion", "partial", "rows": [...]}`.
    func json() -> String {
        let objects = rows.map { JSONValue.object(JSONObject(Self.members(of: $0))) }
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)), ("schemaVersion", .integer(Self.schemaVersion)), ("partial", .bool(partial)),
            ("rows", .array(objects)),
        ])))
    }

    /// One row's JSON members: every column's key and raw value.
    static func members(of row: ComparisonRow) -> [(String, JSONValue)] {
        ComparisonColumn.all.map { ($0.key, $0.value(row).json) }
    }

    /// The rows ordered by `column`, best first within each model (models keep their order);
    /// rows without a value (targets that do not run) last.
    func sorted(by column: ComparisonColumn) -> ComparisonReport {
        let models = rows.map(\.model).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        func before(_ a: ComparisonRow, _ b: ComparisonRow) -> Bool {
            switch (column.value(a), column.value(b)) {
            case (.text(let x), .text(let y)): return x < y
            case (let x, let y):
                guard let x = x.number else { return false }
                guard let y = y.number else { return true }
                return column.better == .higher ? x > y : x < y
            }
        }
        var ordered: [ComparisonRow] = []
        for model in models {
            let group = rows.enumerated().filter { $0.element.model == model }
            ordered += group.sorted { before($0.element, $1.element) || (!before($1.element, $0.element) && $0.offset < $1.offset) }.map(\.element)
        }
        return ComparisonReport(rows: ordered, partial: partial)
    }
}
