import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Pooling on 8-bit codes: maxPool as a byte max over the window (`vmax`), globalAveragePool
/// (and an average whose window is the whole image) as an int32 sum of `code − zp` scaled by the
/// float32 multiplier `inputScale / (outputScale · count)`, rounded half to even; any other
/// average as ONNX Runtime's float path, a float32 sum of dequantized codes
/// (``KilnNumerics/ONNXRuntimeQLinearAveragePool``), as the reference computes them.
struct SIMDPoolingKernel: TargetKernel {
    let node: Node
    let scheme: SIMDDotProductScheme
    let inputType: TensorType, outputType: TensorType
    let levels: SIMDMemoryLevels
    /// The window (global pooling: the whole plane, no padding).
    let pooling: Pooling
    var name: String { "simd-\(node.kind.rawValue)" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }
    private var isMax: Bool { node.kind == .maxPool }

    /// Lowers max / average / global average pooling on 8-bit codes, or says why it cannot.
    static func lower(node: Node, graph: Graph, scheme: SIMDDotProductScheme, levels: SIMDMemoryLevels) -> LoweringMatch {
        guard let input = graph.types[node.inputs[0]], let output = graph.types[node.outputs[0]], input.shape.count == 4,
              SIMDBinaryOperands.isByte(input.elementType) else { return .rejected("needs 8-bit NCHW codes") }
        let pooling: Pooling
        switch node.operation {
        case .maxPool(let attributes):
            guard input.quantization == output.quantization else { return .rejected("max pooling on codes needs equal parameters in and out") }
            pooling = attributes
        case .averagePool where node.semantics != .onnxRuntime, .globalAveragePool where node.semantics != .onnxRuntime:
            return .rejected("the kernel averages with ONNX Runtime's float scale; TFLite's average rounds the integer quotient (a TFLite node runs on the host)")
        case .averagePool(let attributes):
            guard input.quantization != nil, output.quantization != nil else { return .rejected("needs quantized input and output") }
            pooling = attributes
        case .globalAveragePool:
            guard input.quantization != nil, output.quantization != nil else { return .rejected("needs quantized input and output") }
            pooling = Pooling(kernel: [input.shape[2], input.shape[3]])
        default:
            return .rejected("not a pooling op of the simd kernels")
        }
        return .lowered(SIMDPoolingKernel(node: node, scheme: scheme, inputType: input, outputType: output, levels: levels, pooling: pooling))
    }

    func execute(_ inputs: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let x = inputs.first?.codes, inputs[0].shape == inputType.shape else {
            throw DiagnosticError(.error("expected \(inputType) codes", place: node.place))
        }
        let s = inputType.shape, o = outputType.shape
        let height = s[2], width = s[3], outputHeight = o[2], outputWidth = o[3]
        let planes = s[0] * s[1]
        let zero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        if isMax {
            return [Tensor(type: outputType, storage: .int32(maxPool(x, planes: planes, height: height, width: width,
                                                                     outputHeight: outputHeight, outputWidth: outputWidth, zero: zero)))]
        }
        let paddedHeight = height + pooling.pads[0] + pooling.pads[2], paddedWidth = width + pooling.pads[1] + pooling.pads[3]
        var output = [Int32](repeating: 0, count: planes * outputHeight * outputWidth)
        var requantizers: [Int: FloatScaleRequantizer] = [:]
        let floatPath: ONNXRuntimeQLinearAveragePool? = isMax || node.kind == .globalAveragePool ? nil : inputType.quantization.flatMap { input in
            outputType.quantization.flatMap { output in
                ONNXRuntimeQLinearAveragePool.takesFloatPath(kernel: pooling.kernel, spatialShape: [height, width], pads: pooling.pads,
                                                             inputBits: inputType.elementType.bitWidth, outputBits: outputType.elementType.bitWidth)
                    ? ONNXRuntimeQLinearAveragePool(inputScale: input.scale(at: 0), inputZeroPoint: input.zeroPoint(at: 0),
                                                    outputScale: output.scale(at: 0), outputZeroPoint: output.zeroPoint(at: 0),
                                                    minimumCode: Int32(outputType.elementType.minimumCode),
                                                    maximumCode: Int32(outputType.elementType.maximumCode))
                    : nil
            }
        }
        // The window's geometry as plain integers: read through `pooling` inside the loops, a debug
        // build copies (retains and releases) its arrays at every tap.
        let (kernelHeight, kernelWidth) = (pooling.kernel[0], pooling.kernel[1])
        let (strideY, strideX) = (pooling.strides[0], pooling.strides[1])
        let (padTop, padLeft) = (pooling.pads[0], pooling.pads[1])
        let (dilationY, dilationX) = (pooling.dilations[0], pooling.dilations[1])
        let countIncludePad = pooling.countIncludePad
        for p in 0..<planes {
            for oy in 0..<outputHeight {
                for ox in 0..<outputWidth {
                    var best = Int32.min, sum: Int32 = 0, counted = 0, floatSum: Float = 0
                    for ky in 0..<kernelHeight {
                        let y = oy * strideY - padTop + ky * dilationY
                        let rowCounts = countIncludePad ? y < paddedHeight - padTop : (y >= 0 && y < height)
                        for kx in 0..<kernelWidth {
                            let xx = ox * strideX - padLeft + kx * dilationX
                            if rowCounts && (countIncludePad ? xx < paddedWidth - padLeft : (xx >= 0 && xx < width)) { counted += 1 }
                            guard y >= 0, y < height, xx >= 0, xx < width else { continue }
                            let value = x[(p * height + y) * width + xx]
                            best = max(best, value)
                            sum &+= value &- zero
                            if let floatPath { floatSum += floatPath.dequantized(value) }
                        }
                    }
                    let index = (p * outputHeight + oy) * outputWidth + ox
                    if isMax {
                        output[index] = best == Int32.min ? zero : best
                    } else if counted == 0 {
                        output[index] = outputType.quantization?.zeroPoint(at: 0) ?? 0
                    } else if let floatPath {
                        output[index] = floatPath.code(sum: floatSum, count: counted)
                    } else {
                        if requantizers[counted] == nil {
                            let multiplier = inputType.quantization!.scale(at: 0) / (outputType.quantization!.scale(at: 0) * Float(counted))
                            do {
                                requantizers[counted] = try FloatScaleRequantizer(multiplier: multiplier, zeroPoint: outputType.quantization!.zeroPoint(at: 0),
                                                                                  outputType: outputType.elementType)
                            } catch {
                                throw DiagnosticError(.error("cannot requantize the average to \(outputType): \(error)", place: node.place))
                            }
                        }
                        output[index] = requantizers[counted]!.apply(sum)
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// Max pooling: the largest code of each window's positions inside the image, or the zero
    /// point when the window lies wholly in the padding (the general loop's rule), with the
    /// window clipped to the image once per output position instead of tested at every tap.
    private func maxPool(_ x: [Int32], planes: Int, height: Int, width: Int, outputHeight: Int, outputWidth: Int, zero: Int32) -> [Int32] {
        let (kernelHeight, kernelWidth) = (pooling.kernel[0], pooling.kernel[1])
        let (strideY, strideX) = (pooling.strides[0], pooling.strides[1])
        let (padTop, padLeft) = (pooling.pads[0], pooling.pads[1])
        let (dilationY, dilationX) = (pooling.dilations[0], pooling.dilations[1])
        /// The taps k in 0..<kernel with 0 ≤ origin + k·dilation < limit.
        func taps(_ origin: Int, _ kernel: Int, _ dilation: Int, _ limit: Int) -> Range<Int> {
            let first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation
            let last = origin >= limit ? 0 : min(kernel, (limit - 1 - origin) / dilation + 1)
            return first ..< max(first, last)
        }
        let count = planes * outputHeight * outputWidth
        return [Int32](unsafeUninitializedCapacity: count) { output, written in
            x.withUnsafeBufferPointer { input in
                for p in 0..<planes {
                    let plane = input.baseAddress! + p * height * width
                    for oy in 0..<outputHeight {
                        let top = oy * strideY - padTop
                        let rows = taps(top, kernelHeight, dilationY, height)
                        for ox in 0..<outputWidth {
                            let left = ox * strideX - padLeft
                            let columns = taps(left, kernelWidth, dilationX, width)
                            var best = Int32.min
                            for ky in rows {
                                let line = plane + (top + ky * dilationY) * width + left
                                for kx in columns { best = max(best, line[kx * dilationX]) }
                            }
                            output[(p * outputHeight + oy) * outputWidth + ox] = rows.isEmpty || columns.isEmpty ? zero : best
                        }
                    }
                }
            }
            written = count
        }
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let outputElements = outputType.elementCount ?? 0
        let window = pooling.kernel[0] * pooling.kernel[1]
        let lanes = scheme.vectorBytes
        counts.aluOperations = outputElements * (window + (isMax ? 0 : 4))
        counts.bytesRead[levels.activations] = outputElements * window
        counts.bytesWritten[levels.activations] = outputElements
        // NHWC over channels: one vector op per window tap per vector of channel bytes.
        counts.instructions[isMax ? .vectorMax : .vectorAddWiden] = (outputElements * window + lanes - 1) / lanes
        if !isMax { counts.instructions[.vectorFloatMultiply] = (outputElements + lanes / 4 - 1) / max(lanes / 4, 1) }
        return counts
    }

    func listing() -> [String] {
        let window = "\(pooling.kernel[0])×\(pooling.kernel[1]) window, stride \(pooling.strides[0])×\(pooling.strides[1]), pads \(pooling.pads)"
        return isMax
            ? ["byte max over a \(window), \(scheme.vectorBytes) channels per vector → \(outputType.shape)"]
            : pooling.kernel == [inputType.shape[2], inputType.shape[3]] && !pooling.pads.contains { $0 != 0 }
                ? ["int32 sum of (code − zp) over a \(window), × inputScale/(outputScale·count) in f32, round half to even → \(outputType.shape)"]
                : ["f32 sum of inputScale·(code − zp) over a \(window), ÷ count ÷ outputScale + zp, round half to even (ONNX Runtime's float path) → \(outputType.shape)"]
    }
}
