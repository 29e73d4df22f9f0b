import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics

/// Elementwise ops on 8-bit codes: relu / clip as a clamp of the codes (input and output share
/// their parameters: `vmax`/`vmin` of bytes), and quantized add / sub / mul of equally shaped
/// operands in float32 lanes: add and mul as ONNX Runtime's MLAS kernels compute them
/// (``KilnNumerics/ONNXRuntimeQLinearArithmetic``), sub as dequantize, subtract, quantize with
/// round half to even, as the reference defines them.
struct SIMDElementwiseKernel: TargetKernel {
    let node: Node
    let scheme: SIMDDotProductScheme
    let inputTypes: [TensorType]
    let outputType: TensorType
    let levels: SIMDMemoryLevels
    /// Clamp bounds (relu / clip).
    let bounds: (lower: Int32, upper: Int32)?
    var name: String { "simd-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { node.inputs.filter { !$0.isEmpty } }
    var outputs: [String] { node.outputs }

    /// Lowers relu / clip (same parameters in and out) or a quantized add / sub / mul of equal shapes.
    static func lower(node: Node, graph: Graph, scheme: SIMDDotProductScheme, levels: SIMDMemoryLevels) -> LoweringMatch {
        let types = node.inputs.filter { !$0.isEmpty }.compactMap { graph.types[$0] }
        guard let output = graph.types[node.outputs[0]], output.elementType.bitWidth == 8, let first = types.first else {
            return .rejected("needs 8-bit codes")
        }
        switch node.operation {
        case .relu, .clip:
            guard first.quantization == output.quantization, first.elementType == output.elementType, let q = output.quantization else {
                return .rejected("a clamp on codes needs the same quantization in and out (a lookup table would be needed)")
            }
            let low = Int32(clamping: output.elementType.minimumCode), high = Int32(clamping: output.elementType.maximumCode)
            func code(_ value: Float) -> Int32 {
                LinearQuantization.quantize(value, scale: q.scale(at: 0), zeroPoint: q.zeroPoint(at: 0), minimumCode: low, maximumCode: high)
            }
            var bounds = (lower: q.zeroPoint(at: 0), upper: high)
            if case .clip(let minimum, let maximum) = node.operation { bounds = (minimum.map(code) ?? low, maximum.map(code) ?? high) }
            if node.semantics == .tensorFlowLite {  // TFLite quantizes the bounds rounding half away from zero
                guard let activation = try? TFLiteClamp(node.operation, input: first, output: output), activation.isCodeClamp else {
                    return .rejected("TFLite's \(node.kind.rawValue) with these parameters rescales the codes")
                }
                bounds = (activation.bounds.lowerBound, activation.bounds.upperBound)
            }
            return .lowered(SIMDElementwiseKernel(node: node, scheme: scheme, inputTypes: types, outputType: output, levels: levels, bounds: bounds))
        case .add, .sub, .mul:
            guard node.semantics == .onnxRuntime else {
                return .rejected("the float-lane kernel computes ONNX Runtime's \(node.kind.rawValue); TFLite's is fixed point (a TFLite node runs on the host)")
            }
            guard types.count == 2, types[0].shape == types[1].shape, types[0].shape == output.shape,
                  types.allSatisfy({ $0.quantization?.isPerTensor ?? false }), output.quantization?.isPerTensor ?? false else {
                return .rejected("needs two per-tensor quantized operands of the output's shape (no broadcasting)")
            }
            return .lowered(SIMDElementwiseKernel(node: node, scheme: scheme, inputTypes: types, outputType: output, levels: levels, bounds: nil))
        default:
            return .rejected("not an elementwise op of the simd kernels")
        }
    }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard inputs.count == inputTypes.count, zip(inputs, inputTypes).allSatisfy({ $0.shape == $1.shape && $0.codes != nil }) else {
            throw DiagnosticError(.error("expected inputs \(inputTypes)", place: node.place))
        }
        if let bounds {
            return [Tensor(type: outputType, storage: .int32(inputs[0].codes!.map { min(max($0, bounds.lower), bounds.upper) }))]
        }
        let a = inputs[0].codes!, b = inputs[1].codes!
        let qa = inputTypes[0].quantization!, qb = inputTypes[1].quantization!, qo = outputType.quantization!
        let sa = qa.scale(at: 0), za = qa.zeroPoint(at: 0), sb = qb.scale(at: 0), zb = qb.zeroPoint(at: 0)
        let so = qo.scale(at: 0), zo = qo.zeroPoint(at: 0)
        let low = Int32(clamping: outputType.elementType.minimumCode), high = Int32(clamping: outputType.elementType.maximumCode)
        if node.kind != .sub {
            let arithmetic = ONNXRuntimeQLinearArithmetic(node.kind == .add ? .add : .multiply, scaleA: sa, zeroPointA: za, scaleB: sb,
                                                          zeroPointB: zb, scaleC: so, zeroPointC: zo, minimumCode: low, maximumCode: high)
            return [Tensor(type: outputType, storage: .int32(arithmetic.codes(a, b)))]
        }
        var output = [Int32](repeating: 0, count: a.count)
        for index in 0..<a.count {
            let x = LinearQuantization.dequantize(a[index], scale: sa, zeroPoint: za)
            let y = LinearQuantization.dequantize(b[index], scale: sb, zeroPoint: zb)
            output[index] = LinearQuantization.quantize(x - y, scale: so, zeroPoint: zo, minimumCode: low, maximumCode: high)
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let elements = outputType.elementCount ?? 0
        let byteLanes = scheme.vectorBytes, floatLanes = max(scheme.vectorBits / 32, 1)
        counts.bytesRead[levels.activations] = elements * inputTypes.count
        counts.bytesWritten[levels.activations] = elements
        if bounds != nil {
            counts.aluOperations = elements * 2
            counts.instructions[.vectorMax] = (elements + byteLanes - 1) / byteLanes
            counts.instructions[.vectorMin] = (elements + byteLanes - 1) / byteLanes
        } else {
            let vectors = (elements + floatLanes - 1) / floatLanes
            counts.aluOperations = elements * 9
            counts.instructions[.vectorConvert] = vectors * 3
            counts.instructions[.vectorFloatMultiply] = vectors * 2
            counts.instructions[.vectorFloatAdd] = vectors
            counts.instructions[.vectorFloatDivide] = vectors
        }
        return counts
    }

    func listing() -> [String] {
        if let bounds { return ["clamp codes to [\(bounds.lower), \(bounds.upper)] with \(scheme.vectorBits)-bit byte max/min"] }
        return ["per \(max(scheme.vectorBits / 32, 1)) f32 lanes: dequantize both, \(node.kind.rawValue), divide by the output scale, round half to even, + zp, saturate"]
    }
}
