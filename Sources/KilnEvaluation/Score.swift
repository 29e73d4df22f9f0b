import Foundation
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// How well a target's outputs do: top-1 accuracy against labels, or the error against the
/// model's own reference output.
public struct Score: Sendable, Hashable {
    /// The fraction of samples whose largest output is at the label's index
    /// (``topOneCorrect`` ÷ ``scoredSamples``).
    public var topOne: Double?
    /// How many samples have their largest output at the label's index (with labels).
    public var topOneCorrect: Int?
    /// How many samples were scored against labels (with labels).
    public var scoredSamples: Int?
    /// The output's signal-to-quantization-noise ratio against the reference output of the graph
    /// every target compiles (``EvaluationData/Scoring/reference(_:)``), in dB (+∞ when exact).
    public var sqnrDecibels: Double?
    /// The output's SQNR against the float model's output when Kiln quantized a float model
    /// (``EvaluationData/floatReference``), in dB (+∞ when exact); nil otherwise.
    public var sqnrAgainstFloatDecibels: Double?
    /// The cosine similarity of the output and the reference.
    public var cosineSimilarity: Double?
    /// The sums behind ``sqnrDecibels``, one pair per sample (a sharded run merges them).
    public var sqnrEnergies: SampleEnergies?
    /// The sums behind ``sqnrAgainstFloatDecibels``, one pair per sample.
    public var floatSqnrEnergies: SampleEnergies?

    /// Top-1 accuracy of an output whose last axis holds the class scores.
    /// - Throws: ``DiagnosticError`` when there is not one label per sample.
    public static func topOne(_ output: Tensor, labels: [Int64]) throws(DiagnosticError) -> Score {
        let classes = output.shape.last ?? 0
        let samples = classes == 0 ? 0 : output.count / classes
        guard labels.count == samples else {
            throw DiagnosticError(.error("\(labels.count) labels for \(samples) samples"))
        }
        let values = output.doubles
        var correct = 0
        for sample in 0..<samples {
            let row = values[sample * classes ..< (sample + 1) * classes]
            if let best = row.indices.max(by: { row[$0] < row[$1] }), best - sample * classes == Int(labels[sample]) { correct += 1 }
        }
        return Score(topOne: samples == 0 ? 0 : Double(correct) / Double(samples), topOneCorrect: correct, scoredSamples: samples)
    }

    /// SQNR and cosine similarity of an output against the reference output, element for element.
    /// The SQNR is ``SampleEnergies/decibels`` of the per-sample sums (the first dimension is the
    /// sample), so that shards of the samples merge to the same figure.
    /// - Throws: ``DiagnosticError`` when the two have different element counts.
    public static func against(reference: Tensor, _ output: Tensor) throws(DiagnosticError) -> Score {
        let expected = reference.doubles.map { Double(Float($0)) }, actual = output.doubles.map { Double(Float($0)) }
        let metrics: ErrorMetrics
        do { metrics = try ErrorMetrics(reference: expected.map(Float.init), approximation: actual.map(Float.init)) } catch {
            throw DiagnosticError(.error("the output has \(output.count) elements, the reference \(reference.count)"))
        }
        let energies = SampleEnergies(reference: expected, output: actual, samples: reference.shape.first ?? 1)
        return Score(sqnrDecibels: energies.decibels, cosineSimilarity: metrics.cosineSimilarity, sqnrEnergies: energies)
    }
}

/// The signal energy `Σ r²` and noise energy `Σ (a − r)²` of each sample of an output against
/// its reference, in sample order: the SQNR over all samples is ``decibels``, and the samples of
/// several shards put back in order give exactly the unsharded figure.
public struct SampleEnergies: Sendable, Hashable {
    /// `Σ r²` of each sample.
    public var signal: [Double]
    /// `Σ (a − r)²` of each sample.
    public var noise: [Double]

    /// Energies given per sample.
    public init(signal: [Double], noise: [Double]) {
        self.signal = signal
        self.noise = noise
    }

    /// The per-sample sums of `reference` and `output` (same count), cut into `samples` equal
    /// runs of elements (one run when the count does not divide).
    public init(reference: [Double], output: [Double], samples: Int) {
        let runs = samples > 0 && reference.count % samples == 0 ? samples : 1
        let length = runs == 0 ? 0 : reference.count / runs
        signal = []
        noise = []
        for run in 0..<runs {
            var signalSum = 0.0, noiseSum = 0.0
            for index in run * length ..< (run + 1) * length {
                let difference = output[index] - reference[index]
                signalSum += reference[index] * reference[index]
                noiseSum += difference * difference
            }
            signal.append(signalSum)
            noise.append(noiseSum)
        }
    }

    /// `10 · log10(Σ signal / Σ noise)`, each sum taken in sample order; +∞ when the noise is 0.
    public var decibels: Double {
        let signalTotal = signal.reduce(0, +), noiseTotal = noise.reduce(0, +)
        return noiseTotal == 0 ? .infinity : 10 * log10(signalTotal / noiseTotal)
    }
}
