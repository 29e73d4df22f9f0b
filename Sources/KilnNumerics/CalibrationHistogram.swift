/// A histogram of observed values over a symmetric range `[−bound, bound]` that grows by
/// doubling (merging neighbouring bins) when a larger magnitude arrives, so observation can stream.
///
/// Non-finite values are not binned; they are counted in ``ignoredCount``.
public struct CalibrationHistogram: Sendable, Hashable {
    /// The number of bins over `[−bound, bound]` (a multiple of 4).
    public let binCount: Int
    /// The half-width of the covered range; 0 until a non-zero value is seen.
    public private(set) var bound: Double = 0
    /// The counts per bin, from `−bound` upward.
    public private(set) var counts: [Double]
    /// The smallest finite value seen (+∞ if none).
    public private(set) var minimum = Double.infinity
    /// The largest finite value seen (−∞ if none).
    public private(set) var maximum = -Double.infinity
    /// The number of NaN or infinite values skipped.
    public private(set) var ignoredCount = 0
    private var pendingZeros = 0.0

    /// Creates an empty histogram.
    ///
    /// - Parameter binCount: bins over the symmetric range, a multiple of 4 (default 4096, i.e.
    ///   2048 bins per sign as TensorRT's entropy calibration uses).
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a bad bin count.
    public init(binCount: Int = 4096) throws {
        guard binCount >= 8, binCount % 4 == 0 else { throw NumericsError.invalidArgument("bin count \(binCount) must be a multiple of 4, at least 8") }
        self.binCount = binCount
        self.counts = [Double](repeating: 0, count: binCount)
    }

    /// The total number of binned values.
    public var total: Double { counts.reduce(0, +) + pendingZeros }

    /// The width of one bin.
    public var binWidth: Double { 2 * bound / Double(binCount) }

    /// Adds values to the histogram.
    public mutating func add(_ values: [Float]) {
        for value in values {
            guard value.isFinite else { ignoredCount += 1; continue }
            let x = Double(value)
            minimum = Swift.min(minimum, x)
            maximum = Swift.max(maximum, x)
            if bound == 0 {
                if x == 0 { pendingZeros += 1; continue }
                bound = abs(x)
                counts[binCount / 2] += pendingZeros
                pendingZeros = 0
            }
            while abs(x) > bound { grow() }
            counts[bin(of: x)] += 1
        }
    }

    /// The bin index of `x` (clamped to the histogram).
    func bin(of x: Double) -> Int {
        let position = (x + bound) / (2 * bound) * Double(binCount)
        return Swift.min(Swift.max(Int(position.rounded(.down)), 0), binCount - 1)
    }

    /// The centre of bin `index`.
    public func center(of index: Int) -> Double { -bound + (Double(index) + 0.5) * binWidth }

    /// The histogram of |x|: `binCount / 2` bins over `[0, bound]`.
    public var magnitudeCounts: [Double] {
        let half = binCount / 2
        return (0..<half).map { counts[half + $0] + counts[half - 1 - $0] }
    }

    private mutating func grow() {
        var merged = [Double](repeating: 0, count: binCount)
        for index in 0..<binCount { merged[binCount / 4 + index / 2] += counts[index] }
        counts = merged
        bound *= 2
    }
}
