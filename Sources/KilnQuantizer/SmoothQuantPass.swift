import Foundation
import KilnDiagnostics
import KilnIR

/// `smooth-quant`: migrates quantization difficulty from the activations of a dense layer to its
/// weights (Xiao et al., "SmoothQuant", ICML 2023). For input channel k of `y = x · W`,
/// `s_k = max|x_k|^α / max|W_k,:|^(1−α)`; the weights' row k is multiplied by `s_k` and the
/// producer of `x` is divided by it, so the float function is unchanged.
///
/// The division is folded into the producer: a dense layer (its weight column k and bias k),
/// optionally through a relu (positively homogeneous), or a layerNorm over the last axis with
/// constant scale and bias. Layers fed by anything else, or by a value with
/// other readers, are left alone. `max|x_k|` is taken over the calibration data.
public struct SmoothQuantPass: GraphPass {
    /// The pass's name.
    public let name = "smooth-quant"
    /// What the pass does.
    public let summary = "move activation outlier ranges of dense layers into their weights"
    /// The migration strength α in 0...1 (0.5 in the paper).
    public let alpha: Double
    /// The calibration inputs.
    public let samples: CalibrationSamples

    /// Creates the pass.
    public init(alpha: Double = 0.5, samples: CalibrationSamples) {
        self.alpha = alpha
        self.samples = samples
    }

    /// A dense layer and the node whose outputs its input channels divide.
    struct Site {
        let dense: Node
        let producer: Node
    }

    /// Dense layers with a constant float weight whose input comes from a foldable producer.
    static func sites(in graph: Graph) -> [Site] {
        let readers = graph.consumers()
        let producers = Dictionary(graph.nodes.flatMap { node in node.outputs.map { ($0, node) } }, uniquingKeysWith: { first, _ in first })
        func sole(_ value: String) -> Bool { readers[value]?.count == 1 && !graph.outputs.contains(value) }
        func constant(_ name: String?) -> Bool { name.flatMap { graph.constants[$0]?.floats } != nil && readers[name!]?.count == 1 }
        return graph.nodes.compactMap { dense in
            guard dense.kind == .dense, constant(dense.input(1)), sole(dense.inputs[0]), var producer = producers[dense.inputs[0]] else { return nil }
            if producer.kind == .relu {
                guard sole(producer.inputs[0]), let before = producers[producer.inputs[0]] else { return nil }
                producer = before
            }
            switch producer.operation {
            case .dense where constant(producer.input(1)) && (producer.input(2) == nil || constant(producer.input(2))):
                return Site(dense: dense, producer: producer)
            case .layerNorm(let axis, _) where (axis == -1 || axis == (graph.types[producer.inputs[0]]?.shape.count ?? 0) - 1)
                && constant(producer.input(1)) && (producer.input(2) == nil || constant(producer.input(2))):
                return Site(dense: dense, producer: producer)
            default:
                return nil
            }
        }
    }

    /// Returns the graph with migrated scales.
    /// - Throws: ``DiagnosticError`` from the interpreter.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let sites = Self.sites(in: graph)
        guard !sites.isEmpty else { return graph }
        let activations = try samples.values(Set(sites.map { $0.dense.inputs[0] }), of: graph)
        var result = graph
        for site in sites {
            let weightName = site.dense.inputs[1]
            let weights = graph.constants[weightName]!
            let (rows, columns) = (weights.shape[0], weights.shape[1])
            var activationMaxima = [Float](repeating: 0, count: rows)
            for sample in activations {
                for (index, value) in (sample[site.dense.inputs[0]]?.floats ?? []).enumerated() where value.isFinite {
                    activationMaxima[index % rows] = max(activationMaxima[index % rows], abs(value))
                }
            }
            let weightMaxima = WeightQuantizer.channelMaxima(weights.floats!, shape: weights.shape, axis: 0)
            let scales = zip(activationMaxima, weightMaxima).map { x, w -> Float in
                guard x > 0, w > 0 else { return 1 }
                let numerator: Double = pow(Double(x), alpha), denominator: Double = pow(Double(w), 1 - alpha)
                return Float(numerator / denominator)
            }
            result.constants[weightName] = Tensor(shape: weights.shape, floats: weights.floats!.enumerated().map { $1 * scales[$0 / columns] })
            // Divide the producer's output channel k: dense weight column k and bias k, or layerNorm scale k and bias k.
            let producerWeight = site.producer.inputs[1]
            let weight = result.constants[producerWeight]!
            let width = weight.shape.last!
            result.constants[producerWeight] = Tensor(shape: weight.shape, floats: weight.floats!.enumerated().map { $1 / scales[$0 % width] })
            if let biasName = site.producer.input(2), let bias = result.constants[biasName] {
                result.constants[biasName] = Tensor(shape: bias.shape, floats: bias.floats!.enumerated().map { $1 / scales[$0 % width] })
            }
        }
        return result
    }
}
