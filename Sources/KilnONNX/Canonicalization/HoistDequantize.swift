import KilnDiagnostics
import KilnIR

/// Moves a dequantize below the max pools and data movement that read it:
/// `dequantize → maxPool / flatten / reshape / transpose` becomes `op on codes → dequantize`,
/// unless a `quantize` reads the op's result (that group is `fuse-qdq`'s).
///
/// Exact for per-tensor parameters: dequantization `(q − z) · s` with `s > 0` is increasing, so
/// it commutes with max pooling (padding aside: only unpadded pools move), and data movement does
/// not look at values. This keeps the codes of a quantized activation (e.g. ±1 after a QONNX
/// BipolarQuant) visible to the layer after a pool or a flatten, as FINN's streamlining does.
public struct HoistDequantize: GraphPass {
    /// Creates the pass.
    public init() {}
    /// `hoist-dequantize`.
    public var name: String { "hoist-dequantize" }
    /// One line saying what the pass does.
    public var summary: String { "move dequantize below max pools and data movement, onto the codes" }

    /// Returns the graph with each movable dequantize moved (repeatedly, through chains).
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        var changed = true
        while changed {
            changed = false
            for index in result.nodes.indices where hoist(at: index, in: &result) { changed = true }
        }
        result.removeUnusedValues()
        return result
    }

    /// Swaps the node at `index` with the dequantize feeding it, if allowed.
    private func hoist(at index: Int, in graph: inout Graph) -> Bool {
        let node = graph.nodes[index]
        switch node.operation {
        case .maxPool(let pooling) where pooling.pads.allSatisfy({ $0 == 0 }): break
        case .flatten, .reshape, .transpose: break
        default: return false
        }
        guard node.inputs.count == 1, let value = node.input(0), !graph.outputs.contains(value),
              let producer = graph.producerIndex(of: value), producer < index, graph.nodes[producer].kind == .dequantize,
              graph.consumers()[value]?.count == 1, let codes = graph.nodes[producer].input(0),
              let codeType = graph.types[codes], codeType.quantization?.isPerTensor == true,
              let output = node.outputs.first, let outputType = graph.types[output] else { return false }
        // A `dequantize → op → quantize` group is fuse-qdq's (it keeps or requantizes the codes as ORT does).
        if graph.consumers()[output]?.contains(where: { graph.nodes[$0].kind == .quantize }) == true { return false }
        // codes → op (on codes) → value (codes, new shape) → dequantize → output.
        graph.nodes[producer] = Node(name: node.name, operation: node.operation, inputs: [codes], outputs: [value])
        graph.types[value] = TensorType(shape: outputType.shape, elementType: codeType.elementType, quantization: codeType.quantization)
        graph.nodes[index] = Node(name: "\(node.name)/dequantize", operation: .dequantize, inputs: [value], outputs: [output])
        return true
    }
}
