#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// TensorRT-style entropy calibration: the symmetric threshold that minimizes the KL divergence
/// between the clipped distribution of |x| and its quantized version.
///
/// With a histogram of |x| in `B` bins (2048 by default) and `L = 2^(bits−1)` levels, for each
/// `i` in `L...B`: P is the first `i` bins with the mass of all later bins added to bin `i − 1`;
/// Q merges the first `i` bins into `L` groups and spreads each group's mass evenly over its
/// non-empty bins; both are normalized and `KL(P ‖ Q)` computed (infinite if Q is 0 where P is
/// not). The threshold is the upper edge `i · binWidth` of the best `i`; the range is `±threshold`.
public struct EntropyObserver: CalibrationObserver, Sendable, Hashable {
    /// The histogram of everything observed.
    public private(set) var histogram: CalibrationHistogram

    /// Creates an observer.
    ///
    /// - Parameter binCount: bins over `[−bound, bound]` (default 4096, i.e. 2048 for |x|).
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a bad bin count.
    public init(binCount: Int = 4096) throws {
        histogram = try CalibrationHistogram(binCount: binCount)
    }

    /// Records a batch of values.
    public mutating func observe(_ values: [Float]) { histogram.add(values) }

    /// `±threshold` minimizing the KL divergence (always symmetric).
    public func range(for scheme: QuantizationScheme) throws -> (minimum: Float, maximum: Float) {
        guard histogram.total > 0 else { throw NumericsError.invalidArgument("no finite values observed") }
        if histogram.bound == 0 { return (0, 0) }
        let magnitudes = histogram.magnitudeCounts
        let levels = 1 << (scheme.bits - 1)
        guard levels < magnitudes.count else {
            let bound = Float(histogram.bound)
            return (-bound, bound)
        }
        var bestIndex = magnitudes.count, bestDivergence = Double.infinity
        for i in levels...magnitudes.count {
            let divergence = Self.divergence(magnitudes, clippedAt: i, levels: levels)
            if divergence < bestDivergence { bestDivergence = divergence; bestIndex = i }
        }
        let threshold = Float(Double(bestIndex) * histogram.binWidth)
        return (-threshold, threshold)
    }

    /// KL(P ‖ Q) for the candidate that clips after `count` bins.
    static func divergence(_ bins: [Double], clippedAt count: Int, levels: Int) -> Double {
        var reference = Array(bins[0..<count])
        reference[count - 1] += bins[count...].reduce(0, +)
        var candidate = [Double](repeating: 0, count: count)
        for level in 0..<levels {
            let start = level * count / levels, end = (level + 1) * count / levels
            guard start < end else { continue }
            let nonEmpty = bins[start..<end].filter { $0 > 0 }
            guard !nonEmpty.isEmpty else { continue }
            let share = nonEmpty.reduce(0, +) / Double(nonEmpty.count)
            for index in start..<end where bins[index] > 0 { candidate[index] = share }
        }
        let referenceTotal = reference.reduce(0, +), candidateTotal = candidate.reduce(0, +)
        guard referenceTotal > 0, candidateTotal > 0 else { return .infinity }
        var divergence = 0.0
        for index in 0..<count where reference[index] > 0 {
            let p = reference[index] / referenceTotal, q = candidate[index] / candidateTotal
            if q == 0 { return .infinity }
            divergence += p * log(p / q)
        }
        return divergence
    }
}
