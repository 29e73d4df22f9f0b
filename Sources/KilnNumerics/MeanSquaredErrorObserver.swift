/// Calibration that picks the clipping range minimizing the mean squared quantization error.
///
/// Candidates shrink the observed range by factors `k / candidateCount` (k = 1…candidateCount);
/// each is scored by quantizing and dequantizing every histogram bin centre (weighted by its
/// count) with the scheme's parameters, using ONNX rounding and saturation.
public struct MeanSquaredErrorObserver: CalibrationObserver, Sendable, Hashable {
    /// The number of clipping candidates tried.
    public let candidateCount: Int
    /// The histogram of everything observed.
    public private(set) var histogram: CalibrationHistogram

    /// Creates an observer.
    ///
    /// - Parameters:
    ///   - candidateCount: candidates tried, `1...10_000` (default 100).
    ///   - binCount: histogram bins.
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for bad counts.
    public init(candidateCount: Int = 100, binCount: Int = 2048) throws {
        guard (1...10_000).contains(candidateCount) else { throw NumericsError.invalidArgument("candidate count \(candidateCount) is outside 1...10000") }
        self.candidateCount = candidateCount
        self.histogram = try CalibrationHistogram(binCount: binCount)
    }

    /// Records a batch of values.
    public mutating func observe(_ values: [Float]) { histogram.add(values) }

    /// The range with the lowest expected squared error.
    public func range(for scheme: QuantizationScheme) throws -> (minimum: Float, maximum: Float) {
        guard histogram.total > 0 else { throw NumericsError.invalidArgument("no finite values observed") }
        if histogram.bound == 0 { return (0, 0) }
        var best = (error: Double.infinity, minimum: Float(histogram.minimum), maximum: Float(histogram.maximum))
        for k in 1...candidateCount {
            let factor = Double(k) / Double(candidateCount)
            let low = Float(histogram.minimum * factor), high = Float(histogram.maximum * factor)
            let parameters = try scheme.parameters(minimum: Swift.min(low, high), maximum: Swift.max(low, high))
            let error = expectedError(parameters: parameters, scheme: scheme)
            if error < best.error { best = (error, low, high) }
        }
        return (best.minimum, best.maximum)
    }

    /// The count-weighted mean squared error of quantizing the bin centres.
    func expectedError(parameters: QuantizationParameters, scheme: QuantizationScheme) -> Double {
        let scale = parameters.scales[0], zeroPoint = parameters.zeroPoints[0]
        var sum = 0.0
        for (index, count) in histogram.counts.enumerated() where count > 0 {
            let x = histogram.center(of: index)
            let code = LinearQuantization.quantize(Float(x), scale: scale, zeroPoint: zeroPoint,
                                                   minimumCode: Int32(scheme.minimumCode), maximumCode: Int32(scheme.maximumCode))
            let difference = Double(LinearQuantization.dequantize(code, scale: scale, zeroPoint: zeroPoint)) - x
            sum += count * difference * difference
        }
        return sum / histogram.total
    }
}
