import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// conv2d / dense / matmul (also batched, two activations) with 8-bit integer operands → a systolic GEMM.
struct SystolicGEMMPattern: LoweringPattern {
    let root: OperatorKind
    var name: String { "systolic-gemm-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let systolic = target.section(SystolicSection.self) else { return .rejected("the target is not a systolic array") }
        guard let x = node.input(0), let inputType = graph.types[x], let y = node.input(1), let weightType = graph.types[y],
              node.outputs.count == 1, let outputType = graph.types[node.outputs[0]] else {
            return .rejected("needs two operands and one output")
        }
        for type in [inputType, weightType] {
            guard type.elementType.isInteger, target.numerics.storageFormats.contains(type.elementType) else {
                return .rejected("operand \(type.elementType.name): the array multiplies \(target.numerics.storageFormats.map(\.name).joined(separator: ", "))")
            }
        }
        guard inputType.quantization?.isPerTensor ?? true else { return .rejected("the ifmap needs per-tensor parameters") }
        if outputType.quantization != nil {
            guard target.numerics.requantization.contains(node.requantization) else {
                return .rejected("requantization \(node.requantization.rawValue) is not implemented by the output path (\(target.numerics.requantization.map(\.rawValue).joined(separator: ", ")))")
            }
            guard case .integer = outputType.elementType, outputType.quantization!.isPerTensor else {
                return .rejected("the output path writes per-tensor quantized integers")
            }
        } else if outputType.elementType != .int32 {
            return .rejected("an unquantized result must be i32")
        }
        var bias: [Int32]?
        if let name = node.input(2) {
            guard let codes = graph.constants[name]?.codes else { return .rejected("the bias must be a constant int32 tensor") }
            bias = codes
        }
        let operands: SystolicGEMMUnit.Operands
        let m: Int, k: Int, n: Int, groups: Int
        switch node.operation {
        case .conv2d(let attributes):
            guard let weight = graph.constants[y]?.codes, inputType.shape.count == 4, weightType.shape.count == 4,
                  outputType.shape.count == 4, attributes.groups > 0, weightType.shape[0] % attributes.groups == 0 else {
                return .rejected("conv2d needs NCHW input and constant OIHW weights")
            }
            let s = inputType.shape, w = weightType.shape
            let window = SlidingWindowGenerator(batch: s[0], channels: s[1], height: s[2], width: s[3], kernelHeight: w[2], kernelWidth: w[3],
                                                strides: attributes.strides, dilations: attributes.dilations, pads: attributes.pads,
                                                outputHeight: outputType.shape[2], outputWidth: outputType.shape[3], groups: attributes.groups)
            groups = attributes.groups
            m = s[0] * window.outputPixels
            k = window.windowLength
            n = w[0] / groups
            // Filters as [group][N][K] in (ky, kx, c) order, zero-point-shifted.
            var filters = [Int32](repeating: 0, count: w[0] * k)
            for o in 0..<w[0] {
                let zero = weightType.quantization?.zeroPoint(at: o) ?? 0
                for c in 0..<w[1] { for ky in 0..<w[2] { for kx in 0..<w[3] {
                    filters[o * k + (ky * w[3] + kx) * w[1] + c] = weight[((o * w[1] + c) * w[2] + ky) * w[3] + kx] &- zero
                } } }
            }
            operands = .convolution(window, filters: filters)
        case .dense:
            guard let weight = graph.constants[y]?.codes, weightType.shape.count == 2, let depth = inputType.shape.last,
                  depth == weightType.shape[0], depth > 0 else {
                return .rejected("dense needs x[..., K] and constant w[K, N]")
            }
            groups = 1
            k = depth
            n = weightType.shape[1]
            m = (Shape.elementCount(inputType.shape) ?? 0) / depth
            var filters = [Int32](repeating: 0, count: n * k)
            for kk in 0..<k { for column in 0..<n {
                filters[column * k + kk] = weight[kk * n + column] &- (weightType.quantization?.zeroPoint(at: column) ?? 0)
            } }
            operands = .dense(filters: filters)
        case .matmul where weightType.shape.count >= 3:
            // Attention's products of two activations: one GEMM per batch entry (the batches run
            // one after another on the array, as groups do).
            let left = inputType.shape, right = weightType.shape
            guard left.count == right.count, left.dropLast(2) == right.dropLast(2), left[left.count - 1] == right[right.count - 2],
                  weightType.quantization?.isPerTensor ?? true else {
                return .rejected("the array runs a batched a[..., M, K] · b[..., K, N] with equal batch dimensions and a per-tensor b; got \(left) × \(right)")
            }
            groups = Shape.elementCount(Array(left.dropLast(2))) ?? 0
            m = left[left.count - 2]
            k = right[right.count - 2]
            n = right[right.count - 1]
            operands = .batchedMatmul(rightZeroPoint: weightType.quantization?.zeroPoint(at: 0) ?? 0)
        case .matmul:
            guard inputType.shape.count >= 2, weightType.shape.count == 2, inputType.shape.last == weightType.shape[0] else {
                return .rejected("the array runs a[..., M, K] · b[K, N] or a batched product; a 1-D operand stays on the host")
            }
            groups = 1
            k = weightType.shape[0]
            n = weightType.shape[1]
            m = k == 0 ? 0 : (Shape.elementCount(inputType.shape) ?? 0) / k
            operands = .matmul(rightZeroPoints: (0..<n).map { weightType.quantization?.zeroPoint(at: $0) ?? 0 })
        default:
            return .rejected("not a GEMM")
        }
        var requantizer: OutputRequantizer
        let channels: Int
        if case .batchedMatmul = operands { channels = n } else { channels = n * groups }
        do {
            requantizer = try OutputRequantizer(rule: node.requantization, input: inputType, weight: weightType, output: outputType,
                                                channels: channels, place: node.place)
        } catch {
            return .rejected(error.diagnostics.map(\.message).joined(separator: "; "))
        }
        // A binarized layer's raw accumulator read by its sign step: the threshold joins the bias
        // and the output path writes the sign.
        var sign: SystolicSignFusion?
        if node.kind == .conv2d || node.kind == .dense, outputType.quantization == nil, bias.map({ $0.count == channels }) ?? true,
           let fusion = SystolicSignFusion(after: index, in: context, channels: channels) {
            sign = fusion
            bias = (0..<channels).map { (bias?[$0] ?? 0) &+ fusion.addend[$0] }
            requantizer = requantizer.sign()
        }
        return .lowered(SystolicGEMMUnit(node: node, operands: operands, m: m, k: k, n: n, groups: groups, bias: bias,
                                         requantizer: requantizer, types: (inputType, weightType, sign?.outputType ?? outputType),
                                         target: target, systolic: systolic, sign: sign))
    }
}
