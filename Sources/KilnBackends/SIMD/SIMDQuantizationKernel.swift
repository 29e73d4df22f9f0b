import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// quantize (float32 → 8-bit codes: multiply by 1/scale is not used; a float32 divide, round
/// half to even, add the zero point, saturate — ONNX QuantizeLinear) and dequantize
/// (`(code − zp) · scale` in float32), per tensor, vectorized over `vectorBits / 32` lanes.
struct SIMDQuantizationKernel: TargetKernel {
    let node: Node
    let scheme: SIMDDotProductScheme
    let inputType: TensorType, outputType: TensorType
    let levels: SIMDMemoryLevels
    var name: String { "simd-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }

    /// Lowers a per-tensor quantize or dequantize, or says why it cannot.
    static func lower(node: Node, graph: Graph, scheme: SIMDDotProductScheme, levels: SIMDMemoryLevels) -> LoweringMatch {
        guard let input = graph.types[node.inputs[0]], let output = graph.types[node.outputs[0]] else { return .rejected("missing types") }
        let quantized = node.kind == .quantize ? output : input
        guard node.kind == .dequantize || node.semantics == .onnxRuntime else {
            return .rejected("the kernel rounds half to even (ONNX Runtime); TFLite's quantize rounds half away from zero (a TFLite node runs on the host)")
        }
        guard quantized.elementType.bitWidth == 8, let quantization = quantized.quantization, quantization.isPerTensor else {
            return .rejected("needs per-tensor 8-bit quantization")
        }
        return .lowered(SIMDQuantizationKernel(node: node, scheme: scheme, inputType: input, outputType: output, levels: levels))
    }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let x = inputs.first, x.shape == inputType.shape else { throw DiagnosticError(.error("expected \(inputType)", place: node.place)) }
        if node.kind == .quantize {
            guard let values = x.floats, let q = outputType.quantization else { throw DiagnosticError(.error("expected float32 input", place: node.place)) }
            let scale = q.scale(at: 0), zero = q.zeroPoint(at: 0)
            let low = Int32(clamping: outputType.elementType.minimumCode), high = Int32(clamping: outputType.elementType.maximumCode)
            return [Tensor(type: outputType, storage: .int32(values.map {
                LinearQuantization.quantize($0, scale: scale, zeroPoint: zero, minimumCode: low, maximumCode: high)
            }))]
        }
        guard let codes = x.codes, let q = inputType.quantization else { throw DiagnosticError(.error("expected codes", place: node.place)) }
        let scale = q.scale(at: 0), zero = q.zeroPoint(at: 0)
        return [Tensor(type: outputType, storage: .float32(codes.map { LinearQuantization.dequantize($0, scale: scale, zeroPoint: zero) }))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let elements = inputType.elementCount ?? 0
        let lanes = max(scheme.vectorBits / 32, 1)
        let vectors = (elements + lanes - 1) / lanes
        counts.aluOperations = elements * 4
        counts.instructions[node.kind == .quantize ? .vectorFloatDivide : .vectorFloatMultiply] = vectors
        counts.instructions[.vectorConvert] = vectors
        counts.bytesRead[levels.activations] = SIMDMemoryLevels.bytes(elements, of: inputType.elementType)
        counts.bytesWritten[levels.activations] = SIMDMemoryLevels.bytes(elements, of: outputType.elementType)
        return counts
    }

    func listing() -> [String] {
        node.kind == .quantize
            ? ["per \(max(scheme.vectorBits / 32, 1)) f32 lanes: divide by scale, round half to even, + zp, saturate to \(outputType.elementType.name) → \(outputType)"]
            : ["per \(max(scheme.vectorBits / 32, 1)) lanes: widen codes, − zp, convert to f32, × scale → \(outputType)"]
    }
}
