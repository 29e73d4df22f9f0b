/// Calibration that clips outliers at a percentile of the observed distribution (histogram based).
///
/// Asymmetric schemes take the `(100 − p)`-th and `p`-th percentiles of the values; symmetric
/// schemes take the `p`-th percentile of |x|. Percentiles are read at bin upper edges, so they
/// are accurate to one bin width.
public struct PercentileObserver: CalibrationObserver, Sendable, Hashable {
    /// The percentile, in `(0, 100]`.
    public let percentile: Double
    /// The histogram of everything observed.
    public private(set) var histogram: CalibrationHistogram

    /// Creates an observer.
    ///
    /// - Parameters:
    ///   - percentile: in `(0, 100]`, e.g. 99.99.
    ///   - binCount: histogram bins (see ``CalibrationHistogram/init(binCount:)``).
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a bad percentile or bin count.
    public init(percentile: Double, binCount: Int = 4096) throws {
        guard percentile > 0, percentile <= 100 else { throw NumericsError.invalidArgument("percentile \(percentile) is outside (0, 100]") }
        self.percentile = percentile
        self.histogram = try CalibrationHistogram(binCount: binCount)
    }

    /// Records a batch of values.
    public mutating func observe(_ values: [Float]) { histogram.add(values) }

    /// The clipped range.
    public func range(for scheme: QuantizationScheme) throws -> (minimum: Float, maximum: Float) {
        let total = histogram.total
        guard total > 0 else { throw NumericsError.invalidArgument("no finite values observed") }
        if histogram.bound == 0 { return (0, 0) }
        let width = histogram.binWidth
        if scheme.symmetric {
            let magnitudes = histogram.magnitudeCounts
            let edge = Double(Self.index(reaching: percentile / 100 * total, in: magnitudes) + 1) * width
            let clipped = Float(Swift.min(edge, Swift.max(abs(histogram.minimum), abs(histogram.maximum))))
            return (-clipped, clipped)
        }
        let upper = -histogram.bound + Double(Self.index(reaching: percentile / 100 * total, in: histogram.counts) + 1) * width
        let lowerIndex = Self.index(reaching: (1 - percentile / 100) * total, in: histogram.counts)
        let lower = -histogram.bound + Double(lowerIndex) * width
        return (Float(Swift.max(lower, histogram.minimum)), Float(Swift.min(upper, histogram.maximum)))
    }

    /// The first bin at which the cumulative count reaches `target`.
    static func index(reaching target: Double, in counts: [Double]) -> Int {
        var cumulative = 0.0
        for (index, count) in counts.enumerated() {
            cumulative += count
            if cumulative >= target && count > 0 || cumulative > target { return index }
        }
        return counts.count - 1
    }
}
