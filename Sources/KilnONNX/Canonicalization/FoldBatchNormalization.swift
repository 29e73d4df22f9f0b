import KilnDiagnostics
import KilnIR

/// Folds an inference batch normalization into the float conv2d or dense before it:
/// `w' = w · γ/√(σ²+ε)` per output channel and `b' = (b − μ) · γ/√(σ²+ε) + β`.
///
/// Applies when the weight, bias and the normalization's parameters are constants and the
/// conv / dense output has no other reader. Arithmetic is float32, like ONNX Runtime's fusion.
public struct FoldBatchNormalization: GraphPass {
    /// Creates the pass.
    public init() {}
    /// `fold-batch-norm`.
    public var name: String { "fold-batch-norm" }
    /// One line saying what the pass does.
    public var summary: String { "fold BatchNormalization into the preceding conv or dense" }

    /// Returns the graph with foldable batch normalizations folded.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var index = 0
        while index < result.nodes.count {
            if try fold(at: index, in: &result) { continue }
            index += 1
        }
        result.removeUnusedValues()
        return result
    }

    /// Folds the batchNorm at `index` if possible; returns whether it did.
    private func fold(at index: Int, in graph: inout Graph) throws(DiagnosticError) -> Bool {
        let norm = graph.nodes[index]
        guard case .batchNorm(let epsilon) = norm.operation, let x = norm.input(0),
              let producerIndex = graph.producerIndex(of: x), !graph.outputs.contains(x),
              graph.consumers()[x]?.count == 1 else { return false }
        let producer = graph.nodes[producerIndex]
        guard producer.kind == .conv2d || producer.kind == .dense,
              let weightName = producer.input(1), let weight = graph.constants[weightName], let w = weight.floats else { return false }
        var parameters: [[Float]] = []
        for position in 1...4 {
            guard let name = norm.input(position), let values = graph.constants[name]?.floats else { return false }
            parameters.append(values)
        }
        let (gamma, beta, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        let channels = producer.kind == .conv2d ? weight.shape[0] : weight.shape[1]
        guard gamma.count == channels, graph.types[x]?.shape.count ?? 0 >= 2,
              producer.kind == .conv2d || graph.types[x]?.shape.count == 2 else { return false }
        var bias = [Float](repeating: 0, count: channels)
        if let biasName = producer.input(2) {
            guard let values = graph.constants[biasName]?.floats, values.count == channels else { return false }
            bias = values
        }
        let factor = (0..<channels).map { gamma[$0] / (variance[$0] + epsilon).squareRoot() }
        var folded = w
        if producer.kind == .conv2d {
            let perChannel = channels == 0 ? 0 : w.count / channels
            for index in folded.indices { folded[index] *= factor[index / max(perChannel, 1)] }
        } else {
            for index in folded.indices { folded[index] *= factor[index % channels] }
        }
        let newBias = (0..<channels).map { (bias[$0] - mean[$0]) * factor[$0] + beta[$0] }
        let weightValue = graph.freshName("\(producer.name)/folded_weight")
        graph.constants[weightValue] = Tensor(shape: weight.shape, floats: folded)
        graph.types[weightValue] = weight.type
        let biasValue = graph.freshName("\(producer.name)/folded_bias")
        graph.constants[biasValue] = Tensor(shape: [channels], floats: newBias)
        graph.types[biasValue] = .float32([channels])
        var replacement = producer
        replacement.inputs = [producer.inputs[0], weightValue, biasValue]
        replacement.outputs = norm.outputs
        graph.nodes[producerIndex] = replacement
        graph.nodes.remove(at: index)
        return true
    }
}
