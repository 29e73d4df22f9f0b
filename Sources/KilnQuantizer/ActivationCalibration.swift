import KilnDiagnostics
import KilnInterpreter
import KilnIR
import KilnNumerics

/// Calibrated quantization parameters of every float value of a graph, from running the float
/// graph with the reference interpreter on calibration samples.
public struct ActivationCalibration: Sendable {
    /// The parameters of each float value (graph inputs and node outputs) that took a finite value.
    public let parameters: [String: QuantizationParameters]

    /// Runs `graph` on every sample and observes every float value it computes.
    ///
    /// The range a ``CalibrationMethod`` proposes is intersected with the observed minimum and
    /// maximum, so a value that is never negative (a relu output) keeps a lower bound of 0 even
    /// with methods that propose symmetric ranges (entropy).
    /// - Parameters:
    ///   - graph: the float graph.
    ///   - samples: the calibration feeds.
    ///   - method: how ranges are chosen.
    ///   - scheme: the activation codes' scheme.
    /// - Throws: ``DiagnosticError`` if the interpreter fails on a sample.
    public init(graph: Graph, samples: CalibrationSamples, method: CalibrationMethod,
                scheme: QuantizationScheme) throws(DiagnosticError) {
        let interpreter = try ReferenceInterpreter(graph: graph)
        let observed = graph.inputs + graph.nodes.flatMap(\.outputs)
        let floatValues = observed.filter { graph.types[$0]?.elementType == .float32 }
        var observers = [String: any CalibrationObserver]()
        var extremes = [String: MinMaxObserver]()
        for name in floatValues {
            observers[name] = method.makeObserver()
            extremes[name] = MinMaxObserver()
        }
        let chunkSize = max(1, ParallelSamples.activeProcessorCount * 4)
        var start = 0
        while start < samples.count {
            let chunk = Array(samples.feeds[start ..< min(start + chunkSize, samples.count)])
            let results = try ParallelSamples.map(chunk.count) { index throws(DiagnosticError) -> [String: Tensor] in
                try interpreter.runKeepingIntermediates(chunk[index])
            }
            for values in results {
                for name in floatValues {
                    guard let floats = values[name]?.floats else { continue }
                    observers[name]!.observe(floats)
                    extremes[name]!.observe(floats)
                }
            }
            start += chunkSize
        }
        var parameters: [String: QuantizationParameters] = [:]
        for name in floatValues {
            guard let extreme = try? extremes[name]!.range(for: scheme),
                  let proposed = try? observers[name]!.range(for: scheme) else { continue }
            let low = max(proposed.minimum, extreme.minimum), high = min(proposed.maximum, extreme.maximum)
            parameters[name] = try? scheme.parameters(minimum: min(low, high), maximum: max(low, high))
        }
        self.parameters = parameters
    }
}
