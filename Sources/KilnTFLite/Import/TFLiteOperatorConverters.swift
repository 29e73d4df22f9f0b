import KilnDiagnostics
import KilnIR
import KilnNumerics

/// How each supported TFLite builtin operator becomes Kiln nodes.
extension TFLiteImportContext {
    /// Converts operator `index` of the subgraph.
    func convert(operator index: Int) throws(DiagnosticError) {
        begin(index)
        let op = model.subgraph.operators[index]
        let code = model.operatorCodes[op.opcodeIndex].builtin!.code
        guard let output = op.outputs.first, op.outputs.count == 1 else { throw error("expected exactly one output, got \(op.outputs.count)") }
        let inputs = op.inputs
        func input(_ position: Int) throws(DiagnosticError) -> Int {
            guard position < inputs.count, inputs[position] >= 0 else { throw error("input \(position) is missing") }
            return inputs[position]
        }
        let options = op.options
        let nodeName = "op\(index)_\(TFLiteBuiltinOperator(code: code).name)"
        switch code {
        case TFLiteOperatorConverters.conv2d, TFLiteOperatorConverters.depthwiseConv2d:
            try convolution(depthwise: code == TFLiteOperatorConverters.depthwiseConv2d, input: try input(0), weight: try input(1),
                            bias: inputs.count > 2 && inputs[2] >= 0 ? inputs[2] : nil, output: output, options: options, name: nodeName)
        case TFLiteOperatorConverters.fullyConnected:
            try fullyConnected(input: try input(0), weight: try input(1), bias: inputs.count > 2 && inputs[2] >= 0 ? inputs[2] : nil,
                               output: output, options: options, name: nodeName)
        case TFLiteOperatorConverters.averagePool2d, TFLiteOperatorConverters.maxPool2d:
            let x = try input(0)
            let shape = try tensor(x).shape
            guard shape.count == 4 else { throw error("pooling needs a rank-4 NHWC input, got \(shape)") }
            guard options.filterHeight <= shape[1], options.filterWidth <= shape[2] else {
                throw error("pooling window \(options.filterHeight)×\(options.filterWidth) is larger than the input's \(shape[1])×\(shape[2])")
            }
            let pads = try padding(options.padding, input: [shape[1], shape[2]], kernel: [options.filterHeight, options.filterWidth],
                                   strides: [options.strideHeight, options.strideWidth], dilations: [1, 1])
            let pooling = Pooling(kernel: [options.filterHeight, options.filterWidth], strides: [options.strideHeight, options.strideWidth], pads: pads)
            let operation: Operator = code == TFLiteOperatorConverters.maxPool2d ? .maxPool(pooling) : .averagePool(pooling)
            try emit(operation, [try value(x, in: .channelsFirst)], output: output, layout: .channelsFirst, activation: options.activation, name: nodeName)
        case TFLiteOperatorConverters.add, TFLiteOperatorConverters.sub, TFLiteOperatorConverters.mul,
             TFLiteOperatorConverters.squaredDifference:
            let a = try input(0), b = try input(1)
            let layout = try sharedLayout([a, b])
            let operation: Operator = switch code {
            case TFLiteOperatorConverters.add: .add
            case TFLiteOperatorConverters.sub: .sub
            case TFLiteOperatorConverters.mul: .mul
            default: .squaredDifference
            }
            try emit(operation, [try value(a, in: layout), try value(b, in: layout)], output: output, layout: layout,
                     activation: options.activation, name: nodeName)
        case TFLiteOperatorConverters.concatenation:
            let layout = try sharedLayout(inputs)
            let rank = try self.rank(of: output)
            guard let axis = Shape.normalizedAxis(options.axis, rank: rank) else { throw error("axis \(options.axis) is outside rank \(rank)") }
            let outputType = try type(of: output)
            for source in inputs where try type(of: source).quantization != outputType.quantization {
                throw error("TFLite's int8 CONCATENATION copies codes: every input must have the output's scale and zero point (tensor '\(try tensor(source).name)' differs)")
            }
            var names: [String] = []
            for source in inputs { names.append(try value(source, in: layout)) }
            let kilnAxis = layout == .channelsFirst ? TFLiteImportContext.toChannelsFirst.firstIndex(of: axis)! : axis
            try emit(.concat(axis: kilnAxis), names, output: output, layout: layout, activation: options.activation, name: nodeName)
        case TFLiteOperatorConverters.reshape, TFLiteOperatorConverters.squeeze:
            try emit(.reshape(shape: try tensor(output).shape), [try value(try input(0), in: .model)], output: output, layout: .model, name: nodeName)
        case TFLiteOperatorConverters.pad, TFLiteOperatorConverters.padV2:
            let x = try input(0)
            let rank = try self.rank(of: x)
            let pairs = try integers(try input(1), "paddings")
            guard pairs.count == 2 * rank, pairs.allSatisfy({ $0 >= 0 }) else { throw error("paddings must be \(rank)×2 non-negative numbers, got \(pairs)") }
            var value: Float = 0
            if code == TFLiteOperatorConverters.padV2, inputs.count > 2, inputs[2] >= 0 {
                guard let constant = try constant(inputs[2]) else { throw error("the padding value must be a constant") }
                value = Float(constant.doubles.first ?? 0)
                if let q = constant.type.quantization { value = q.scales[0] * (value - Float(q.zeroPoints[0])) }
            }
            let layout = rank == 4 ? self.layout(of: x) : .model
            let order = layout == .channelsFirst ? TFLiteImportContext.toChannelsFirst : Array(0..<rank)
            let pads = order.map { pairs[2 * $0] } + order.map { pairs[2 * $0 + 1] }
            try emit(.pad(Padding(pads: pads, value: value)), [try self.value(x, in: layout)], output: output, layout: layout, name: nodeName)
        case TFLiteOperatorConverters.mean:
            let x = try input(0)
            let rank = try self.rank(of: x)
            var axes: [Int] = []
            for axis in try integers(try input(1), "axes") {
                guard let normalized = Shape.normalizedAxis(axis, rank: rank) else { throw error("axis \(axis) is outside rank \(rank)") }
                if !axes.contains(normalized) { axes.append(normalized) }
            }
            var layout = rank == 4 ? self.layout(of: x) : .model
            // Without keep_dims the remaining axes must keep their order: NCHW keeps it unless
            // the channel axis and a spatial axis both remain.
            if layout == .channelsFirst, !options.keepDimensions, !axes.contains(3), !(axes.contains(1) && axes.contains(2)) { layout = .model }
            let kilnAxes = (layout == .channelsFirst ? axes.map { TFLiteImportContext.toChannelsFirst.firstIndex(of: $0)! } : axes).sorted()
            let resultLayout: Layout = layout == .channelsFirst && options.keepDimensions ? .channelsFirst : .model
            try emit(.mean(axes: kilnAxes, keepDimensions: options.keepDimensions), [try value(x, in: layout)], output: output,
                     layout: resultLayout, name: nodeName)
        case TFLiteOperatorConverters.softmax:
            guard options.beta == 1 else { throw error("SOFTMAX with beta \(options.beta) is not supported (only 1)") }
            let rank = try self.rank(of: output)
            try emit(.softmax(axis: rank - 1), [try value(try input(0), in: .model)], output: output, layout: .model, name: nodeName)
        case TFLiteOperatorConverters.logistic, TFLiteOperatorConverters.tanh, TFLiteOperatorConverters.relu, TFLiteOperatorConverters.relu6,
             TFLiteOperatorConverters.reluN1To1, TFLiteOperatorConverters.hardSwish, TFLiteOperatorConverters.leakyRelu,
             TFLiteOperatorConverters.gelu, TFLiteOperatorConverters.quantize, TFLiteOperatorConverters.dequantize,
             TFLiteOperatorConverters.rsqrt:
            let x = try input(0)
            let layout = self.layout(of: x)
            let operation: Operator
            switch code {
            case TFLiteOperatorConverters.logistic: operation = .sigmoid
            case TFLiteOperatorConverters.tanh: operation = .tanh
            case TFLiteOperatorConverters.relu: operation = .relu
            case TFLiteOperatorConverters.relu6: operation = .clip(minimum: 0, maximum: 6)
            case TFLiteOperatorConverters.reluN1To1: operation = .clip(minimum: -1, maximum: 1)
            case TFLiteOperatorConverters.hardSwish: operation = .hardSwish
            case TFLiteOperatorConverters.leakyRelu: operation = .leakyRelu(alpha: options.alpha)
            case TFLiteOperatorConverters.gelu: operation = .gelu(approximation: options.approximate ? .tanh : .none)
            case TFLiteOperatorConverters.dequantize: operation = .dequantize
            case TFLiteOperatorConverters.rsqrt: operation = .rsqrt
            default: operation = try type(of: x).elementType.isFloat ? .quantize : .requantize
            }
            try emit(operation, [try value(x, in: layout)], output: output, layout: layout, name: nodeName)
        case TFLiteOperatorConverters.neg:
            let x = try input(0)
            guard try type(of: x).elementType.isFloat else { throw error("NEG is supported on float tensors only") }
            let minusOne = addConstant("\(nodeName).minus_one", Tensor(shape: [], floats: [-1]))
            let layout = self.layout(of: x)
            try emit(.mul, [try value(x, in: layout), minusOne], output: output, layout: layout, name: nodeName)
        case TFLiteOperatorConverters.transpose:
            let permutation = try integers(try input(1), "permutation")
            try emit(.transpose(permutation: permutation), [try value(try input(0), in: .model)], output: output, layout: .model, name: nodeName)
        case TFLiteOperatorConverters.stridedSlice:
            try stridedSlice(input: try input(0), begin: try input(1), end: try input(2), strides: try input(3), output: output,
                             options: options, name: nodeName)
        case TFLiteOperatorConverters.gather:
            let x = try input(0)
            let rank = try self.rank(of: x)
            guard options.batchDimensions == 0 else { throw error("GATHER with batch_dims \(options.batchDimensions) is not supported") }
            guard let axis = Shape.normalizedAxis(options.axis, rank: rank) else { throw error("axis \(options.axis) is outside rank \(rank)") }
            try emit(.gather(axis: axis), [try value(x, in: .model), try value(try input(1), in: .model)], output: output, layout: .model, name: nodeName)
        case TFLiteOperatorConverters.resizeBilinear, TFLiteOperatorConverters.resizeNearestNeighbor:
            let size = try integers(try input(1), "size")
            guard size.count == 2, size.allSatisfy({ $0 >= 1 }) else { throw error("the size must be two positive numbers, got \(size)") }
            if options.alignCorners && options.halfPixelCenters { throw error("align_corners and half_pixel_centers cannot both be set") }
            let mode: Resize.Mode = code == TFLiteOperatorConverters.resizeBilinear ? .bilinear : .nearest
            try emit(.resize(Resize(mode: mode, size: size, alignCorners: options.alignCorners, halfPixelCenters: options.halfPixelCenters)),
                     [try value(try input(0), in: .channelsFirst)], output: output, layout: .channelsFirst, name: nodeName)
        case TFLiteOperatorConverters.batchMatMul:
            var operands: [String] = []
            for (position, adjoint) in [(0, options.adjointX), (1, options.adjointY)] {
                let source = try input(position)
                var name = try value(source, in: .model)
                if adjoint {
                    let type = try self.type(of: source)
                    let rank = type.shape.count
                    guard rank >= 2 else { throw error("an adjoint operand needs rank ≥ 2") }
                    let permutation = Array(0 ..< rank - 2) + [rank - 1, rank - 2]
                    let transposed = fresh("\(name).adjoint")
                    append(Node(name: fresh("\(nodeName).adjoint\(position)"), operation: .transpose(permutation: permutation),
                                inputs: [name], outputs: [transposed], semantics: .tensorFlowLite),
                           type.withShape(permutation.map { type.shape[$0] }))
                    name = transposed
                }
                operands.append(name)
            }
            try emit(.matmul, operands, output: output, layout: .model, name: nodeName, requantization: .fixedPointMultiplier)
        default:
            throw error("operator code \(code) has no converter")
        }
    }

    /// STRIDED_SLICE (`strided_slice_logic.h`): masks and negative indices resolved to a start,
    /// a count and a step per axis; shrunk axes are removed by a reshape to the declared shape.
    private func stridedSlice(input x: Int, begin: Int, end: Int, strides: Int, output: Int, options: TFLiteOptions,
                              name: String) throws(DiagnosticError) {
        guard options.ellipsisMask == 0, options.newAxisMask == 0, !options.offset else {
            throw error("STRIDED_SLICE with an ellipsis or new-axis mask or offset is not supported")
        }
        let shape = try tensor(x).shape
        let begins = try integers(begin, "begin"), ends = try integers(end, "end"), steps = try integers(strides, "strides")
        guard begins.count == shape.count, ends.count == shape.count, steps.count == shape.count, steps.allSatisfy({ $0 != 0 }) else {
            throw error("begin, end and strides need one non-zero entry per axis of \(shape)")
        }
        var starts: [Int] = [], counts: [Int] = []
        for axis in shape.indices {
            let size = shape[axis], step = steps[axis], bit = 1 << axis
            func resolve(_ index: Int, masked: Bool, forBegin: Bool) -> Int {
                if masked { return step > 0 ? (forBegin ? 0 : size) : (forBegin ? size - 1 : -1) }
                let wrapped = index < 0 ? index + size : index
                return step > 0 ? min(max(wrapped, 0), size) : min(max(wrapped, -1), size - 1)
            }
            let start = resolve(begins[axis], masked: options.beginMask & bit != 0, forBegin: true)
            let stop = options.shrinkAxisMask & bit != 0 ? start + 1 : resolve(ends[axis], masked: options.endMask & bit != 0, forBegin: false)
            let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
            starts.append(count == 0 ? 0 : start)
            counts.append(count)
        }
        let sliced = fresh("\(try tensor(output).name).slice")
        let type = try self.type(of: x)
        append(Node(name: name, operation: .slice(Slice(starts: starts, counts: counts, steps: steps)), inputs: [try value(x, in: .model)],
                    outputs: [sliced], semantics: .tensorFlowLite), type.withShape(counts))
        try emit(.reshape(shape: try tensor(output).shape), [sliced], output: output, layout: .model, name: "\(name).reshape")
    }

    /// The layout binary operators and concatenation work in: NCHW when every operand is a
    /// rank-4 value already in NCHW, else the model's.
    private func sharedLayout(_ operands: [Int]) throws(DiagnosticError) -> Layout {
        for operand in operands where try rank(of: operand) != 4 || layout(of: operand) != .channelsFirst { return .model }
        return .channelsFirst
    }

    /// Adds the node computing `output` (and its fused activation, as a clip node with TFLite's
    /// bounds), and records the result's layout.
    private func emit(_ operation: Operator, _ inputs: [String], output: Int, layout: Layout, activation: Int = 0, name: String,
                      requantization: RequantizationRule = .floatScale) throws(DiagnosticError) {
        let type = try self.type(of: output, in: layout)
        let fused: Operator?
        switch activation {
        case 0: fused = nil
        case 1: fused = .relu
        case 2: fused = .clip(minimum: -1, maximum: 1)
        case 3: fused = .clip(minimum: 0, maximum: 6)
        default: throw error("fused activation \(activation) (TANH or SIGN_BIT) is not supported")
        }
        let result = resultName(output, layout: layout)
        let first = fused == nil ? result : fresh("\(result).preactivation")
        append(Node(name: name, operation: operation, inputs: inputs, outputs: [first], requantization: requantization,
                    semantics: .tensorFlowLite), type)
        if let fused {
            append(Node(name: "\(name).activation", operation: fused, inputs: [first], outputs: [result], semantics: .tensorFlowLite), type)
        }
        define(output, result, layout)
    }

    /// TFLite's SAME / VALID padding as Kiln's `[top, left, bottom, right]`: SAME pads
    /// `max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0)` in all, the smaller half first.
    private func padding(_ padding: Int, input: [Int], kernel: [Int], strides: [Int], dilations: [Int]) throws(DiagnosticError) -> [Int] {
        guard strides.allSatisfy({ $0 >= 1 }), dilations.allSatisfy({ $0 >= 1 }), kernel.allSatisfy({ $0 >= 1 }) else {
            throw error("strides \(strides), dilations \(dilations) and window \(kernel) must be positive")
        }
        guard padding == 0 else { return [0, 0, 0, 0] }
        var begin: [Int] = [], end: [Int] = []
        for axis in 0..<2 {
            let output = (input[axis] + strides[axis] - 1) / strides[axis]
            let total = max((output - 1) * strides[axis] + (kernel[axis] - 1) * dilations[axis] + 1 - input[axis], 0)
            begin.append(total / 2)
            end.append(total - total / 2)
        }
        return begin + end
    }

    /// CONV_2D (weights OHWI) and DEPTHWISE_CONV_2D (weights `[1, KH, KW, C·M]`) as conv2d
    /// with OIHW weights, NCHW activations and the fixed-point multiplier rule.
    private func convolution(depthwise: Bool, input x: Int, weight: Int, bias: Int?, output: Int, options: TFLiteOptions,
                             name: String) throws(DiagnosticError) {
        guard let weights = try constant(weight) else { throw error("the filter must be a constant") }
        try requireMatchingWeights(input: x, weights: weights)
        let inputShape = try tensor(x).shape
        guard inputShape.count == 4, weights.shape.count == 4 else { throw error("convolution needs rank-4 input and filter, got \(inputShape) and \(weights.shape)") }
        let permutation = depthwise ? [3, 0, 1, 2] : [0, 3, 1, 2]
        let oihw = try permuted(weights, permutation, quantizedAxis: depthwise ? 3 : 0)
        let channels = inputShape[3]
        let groups = depthwise ? channels : channels / max(oihw.shape[1], 1)
        guard groups >= 1, depthwise || channels % max(oihw.shape[1], 1) == 0 else {
            throw error("filter \(weights.shape) does not fit \(channels) input channels")
        }
        if depthwise, oihw.shape[0] != channels * max(options.depthMultiplier, 1), options.depthMultiplier != 0 {
            throw error("filter \(weights.shape) does not match \(channels) channels × depth multiplier \(options.depthMultiplier)")
        }
        let kernel = [oihw.shape[2], oihw.shape[3]]
        let pads = try padding(options.padding, input: [inputShape[1], inputShape[2]], kernel: kernel,
                               strides: [options.strideHeight, options.strideWidth], dilations: [options.dilationHeight, options.dilationWidth])
        let attributes = Convolution(strides: [options.strideHeight, options.strideWidth],
                                     dilations: [options.dilationHeight, options.dilationWidth], pads: pads, groups: groups)
        let weightName = try tensor(weight).name
        var operands = [try value(x, in: .channelsFirst), addConstant("\(weightName).oihw", oihw)]
        if let bias { operands.append(try value(bias, in: .model)) }
        try emit(.conv2d(attributes), operands, output: output, layout: .channelsFirst, activation: options.activation, name: name,
                 requantization: .fixedPointMultiplier)
    }

    /// FULLY_CONNECTED: the input flattened to `[count / K, K]`, weights `[N, K]` transposed to
    /// Kiln's `[K, N]`, the result reshaped to the declared output shape (keep_num_dims).
    private func fullyConnected(input x: Int, weight: Int, bias: Int?, output: Int, options: TFLiteOptions, name: String) throws(DiagnosticError) {
        guard options.weightsFormat == 0 else { throw error("shuffled FULLY_CONNECTED weights are not supported") }
        guard let weights = try constant(weight), weights.shape.count == 2 else { throw error("the weights must be a constant of rank 2") }
        try requireMatchingWeights(input: x, weights: weights)
        let depth = weights.shape[1], units = weights.shape[0]
        let inputType = try type(of: x)
        guard depth > 0, let count = inputType.elementCount, count % depth == 0 else {
            throw error("input \(inputType.shape) cannot be flattened to rows of \(depth)")
        }
        var source = try value(x, in: .model)
        if inputType.shape != [count / depth, depth] {
            let flattened = fresh("\(source).rows")
            append(Node(name: fresh("\(name).flatten"), operation: .reshape(shape: [count / depth, depth]), inputs: [source], outputs: [flattened],
                        semantics: .tensorFlowLite), inputType.withShape([count / depth, depth]))
            source = flattened
        }
        let weightName = try tensor(weight).name
        var operands = [source, addConstant("\(weightName).kn", try permuted(weights, [1, 0], quantizedAxis: 0))]
        if let bias { operands.append(try value(bias, in: .model)) }
        let outputType = try type(of: output)
        let rows = outputType.withShape([count / depth, units])
        if outputType.shape == rows.shape {
            try emit(.dense, operands, output: output, layout: .model, activation: options.activation, name: name, requantization: .fixedPointMultiplier)
            return
        }
        let outputName = try tensor(output).name
        let flat = fresh("\(outputName).rows")
        append(Node(name: name, operation: .dense, inputs: operands, outputs: [flat], requantization: .fixedPointMultiplier, semantics: .tensorFlowLite), rows)
        try emit(.reshape(shape: outputType.shape), [flat], output: output, layout: .model, activation: options.activation, name: "\(name).reshape")
    }

    /// Refuses hybrid operators (float activations, integer weights: TFLite's dynamic-range
    /// quantization, which quantizes activations at run time).
    private func requireMatchingWeights(input: Int, weights: Tensor) throws(DiagnosticError) {
        if try type(of: input).elementType.isFloat && weights.type.elementType.isInteger {
            throw error("hybrid (dynamic-range quantized) operators with float activations and \(weights.type.elementType.name) weights are not supported; convert with full-integer quantization or float weights")
        }
    }

    /// A constant with permuted axes; per-channel quantization follows its axis.
    private func permuted(_ tensor: Tensor, _ permutation: [Int], quantizedAxis: Int) throws(DiagnosticError) -> Tensor {
        let shape = permutation.map { tensor.shape[$0] }
        let sourceStrides = Shape.strides(tensor.shape)
        let count = tensor.count
        var offsets = [Int](repeating: 0, count: count)
        let outputStrides = Shape.strides(shape)
        for index in 0..<count {
            var offset = 0
            for axis in shape.indices { offset += (index / outputStrides[axis]) % shape[axis] * sourceStrides[permutation[axis]] }
            offsets[index] = offset
        }
        var type = tensor.type.withShape(shape)
        if var quantization = type.quantization, let axis = quantization.axis {
            guard axis == quantizedAxis else { throw error("per-channel weights must be quantized along axis \(quantizedAxis), not \(axis)") }
            quantization.axis = permutation.firstIndex(of: axis)
            type.quantization = quantization
        }
        switch tensor.storage {
        case .float32(let values): return Tensor(type: type, storage: .float32(offsets.map { values[$0] }))
        case .int32(let values): return Tensor(type: type, storage: .int32(offsets.map { values[$0] }))
        case .int64(let values): return Tensor(type: type, storage: .int64(offsets.map { values[$0] }))
        }
    }
}

/// The builtin operator codes Kiln imports (`BuiltinOperator` in the schema).
enum TFLiteOperatorConverters {
    static let add: Int32 = 0, averagePool2d: Int32 = 1, concatenation: Int32 = 2, conv2d: Int32 = 3, depthwiseConv2d: Int32 = 4
    static let dequantize: Int32 = 6, fullyConnected: Int32 = 9, logistic: Int32 = 14, maxPool2d: Int32 = 17, mul: Int32 = 18
    static let relu: Int32 = 19, reluN1To1: Int32 = 20, relu6: Int32 = 21, reshape: Int32 = 22, softmax: Int32 = 25, tanh: Int32 = 28
    static let pad: Int32 = 34, transpose: Int32 = 39, mean: Int32 = 40, sub: Int32 = 41, squeeze: Int32 = 43, neg: Int32 = 59
    static let padV2: Int32 = 60, leakyRelu: Int32 = 98, quantize: Int32 = 114, hardSwish: Int32 = 117, batchMatMul: Int32 = 126
    static let gelu: Int32 = 150, resizeBilinear: Int32 = 23, gather: Int32 = 36, stridedSlice: Int32 = 45
    static let resizeNearestNeighbor: Int32 = 97, squaredDifference: Int32 = 99, rsqrt: Int32 = 76

    /// Every code with a converter.
    static let supported: Set<Int32> = [
        add, averagePool2d, concatenation, conv2d, depthwiseConv2d, dequantize, fullyConnected, logistic, maxPool2d, mul, relu,
        reluN1To1, relu6, reshape, softmax, tanh, pad, transpose, mean, sub, squeeze, neg, padV2, leakyRelu, quantize, hardSwish,
        batchMatMul, gelu, resizeBilinear, gather, stridedSlice, resizeNearestNeighbor, squaredDifference, rsqrt,
    ]
}
