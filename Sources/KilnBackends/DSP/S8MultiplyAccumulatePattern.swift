import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// Lowers an int8 conv2d or dense with TensorFlow Lite semantics (TFLite's requantization:
/// multiplier + shift) to ``S8MultiplyAccumulateKernel``, fusing a following relu or clip that
/// only clamps codes (a TFLite fused activation). Weights are i8 (CMSIS-NN's s8 kernels) or, on a
/// target whose `numerics.storageFormats` declares `i4`, i4 (the s4 kernels: `arm_convolve_s4`,
/// `arm_depthwise_conv_s4`, `arm_fully_connected_s4`, two weights packed per byte).
///
/// A node with ONNX Runtime semantics is rejected (its float-scale arithmetic is not CMSIS-NN's;
/// the `dsp-cmsis-nn-s8` adaptation converts ONNX models first).
struct S8MultiplyAccumulatePattern: LoweringPattern {
    /// conv2d or dense.
    let root: OperatorKind

    /// `arm_convolve_s8` or `arm_fully_connected_s8` (depthwise: `arm_depthwise_conv_s8`).
    var name: String { root == .dense ? "arm_fully_connected_s8" : "arm_convolve_s8" }

    /// The weight formats CMSIS-NN has kernels for that the target declares: i8 always, i4 where
    /// `numerics.storageFormats` lists it.
    static func weightFormats(of target: TargetDescription) -> [ElementType] {
        target.numerics.storageFormats.contains(.int4) ? [.int8, .int4] : [.int8]
    }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.semantics == .tensorFlowLite, node.requantization == .fixedPointMultiplier, node.accumulation == .wrappingInt32 else {
            return .rejected("CMSIS-NN's s8 kernels compute TFLite's arithmetic (fixed-point multiplier, wrapping int32 sums); the node has \(node.semantics.rawValue) semantics with \(node.requantization.rawValue) requantization")
        }
        guard let inputName = node.input(0), let weightName = node.input(1), let output = node.outputs.first,
              let inputType = graph.types[inputName], let outputType = graph.types[output] else {
            return .rejected("missing operands")
        }
        // ±1 codes (a binarized layer's input) are s8 codes −1 / +1 with scale 1 and zero point 0.
        guard inputType.elementType == .int8 || inputType.elementType == .binary, outputType.elementType == .int8,
              inputType.quantization?.isPerTensor == true, outputType.quantization?.isPerTensor == true else {
            return .rejected("needs per-tensor quantized i8 (or ±1) input and i8 output (got \(inputType) → \(outputType))")
        }
        let weightFormats = Self.weightFormats(of: target)
        guard let weights = graph.constants[weightName], weights.codes != nil, weightFormats.contains(weights.type.elementType),
              let weightQuantization = weights.type.quantization, weightQuantization.isSymmetric else {
            let got = graph.constants[weightName].map { " (got \($0.type.elementType.name))" } ?? ""
            return .rejected("needs constant symmetric \(weightFormats.map(\.name).joined(separator: " or ")) weights\(got)")
        }
        let packed = weights.type.elementType == .int4
        var hasBias = false
        if let biasName = node.input(2) {
            guard let tensor = graph.constants[biasName], tensor.codes != nil, tensor.type.elementType == .int32 else {
                return .rejected("needs a constant i32 bias")
            }
            hasBias = true
        }

        let shape: (layout: SMLADMultiplyAccumulateKernel.Layout, outputChannels: Int, groups: Int, depth: Int)
        switch SMLADMultiplyAccumulateKernel.Layout.reading(node, input: inputType, weights: weights.shape, output: outputType) {
        case .success(let read): shape = read
        case .failure(let rejection): return .rejected(rejection.message)
        }
        let (layout, outputChannels, groups, depth) = shape
        let stage: S8MultiplyAccumulateKernel.OutputStage
        do {
            if case .dense = node.operation {
                stage = .singleRounding(try TFLiteFullyConnectedOutputStage(input: inputType, weight: weights.type, output: outputType, units: outputChannels))
            } else {
                stage = .doubleRounding(try Requantizer(rule: .fixedPointMultiplier, input: inputType, weight: weights.type, output: outputType, channels: outputChannels))
            }
        } catch {
            return .rejected("cannot prepare the output stage: \(error.message)")
        }

        // A relu or clip that only clamps the codes (equal input and output parameters) and that
        // only this node feeds narrows the activation range, as a TFLite fused activation.
        var covered = [node]
        var kernelOutput = output
        var bounds = Int32(outputType.elementType.minimumCode)...Int32(outputType.elementType.maximumCode)
        if let next = context.fusibleFollower(of: index, accepts: { $0.semantics == .tensorFlowLite && target.support(for: $0.kind) != nil }),
           case let clamp = graph.nodes[next], clamp.kind == .relu || clamp.kind == .clip,
           let clampOutput = clamp.outputs.first, let clampType = graph.types[clampOutput],
           let activation = try? TFLiteClamp(clamp.operation, input: outputType, output: clampType), activation.isCodeClamp {
            covered.append(clamp)
            kernelOutput = clampOutput
            bounds = activation.bounds
        }

        var kind: String
        if case .conv2d = node.operation, groups > 1, depth == weights.shape[2] * weights.shape[3] {
            kind = "arm_depthwise_conv_s8"
        } else {
            kind = name
        }
        if packed { kind = String(kind.dropLast(2)) + "s4" }
        return .lowered(S8MultiplyAccumulateKernel(
            name: kind, nodes: covered, inputs: node.inputs.filter { !$0.isEmpty }, outputs: [kernelOutput], layout: layout,
            outputChannels: outputChannels, groups: groups, depth: depth, outputType: graph.types[kernelOutput] ?? outputType,
            inputOffset: -inputType.quantization!.zeroPoints[0], stage: stage, bounds: bounds, hasBias: hasBias, packedWeights: packed,
            memory: DSPMemoryMap(target: target, graph: graph), zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false,
            library: target.stack?.kernels ?? .cmsisNN, helium: target.section(DSPSection.self)?.vectorExtension != nil,
            dataCache: target.section(DSPSection.self)?.dataCache))
    }
}
