import Foundation
import KilnDiagnostics
import KilnJSON
import KilnReports

/// The rows of a sweep (or of one shard of it), with what is needed to merge shards: the
/// model, the base target, the parameters and the grid size.
struct SweepResult: Equatable {
    /// The `kind` written into sweep JSON, checked when merging.
    static let kind = "kiln.sweep"
    /// The version of the sweep JSON layout (`docs/schemas/sweep.schema.json`); 2 since `kind`
    /// became `kiln.sweep` and `version` became `schemaVersion`, as in every Kiln JSON output.
    static let schemaVersion: Int64 = 2

    /// One varied field and its values, as written to JSON.
    struct Axis: Equatable {
        /// The field path as given to `--vary`.
        var path: String
        /// Its values, in order.
        var values: [JSONValue]
    }

    /// The model's name.
    var model: String
    /// The base target's name.
    var target: String
    /// The varied fields.
    var axes: [Axis]
    /// The number of points of the whole grid (not just this shard).
    var gridSize: Int
    /// The shard these rows are, or nil for the whole grid or a merge.
    var shard: SweepShard?
    /// The name of the resource figure (`processingElements`, `onChipMemoryBytes`).
    var resourceName: String
    /// The unit of the resource figure for tables.
    var resourceUnit: String
    /// The rows, by grid index.
    var rows: [SweepRow]

    /// Whether the front includes accuracy: every successful row has a top-1 figure.
    var frontIncludesAccuracy: Bool {
        let succeeded = rows.filter(\.succeeded)
        return !succeeded.isEmpty && succeeded.allSatisfy { $0.top1 != nil }
    }

    /// Sets each row's `pareto` flag: on the front of the successful rows over latency, energy
    /// and the resource figure (and top-1 accuracy, maximized, when every row has it).
    mutating func markParetoFront() {
        let withAccuracy = frontIncludesAccuracy
        let dimension = withAccuracy ? 4 : 3
        let points = rows.map { $0.succeeded ? $0.objectives(withAccuracy: withAccuracy) : [Double](repeating: .nan, count: dimension) }
        let front = ParetoFront.membership(of: points)
        for index in rows.indices { rows[index].pareto = front[index] }
    }

    /// Merges shard results of one sweep into one result with the front recomputed.
    /// - Parameter shards: the results with the files they came from (for messages).
    /// - Returns: the merged result and the grid indices no shard had.
    /// - Throws: ``DiagnosticError`` if the shards are of different sweeps or share a grid point.
    static func merge(_ shards: [(result: SweepResult, file: String)]) throws(DiagnosticError) -> (result: SweepResult, missing: [Int]) {
        guard let first = shards.first else { throw DiagnosticError(.error("no sweep results to merge")) }
        var seen: [Int: String] = [:]
        var rows: [SweepRow] = []
        for (result, file) in shards {
            for (what, mine, theirs) in [("model", result.model, first.result.model), ("target", result.target, first.result.target),
                                         ("resource figure", result.resourceName, first.result.resourceName)] where mine != theirs {
                throw DiagnosticError(.error("this shard is of \(what) '\(mine)' but \(first.file) is of '\(theirs)'; merge shards of one sweep", file: file))
            }
            guard result.axes == first.result.axes, result.gridSize == first.result.gridSize else {
                throw DiagnosticError(.error("this shard varies \(result.axesText) but \(first.file) varies \(first.result.axesText); merge shards of one sweep", file: file))
            }
            for row in result.rows {
                if let other = seen[row.index] {
                    throw DiagnosticError(.error("grid point \(row.index) is also in \(other); each point must come from one shard", file: file, place: "rows"))
                }
                seen[row.index] = file
                rows.append(row)
            }
        }
        rows.sort { $0.index < $1.index }
        var merged = first.result
        merged.shard = nil
        merged.rows = rows
        merged.markParetoFront()
        let missing = (0..<merged.gridSize).filter { seen[$0] == nil }
        return (merged, missing)
    }

    /// The varied fields as `PATH=V1,V2` text.
    var axesText: String {
        axes.map { "\($0.path)=\($0.values.map(SweepParameter.text(of:)).joined(separator: ","))" }.joined(separator: " ")
    }

    // MARK: - Output

    /// The result as JSON (`docs/cli.md` documents the layout).
    func json() -> String {
        func number(_ value: Double?) -> JSONValue { value.map { $0.isFinite ? .number($0) : .null } ?? .null }
        let rowObjects = rows.map { row -> JSONValue in
            .object(JSONObject([
                ("index", .integer(Int64(row.index))),
                ("values", .object(JSONObject(zip(axes, row.values).map { ($0.path, $1) }))),
                ("latencySeconds", number(row.latencySeconds)),
                ("inferencesPerSecond", number(row.inferencesPerSecond)),
                ("energyJoules", number(row.energyJoules)),
                ("utilization", number(row.utilization)),
                ("bound", row.bound.map { .string($0) } ?? .null),
                (resourceName, number(row.resource)),
                ("top1", number(row.top1)),
                ("pareto", .bool(row.pareto)),
                ("error", row.failure.map { .string($0) } ?? .null),
            ]))
        }
        let shardValue: JSONValue = shard?.json ?? .null
        return JSONWriter().write(.object(JSONObject([
            ("kind", .string(Self.kind)),
            ("schemaVersion", .integer(Self.schemaVersion)),
            ("model", .string(model)),
            ("target", .string(target)),
            ("parameters", .array(axes.map { .object(JSONObject([("path", .string($0.path)), ("values", .array($0.values))])) })),
            ("gridSize", .integer(Int64(gridSize))),
            ("shard", shardValue),
            ("resource", .string(resourceName)),
            ("resourceUnit", .string(resourceUnit)),
            ("rows", .array(rowObjects)),
        ])))
    }

    /// A readable table: one row per point, `*` in the PARETO column for front points.
    func table() -> TextTable {
        let withAccuracy = rows.contains { $0.top1 != nil }
        var columns: [(String, TextTable.Alignment)] = [("#", .right)] + axes.map { ($0.path, TextTable.Alignment.right) }
        let latency = ColumnScale(unit: .seconds, values: rows.compactMap(\.latencySeconds))
        let throughput = ColumnScale(unit: .perSecond, values: rows.compactMap(\.inferencesPerSecond))
        let energy = ColumnScale(unit: .joules, values: rows.compactMap(\.energyJoules))
        let utilization = ColumnScale(unit: .fraction, values: [])
        let resource = ColumnScale(unit: resourceUnit == "B" ? .bytes : .count, values: rows.compactMap(\.resource))
        columns += [(latency.title("LATENCY"), .right), (throughput.title("THROUGHPUT"), .right), (energy.title("ENERGY/INF"), .right),
                    (utilization.title("UTIL"), .right), ("BOUND", .left),
                    (resource.symbol.isEmpty && !resourceUnit.isEmpty ? "\(resourceName) (\(resourceUnit))" : resource.title(resourceName), .right)]
        if withAccuracy { columns.append(("TOP-1 (%)", .right)) }
        columns += [("PARETO", .left), ("ERROR", .left)]
        var table = TextTable(columns)
        for row in rows {
            var cells = ["\(row.index)"] + row.values.map(SweepParameter.text(of:))
            cells += [latency.format(CellValue(row.latencySeconds)), throughput.format(CellValue(row.inferencesPerSecond)),
                      energy.format(CellValue(row.energyJoules)), utilization.format(CellValue(row.utilization)),
                      row.bound ?? "—", resource.format(CellValue(row.resource))]
            if withAccuracy { cells.append(utilization.format(CellValue(row.top1))) }
            cells += [row.pareto ? "*" : "", row.failure ?? ""]
            table.append(cells)
        }
        return table
    }

    /// CSV with raw numbers in base units (seconds, joules, fractions), one line per point.
    func csv() -> String {
        var table = TextTable([("index", .left)] + axes.map { ($0.path, TextTable.Alignment.left) } + [
            ("latencySeconds", .left), ("inferencesPerSecond", .left), ("energyJoules", .left), ("utilization", .left),
            ("bound", .left), (resourceName, .left), ("top1", .left), ("pareto", .left), ("error", .left),
        ])
        func number(_ value: Double?) -> String { value.map(JSONWriter.format) ?? "" }
        for row in rows {
            table.append(["\(row.index)"] + row.values.map(SweepParameter.text(of:)) + [
                number(row.latencySeconds), number(row.inferencesPerSecond), number(row.energyJoules), number(row.utilization),
                row.bound ?? "", number(row.resource), number(row.top1), row.pareto ? "true" : "false", row.failure ?? "",
            ])
        }
        return table.csv()
    }
}
