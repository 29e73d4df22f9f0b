import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Turns QDQ patterns (`dequantize → float op → quantize`) into quantized IR ops with the
/// integer semantics of ONNX Runtime's fused kernels (QLinearConv, QGemm / QLinearMatMul,
/// QLinearAdd / QLinearMul, QLinearGlobalAveragePool, QLinearConcat, ...).
///
/// Patterns, rooted at a `quantize` node, in the order they are tried:
/// - conv2d / dense / matmul of dequantized operands (int32 bias from a dequantized int32
///   constant), optionally followed by relu or clip: the integer op requantized to the
///   quantize's output type, then relu / clip on the codes (exact: quantization is monotonic
///   and maps 0 to the zero point);
/// - add / mul of two dequantized per-tensor operands (QLinearAdd / QLinearMul semantics);
/// - data movement, max pooling: on the codes when input and output parameters are equal;
/// - average / global average pooling, concat and unary activations on dequantized operands;
/// - softmax of 8-bit codes (QLinearSoftmax's lookup-table semantics).
///
/// The float ops are left in place for other readers; `remove-dead-nodes` deletes them.
public struct FuseQuantizedPatterns: GraphPass {
    /// Creates the pass.
    public init() {}
    /// `fuse-qdq`.
    public var name: String { "fuse-qdq" }
    /// One line saying what the pass does.
    public var summary: String { "turn DequantizeLinear → op → QuantizeLinear groups into quantized ops" }

    /// Returns the graph with QDQ groups replaced.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var index = 0
        while index < result.nodes.count {
            let node = result.nodes[index]
            if node.kind == .quantize, let replacement = match(node, in: result) {
                result.nodes.replaceSubrange(index...index, with: replacement)
                index += replacement.count
            } else {
                index += 1
            }
        }
        // Give the fused nodes the names of the float nodes they replace once those are gone.
        result = try RemoveDeadNodes().run(on: result)
        var names = Set(result.nodes.map(\.name))
        for index in result.nodes.indices where result.nodes[index].name.hasSuffix(Self.pendingSuffix) {
            let wanted = String(result.nodes[index].name.dropLast(Self.pendingSuffix.count))
            var candidate = wanted
            var counter = 1
            while names.contains(candidate) { counter += 1; candidate = "\(wanted)_quantized\(counter == 2 ? "" : "\(counter)")" }
            names.remove(result.nodes[index].name)
            names.insert(candidate)
            result.nodes[index].name = candidate
        }
        return result
    }

    private static let pendingSuffix = "\u{0}pending"

    /// The codes behind a dequantized value: the dequantize node's input.
    private func codes(_ value: String?, _ graph: Graph, _ producers: [String: Int]) -> String? {
        guard let value, let index = producers[value], graph.nodes[index].kind == .dequantize else { return nil }
        return graph.nodes[index].input(0)
    }

    private func perTensor(_ value: String, _ graph: Graph) -> Bool {
        graph.types[value]?.quantization?.isPerTensor == true
    }

    /// The replacement nodes for `quantize`, or nil when no pattern matches.
    private func match(_ quantize: Node, in graph: Graph) -> [Node]? {
        let producers = graph.producers()
        let consumers = graph.consumers()
        guard let x = quantize.input(0), let coreIndex = producers[x], let outputType = graph.types[quantize.outputs[0]],
              outputType.quantization?.isPerTensor == true else { return nil }
        var core = graph.nodes[coreIndex]
        var activation: Node?
        if core.kind == .relu || core.kind == .clip, let inner = core.input(0), let innerIndex = producers[inner],
           OperatorKind.multiplyAccumulate.contains(graph.nodes[innerIndex].kind),
           consumers[inner]?.count == 1, !graph.outputs.contains(inner) {
            activation = core
            core = graph.nodes[innerIndex]
        }
        func named(_ node: Node, _ inputs: [String], _ outputs: [String]) -> Node {
            Node(name: node.name + Self.pendingSuffix, operation: node.operation, inputs: inputs, outputs: outputs, requantization: .floatScale)
        }
        let output = quantize.outputs[0]
        switch core.kind {
        case .conv2d, .dense, .matmul:
            guard let a = codes(core.input(0), graph, producers), let b = codes(core.input(1), graph, producers),
                  perTensor(a, graph), let bType = graph.types[b], let bQuantization = bType.quantization else { return nil }
            let channelAxis = core.kind == .conv2d ? 0 : bType.shape.count - 1
            guard bQuantization.isPerTensor || bQuantization.axis == channelAxis else { return nil }
            var inputs = [a, b]
            if let biasValue = core.input(2) {
                guard let bias = codes(biasValue, graph, producers), graph.types[bias]?.elementType == .int32 else { return nil }
                inputs.append(bias)
            }
            guard let activation else { return [named(core, inputs, [output])] }
            let intermediate = graph.freshName("\(output)/accumulated")
            var first = named(core, inputs, [intermediate])
            first.name = core.name + Self.pendingSuffix
            return [first, named(activation, [intermediate], [output])].map { $0 }
                .enumerated().map { offset, node in
                    var copy = node
                    if offset == 1 { copy.name = activation.name + Self.pendingSuffix }
                    return copy
                }
        case .add, .mul:
            guard activation == nil, let a = codes(core.input(0), graph, producers), let b = codes(core.input(1), graph, producers),
                  perTensor(a, graph), perTensor(b, graph) else { return nil }
            return [named(core, [a, b], [output])]
        case .maxPool, .globalMaxPool, .reshape, .flatten, .transpose, .squeeze, .unsqueeze, .pad:
            guard let a = codes(core.input(0), graph, producers), let aType = graph.types[a],
                  aType.quantization == outputType.quantization, aType.elementType == outputType.elementType else { return nil }
            return [named(core, [a], [output])]
        case .averagePool, .globalAveragePool, .sigmoid, .tanh, .leakyRelu, .hardSigmoid, .hardSwish, .gelu, .erf, .relu, .clip:
            guard let a = codes(core.input(0), graph, producers), perTensor(a, graph) else { return nil }
            return [named(core, [a], [output])]
        case .softmax:
            // ONNX Runtime's QDQ fusion makes com.microsoft QLinearSoftmax of 8-bit codes.
            guard let a = codes(core.input(0), graph, producers), perTensor(a, graph), let aType = graph.types[a],
                  aType.elementType.bitWidth == 8, aType.elementType == outputType.elementType else { return nil }
            return [named(core, [a], [output])]
        case .concat:
            var inputs: [String] = []
            for input in core.inputs {
                guard let a = codes(input, graph, producers), perTensor(a, graph) else { return nil }
                inputs.append(a)
            }
            return [named(core, inputs, [output])]
        default:
            return nil
        }
    }
}
