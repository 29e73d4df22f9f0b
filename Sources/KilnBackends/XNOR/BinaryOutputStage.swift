import KilnIR

/// What a binary (XNOR-popcount) kernel does with each corrected dot product: write it as an
/// int32, compare it with zero (`sign`), or count the integer thresholds it reaches
/// (`multiThreshold`, FINN's BN+sign folded to thresholds) — on the target's threshold units.
enum BinaryOutputStage: Sendable, Hashable {
    /// The int32 dot product (plus bias) is the output.
    case accumulator
    /// `dot ≥ 0 → +1`, else −1 (a fused `sign` on the unquantized int32 result).
    case sign
    /// `offset + #{t ∈ thresholds[row] : dot ≥ t}`, with the thresholds already integers.
    case threshold(IntegerThresholds)

    /// Per-channel integer thresholds: `rows` rows (1 = shared by every channel) of `perRow`
    /// ascending thresholds, and the offset added to the count.
    struct IntegerThresholds: Sendable, Hashable {
        /// Row-major `[rows, perRow]`.
        var values: [Int64]
        var rows: Int
        var perRow: Int
        var offset: Int64

        /// Converts a `multiThreshold` table compared as `x ≥ t` on integer x into integer
        /// thresholds: `x ≥ t ⟺ x ≥ ⌈t⌉`; NaN and +∞ are never reached, −∞ always is.
        init(table: [Double], rows: Int, perRow: Int, offset: Int) {
            values = table.map { t in
                if t.isNaN || t >= 9.2e18 { return Int64.max }
                if t <= -9.2e18 { return Int64.min }
                return Int64(t.rounded(.up))
            }
            self.rows = rows
            self.perRow = perRow
            self.offset = Int64(offset)
        }
    }

    /// The output code for `value` of output channel `channel`.
    @inline(__always)
    func apply(_ value: Int32, channel: Int) -> Int32 {
        switch self {
        case .accumulator: return value
        case .sign: return value >= 0 ? 1 : -1
        case .threshold(let thresholds):
            let row = thresholds.rows == 1 ? 0 : channel
            let x = Int64(value)
            var count: Int64 = 0
            let base = row * thresholds.perRow
            for t in 0..<thresholds.perRow where x >= thresholds.values[base + t] { count += 1 }
            return Int32(truncatingIfNeeded: thresholds.offset + count)
        }
    }

    /// Threshold-unit comparisons per output element.
    var comparisonsPerOutput: Int {
        switch self {
        case .accumulator: 0
        case .sign: 1
        case .threshold(let thresholds): thresholds.perRow
        }
    }

    /// How the listing describes the stage.
    var summary: String {
        switch self {
        case .accumulator: "write the int32 dot product"
        case .sign: "threshold unit: dot ≥ 0 → +1 else −1"
        case .threshold(let thresholds):
            "threshold unit: \(thresholds.offset) + #{t : dot ≥ t}, \(thresholds.perRow) integer threshold(s) × \(thresholds.rows) row(s)"
        }
    }
}
