import Foundation

/// A map from data values to positions along a chart axis, linear or logarithmic, with the
/// values to mark as ticks.
public struct AxisScale: Sendable, Hashable {
    /// How values map to positions.
    public enum Kind: String, Sendable, Hashable {
        /// Equal differences are equal distances.
        case linear
        /// Equal ratios are equal distances (base 10); the domain is positive.
        case logarithmic
    }

    /// How values map to positions.
    public let kind: Kind
    /// The smallest value on the axis.
    public let lower: Double
    /// The largest value on the axis (greater than ``lower``).
    public let upper: Double

    /// The ratio of largest to smallest value at or above which ``fitting(_:preferLogarithmic:includeZero:)``
    /// chooses a logarithmic axis: two decades.
    public static let logarithmicRatio = 100.0

    /// Creates a scale; a degenerate or invalid domain is widened so positions stay finite.
    public init(kind: Kind, lower: Double, upper: Double) {
        var low = lower.isFinite ? lower : 0
        var high = upper.isFinite ? upper : 1
        if kind == .logarithmic {
            if !(low > 0) { low = high > 0 ? high / 10 : 1 }
            if !(high > low) { high = low * 10 }
        } else if !(high > low) {
            high = low + (low == 0 ? 1 : abs(low))
        }
        self.kind = kind
        self.lower = low
        self.upper = high
    }

    /// A scale that shows every finite value in `values` (positive values only, for a log scale).
    ///
    /// The scale is logarithmic when `preferLogarithmic` and the positive values span at least
    /// ``logarithmicRatio``, with the domain widened to whole decades; otherwise linear, from 0
    /// (when `includeZero`) or the smallest value, to a rounded-up largest value.
    public static func fitting(_ values: [Double], preferLogarithmic: Bool, includeZero: Bool) -> AxisScale {
        let finite = values.filter(\.isFinite)
        let positive = finite.filter { $0 > 0 }
        if preferLogarithmic, let low = positive.min(), let high = positive.max(), high / low >= logarithmicRatio {
            return AxisScale(kind: .logarithmic, lower: pow(10, floor(log10(low))), upper: pow(10, ceil(log10(high))))
        }
        let high = finite.max() ?? 1
        let low = includeZero ? min(0, finite.min() ?? 0) : (finite.min() ?? 0)
        if includeZero {
            return AxisScale(kind: .linear, lower: low, upper: niceCeiling(high > low ? high : low + 1))
        }
        let span = high - low
        let padding = span > 0 ? span * 0.08 : max(abs(high) * 0.05, 1e-9)
        return AxisScale(kind: .linear, lower: low - padding, upper: high + padding)
    }

    /// The position of `value` between `start` (at ``lower``) and `end` (at ``upper``); values
    /// outside the domain are clamped to it, and a value that is not finite (or not positive on
    /// a log scale) maps to `start`.
    public func position(of value: Double, from start: Double, to end: Double) -> Double {
        let fraction: Double
        switch kind {
        case .linear:
            guard value.isFinite else { return start }
            fraction = (min(max(value, lower), upper) - lower) / (upper - lower)
        case .logarithmic:
            guard value.isFinite, value > 0 else { return start }
            fraction = (log10(min(max(value, lower), upper)) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return start + fraction * (end - start)
    }

    /// The tick values: whole powers of ten on a log scale (every second or third one when
    /// there are many), round steps of 1, 2 or 5 × 10ⁿ on a linear scale; about five to ten ticks.
    public var ticks: [Double] {
        switch kind {
        case .logarithmic:
            let first = Int(ceil(log10(lower) - 1e-9))
            let last = Int(floor(log10(upper) + 1e-9))
            guard first <= last else { return [lower, upper] }
            let stride = max(1, (last - first) / 8 + 1)
            return Swift.stride(from: first, through: last, by: stride).map { pow(10, Double($0)) }
        case .linear:
            let step = Self.niceStep((upper - lower) / 5)
            var values: [Double] = []
            var tick = ceil(lower / step - 1e-9) * step
            while tick <= upper + step * 1e-9 && values.count < 50 {
                values.append(abs(tick) < step * 1e-9 ? 0 : tick)
                tick += step
            }
            return values
        }
    }

    /// The smallest of 1, 2, 5 × 10ⁿ at least `rough` (for tick steps).
    static func niceStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    /// `value` rounded up to 1, 2, 2.5, 5 or 10 × 10ⁿ (for the end of a linear axis).
    static func niceCeiling(_ value: Double) -> Double {
        guard value.isFinite, value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value * (1 - 1e-12) {
            return factor * magnitude
        }
        return 10 * magnitude
    }
}
