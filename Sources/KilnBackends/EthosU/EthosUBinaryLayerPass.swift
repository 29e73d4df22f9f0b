import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// Rewrites the layers of a binarized network into the int8 TFLite operators Vela maps onto the
/// NPU, with the same codes (`docs/numerics.md`, "Ethos-U"):
///
/// * **A ±1 layer and its sign step** — a conv2d / dense reading ±1 codes with ±1 (or small i8)
///   weights, writing a raw int32 accumulator read by `add(a_c)` → `sign` (or a bare `sign`) —
///   becomes one int8 CONV_2D / FULLY_CONNECTED whose output stage is the sign. Vela 5.2 has no
///   SIGN operator (`tflite_supported_operators.py`), and an int8 output stage maps a zero sum to
///   the zero point, so the sum is made odd: weights `2·w` and bias `2·a_c + 1` give
///   `2·(acc + a_c) + 1`, never 0; with input, weight and output scales 1 the requantization
///   multiplier is exactly 1, and the ±1 output range (a fused RELU_N1_TO_1 clamp) leaves
///   `acc + a_c ≥ 0 ? +1 : −1` — Kiln's `sign`. Needs `|w| ≤ 63` (doubled weights stay int8) and
///   `2·(max|acc| + max|a|) + 1 < 2^30` (TFLite's multiplier of 1 doubles the sum once).
/// * **A layer reading ±1 codes with a u8 output** (the classifier) takes TFLite's
///   FULLY_CONNECTED / CONV_2D arithmetic with an i8 output (zero point `z − 128`, the same
///   reals) when only `dequantize` nodes read it.
///
/// ±1 values these operators write, and the max pools and views that pass them on, become int8
/// (scale 1, zero point 0: codes −1 / +1, the same reals). Anything else is left as it is, with the
/// reason in the compile log; a layer with an 8-bit input and full-range weights (a binarized
/// network's first layer) keeps its threshold step on the host.
struct EthosUBinaryLayerPass: GraphPass {
    /// The target (for the shared matchers).
    let target: TargetDescription
    /// The options (the compile log).
    let options: CompileOptions

    var name: String { "ethos-u-binarized-layers" }
    var summary: String { "±1 layers with their sign as int8 convolutions with doubled weights and an odd bias (Vela has no SIGN)" }

    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let context = LoweringContext(graph: graph, target: target)
        var result = graph
        var replaced: [Int: [Node]] = [:], removed: Set<Int> = [], signOutputs: [String] = []
        for (index, node) in graph.nodes.enumerated() where node.kind == .conv2d || node.kind == .dense {
            guard let input = node.input(0).flatMap({ graph.types[$0] }), input.elementType == .binary,
                  let output = node.outputs.first.flatMap({ graph.types[$0] }) else { continue }
            if output.elementType == .int32, output.quantization == nil {
                switch signLayer(at: index, in: context, result: &result) {
                case .success(let rewrite):
                    replaced[index] = [rewrite.node, rewrite.clamp]
                    removed.formUnion(rewrite.absorbed)
                    signOutputs.append(rewrite.clamp.outputs[0])
                    options.log.note("±1 layer and its sign as one int8 \(node.kind.rawValue): weights ×2, bias 2·a + 1, output ±1", pass: name, node: node.name)
                case .failure(let reason):
                    options.log.note("kept as it is (\(reason.message))", pass: name, node: node.name)
                }
            } else if output.elementType == .uint8, let converted = signedOutputLayer(node, in: context, result: &result) {
                replaced[index] = [converted]
                options.log.note("TFLite's \(node.kind == .dense ? "FULLY_CONNECTED" : "CONV_2D") arithmetic with an i8 output (u8 codes − 128, the same reals)", pass: name, node: node.name)
            }
        }
        guard !replaced.isEmpty else { return graph }
        result.nodes = graph.nodes.indices.flatMap { removed.contains($0) ? [] : (replaced[$0] ?? [graph.nodes[$0]]) }
        // ±1 codes written by an int8 operator are int8 values (scale 1, zero point 0: the same
        // reals), and so are the max pools and views that pass them on.
        var retyped = Set(signOutputs)
        for name in signOutputs { result.types[name] = Self.unitInt8(graph.types[name]!.shape) }
        for node in result.nodes where node.kind == .maxPool || OperatorKind.views.contains(node.kind) {
            guard let input = node.input(0), retyped.contains(input), let output = node.outputs.first, let type = result.types[output],
                  type.elementType == .binary, !graph.outputs.contains(output) else { continue }
            result.types[output] = Self.unitInt8(type.shape)
            retyped.insert(output)
        }
        result.removeUnusedValues()
        return result
    }

    /// The rewrite of a ±1 layer: the int8 operator and its ±1 clamp (RELU_N1_TO_1, which the
    /// NPU fuses), and the indices of the add / sign they replace.
    private struct SignLayer { let node: Node; let clamp: Node; let absorbed: [Int] }

    private func signLayer(at index: Int, in context: LoweringContext, result: inout Graph) -> Result<SignLayer, LoweringRejection> {
        let graph = context.graph
        let node = graph.nodes[index]
        guard node.input(2) == nil, let weightName = node.input(1), let weights = graph.constants[weightName], let codes = weights.codes,
              weights.type.quantization?.isSymmetric ?? true else {
            return .failure(LoweringRejection("needs constant symmetric weights and no bias"))
        }
        let largest = codes.reduce(Int64(0)) { max($0, abs(Int64($1))) }
        guard largest <= 63 else {
            return .failure(LoweringRejection("weights up to ±\(largest): doubled they leave int8, so the sign cannot be the int8 output stage (Vela 5.2 has no SIGN)"))
        }
        let channels: Int, depth: Int
        switch node.operation {
        case .conv2d:
            guard weights.shape.count == 4 else { return .failure(LoweringRejection("needs OIHW weights")) }
            channels = weights.shape[0]
            depth = weights.shape[1] * weights.shape[2] * weights.shape[3]
        default:
            guard weights.shape.count == 2 else { return .failure(LoweringRejection("needs [K, N] weights")) }
            channels = weights.shape[1]
            depth = weights.shape[0]
        }
        var absorbed: [Int] = []
        var addend = [Int32](repeating: 0, count: channels)
        var last = index
        if let add = context.fusibleFollower(of: index, accepts: { $0.kind == .add }) {
            guard let values = context.channelAddend(of: graph.nodes[add], channels: channels, channelAxis: 1) else {
                return .failure(LoweringRejection("the add after the accumulator is not one int32 value per output channel"))
            }
            addend = values
            absorbed.append(add)
            last = add
        }
        guard let sign = context.fusibleFollower(of: last, accepts: { $0.kind == .sign }), let signOutput = graph.nodes[sign].outputs.first,
              graph.types[signOutput]?.elementType == .binary else {
            return .failure(LoweringRejection("no sign reads the accumulator"))
        }
        guard !graph.outputs.contains(signOutput) else {
            return .failure(LoweringRejection("the sign writes a graph output, whose ±1 type the int8 operator would change"))
        }
        absorbed.append(sign)
        // |acc| ≤ depth · 1 · largest; the doubled sum and TFLite's doubling of it stay below 2^31.
        let bound = Int64(depth) * largest + addend.reduce(Int64(0)) { max($0, abs(Int64($1))) }
        guard 2 * bound + 1 < 1 << 30 else {
            return .failure(LoweringRejection("the doubled sum can reach \(2 * bound + 1), beyond TFLite's 2^30 for a multiplier of 1"))
        }
        let unit = QuantizationParameters(scale: 1)
        let doubledWeights = uniqueName("\(weightName)_doubled", in: result)
        result.constants[doubledWeights] = Tensor(type: TensorType(shape: weights.shape, elementType: .int8, quantization: unit),
                                                  storage: .int32(codes.map { 2 * $0 }))
        result.types[doubledWeights] = result.constants[doubledWeights]!.type
        let bias = uniqueName("\(node.name)_odd_threshold", in: result)
        result.constants[bias] = Tensor(type: TensorType(shape: [channels], elementType: .int32, quantization: unit),
                                        storage: .int32(addend.map { 2 * $0 + 1 }))
        result.types[bias] = result.constants[bias]!.type
        let oddSum = uniqueName("\(node.name)_odd_sum", in: result)
        result.types[oddSum] = Self.unitInt8(graph.types[signOutput]!.shape)
        var rewritten = node
        rewritten.inputs = [node.inputs[0], doubledWeights, bias]
        rewritten.outputs = [oddSum]
        rewritten.semantics = .tensorFlowLite
        rewritten.requantization = .fixedPointMultiplier
        let clamp = Node(name: graph.nodes[sign].name, operation: .clip(minimum: -1, maximum: 1), inputs: [oddSum], outputs: [signOutput],
                         requantization: .fixedPointMultiplier, semantics: .tensorFlowLite)
        return .success(SignLayer(node: rewritten, clamp: clamp, absorbed: absorbed))
    }

    /// The classifier form: a ±1-input layer with constant symmetric i8 weights, an i32 bias and
    /// a u8 output only `dequantize` nodes read, given TFLite arithmetic and an i8 output.
    private func signedOutputLayer(_ node: Node, in context: LoweringContext, result: inout Graph) -> Node? {
        let graph = context.graph
        guard let output = node.outputs.first, let type = graph.types[output], let quantization = type.quantization, quantization.isPerTensor,
              !graph.outputs.contains(output), let readers = context.uses.readers[output],
              readers.allSatisfy({ graph.nodes[$0].kind == .dequantize }),
              let weights = node.input(1).flatMap({ graph.constants[$0] }), weights.type.elementType == .int8,
              weights.type.quantization?.isSymmetric == true,
              node.input(2).map({ graph.constants[$0]?.type.elementType == .int32 }) ?? true else { return nil }
        result.types[output] = TensorType(shape: type.shape, elementType: .int8,
                                          quantization: QuantizationParameters(scales: quantization.scales, zeroPoints: quantization.zeroPoints.map { $0 - 128 }, axis: quantization.axis))
        var converted = node
        converted.semantics = .tensorFlowLite
        converted.requantization = .fixedPointMultiplier
        return converted
    }

    /// An int8 type with scale 1 and zero point 0: ±1 codes as the NPU holds them.
    static func unitInt8(_ shape: [Int]) -> TensorType {
        TensorType(shape: shape, elementType: .int8, quantization: QuantizationParameters(scale: 1))
    }

    /// `base`, or `base_2`, `base_3`…: a name no value of `graph` has.
    private func uniqueName(_ base: String, in graph: Graph) -> String {
        var name = base, index = 1
        while graph.types[name] != nil || graph.constants[name] != nil {
            index += 1
            name = "\(base)_\(index)"
        }
        return name
    }
}
