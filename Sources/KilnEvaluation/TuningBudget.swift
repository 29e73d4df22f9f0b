import KilnCompiler
import KilnDiagnostics

/// The cost a tuned model must stay within on its target: one metric of the target's cost
/// model and its limit, absolute or as a fraction of the widest configuration's cost.
public struct TuningBudget: Sendable, Hashable {
    /// The metric the budget bounds.
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        /// Seconds per inference (``KilnCompiler/ProgramCost/latencySeconds``).
        case latency
        /// Joules per inference (``KilnCompiler/EnergyBreakdown/total``).
        case energy
        /// Bytes: the program's weights plus its activation arena's peak.
        case memory

        /// The unit of the metric's values.
        public var unit: String {
            switch self {
            case .latency: "s"
            case .energy: "J"
            case .memory: "B"
            }
        }
    }

    /// The limit of a budget.
    public enum Limit: Sendable, Hashable {
        /// At most this value, in the metric's unit.
        case absolute(Double)
        /// At most this fraction of the cost of every layer at the target's widest formats.
        case fractionOfWidest(Double)
    }

    /// The bounded metric.
    public var metric: Metric
    /// Its limit.
    public var limit: Limit

    /// Creates a budget.
    public init(metric: Metric, limit: Limit) {
        self.metric = metric
        self.limit = limit
    }

    /// Parses `METRIC=VALUE`: `latency=2ms`, `latency=50%` (of the widest configuration),
    /// `energy=3uJ`, `memory=64KiB`. Latency takes s, ms, us, ns; energy J, mJ, uJ, nJ;
    /// memory B, KB, KiB, MB, MiB; a bare number is in the base unit.
    /// - Throws: ``DiagnosticError`` naming the text when it does not parse or is not positive.
    public init(parsing text: String) throws(DiagnosticError) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, let metric = Metric(rawValue: parts[0]) else {
            throw DiagnosticError(.error("budget '\(text)' must be latency=…, energy=… or memory=… (e.g. latency=2ms or latency=50%)"))
        }
        let value = parts[1]
        if value.hasSuffix("%") {
            guard let percent = Double(value.dropLast()), percent > 0, percent.isFinite else {
                throw DiagnosticError(.error("budget '\(text)': '\(value)' is not a positive percentage"))
            }
            self.init(metric: metric, limit: .fractionOfWidest(percent / 100))
            return
        }
        let units: [(String, Double)] = switch metric {
        case .latency: [("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1)]
        case .energy: [("nJ", 1e-9), ("uJ", 1e-6), ("mJ", 1e-3), ("J", 1)]
        case .memory: [("KiB", 1024), ("MiB", 1_048_576), ("KB", 1000), ("MB", 1_000_000), ("B", 1)]
        }
        let (number, factor) = units.first { value.hasSuffix($0.0) }.map { (String(value.dropLast($0.0.count)), $0.1) } ?? (value, 1)
        guard let amount = Double(number), amount > 0, amount.isFinite else {
            throw DiagnosticError(.error("budget '\(text)': '\(value)' is not a positive \(metric.rawValue) (units: \(units.map(\.0).joined(separator: ", ")), or a percentage)"))
        }
        self.init(metric: metric, limit: .absolute(amount * factor))
    }

    /// The metric's value for a compiled program and its cost.
    public func value(of program: TargetProgram, cost: ProgramCost) -> Double {
        switch metric {
        case .latency: cost.latencySeconds
        case .energy: cost.energy.total
        case .memory: Double(program.weightBytes + program.peakActivationBytes)
        }
    }

    /// The absolute limit, given the widest configuration's value of the metric.
    public func absoluteLimit(widest: Double) -> Double {
        switch limit {
        case .absolute(let value): value
        case .fractionOfWidest(let fraction): widest * fraction
        }
    }
}
