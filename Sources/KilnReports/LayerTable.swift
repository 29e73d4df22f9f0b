import KilnCompiler
import KilnTargets

/// The per-layer figures of one program's estimate, like the per-layer report of Arm's Vela:
/// one row per program step with its multiply-accumulates, cycles split by cause, time, share
/// of the time, bound, energy, and the bytes it reads and writes at each memory level of the
/// target (and over the host link).
///
/// ``keys`` name the columns in SI base units (`seconds`, `energyJoules`, `readBytes[sram]`);
/// `kiln simulate --format csv` prints them as CSV and the HTML comparison report as a table.
public struct LayerTable: Sendable {
    /// One cell: a number in the column's base unit, or text.
    public enum Value: Sendable, Hashable {
        /// A number (cycles, seconds, joules, bytes, a fraction).
        case number(Double)
        /// Text (a name, a placement, a bound).
        case text(String)
    }

    /// The memory levels whose traffic has columns, in the target's order.
    public let levels: [String]
    /// The column keys, in order.
    public let keys: [String]
    /// One row per program step, one value per key.
    public let rows: [[Value]]

    /// The table of a program's cost on `target`.
    public init(cost: ProgramCost, target: TargetDescription) {
        let levels = target.memory.map(\.name)
        self.levels = levels
        keys = ["index", "layer", "kernel", "placement", "multiplyAccumulates", "operations", "computeCycles", "memoryStallCycles",
                "overheadCycles", "cycles", "seconds", "timeShare", "bound", "energyJoules"]
            + levels.flatMap { ["readBytes[\($0)]", "writtenBytes[\($0)]"] } + ["hostLinkBytes"]
        let total = cost.steps.reduce(0) { $0 + $1.seconds }
        rows = cost.steps.enumerated().map { index, step in
            var row: [Value] = [
                .number(Double(index)), .text(step.layer), .text(step.kernel), .text(step.resource.rawValue),
                .number(Double(step.counts.totalMultiplyAccumulates)), .number(step.counts.operations),
                .number(step.cost.computeCycles), .number(step.cost.memoryStallCycles), .number(step.cost.overheadCycles),
                .number(step.cost.totalCycles), .number(step.seconds), .number(total > 0 ? step.seconds / total : 0),
                .text(step.cost.bound.rawValue), .number(step.energy.total),
            ]
            for level in levels {
                row.append(.number(Double(step.counts.bytesRead[level] ?? 0)))
                row.append(.number(Double(step.counts.bytesWritten[level] ?? 0)))
            }
            row.append(.number(Double(step.counts.hostLinkBytes)))
            return row
        }
    }

    /// The table for people: times and energies with SI prefixes, shares in %, bytes as counts.
    public func htmlTable() -> HTMLTable {
        let titles = keys.map { key -> String in
            switch key {
            case "seconds": "time"
            case "timeShare": "share"
            case "energyJoules": "energy"
            case "multiplyAccumulates": "MACs"
            default: key
            }
        }
        let cells = rows.map { row in
            zip(keys, row).map { key, value -> String in
                switch value {
                case .text(let text): return text
                case .number(let number):
                    switch key {
                    case "seconds": return QuantityFormat.engineering(number, unit: "s")
                    case "energyJoules": return QuantityFormat.engineering(number, unit: "J")
                    case "timeShare": return QuantityFormat.percent(number)
                    default: return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : QuantityFormat.engineering(number)
                    }
                }
            }
        }
        return HTMLTable(titles: titles, rows: cells)
    }

    /// The table as HTML (``htmlTable()``).
    public func html() -> String { htmlTable().html() }
}
