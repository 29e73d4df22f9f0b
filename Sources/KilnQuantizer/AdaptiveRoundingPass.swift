import KilnDiagnostics
import KilnIR

/// `adaptive-rounding`: replaces the float weights of every conv2d and dense by grid values
/// `s_c · q` whose codes ``LayerRoundingOptimizer`` chose to minimise the layer's output error on
/// the calibration data, so the following round-to-nearest quantization (same bits and
/// granularity, same scales) reproduces exactly those codes.
///
/// Each layer's Gram matrix uses its float-model input (all layers are optimized independently,
/// from one float run per calibration sample). The largest-magnitude weight of each scale's slice
/// keeps its value, so the scales do not move.
public struct AdaptiveRoundingPass: GraphPass {
    /// The pass's name.
    public let name = "adaptive-rounding"
    /// What the pass does.
    public let summary = "choose each weight's rounding direction to minimise the layer's output error on calibration data"
    /// Weight bits and granularity (must be the options the graph is then quantized with).
    public let options: QuantizationOptions
    /// The calibration inputs.
    public let samples: CalibrationSamples

    /// Creates the pass.
    public init(options: QuantizationOptions, samples: CalibrationSamples) {
        self.options = options
        self.samples = samples
    }

    /// Returns the graph with re-rounded weights.
    /// - Throws: ``DiagnosticError`` naming a node whose weights cannot be quantized, or from the interpreter.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let layers = graph.nodes.filter { node in
            (node.kind == .conv2d || node.kind == .dense) && node.input(1).flatMap { graph.constants[$0]?.floats } != nil
                && graph.types[node.inputs[0]]?.elementType == .float32
        }
        guard !layers.isEmpty else { return graph }
        let activations = try samples.values(Set(layers.map { $0.inputs[0] }), of: graph)
        var result = graph
        for node in layers {
            let weightName = node.inputs[1]
            let weights = graph.constants[weightName]!
            let axis = PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count)
            let rounded: Tensor
            do {
                rounded = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: options.perChannelWeights ? axis : nil,
                                                                      bits: options.weightBits(for: node.name))
            } catch {
                throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
            }
            let inputs = activations.compactMap { $0[node.inputs[0]] }
            result.constants[weightName] = Self.optimized(node, weights: weights, rounded: rounded, inputs: inputs)
        }
        return result
    }

    /// The layer's weights with optimized codes written back as `s_c · q`.
    static func optimized(_ node: Node, weights: Tensor, rounded: Tensor, inputs: [Tensor]) -> Tensor {
        var values = weights.floats!
        let codes = rounded.codes!
        let quantization = rounded.type.quantization!
        let maximumCode = Int32(rounded.type.elementType.maximumCode)
        let isConv = node.kind == .conv2d
        let outputs = isConv ? weights.shape[0] : weights.shape[1]
        let size = isConv ? weights.shape.dropFirst().reduce(1, *) : weights.shape[0]
        let groups: Int
        if case .conv2d(let convolution) = node.operation { groups = convolution.groups } else { groups = 1 }
        let grams = (0 ..< groups).map { GramAccumulation.gram(node, weightShape: weights.shape, group: $0, inputs: inputs) }
        // Slices sharing one scale: the channel (per channel) or the whole tensor (per tensor).
        let sliceMaxima = quantization.isPerTensor ? [values.map(abs).max() ?? 0]
                                                   : WeightQuantizer.channelMaxima(values, shape: weights.shape, axis: isConv ? 0 : 1)
        for channel in 0 ..< outputs {
            let index = { (k: Int) in isConv ? channel * size + k : k * outputs + channel }
            let scale = quantization.scale(at: quantization.isPerTensor ? 0 : channel)
            let largest = sliceMaxima[quantization.isPerTensor ? 0 : channel]
            let channelWeights = (0 ..< size).map { values[index($0)] }
            let optimizer = LayerRoundingOptimizer(gram: grams[channel / (outputs / groups)], size: size)
            let chosen = optimizer.optimize(weights: channelWeights, codes: (0 ..< size).map { codes[index($0)] }, scale: scale,
                                            maximumCode: maximumCode, fixed: channelWeights.map { abs($0) == largest })
            for k in 0 ..< size where chosen[k] != codes[index(k)] { values[index(k)] = Float(chosen[k]) * scale }
        }
        return Tensor(shape: weights.shape, floats: values)
    }
}
