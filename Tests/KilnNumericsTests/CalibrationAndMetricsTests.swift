import Testing
import KilnNumerics

/// Deterministic standard-normal samples (Box–Muller on SplitMix64).
private func gaussian(count: Int, seed: UInt64) -> [Float] {
    var generator = SplitMix64(state: seed)
    return (0..<count).map { _ in
        let u = Double.random(in: Double.ulpOfOne..<1, using: &generator), v = Double.random(in: 0..<1, using: &generator)
        return Float((-2 * Double.log(u)).squareRoot() * Double.cos(2 * .pi * v))
    }
}

private extension Double {
    /// Natural logarithm (exponent plus an atanh series), so the test needs no libm import.
    static func log(_ x: Double) -> Double {
        let m = x.significand, e = Double(x.exponent)
        let y = (m - 1) / (m + 1), y2 = y * y
        var term = y, sum = 0.0
        for k in stride(from: 1, through: 41, by: 2) { sum += term / Double(k); term *= y2 }
        return 2 * sum + e * 0.6931471805599453
    }
    static func cos(_ x: Double) -> Double {
        let r = x.truncatingRemainder(dividingBy: 2 * .pi)
        var term = 1.0, sum = 1.0
        for k in 1...30 { term *= -r * r / Double((2 * k - 1) * (2 * k)); sum += term }
        return sum
    }
}

@Suite("Calibration observers, schemes, error metrics, pruning")
struct CalibrationAndMetricsTests {
    @Test func schemesProduceExpectedParameters() throws {
        let asymmetric = try QuantizationScheme(bits: 8, signed: false, symmetric: false)
        let parameters = try asymmetric.parameters(minimum: -1, maximum: 3)
        #expect(parameters.scales == [Float(4.0 / 255)])
        #expect(parameters.zeroPoints == [64])  // 0 − (−1)/(4/255) = 63.75 → 64
        let symmetric = try QuantizationScheme(bits: 8, signed: true, symmetric: true, narrowRange: true)
        #expect(try symmetric.parameters(minimum: -2, maximum: 1.27) == QuantizationParameters(scale: 2.0 / 127, zeroPoint: 0))
        #expect(symmetric.minimumCode == -127)
        let unsignedSymmetric = try QuantizationScheme(bits: 8, signed: false, symmetric: true)
        #expect(try unsignedSymmetric.parameters(minimum: -1, maximum: 1).zeroPoints == [128])
        #expect(try asymmetric.parameters(minimum: 0, maximum: 0).scales == [1])
        #expect(try asymmetric.parameters(minimum: 2, maximum: 5).zeroPoints == [0])  // range widened to include 0
        #expect(throws: NumericsError.self) { try asymmetric.parameters(minimum: .nan, maximum: 1) }
        #expect(throws: NumericsError.self) { try QuantizationScheme(bits: 1, signed: true, symmetric: true) }
    }

    @Test func minMaxAndPercentileObservers() throws {
        var minMax = MinMaxObserver()
        #expect(throws: NumericsError.self) { try minMax.range(for: QuantizationScheme(bits: 8, signed: true, symmetric: true)) }
        minMax.observe([0.5, -2, .nan, .infinity])
        minMax.observe([3])
        let scheme = try QuantizationScheme(bits: 8, signed: true, symmetric: false)
        #expect(try minMax.range(for: scheme) == (-2, 3))

        // Uniform 0…999 plus one outlier: the 99th percentile clips the outlier.
        var percentile = try PercentileObserver(percentile: 99)
        percentile.observe((0..<1000).map(Float.init))
        percentile.observe([100_000])
        let (low, high) = try percentile.range(for: scheme)
        let width = Float(percentile.histogram.binWidth)
        #expect(abs(high - 990) <= 2 * width)
        #expect(low >= 0 && low <= 10 + 2 * width)
        let symmetricRange = try percentile.range(for: QuantizationScheme(bits: 8, signed: true, symmetric: true))
        #expect(symmetricRange.minimum == -symmetricRange.maximum)
        #expect(symmetricRange.maximum < 1100)
    }

    @Test func histogramGrowsWithoutLosingCounts() throws {
        var histogram = try CalibrationHistogram(binCount: 16)
        histogram.add([0, 0, 1, -1])
        histogram.add([7.5, -30])
        #expect(histogram.total == 6)
        #expect(histogram.bound >= 30)
        #expect(histogram.minimum == -30 && histogram.maximum == 7.5)
    }

    @Test func mseAndEntropyClipGaussianTails() throws {
        let samples = gaussian(count: 20_000, seed: 3) + [40, -40]  // two far outliers
        let scheme = try QuantizationScheme(bits: 4, signed: true, symmetric: true)
        var mse = try MeanSquaredErrorObserver()
        mse.observe(samples)
        let mseRange = try mse.range(for: scheme)
        // For 4-bit symmetric Gaussian data the MSE-optimal clip is around 2.5σ–3σ, far below the outliers.
        #expect(mseRange.maximum > 1.5 && mseRange.maximum < 5)
        var entropy = try EntropyObserver()
        entropy.observe(samples)
        let entropyRange = try entropy.range(for: QuantizationScheme(bits: 8, signed: true, symmetric: true))
        #expect(entropyRange.minimum == -entropyRange.maximum)
        #expect(entropyRange.maximum > 2 && entropyRange.maximum < 10)
        // The clipped parameters beat min/max on MSE.
        var minMax = MinMaxObserver()
        minMax.observe(samples)
        func error(_ parameters: QuantizationParameters) throws -> Double {
            let codes = try LinearQuantization.quantize(samples, shape: [samples.count], parameters: parameters, to: scheme.elementType)
            let back = try LinearQuantization.dequantize(codes, shape: [samples.count], parameters: parameters, from: scheme.elementType)
            return try ErrorMetrics(reference: samples, approximation: back).meanSquaredError
        }
        #expect(try error(mse.parameters(for: scheme)) < error(minMax.parameters(for: scheme)))
    }

    @Test func metricsOnKnownValues() throws {
        let metrics = try ErrorMetrics(reference: [1, 2, 3, 4], approximation: [1, 2, 3, 6])
        #expect(metrics.meanSquaredError == 1)
        #expect(metrics.maximumAbsoluteError == 2)
        #expect(abs(metrics.signalToQuantizationNoiseRatio - 8.750612633917001) < 1e-12)  // 10·log10(30/4)
        #expect(abs(metrics.cosineSimilarity - 38 / (30.0.squareRoot() * 50.0.squareRoot())) < 1e-12)
        let perfect = try ErrorMetrics(reference: [1, -1], approximation: [1, -1])
        #expect(perfect.signalToQuantizationNoiseRatio == .infinity && perfect.cosineSimilarity == 1)
        #expect(try ErrorMetrics(reference: [1, 0], approximation: [-1, 0]).cosineSimilarity == -1)
        #expect(try ErrorMetrics(reference: [0, 0], approximation: [0, 0]).cosineSimilarity == 1)
        #expect(throws: NumericsError.self) { try ErrorMetrics(reference: [1], approximation: []) }
    }

    @Test func pruningReachesRequestedSparsity() throws {
        let weights: [Float] = [0.1, -5, 0.3, -0.2, 4, 0, 2, -1]
        let half = try MagnitudePruning.unstructured(weights, sparsity: 0.5)
        #expect(half.values == [0, -5, 0, 0, 4, 0, 2, -1])
        #expect(half.sparsity == 0.5)
        #expect(try MagnitudePruning.unstructured(weights, sparsity: 0).sparsity == 0.125)  // the existing zero counts
        #expect(try MagnitudePruning.unstructured(weights, sparsity: 1).sparsity == 1)
        // 4 output channels × 2 inputs; prune the 2 channels with the smallest L2 norm.
        let structured = try MagnitudePruning.structured(weights, shape: [4, 2], axis: 0, sparsity: 0.5)
        // Channel norms² are 25.01, 0.13, 16 and 5: channels 1 and 3 go.
        #expect(structured.values == [0.1, -5, 0, 0, 4, 0, 0, 0])
        #expect(structured.mask == [true, true, false, false, true, true, false, false])
        #expect(structured.sparsity == 0.625)
        let columns = try MagnitudePruning.structured(weights, shape: [4, 2], axis: -1, sparsity: 0.5)
        #expect(columns.values == [0, -5, 0, -0.2, 0, 0, 0, -1])
        #expect(throws: NumericsError.self) { try MagnitudePruning.unstructured(weights, sparsity: 1.5) }
        #expect(throws: NumericsError.self) { try MagnitudePruning.structured(weights, shape: [3, 2], axis: 0, sparsity: 0.5) }
    }
}
