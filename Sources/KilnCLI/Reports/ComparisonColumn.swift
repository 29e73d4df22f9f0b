import KilnJSON

/// One column of `kiln compare`: its JSON key (also the CSV header), its table title, its unit,
/// which direction is better, its legend line, and how to read it from a row.
struct ComparisonColumn: Sendable {
    /// Which values are better, for sorting and the best-value marker.
    enum Better: Sendable { case lower, higher }

    /// The JSON key and CSV header (`latencySeconds`).
    let key: String
    /// The table title without the unit (`LATENCY`).
    let title: String
    /// The unit of the raw value.
    let unit: ColumnScale.Unit
    /// Which direction is better; nil for text.
    let better: Better?
    /// Whether the table leaves the column out when no row has a value (accuracy columns).
    let optionalInTable: Bool
    /// Whether the table never shows the column (it is spelled out elsewhere in the table).
    let hiddenInTable: Bool
    /// What the column means, for the legend after the table; nil for self-explaining columns.
    let legend: String?
    /// The names `--sort` accepts for it.
    let sortNames: [String]
    /// The value of a row.
    let value: @Sendable (ComparisonRow) -> CellValue

    init(_ key: String, _ title: String, _ unit: ColumnScale.Unit, better: Better? = nil, optionalInTable: Bool = false,
         hiddenInTable: Bool = false, sort: [String] = [], legend: String? = nil, _ value: @escaping @Sendable (ComparisonRow) -> CellValue) {
        self.key = key
        self.title = title
        self.unit = unit
        self.better = better
        self.optionalInTable = optionalInTable
        self.hiddenInTable = hiddenInTable
        self.legend = legend
        self.sortNames = sort
        self.value = value
    }

    /// Every column in JSON, CSV and table order.
    static let all: [ComparisonColumn] = [
        ComparisonColumn("model", "MODEL", .text, sort: ["model"]) { .text($0.model) },
        ComparisonColumn("target", "TARGET", .text, sort: ["target"]) { .text($0.targetName) },
        ComparisonColumn("family", "FAMILY", .text, sort: ["family"]) { .text($0.family) },
        ComparisonColumn("format", "FORMAT", .text,
                         legend: "operand formats of the accelerator's multiply-accumulates, most used first") { $0.failure == nil ? .text($0.format) : .missing },
        ComparisonColumn("top1", "TOP-1", .fraction, better: .higher, optionalInTable: true, sort: ["top1", "accuracy"],
                         legend: "share of samples whose largest output is the label, from bit-exact simulation of the target's program") {
            CellValue($0.top1)
        },
        ComparisonColumn("sqnrVsReferenceDecibels", "SQNR VS REF", .decibels, better: .higher, optionalInTable: true,
                         sort: ["sqnr", "sqnrVsReferenceDecibels"],
                         legend: "output SQNR against the reference interpreter's output of the model every target compiles; exact = bit-identical") {
            CellValue($0.sqnrVsReferenceDecibels)
        },
        ComparisonColumn("sqnrVsReferenceExact", "", .boolean, hiddenInTable: true) { $0.sqnrVsReferenceDecibels.map { .boolean($0.isInfinite) } ?? .missing },
        ComparisonColumn("sqnrVsFloatDecibels", "SQNR VS FLOAT", .decibels, better: .higher, optionalInTable: true,
                         sort: ["sqnr-float", "sqnrVsFloatDecibels"],
                         legend: "output SQNR against the float model's output (a float model quantized by Kiln with --calibration, or --float-model)") {
            CellValue($0.sqnrVsFloatDecibels)
        },
        ComparisonColumn("sqnrVsFloatExact", "", .boolean, hiddenInTable: true) { $0.sqnrVsFloatDecibels.map { .boolean($0.isInfinite) } ?? .missing },
        ComparisonColumn("latencySeconds", "LATENCY", .seconds, better: .lower, sort: ["latency", "latencySeconds"],
                         legend: "time of one inference: accelerator, host steps and host-link transfers") { CellValue($0.latencySeconds) },
        ComparisonColumn("inferencesPerSecond", "THROUGHPUT", .perSecond, better: .higher, sort: ["throughput", "inferencesPerSecond"],
                         legend: "inferences per second in steady state, end to end: accelerator, host steps and host-link transfers (a pipelined design overlaps inferences)") { CellValue($0.inferencesPerSecond) },
        ComparisonColumn("acceleratorInferencesPerSecond", "ACCEL THRPT", .perSecond, better: .higher,
                         sort: ["accelerator-throughput", "acceleratorInferencesPerSecond"],
                         legend: "inferences per second of the accelerator alone: its clock over its steady-state interval, no host or transfers") {
            CellValue($0.acceleratorInferencesPerSecond)
        },
        ComparisonColumn("energyJoules", "ENERGY/INF", .joules, better: .lower, sort: ["energy", "energyJoules"],
                         legend: "energy of one inference: compute, memories, host link, and static power over the latency") { CellValue($0.energyJoules) },
        ComparisonColumn("averagePowerWatts", "POWER", .watts, better: .lower, sort: ["power", "averagePowerWatts"],
                         legend: "average power while an inference runs: ENERGY/INF ÷ LATENCY") { CellValue($0.averagePowerWatts) },
        ComparisonColumn("weightBytes", "WEIGHTS", .bytes, better: .lower, sort: ["weights", "weightBytes"]) { CellValue($0.weightBytes) },
        ComparisonColumn("peakActivationBytes", "PEAK ACT", .bytes, better: .lower, sort: ["activations", "peakActivationBytes"],
                         legend: "the largest total of activation buffers alive at once (the memory plan's peak)") { CellValue($0.peakActivationBytes) },
        ComparisonColumn("onChipBytes", "ON-CHIP", .bytes, better: .lower, sort: ["on-chip", "onChipBytes"],
                         legend: "peak bytes in use in the on-chip memories (SRAM): weights placed there plus live activations, as Vela's 'SRAM used'") {
            CellValue($0.onChipBytes)
        },
        ComparisonColumn("offChipBytes", "OFF-CHIP", .bytes, better: .lower, sort: ["off-chip", "offChipBytes"],
                         legend: "peak bytes in use in the off-chip memories (flash, DRAM), as Vela's 'Off-chip Flash used' / 'DRAM used'") {
            CellValue($0.offChipBytes)
        },
        ComparisonColumn("memoryByLevel", "", .text, hiddenInTable: true) { $0.memoryByLevel.map(CellValue.text) ?? .missing },
        ComparisonColumn("utilization", "UTIL", .fraction, better: .higher, sort: ["utilization", "util"],
                         legend: "useful accelerator operations ÷ (the family's peak operations per cycle × the accelerator's cycles); a big array on a small model is nearly idle") {
            CellValue($0.utilization)
        },
        ComparisonColumn("bound", "BOUND", .text, sort: ["bound"],
                         legend: "what dominates the latency: compute, memory (stalls), overhead (fixed cycles per kernel), host (ops run on the host CPU), hostLink (transfers between host and accelerator)") {
            $0.bound.map(CellValue.text) ?? .missing
        },
        ComparisonColumn("hostOps", "HOST OPS", .count, better: .lower, sort: ["host-ops", "hostOps"],
                         legend: "graph nodes the target cannot run, executed on its host ('kiln simulate' lists them with the reason)") {
            CellValue($0.hostOps)
        },
        ComparisonColumn("error", "ERROR", .text, hiddenInTable: true) { $0.failure.map(CellValue.text) ?? .missing },
    ]

    /// The column `--sort NAME` names.
    static func named(_ name: String) -> ComparisonColumn? {
        all.first { $0.sortNames.contains(name) }
    }

    /// Every name `--sort` accepts, for help and usage errors.
    static var sortNames: [String] { all.compactMap(\.sortNames.first) }
}

/// One value of a report cell, before formatting.
enum CellValue: Equatable, Sendable {
    /// No value (not measured, or the target does not run).
    case missing
    /// A number in the column's base unit (an SQNR may be +∞: exact).
    case number(Double)
    /// An integer in the column's base unit.
    case integer(Int)
    /// Text.
    case text(String)
    /// A truth value.
    case boolean(Bool)

    init(_ value: Double?) { self = value.map { .number($0) } ?? .missing }
    init(_ value: Int?) { self = value.map { .integer($0) } ?? .missing }

    /// The value as a number, if it is one.
    var number: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The JSON value: a number that is not finite (an exact SQNR) is `null`, with its
    /// companion `…Exact` key true.
    var json: JSONValue {
        switch self {
        case .missing: .null
        case .number(let value): value.isFinite ? .number(value) : .null
        case .integer(let value): .integer(Int64(value))
        case .text(let text): .string(text)
        case .boolean(let value): .bool(value)
        }
    }

    /// The CSV field: raw numbers, `true`/`false`, and an empty field for a missing or not
    /// finite value.
    var csv: String {
        switch self {
        case .missing: ""
        case .number(let value): value.isFinite ? JSONWriter.format(value) : ""
        case .integer(let value): "\(value)"
        case .text(let text): text
        case .boolean(let value): value ? "true" : "false"
        }
    }
}
