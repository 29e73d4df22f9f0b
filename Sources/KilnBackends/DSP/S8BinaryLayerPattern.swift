import KilnCompiler
import KilnIR
import KilnTargets

/// Lowers a binarized layer on the CMSIS-NN s8 stack: a conv2d or dense that writes its raw int32
/// accumulator, read by the quantizer's sign step (`accumulator → add(−T_c) → sign`, or a bare
/// `sign`), runs as CMSIS-NN's s8 loop (``S8MultiplyAccumulateKernel``) with ±1 codes held as s8
/// (weights and activations) and the sign as its output stage (``S8MultiplyAccumulateKernel/OutputStage/sign``).
///
/// CMSIS-NN has no binary kernels: the multiply-accumulate loop is `arm_convolve_s8` /
/// `arm_fully_connected_s8`'s (its sum is exact: ±1 products, int32 wrapping as the reference's),
/// the per-channel `−T_c` is the bias the loop starts each sum from (wrapping addition is
/// associative modulo 2^32, so the sum equals the reference's `add`), and the requantization is
/// replaced by the branch-free sign (``S8OutputStage/sign``). The ±1 outputs are s8 codes the next
/// binarized layer reads with input offset 0.
struct S8BinaryLayerPattern: LoweringPattern {
    /// conv2d or dense.
    let root: OperatorKind

    var name: String { root == .dense ? "arm_fully_connected_s8+sign" : "arm_convolve_s8+sign" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.kind == root, node.accumulation == .wrappingInt32, let inputName = node.input(0), let weightName = node.input(1),
              let output = node.outputs.first, let inputType = graph.types[inputName], let outputType = graph.types[output],
              outputType.elementType == .int32, outputType.quantization == nil else {
            return .rejected("not a \(root.rawValue) writing a raw int32 accumulator")
        }
        guard inputType.elementType == .int8 || inputType.elementType == .binary, inputType.quantization?.isPerTensor == true else {
            return .rejected("needs a per-tensor i8 or ±1 input (got \(inputType))")
        }
        guard let weights = graph.constants[weightName], weights.codes != nil,
              weights.type.elementType == .binary || (weights.type.elementType == .int8 && weights.type.quantization?.isSymmetric == true) else {
            return .rejected("needs constant ±1 or symmetric i8 weights")
        }

        if case .dense = node.operation, outputType.shape.count != 2 { return .rejected("needs x[N, K] and w[K, N]") }
        let shape: (layout: SMLADMultiplyAccumulateKernel.Layout, outputChannels: Int, groups: Int, depth: Int)
        switch SMLADMultiplyAccumulateKernel.Layout.reading(node, input: inputType, weights: weights.shape, output: outputType) {
        case .success(let read): shape = read
        case .failure(let rejection): return .rejected(rejection.message)
        }
        let (layout, outputChannels, groups, depth) = shape

        // The sign step: add(−T_c) then sign (the add's constant becomes the bias), or a bare sign.
        var covered = [node], operands = [inputName, weightName] + [node.input(2)].compactMap { $0 }
        if let bias = node.input(2), graph.constants[bias]?.type.elementType != .int32 || graph.constants[bias]?.codes?.count != outputChannels {
            return .rejected("needs a constant i32 bias of \(outputChannels) values")
        }
        var signIndex = context.fusibleFollower(of: index, accepts: { $0.kind == .sign })
        if signIndex == nil, let addIndex = context.fusibleFollower(of: index, accepts: { $0.kind == .add }) {
            let add = graph.nodes[addIndex]
            guard operands.count == 2 else { return .rejected("the accumulator already has a bias; the threshold would be a second one") }
            guard context.channelAddend(of: add, channels: outputChannels, channelAxis: 1) != nil,
                  graph.constants[add.inputs[1]]?.codes?.count == outputChannels else {
                return .rejected("the add after the accumulator is not one int32 value per output channel")
            }
            guard let next = context.fusibleFollower(of: addIndex, accepts: { $0.kind == .sign }) else {
                return .rejected("the threshold add is not followed by a sign")
            }
            covered.append(add)
            operands.append(add.inputs[1])
            signIndex = next
        }
        guard let signIndex, case let sign = graph.nodes[signIndex], let signOutput = sign.outputs.first,
              let signType = graph.types[signOutput], signType.elementType == .binary else {
            return .rejected("CMSIS-NN's kernels write s8 codes; a raw int32 accumulator is kept only when a sign reads it")
        }
        covered.append(sign)
        return .lowered(S8MultiplyAccumulateKernel(
            name: name, nodes: covered, inputs: operands, outputs: [signOutput], layout: layout,
            outputChannels: outputChannels, groups: groups, depth: depth, outputType: signType,
            inputOffset: -(inputType.quantization?.zeroPoint(at: 0) ?? 0), stage: .sign, bounds: -1...1, hasBias: operands.count == 3,
            packedWeights: false, memory: DSPMemoryMap(target: target, graph: graph),
            zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false, library: target.stack?.kernels ?? .cmsisNN,
            helium: target.section(DSPSection.self)?.vectorExtension != nil, dataCache: target.section(DSPSection.self)?.dataCache))
    }
}
