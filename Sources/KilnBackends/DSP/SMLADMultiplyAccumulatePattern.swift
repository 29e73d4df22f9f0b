import KilnCompiler
import KilnIR
import KilnNumerics
import KilnTargets

/// Lowers a Q7/Q15 conv2d or dense (power-of-two scales, shift requantization) to
/// ``SMLADMultiplyAccumulateKernel``, fusing a following relu or clip on the same codes.
struct SMLADMultiplyAccumulatePattern: LoweringPattern {
    /// conv2d or dense.
    let root: OperatorKind

    /// `smlad-conv2d` or `smlad-dense`.
    var name: String { "smlad-\(root.rawValue)" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let inputName = node.input(0), let weightName = node.input(1), let output = node.outputs.first,
              let inputType = graph.types[inputName], let outputType = graph.types[output] else {
            return .rejected("missing operands")
        }
        guard PowerOfTwoFormat.isPowerOfTwoActivation(inputType), PowerOfTwoFormat.isPowerOfTwoActivation(outputType) else {
            return .rejected("needs q7/q15 input and output with power-of-two scales and zero point 0 (got \(inputType) → \(outputType))")
        }
        guard let weights = graph.constants[weightName], let weightCodes = weights.codes,
              weights.type.elementType == .q7 || weights.type.elementType == .q15,
              let weightQuantization = weights.type.quantization, weightQuantization.isSymmetric else {
            return .rejected("needs constant q7/q15 weights with zero point 0")
        }
        guard node.requantization == .powerOfTwoShift else {
            return .rejected("requantizes with \(node.requantization.rawValue); the kernel shifts (powerOfTwoShift)")
        }
        var bias: [Int32]? = nil
        if let biasName = node.input(2) {
            guard let tensor = graph.constants[biasName], let codes = tensor.codes, tensor.type.elementType == .int32 else {
                return .rejected("needs a constant i32 bias")
            }
            bias = codes
        }

        // Geometry.
        let shape: (layout: SMLADMultiplyAccumulateKernel.Layout, outputChannels: Int, groups: Int, depth: Int)
        switch SMLADMultiplyAccumulateKernel.Layout.reading(node, input: inputType, weights: weights.shape, output: outputType) {
        case .success(let read): shape = read
        case .failure(let rejection): return .rejected(rejection.message)
        }
        let (layout, outputChannels, groups, depth) = shape
        if let bias, bias.count != outputChannels { return .rejected("\(bias.count) biases for \(outputChannels) channels") }

        // Shifts per channel.
        let inputBits = PowerOfTwoFormat.fractionBits(ofScale: inputType.quantization!.scales[0])!
        let outputBits = PowerOfTwoFormat.fractionBits(ofScale: outputType.quantization!.scales[0])!
        var requantizers: [PowerOfTwoShiftRequantizer] = []
        for channel in 0..<outputChannels {
            guard let weightBits = PowerOfTwoFormat.fractionBits(ofScale: weightQuantization.scale(at: channel)) else {
                return .rejected("weight scale of channel \(channel) is not a power of two")
            }
            let shift = inputBits + weightBits - outputBits
            guard let requantizer = try? PowerOfTwoShiftRequantizer(shift: shift, outputType: outputType.elementType) else {
                return .rejected("channel \(channel) would need a shift of \(shift) (0…63)")
            }
            requantizers.append(requantizer)
        }

        // The accumulator bound: |bias| + 2^(s−1) + max|x| · Σ|w| per channel, against 32 bits.
        let largestInput = max(-inputType.elementType.minimumCode, inputType.elementType.maximumCode)
        let perChannel = weightCodes.count / outputChannels
        var bound: Int64 = 0
        for channel in 0..<outputChannels {
            var sum: Int64 = 0
            for k in 0..<depth {
                let index = node.kind == .conv2d ? channel * perChannel + k : k * outputChannels + channel
                sum += Int64(abs(weightCodes[index]))
            }
            let rounding: Int64 = requantizers[channel].shift > 0 ? Int64(1) << (requantizers[channel].shift - 1) : 0
            bound = max(bound, Int64(abs(Int64(bias?[channel] ?? 0))) + rounding + sum * largestInput)
        }
        let limit = Int64(Int32.max)
        guard bound <= limit else {
            return .rejected("the 32-bit SMLAD accumulator could overflow (bound \(bound) > \(limit))")
        }

        // A relu or clip on the same codes that only this node feeds is fused into the output stage.
        var covered = [node]
        var kernelOutput = output
        var lowerBound = Int32(outputType.elementType.minimumCode), upperBound = Int32(outputType.elementType.maximumCode)
        var fusedRelu = false
        if let next = context.fusibleFollower(of: index, accepts: { target.support(for: $0.kind) != nil }),
           case let clamp = graph.nodes[next], let clampOutput = clamp.outputs.first, graph.types[clampOutput] == outputType,
           let bounds = ClampCodes.bounds(of: clamp.operation, type: outputType) {
            covered.append(clamp)
            kernelOutput = clampOutput
            (lowerBound, upperBound) = bounds
            fusedRelu = clamp.kind == .relu
        }

        let kind: String
        if case .conv2d = node.operation, groups > 1, groups == outputChannels, depth == (weights.shape[2] * weights.shape[3]) {
            kind = "smlad-depthwise-conv2d"
        } else {
            kind = name
        }
        return .lowered(SMLADMultiplyAccumulateKernel(
            name: kind, nodes: covered, inputs: node.inputs.filter { !$0.isEmpty }, outputs: [kernelOutput], layout: layout,
            outputChannels: outputChannels, groups: groups, depth: depth, outputType: outputType, requantizers: requantizers,
            lowerBound: lowerBound, upperBound: upperBound, fusedRelu: fusedRelu,
            inputElement: inputType.elementType, weightElement: weights.type.elementType, hasBias: bias != nil,
            memory: DSPMemoryMap(target: target, graph: graph), zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false,
            accumulatorBound: bound))
    }
}
