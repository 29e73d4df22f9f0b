import Foundation

/// Accumulates how far an approximation is from a reference over many samples, so the error
/// statistics of a whole calibration set (``ErrorStatistics``) come from sums over every element
/// of every sample (the SQNR formula of ``KilnNumerics/ErrorMetrics``, summed).
public struct ErrorAccumulator: Sendable, Hashable {
    /// `Σ r²` so far.
    public private(set) var signalEnergy = 0.0
    /// `Σ (a − r)²` so far.
    public private(set) var errorEnergy = 0.0
    /// `Σ |a − r|` so far.
    public private(set) var absoluteError = 0.0
    /// `Σ |r|` so far.
    public private(set) var absoluteSignal = 0.0
    /// `max |a − r|` so far.
    public private(set) var maximumAbsoluteError = 0.0
    /// `Σ r · a` so far.
    public private(set) var crossEnergy = 0.0
    /// `Σ a²` so far.
    public private(set) var approximationEnergy = 0.0
    /// How many elements were added.
    public private(set) var count = 0

    /// Creates an empty accumulator.
    public init() {}

    /// Adds one sample's reference and approximation (same count; extra elements are ignored).
    public mutating func add(reference: [Float], approximation: [Float]) {
        for (r, a) in zip(reference, approximation) {
            let r = Double(r), a = Double(a), difference = a - r
            signalEnergy += r * r
            errorEnergy += difference * difference
            absoluteError += abs(difference)
            absoluteSignal += abs(r)
            maximumAbsoluteError = max(maximumAbsoluteError, abs(difference))
            crossEnergy += r * a
            approximationEnergy += a * a
            count += 1
        }
    }

    /// The SQNR in dB; +∞ when the error is zero.
    public var decibels: Double {
        errorEnergy == 0 ? .infinity : 10 * log10(signalEnergy / errorEnergy)
    }

    /// The statistics of everything added; NaN where a ratio has a zero denominator (no elements,
    /// an all-zero reference for the relative error, an all-zero side for the cosine).
    public var statistics: ErrorStatistics {
        let elements = Double(count)
        return ErrorStatistics(
            count: count,
            meanAbsoluteError: count == 0 ? .nan : absoluteError / elements,
            relativeError: absoluteSignal == 0 ? .nan : absoluteError / absoluteSignal,
            meanSquaredError: count == 0 ? .nan : errorEnergy / elements,
            maximumAbsoluteError: count == 0 ? .nan : maximumAbsoluteError,
            signalToQuantizationNoiseRatioDecibels: count == 0 ? .nan : decibels,
            cosineSimilarity: signalEnergy == 0 || approximationEnergy == 0
                ? .nan : crossEnergy / (signalEnergy.squareRoot() * approximationEnergy.squareRoot()))
    }
}

/// How far a quantized value is from the float model's, over all elements of all calibration samples.
public struct ErrorStatistics: Sendable, Hashable {
    /// Elements compared.
    public var count: Int
    /// `Σ|a − r| / n`, in the value's own unit.
    public var meanAbsoluteError: Double
    /// `Σ|a − r| / Σ|r|` (dimensionless).
    public var relativeError: Double
    /// `Σ(a − r)² / n`, in the value's unit squared.
    public var meanSquaredError: Double
    /// `max |a − r|`, in the value's own unit.
    public var maximumAbsoluteError: Double
    /// `10 · log10(Σr² / Σ(a − r)²)` in dB; +∞ when exact.
    public var signalToQuantizationNoiseRatioDecibels: Double
    /// `Σ r·a / (‖r‖ ‖a‖)`.
    public var cosineSimilarity: Double
}
