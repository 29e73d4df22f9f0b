import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics

/// Real ranges for the M-bit activations of a streamlined graph, observed by running the
/// reference interpreter on representative inputs (``KilnCompiler/CompileOptions/calibration``).
///
/// Every sample runs through the *input* graph (the int8 network the user gave); each watched
/// value's codes are dequantized with that graph's parameters and fed to a
/// ``MeanSquaredErrorObserver`` (100 clipping candidates, 2048 bins), whose range minimizes the
/// expected squared error of an unsigned asymmetric quantizer of the value's width — the same
/// quantizer the activation gets.
struct ActivationCalibration {
    /// The range per value name.
    let ranges: [String: (minimum: Float, maximum: Float)]
    /// Samples observed.
    let samples: Int

    /// Observes `watched` (value name → activation bits) over every calibration sample.
    /// - Throws: ``DiagnosticError`` when the calibration inputs do not match the graph's inputs.
    init(graph: Graph, inputs: [String: Tensor], watched: [String: Int]) throws(DiagnosticError) {
        let interpreter = try ReferenceInterpreter(graph: graph)
        var count: Int?
        for name in graph.inputs {
            guard let tensor = inputs[name], let type = graph.types[name] else {
                throw DiagnosticError(.error("calibration has no data for the graph input '\(name)' (it has \(inputs.keys.sorted().joined(separator: ", ")))"))
            }
            let perSample = Shape.elementCount(Array(type.shape.dropFirst())) ?? 0
            guard type.shape.first == 1, tensor.shape.dropFirst().elementsEqual(type.shape.dropFirst()), perSample > 0 else {
                throw DiagnosticError(.error("calibration data for '\(name)' has shape \(tensor.shape); the input \(type.shape) needs [samples\(type.shape.dropFirst().map { ", \($0)" }.joined())]"))
            }
            let samples = tensor.shape[0]
            if let count, count != samples {
                throw DiagnosticError(.error("calibration inputs have different sample counts (\(count) and \(samples) for '\(name)')"))
            }
            count = samples
        }
        var observers: [String: MeanSquaredErrorObserver] = [:]
        for name in watched.keys { observers[name] = try! MeanSquaredErrorObserver() }
        for sample in 0..<(count ?? 0) {
            var feed: [String: Tensor] = [:]
            for name in graph.inputs { feed[name] = Self.slice(inputs[name]!, sample: sample, as: graph.types[name]!) }
            let values = try interpreter.runKeepingIntermediates(feed)
            for name in watched.keys {
                guard let value = values[name], let type = graph.types[name] else { continue }
                observers[name]!.observe(Self.reals(value, type: type))
            }
        }
        var ranges: [String: (minimum: Float, maximum: Float)] = [:]
        for (name, bits) in watched {
            guard let scheme = try? QuantizationScheme(bits: bits, signed: false, symmetric: false),
                  let range = try? observers[name]!.range(for: scheme) else { continue }
            ranges[name] = range
        }
        self.ranges = ranges
        samples = count ?? 0
    }

    /// Sample `sample` of a batch tensor, typed as the graph input.
    static func slice(_ tensor: Tensor, sample: Int, as type: TensorType) -> Tensor {
        let size = tensor.count / max(tensor.shape[0], 1)
        let range = sample * size ..< (sample + 1) * size
        switch tensor.storage {
        case .float32(let values): return Tensor(type: type, storage: .float32(Array(values[range])))
        case .int32(let values): return Tensor(type: type, storage: .int32(Array(values[range])))
        case .int64(let values): return Tensor(type: type, storage: .int64(Array(values[range])))
        }
    }

    /// The real values of a tensor (codes dequantized per tensor or per channel).
    static func reals(_ tensor: Tensor, type: TensorType) -> [Float] {
        if let floats = tensor.floats { return floats }
        guard let codes = tensor.codes else { return [] }
        guard let quantization = type.quantization else { return codes.map(Float.init) }
        if quantization.isPerTensor {
            let scale = quantization.scale(at: 0), zero = quantization.zeroPoint(at: 0)
            return codes.map { LinearQuantization.dequantize($0, scale: scale, zeroPoint: zero) }
        }
        let axis = quantization.axis ?? 1
        let inner = Shape.elementCount(Array(type.shape.dropFirst(axis + 1))) ?? 1
        let channels = type.shape[axis]
        return codes.enumerated().map { index, code in
            let channel = (index / inner) % channels
            return LinearQuantization.dequantize(code, scale: quantization.scale(at: channel), zeroPoint: quantization.zeroPoint(at: channel))
        }
    }
}
