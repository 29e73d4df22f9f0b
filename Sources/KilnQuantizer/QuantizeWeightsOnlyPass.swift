import KilnDiagnostics
import KilnIR
import KilnNumerics

/// `quantize-weights-only`: stores the constant weights of every conv2d, dense and matmul as codes
/// of a ``WeightOnlyFormat`` and inserts a `dequantize` that gives the float layer its weights
/// back; activations, biases and every other op stay float32.
///
/// The weights keep their value name (now the `dequantize` output); the codes are the constant
/// `<weight>_codes`. A weight constant shared by several layers is quantized once. Integer weights
/// use ``WeightQuantizer/symmetricIntegerWeights(_:channelAxis:bits:)``, float formats
/// ``WeightQuantizer/floatWeights(_:channelAxis:format:)``, binary and ternary
/// ``WeightQuantizer/scaledSignWeights(_:channelAxis:ternary:)``; residual quantization writes a
/// second constant `<weight>_residual_codes`, each dequantized, and an `add` of the two; group-wise
/// codes (``GroupedWeights``) are dequantized as rows of one group and reshaped, cut and
/// transposed back into the weight's shape.
public struct QuantizeWeightsOnlyPass: GraphPass {
    /// The pass's name.
    public let name = "quantize-weights-only"
    /// What the pass does.
    public let summary = "store conv2d / dense / matmul weights as codes, dequantized before the float layer"
    /// The weight code format.
    public let format: WeightOnlyFormat
    /// One scale per output channel (true) or one per tensor (false).
    public let perChannel: Bool

    /// Creates the pass.
    public init(format: WeightOnlyFormat, perChannel: Bool) {
        self.format = format
        self.perChannel = perChannel
    }

    /// Returns the graph with dequantized weight codes in place of float weights.
    /// - Throws: ``DiagnosticError`` naming the node whose weights cannot be quantized.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        try rewrite(graph).graph
    }

    /// The rewritten graph and, per rewritten layer in graph order, its node and weight code type.
    func rewrite(_ graph: Graph) throws(DiagnosticError) -> (graph: Graph, layers: [(node: Node, weights: TensorType)]) {
        var result = graph
        result.nodes = []
        var done: [String: TensorType] = [:]
        var layers: [(node: Node, weights: TensorType)] = []
        for node in graph.nodes {
            if OperatorKind.multiplyAccumulate.contains(node.kind), let weightName = node.input(1),
               let weights = graph.constants[weightName], weights.floats != nil {
                if done[weightName] == nil, case .grouped(let bits, let size) = format {
                    let grouped: GroupedWeights
                    do {
                        grouped = try GroupedWeights(weights, outputAxis: PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count),
                                                     bits: bits, groupSize: size)
                    } catch {
                        throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
                    }
                    result.constants[weightName] = nil
                    grouped.rebuild(weightName, into: &result, codesName: Self.unusedName(weightName + "_codes", in: result))
                    done[weightName] = grouped.codes.type
                } else if done[weightName] == nil {
                    let axis = perChannel ? PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count) : nil
                    let parts: [Tensor]
                    do {
                        parts = try Self.codes(of: weights, format: format, channelAxis: axis)
                    } catch {
                        throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
                    }
                    result.constants[weightName] = nil
                    var terms: [String] = []
                    for (index, codes) in parts.enumerated() {
                        let codesName = Self.unusedName(weightName + (index == 0 ? "_codes" : "_residual_codes"), in: result)
                        result.constants[codesName] = codes
                        result.types[codesName] = codes.type
                        let term = parts.count == 1 ? weightName : codesName + "_real"
                        result.types[term] = .float32(weights.shape)
                        result.nodes.append(Node(name: codesName + "_dequantize", operation: .dequantize, inputs: [codesName], outputs: [term]))
                        terms.append(term)
                    }
                    if terms.count == 2 {
                        result.nodes.append(Node(name: Self.unusedName(weightName + "_sum", in: result), operation: .add,
                                                 inputs: terms, outputs: [weightName]))
                    }
                    done[weightName] = parts[0].type
                }
                layers.append((node, done[weightName]!))
            }
            result.nodes.append(node)
        }
        return (result, layers)
    }

    /// The code tensors whose dequantized sum approximates `weights`: one, or two for residual quantization.
    static func codes(of weights: Tensor, format: WeightOnlyFormat, channelAxis axis: Int?) throws -> [Tensor] {
        switch format {
        case .integer(let bits): return [try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: axis, bits: bits)]
        case .float(let floatFormat): return [try WeightQuantizer.floatWeights(weights, channelAxis: axis, format: floatFormat)]
        case .binary: return [WeightQuantizer.scaledSignWeights(weights, channelAxis: axis, ternary: false)]
        case .ternary: return [WeightQuantizer.scaledSignWeights(weights, channelAxis: axis, ternary: true)]
        case .grouped(let bits, let size):
            return [try GroupedWeights(weights, outputAxis: axis ?? 0, bits: bits, groupSize: size).codes]
        case .residual(let bits):
            let first = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: axis, bits: bits)
            let values = weights.floats ?? weights.doubles.map(Float.init)
            let residual = Tensor(shape: weights.shape, floats: zip(values, first.realValues).map { $0 - $1 })
            return [first, try WeightQuantizer.symmetricIntegerWeights(residual, channelAxis: axis, bits: bits)]
        }
    }

    /// `base`, or `base_2`, `base_3`, … if a value or node already has that name.
    static func unusedName(_ base: String, in graph: Graph) -> String {
        let taken = Set(graph.types.keys).union(graph.constants.keys).union(graph.nodes.map(\.name))
        var name = base, counter = 1
        while taken.contains(name) || taken.contains(name + "_dequantize") { counter += 1; name = "\(base)_\(counter)" }
        return name
    }
}
