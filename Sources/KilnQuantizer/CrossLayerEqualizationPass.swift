import KilnDiagnostics
import KilnIR

/// `cross-layer-equalization`: rescales the output channels of one conv2d and the matching input
/// channels of the next so both weight tensors have the same per-channel range (Nagel et al.,
/// "Data-Free Quantization Through Weight Equalization and Bias Correction", ICCV 2019, §4.1).
///
/// For a pair A → [relu] → B where every value between them has one reader, channel `i` gets
/// `s_i = sqrt(r1_i · r2_i) / r2_i` with `r1_i = max|A[i, …]|` and `r2_i = max|B[:, i, …]|`;
/// `A[i] /= s_i`, `bias_A[i] /= s_i`, `B[:, i] *= s_i`. relu is positively homogeneous, so the float
/// function is unchanged and each channel's range becomes `sqrt(r1_i · r2_i)` in both layers,
/// which is what per-tensor weight scales need on depthwise-separable networks. B is a regular
/// conv2d (input channel axis 1 of OIHW) or a depthwise one (axis 0). Sweeps repeat so chains of
/// more than two layers settle, at most ``maximumSweeps`` times.
public struct CrossLayerEqualizationPass: GraphPass {
    /// The pass's name.
    public let name = "cross-layer-equalization"
    /// What the pass does.
    public let summary = "equalize per-channel weight ranges of consecutive conv2d layers (through relu)"
    /// How often all pairs are equalized, in order.
    public static let maximumSweeps = 8

    /// Creates the pass.
    public init() {}

    /// Returns the float graph with equalized weights; graphs with no equalizable pair are unchanged.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        let pairs = Self.pairs(in: graph)
        for _ in 0 ..< Self.maximumSweeps {
            var largestChange: Float = 0
            for pair in pairs {
                largestChange = max(largestChange, Self.equalize(pair, in: &result))
            }
            if largestChange < 1e-4 { break }
        }
        return result
    }

    /// A producer conv2d and a consumer conv2d whose input channels are the producer's output channels.
    struct Pair {
        let first: Node
        let second: Node
        /// The axis of the second weight that indexes its input channels.
        let secondAxis: Int
    }

    /// Every equalizable pair: A's output read only by an optional relu read only by B (as input 0),
    /// both weights float constants read by no other node, and B not grouped except depthwise.
    static func pairs(in graph: Graph) -> [Pair] {
        let readers = graph.consumers()
        func onlyReader(of value: String) -> Node? {
            guard !graph.outputs.contains(value), let list = readers[value], list.count == 1 else { return nil }
            return graph.nodes[list[0]]
        }
        func ownWeights(_ node: Node) -> Bool {
            guard let weight = node.input(1), let tensor = graph.constants[weight], tensor.floats != nil else { return false }
            return readers[weight]?.count == 1 && node.input(2).map { graph.constants[$0]?.floats != nil && readers[$0]?.count == 1 } ?? true
        }
        var pairs: [Pair] = []
        for node in graph.nodes {
            guard case .conv2d = node.operation, ownWeights(node), var next = onlyReader(of: node.outputs[0]) else { continue }
            var value = node.outputs[0]
            if next.kind == .relu {
                value = next.outputs[0]
                guard let afterRelu = onlyReader(of: value) else { continue }
                next = afterRelu
            }
            guard case .conv2d(let convolution) = next.operation, next.inputs[0] == value,
                  ownWeights(next), let weight = graph.constants[next.inputs[1]], weight.shape.count == 4 else { continue }
            if convolution.groups == 1 {
                pairs.append(Pair(first: node, second: next, secondAxis: 1))
            } else if weight.shape[1] == 1 && convolution.groups == weight.shape[0] {
                pairs.append(Pair(first: node, second: next, secondAxis: 0))
            }
        }
        return pairs
    }

    /// Equalizes one pair in place; returns the largest |s_i − 1|.
    static func equalize(_ pair: Pair, in graph: inout Graph) -> Float {
        let firstName = pair.first.inputs[1], secondName = pair.second.inputs[1]
        guard let first = graph.constants[firstName], let second = graph.constants[secondName],
              var a = first.floats, var b = second.floats, first.shape[0] == second.shape[pair.secondAxis] else { return 0 }
        let r1 = WeightQuantizer.channelMaxima(a, shape: first.shape, axis: 0)
        let r2 = WeightQuantizer.channelMaxima(b, shape: second.shape, axis: pair.secondAxis)
        let scales = zip(r1, r2).map { r1, r2 in r1 > 0 && r2 > 0 ? (r1 * r2).squareRoot() / r2 : 1 }
        let aStride = Shape.strides(first.shape)[0], bStride = Shape.strides(second.shape)[pair.secondAxis]
        let channels = scales.count
        for index in a.indices { a[index] /= scales[(index / aStride) % channels] }
        for index in b.indices { b[index] *= scales[(index / bStride) % channels] }
        graph.constants[firstName] = Tensor(shape: first.shape, floats: a)
        graph.constants[secondName] = Tensor(shape: second.shape, floats: b)
        if let biasName = pair.first.input(2), let bias = graph.constants[biasName], var values = bias.floats {
            for index in values.indices { values[index] /= scales[index % channels] }
            graph.constants[biasName] = Tensor(shape: bias.shape, floats: values)
        }
        return scales.map { abs($0 - 1) }.max() ?? 0
    }
}
