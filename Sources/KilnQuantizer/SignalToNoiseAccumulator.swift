import Foundation

/// Accumulates the signal and error energy of an approximation over many samples, so the
/// signal-to-quantization-noise ratio of a whole calibration set is `10 · log10(Σr² / Σ(a − r)²)`
/// (the formula of ``KilnNumerics/ErrorMetrics``, summed over every sample).
public struct SignalToNoiseAccumulator: Sendable, Hashable {
    /// `Σ r²` so far.
    public private(set) var signalEnergy = 0.0
    /// `Σ (a − r)²` so far.
    public private(set) var errorEnergy = 0.0
    /// How many elements were added.
    public private(set) var count = 0

    /// Creates an empty accumulator.
    public init() {}

    /// Adds one sample's reference and approximation (same count; extra elements are ignored).
    public mutating func add(reference: [Float], approximation: [Float]) {
        for (r, a) in zip(reference, approximation) {
            let r = Double(r), difference = Double(a) - r
            signalEnergy += r * r
            errorEnergy += difference * difference
            count += 1
        }
    }

    /// The SQNR in dB; +∞ when the error is zero.
    public var decibels: Double {
        errorEnergy == 0 ? .infinity : 10 * log10(signalEnergy / errorEnergy)
    }
}
