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
    /// - Throws: ``DiagnosticError`` when the two have different element counts.
    public static func against(reference: Tensor, _ output: Tensor) throws(DiagnosticError) -> Score {
        do {
            let metrics = try ErrorMetrics(reference: reference.doubles.map(Float.init), approximation: output.doubles.map(Float.init))
            return Score(sqnrDecibels: metrics.signalToQuantizationNoiseRatio, cosineSimilarity: metrics.cosineSimilarity)
        } catch {
            throw DiagnosticError(.error("the output has \(output.count) elements, the reference \(reference.count)"))
        }
    }
}
