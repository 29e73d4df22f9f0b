import KilnCompiler
import KilnIR

/// How a node of the target-numerics graph becomes NPU passes, under the operator checks of
/// Vela 5.2 (`ethosu/vela/tflite_supported_operators.py`) that Kiln's int8 graphs can violate:
/// int8 feature maps, stride 1–3, dilated kernel at most 64×64, batch 1 for convolutions, depthwise multiplier 1 or input depth 1, pooling kernel and stride limits.
/// A node outside them is rejected with Vela's reason and runs on the host.
enum EthosUPassMapping {
    /// The passes for `node` (an activation already fused into `activation`); `foldsStridedConvolution`:
    /// the node's input is a graph input, up to views and layout transposes, and the estimate follows
    /// Vela's Python core, whose graph optimiser folds the stride of such a convolution
    /// (`fixup_strided_conv`; the default core has no such rewrite).
    static func passes(for node: Node, in graph: Graph, activation: EthosUActivation, ifmFormat: FeatureMapFormat,
                       ofmFormat: FeatureMapFormat, foldsStridedConvolution: Bool = false) throws(LoweringRejection) -> [EthosUPass] {
        let types = try node.inputs.filter { !$0.isEmpty }.map { (name: String) throws(LoweringRejection) -> TensorType in
            guard let type = graph.types[name] else { throw LoweringRejection("value '\(name)' has no type") }
            return type
        }
        guard let output = node.outputs.first.flatMap({ graph.types[$0] }) else { throw LoweringRejection("the output has no type") }
        // ±1 codes (a binarized network's activations) are int8 feature maps holding −1 / +1.
        for type in [types.first, output].compactMap({ $0 }) where type.elementType != .int8 && type.elementType != .binary {
            throw LoweringRejection("Vela: feature maps must be int8 on the NPU (this one is \(type.elementType))")
        }
        func pass(_ type: EthosUBlockType, _ kind: EthosUOutputKind, ifm: FeatureMapShape, ofm: FeatureMapShape) -> EthosUPass {
            EthosUPass(blockType: type, outputKind: kind, activation: activation, ifm: ifm, ofm: ofm, ifmFormat: ifmFormat, ofmFormat: ofmFormat)
        }
        switch node.operation {
        case .conv2d(let convolution):
            guard types.count >= 2, types[0].shape.count == 4, types[1].shape.count == 4, output.shape.count == 4,
                  convolution.strides.count == 2, convolution.dilations.count == 2 else {
                throw LoweringRejection("Vela: only 2-D convolutions run on the NPU")
            }
            let ifm = channelsFirst(types[0].shape), ofm = channelsFirst(output.shape)
            let weights = types[1].shape
            guard ifm.batch == 1 else { throw LoweringRejection("Vela: batch size must be 1 for convolutions (got \(ifm.batch))") }
            try checkStrides(convolution.strides)
            let depthwise = convolution.groups > 1
            if depthwise, convolution.groups != ifm.depth || weights[1] != 1 {
                throw LoweringRejection("Vela: grouped convolutions other than depthwise do not run on the NPU")
            }
            if depthwise, ofm.depth != ifm.depth, ifm.depth != 1 {
                throw LoweringRejection("Vela: depthwise multiplier must be 1 or the input depth 1 (got \(ofm.depth / max(ifm.depth, 1)))")
            }
            var result = pass(depthwise ? .depthwise : .convolution, .other, ifm: ifm, ofm: ofm)
            result.kernelHeight = weights[2]
            result.kernelWidth = weights[3]
            result.strideHeight = convolution.strides[0]
            result.strideWidth = convolution.strides[1]
            result.dilationHeight = convolution.dilations[0]
            result.dilationWidth = convolution.dilations[1]
            guard result.kernelAreaHeight <= 64, result.kernelAreaWidth <= 64 else {
                throw LoweringRejection("Vela: dilated kernel must be at most 64×64 (got \(result.kernelAreaHeight)×\(result.kernelAreaWidth))")
            }
            result.biasBytes = node.input(2) == nil ? 0 : 4
            result.weightCount = weights.reduce(1, *)
            result.weights = velaWeights(node, in: graph, depthwise: depthwise, hasScales: result.biasBytes > 0)
            // The network's first convolution: Vela's Python core may fold its stride.
            if foldsStridedConvolution, let folded = EthosUStridedConvolutionFold.fold(result, pads: convolution.pads) { return [folded] }
            return [result]
        case .dense:
            guard types.count >= 2, let k = types[0].shape.last, let o = output.shape.last else { throw LoweringRejection("dense needs an input and weights") }
            let rows = types[0].shape.dropLast().reduce(1, *)
            var result = pass(.vectorProduct, .other, ifm: .init(batch: 1, height: 1, width: rows, depth: k),
                              ofm: .init(batch: 1, height: 1, width: rows, depth: o))
            result.biasBytes = node.input(2) == nil ? 0 : 4
            result.weightCount = types[1].shape.reduce(1, *)
            result.weights = velaWeights(node, in: graph, depthwise: false, hasScales: result.biasBytes > 0)
            return [result]
        case .maxPool(let pooling), .averagePool(let pooling):
            guard types[0].shape.count == 4, output.shape.count == 4, pooling.kernel.count == 2, pooling.strides.count == 2 else {
                throw LoweringRejection("Vela: only 2-D pooling runs on the NPU")
            }
            let ifm = channelsFirst(types[0].shape), ofm = channelsFirst(output.shape)
            // A window over the whole input has one position: Vela ignores its stride.
            if ofm.height > 1 || ofm.width > 1 { try checkStrides(pooling.strides) }
            let average = node.kind == .averagePool
            if average, pooling.pads.contains(where: { $0 != 0 }), pooling.kernel.contains(where: { $0 > 8 }) {
                throw LoweringRejection("Vela: padded average pooling needs a kernel of at most 8×8")
            }
            guard pooling.kernel[0] * pooling.kernel[1] <= 256 * 256, pooling.kernel[0] <= 256 else {
                throw LoweringRejection("Vela: pooling kernel must be at most 256 high and 65536 elements")
            }
            var result = pass(.pooling, average ? .other : .maxPool, ifm: ifm, ofm: ofm)
            result.kernelHeight = pooling.kernel[0]
            result.kernelWidth = pooling.kernel[1]
            if ofm.height > 1 || ofm.width > 1 {
                result.strideHeight = pooling.strides[0]
                result.strideWidth = pooling.strides[1]
            }
            return [result]
        case .globalAveragePool:
            guard types[0].shape.count == 4 else { throw LoweringRejection("Vela: only 2-D pooling runs on the NPU") }
            let ifm = channelsFirst(types[0].shape)
            var result = pass(.pooling, .other, ifm: ifm, ofm: .init(batch: 1, height: 1, width: 1, depth: ifm.depth))
            result.kernelHeight = ifm.height
            result.kernelWidth = ifm.width
            return [result]
        case .add, .sub, .mul:
            guard types.count == 2 else { throw LoweringRejection("expected two inputs") }
            let ofm = flattened(output.shape)
            var result = pass(.elementwise, node.kind == .mul ? .multiply : .addSubtract, ifm: flattened(types[0].shape), ofm: ofm)
            result.ifm2 = flattened(types[1].shape)
            return [result]
        case .relu, .clip:
            return [pass(.elementwise, .other, ifm: flattened(types[0].shape), ofm: flattened(output.shape)).withActivation(.clamp)]
        case .sigmoid, .tanh, .leakyRelu, .hardSwish:
            return [pass(.elementwise, .other, ifm: flattened(types[0].shape), ofm: flattened(output.shape)).withActivation(.lookupTable)]
        case .softmax:
            return softmaxPasses(flattened(types[0].shape), ifmFormat: ifmFormat, ofmFormat: ofmFormat)
        case .mean(let axes, _):
            // Vela: a depthwise convolution over the window with unit weights, then a multiply (`convert_mean_to_depthwise_conv`).
            // Over height and width: axes 2, 3 of Kiln's NCHW, or 1, 2 when the importer kept TFLite's NHWC.
            let shape = types[0].shape
            guard shape.count == 4, axes == [2, 3] || axes == [1, 2] else {
                throw LoweringRejection("Kiln's Ethos-U lowering runs MEAN over height and width of a 4-D tensor only")
            }
            let ifm = axes == [2, 3] ? channelsFirst(shape) : FeatureMapShape(batch: shape[0], height: shape[1], width: shape[2], depth: shape[3])
            guard ifm.height <= 64, ifm.width <= 64 else { throw LoweringRejection("Vela: MEAN window must be at most 64×64 (got \(ifm.height)×\(ifm.width))") }
            let rows = FeatureMapShape(batch: 1, height: 1, width: 1, depth: ifm.depth)
            var sum = pass(.depthwise, .other, ifm: ifm, ofm: rows)
            sum.kernelHeight = ifm.height
            sum.kernelWidth = ifm.width
            sum.biasBytes = 4
            sum.weightCount = ifm.area * ifm.depth
            sum.weights = EthosUWeights(values: [Int16](repeating: 1, count: sum.weightCount), outputDepth: ifm.depth, height: ifm.height,
                                        width: ifm.width, inputDepth: 1, isDepthwise: true, hasScales: true)  // Vela's unit weights
            var scale = pass(.elementwise, .multiply, ifm: rows, ofm: rows)
            scale.ifm2 = FeatureMapShape()
            return [sum, scale]
        case .concat:
            // Vela: one 1×1 average-pool copy per input into its slice of the output (`ConcatSliceWrite`).
            return types.map { copy(flattened($0.shape), activation: activation, ifmFormat: ifmFormat, ofmFormat: ofmFormat) }
        case .slice:
            // Vela: a strided 1×1 average-pool copy of the selected elements.
            return [copy(flattened(output.shape), activation: activation, ifmFormat: ifmFormat, ofmFormat: ofmFormat)]
        case .pad(let padding):
            // Vela: a copy of the input into the output and one fill per padded border (`convert_pad`).
            guard types[0].shape.count == 4, output.shape.count == 4, padding.pads.count == 8, padding.mode == .constant else {
                throw LoweringRejection("Kiln's Ethos-U lowering runs constant PAD of a 4-D tensor only")
            }
            guard padding.value == 0 else {
                throw LoweringRejection("Vela: PADV2's constant value is a scalar input tensor, which only ADD, ARG_MAX, EXPAND_DIMS, MAXIMUM, MEAN, MINIMUM, MUL, QUANTIZE, SPLIT, SPLIT_V and SUB accept")
            }
            let ifm = channelsFirst(types[0].shape), ofm = channelsFirst(output.shape)
            let (top, left, bottom, right) = (padding.pads[2], padding.pads[3], padding.pads[6], padding.pads[7])
            var passes = [copy(ifm, activation: .none, ifmFormat: ifmFormat, ofmFormat: ofmFormat)]
            for (height, width) in [(top, ofm.width), (bottom, ofm.width), (ifm.height, left), (ifm.height, right)] where height > 0 && width > 0 {
                passes.append(copy(FeatureMapShape(batch: 1, height: height, width: width, depth: ofm.depth), activation: .none,
                                   ifmFormat: ifmFormat, ofmFormat: ofmFormat))
            }
            return passes
        default:
            throw LoweringRejection("Kiln's Ethos-U lowering has no NPU pass for \(node.kind.rawValue)")
        }
    }

    /// The constants Vela 5.2's default core adds to the read-only area when it lowers `node`,
    /// by `<node>/<Vela's tensor name>`, in bytes before alignment; `weightStreamBytes`: each
    /// pass's encoded weight streams. Each is checked against `vela --verbose-allocation`
    /// (`EthosUVelaTests.offChipConstantsAreVelas` on the five models, `operatorFixtureFlashIsVelas`
    /// on the operator fixtures).
    /// - MEAN: the depthwise pass's unit weights with their scale records (regor
    ///   `ConvertMeanOp`'s `<ofm>_weights`), and the int32 multiplier of the scaling multiply
    ///   (`<ofm>_scalar`).
    /// - int8 softmax (regor `Softmax::GetGraph8bit`): the exp table (256 int32 entries), seven
    ///   int32 scalars (`right_shift12`, `headroom_offset`, `one_const`, `neg_32_over_17`,
    ///   `const_48_over_17`, `F2_one`, `four`), and int32 zeros of the output's shape
    ///   (`const_zero`, which `ReplaceBroadcastWithAdd` adds the operand of the last shift to:
    ///   the U55 and U65 cannot broadcast both operands of an elementwise operation).
    /// - A lookup-table activation: its 256-entry int8 table.
    /// - PAD (regor `RewritePad`): the padding value repeated over the largest border, the
    ///   output's elements over one axis times that axis's larger padding (`pad_const`).
    static func addedConstants(for node: Node, in graph: Graph, weightStreamBytes: [Int]) -> [String: Int] {
        let int32 = 4
        guard let output = node.outputs.first.flatMap({ graph.types[$0] }), let elements = Shape.elementCount(output.shape),
              elements <= Int.max / 16 else { return [:] }
        switch node.operation {
        case .mean:
            guard let weights = weightStreamBytes.first else { return [:] }
            return ["\(node.name)/weights": weights, "\(node.name)/scalar": int32]
        case .softmax:
            var constants = ["\(node.name)/exp_lut": 256 * int32, "\(node.name)/const_zero": elements * int32]
            for name in ["right_shift12", "headroom_offset", "one_const", "neg_32_over_17", "const_48_over_17", "F2_one", "four"] {
                constants["\(node.name)/\(name)"] = int32
            }
            return constants
        case .sigmoid, .tanh, .leakyRelu, .hardSwish:
            return ["\(node.name)/lut": 256]
        case .pad(let padding):
            let rank = output.shape.count
            guard padding.pads.count == 2 * rank else { return [:] }
            let border = output.shape.indices.map { axis in
                output.shape[axis] == 0 ? 0 : elements / output.shape[axis] * max(padding.pads[axis], padding.pads[rank + axis], 0)
            }.max() ?? 0
            return ["\(node.name)/pad_const": border * output.elementType.bitWidth / 8]
        default:
            return [:]
        }
    }

    /// A 1×1 average-pool pass that copies `shape` (Vela's memory operations).
    static func copy(_ shape: FeatureMapShape, activation: EthosUActivation, ifmFormat: FeatureMapFormat,
                     ofmFormat: FeatureMapFormat) -> EthosUPass {
        EthosUPass(blockType: .pooling, outputKind: .other, activation: activation, ifm: shape, ofm: shape, ifmFormat: ifmFormat, ofmFormat: ofmFormat)
    }

    /// Vela's int8 softmax (`ethosu/vela/softmax.py`, `get_graph_8bit`): a max reduction over
    /// the channels, a subtraction and a 256-entry exp table on the whole tensor, a sum and a
    /// count of leading zeros per row, then the reciprocal's Newton–Raphson steps (three
    /// iterations of 4 elementwise operations on the row sums) and the final scaling — 30 passes
    /// in all, 4 of them on the whole tensor. Each row-sum pass works on a 1×1×rows×1 tensor.
    static func softmaxPasses(_ shape: FeatureMapShape, ifmFormat: FeatureMapFormat, ofmFormat: FeatureMapFormat) -> [EthosUPass] {
        let rows = FeatureMapShape(batch: 1, height: shape.height, width: shape.width, depth: 1)
        func pass(_ kind: EthosUOutputKind, _ ifm: FeatureMapShape, _ ofm: FeatureMapShape, scalar: Bool = false,
                  _ activation: EthosUActivation = .none) -> EthosUPass {
            var result = EthosUPass(blockType: .elementwise, outputKind: kind, activation: activation, ifm: ifm, ofm: ofm,
                                    ifmFormat: .nhwc, ofmFormat: .nhwc)
            result.ifm2 = scalar ? FeatureMapShape() : ifm
            return result
        }
        var maximum = EthosUPass(blockType: .pooling, outputKind: .maxPool, ifm: shape, ofm: rows, ifmFormat: ifmFormat, ofmFormat: .nhwc)
        maximum.kernelWidth = shape.depth
        var passes = [maximum,
                      pass(.addSubtract, shape, shape, .lookupTable),  // x − max through the exp table
                      pass(.other, shape, shape, scalar: true)]         // shift right
        var sum = EthosUPass(blockType: .pooling, outputKind: .other, ifm: shape, ofm: rows, ifmFormat: .nhwc, ofmFormat: .nhwc)
        sum.kernelWidth = shape.depth
        passes.append(sum)
        passes.append(pass(.other, rows, rows, scalar: true))  // count leading zeros
        passes += (0..<6).map { _ in pass(.addSubtract, rows, rows, scalar: true) }  // normalisation
        for _ in 0..<3 { passes += [pass(.addSubtract, rows, rows), pass(.multiply, rows, rows), pass(.multiply, rows, rows), pass(.addSubtract, rows, rows)] }
        passes += (0..<6).map { _ in pass(.multiply, rows, rows, scalar: true) }
        passes.append(pass(.multiply, shape, shape))   // scale the exponentials
        var last = pass(.other, shape, shape, scalar: true)  // final shift
        last.ofmFormat = ofmFormat
        passes.append(last)
        return passes
    }

    /// The constant weights of a convolution (Kiln's `[O, I, KH, KW]`) or dense layer (`[K, N]`)
    /// as Vela encodes them: OHWI (dense: N×1×1×K), zero points subtracted. Nil when the weights
    /// are not a constant integer tensor (the pass then counts them uncompressed).
    static func velaWeights(_ node: Node, in graph: Graph, depthwise: Bool, hasScales: Bool) -> EthosUWeights? {
        guard let name = node.input(1), let tensor = graph.constants[name], let codes = tensor.codes else { return nil }
        let shape = tensor.shape, quantization = tensor.type.quantization
        let zeroPoints = quantization?.zeroPoints ?? []
        let (o, i, h, w): (Int, Int, Int, Int)
        let position: (Int, Int, Int, Int) -> Int  // index of (o, y, x, i) in Kiln's layout
        switch shape.count {
        case 4:
            (o, i, h, w) = (shape[0], shape[1], shape[2], shape[3])
            position = { oo, y, x, ii in ((oo * i + ii) * h + y) * w + x }
        case 2:
            (o, i, h, w) = (shape[1], shape[0], 1, 1)
            position = { oo, _, _, ii in ii * o + oo }
        default:
            return nil
        }
        // One zero point, or one per output channel; any other layout is not Vela's.
        guard zeroPoints.count <= 1 || zeroPoints.count == o else { return nil }
        var values = [Int16](repeating: 0, count: o * h * w * i)
        var index = 0
        for oo in 0..<o {
            let zero = zeroPoints.isEmpty ? 0 : zeroPoints[zeroPoints.count == 1 ? 0 : oo]
            for y in 0..<h {
                for x in 0..<w {
                    for ii in 0..<i {
                        let value = codes[position(oo, y, x, ii)] - zero
                        guard (-255...255).contains(value) else { return nil }
                        values[index] = Int16(value)
                        index += 1
                    }
                }
            }
        }
        return EthosUWeights(values: values, outputDepth: o, height: h, width: w, inputDepth: i, isDepthwise: depthwise, hasScales: hasScales)
    }

    /// An NCHW shape as Vela's NHWC feature map.
    static func channelsFirst(_ shape: [Int]) -> FeatureMapShape {
        FeatureMapShape(batch: shape[0], height: shape[2], width: shape[3], depth: shape[1])
    }

    /// Any shape as Vela sees an elementwise operand: the last axis is the depth, the one
    /// before the width, the rest the height.
    static func flattened(_ shape: [Int]) -> FeatureMapShape {
        switch shape.count {
        case 0: FeatureMapShape()
        case 1: FeatureMapShape(batch: 1, height: 1, width: 1, depth: shape[0])
        case 4: channelsFirst(shape)
        default: FeatureMapShape(batch: 1, height: shape.dropLast(2).reduce(1, *), width: shape[shape.count - 2], depth: shape[shape.count - 1])
        }
    }

    static func checkStrides(_ strides: [Int]) throws(LoweringRejection) {
        guard strides.allSatisfy({ (1...3).contains($0) }) else {
            throw LoweringRejection("Vela: stride must be 1 to 3 (got \(strides.map(String.init).joined(separator: "×")))")
        }
    }
}

extension EthosUPass {
    /// The pass with another activation.
    func withActivation(_ activation: EthosUActivation) -> EthosUPass {
        var copy = self
        copy.activation = activation
        return copy
    }
}
