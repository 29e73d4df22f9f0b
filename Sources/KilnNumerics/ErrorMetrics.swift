#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#endif

/// Error metrics of an approximation (e.g. a dequantized result) against a reference, in Double.
public struct ErrorMetrics: Sendable, Hashable {
    /// Mean squared error `Σ (a − r)² / n` (0 for empty inputs).
    public let meanSquaredError: Double
    /// Signal-to-quantization-noise ratio `10 · log10(Σ r² / Σ (a − r)²)` in dB; +∞ when the error is zero.
    public let signalToQuantizationNoiseRatio: Double
    /// The largest `|a − r|`.
    public let maximumAbsoluteError: Double
    /// `Σ a·r / (‖a‖ ‖r‖)`; 1 when both are all zero, 0 when exactly one is.
    public let cosineSimilarity: Double

    /// Computes all metrics.
    ///
    /// - Parameters:
    ///   - reference: the exact values.
    ///   - approximation: the values to judge, same count.
    /// - Throws: ``NumericsError/sizeMismatch(expected:actual:)`` for different counts.
    public init(reference: [Float], approximation: [Float]) throws {
        guard reference.count == approximation.count else {
            throw NumericsError.sizeMismatch(expected: reference.count, actual: approximation.count)
        }
        var errorEnergy = 0.0, signalEnergy = 0.0, approximationEnergy = 0.0, dot = 0.0, maximum = 0.0
        for (r, a) in zip(reference, approximation) {
            let r = Double(r), a = Double(a), difference = a - r
            errorEnergy += difference * difference
            signalEnergy += r * r
            approximationEnergy += a * a
            dot += a * r
            maximum = Swift.max(maximum, abs(difference))
        }
        meanSquaredError = reference.isEmpty ? 0 : errorEnergy / Double(reference.count)
        signalToQuantizationNoiseRatio = errorEnergy == 0 ? .infinity : 10 * log10(signalEnergy / errorEnergy)
        maximumAbsoluteError = maximum
        if signalEnergy == 0 && approximationEnergy == 0 {
            cosineSimilarity = 1
        } else if signalEnergy == 0 || approximationEnergy == 0 {
            cosineSimilarity = 0
        } else {
            cosineSimilarity = dot / (signalEnergy * approximationEnergy).squareRoot()
        }
    }
}
