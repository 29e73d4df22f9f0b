import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics

/// Calibration data split into single samples that each feed the graph once.
///
/// Every graph input of shape `[1, ...]` takes a tensor of shape `[N, ...]` (N samples); an input
/// whose shape has no leading 1 takes exactly its shape (one sample). All inputs must have the same N.
public struct CalibrationSamples: Sendable {
    /// One feed per sample: a tensor for every graph input, by name.
    public let feeds: [[String: Tensor]]

    /// Splits `data` for `graph`'s inputs.
    /// - Throws: ``DiagnosticError`` naming the graph input whose data is missing, of the wrong
    ///   element type or shape, or whose sample count differs from the other inputs'.
    public init(_ data: [String: Tensor], for graph: Graph) throws(DiagnosticError) {
        var perInput: [String: [Tensor]] = [:]
        var count: Int?
        for name in graph.inputs {
            let place = "tensor '\(name)'"
            guard let type = graph.types[name] else { throw DiagnosticError(.error("graph input has no type", place: place)) }
            guard let tensor = data[name] else {
                throw DiagnosticError(.error("no calibration data for graph input \(type)", place: place))
            }
            guard tensor.type.elementType.storage == type.elementType.storage else {
                throw DiagnosticError(.error("calibration data is \(tensor.type.elementType.name), the graph input is \(type)", place: place))
            }
            let samples: [Tensor]
            if tensor.shape == type.shape {
                samples = [tensor.withType(type)]
            } else if type.shape.first == 1, tensor.shape.count == type.shape.count,
                      Array(tensor.shape.dropFirst()) == Array(type.shape.dropFirst()), tensor.shape[0] > 0 {
                samples = Self.split(tensor, count: tensor.shape[0], as: type)
            } else {
                let expected = type.shape.first == 1
                    ? "[N, \(type.shape.dropFirst().map(String.init).joined(separator: ", "))]" : "\(type.shape)"
                throw DiagnosticError(.error("calibration data has shape \(tensor.shape), expected \(expected) for the graph input \(type)", place: place))
            }
            if let count, count != samples.count {
                throw DiagnosticError(.error("\(samples.count) calibration samples, the other inputs have \(count)", place: place))
            }
            count = samples.count
            perInput[name] = samples
        }
        feeds = (0..<(count ?? 1)).map { index in perInput.mapValues { $0[index] } }
    }

    /// The number of samples.
    public var count: Int { feeds.count }

    private static func split(_ tensor: Tensor, count: Int, as type: TensorType) -> [Tensor] {
        let size = tensor.count / count
        return (0..<count).map { index in
            let range = index * size ..< (index + 1) * size
            switch tensor.storage {
            case .float32(let values): return Tensor(type: type, storage: .float32(Array(values[range])))
            case .int32(let values): return Tensor(type: type, storage: .int32(Array(values[range])))
            case .int64(let values): return Tensor(type: type, storage: .int64(Array(values[range])))
            }
        }
    }
}

extension CalibrationSamples {
    /// Runs `graph` (the reference interpreter, samples in parallel) on every sample and keeps the
    /// values named in `names`: one dictionary per sample, in sample order.
    /// - Throws: ``DiagnosticError`` from the interpreter.
    func values(_ names: Set<String>, of graph: Graph) throws(DiagnosticError) -> [[String: Tensor]] {
        let interpreter = try ReferenceInterpreter(graph: graph)
        let feeds = self.feeds
        return try ParallelSamples.map(feeds.count) { sample throws(DiagnosticError) -> [String: Tensor] in
            try interpreter.runKeepingIntermediates(feeds[sample]).filter { names.contains($0.key) }
        }
    }
}

extension Tensor {
    /// The same storage under `type` (same element count and storage kind).
    func withType(_ type: TensorType) -> Tensor { Tensor(type: type, storage: storage) }

    /// The real values: floats as they are, quantized codes dequantized (`scale · (code − zeroPoint)`,
    /// or `scale · decode(code)` for small float formats, per tensor or per axis), plain integers converted.
    var realValues: [Float] {
        if let floats { return floats }
        if let format = type.elementType.floatFormat, let quantization = type.quantization, let codes {
            return codes.indices.map { index in
                let channel = quantization.isPerTensor ? 0 : (index / Shape.strides(shape)[quantization.axis!]) % shape[quantization.axis!]
                return ScaledFloatQuantization.dequantize(codes[index], scale: quantization.scale(at: channel), format: format)
            }
        }
        let values = doubles
        guard let quantization = type.quantization else { return values.map(Float.init) }
        if quantization.isPerTensor || quantization.axis == nil {
            let scale = quantization.scales[0], zeroPoint = Double(quantization.zeroPoints[0])
            return values.map { Float($0 - zeroPoint) * scale }
        }
        let axis = quantization.axis!
        let stride = Shape.strides(shape)[axis], channels = shape[axis]
        return values.indices.map { index in
            let channel = (index / stride) % channels
            return Float(values[index] - Double(quantization.zeroPoint(at: channel))) * quantization.scale(at: channel)
        }
    }
}
