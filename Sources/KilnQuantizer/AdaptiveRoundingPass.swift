import KilnDiagnostics
import KilnIR

/// `adaptive-rounding` (or `gptq`): replaces the float weights of every conv2d and dense by grid
/// values `s_c · q` whose codes are chosen to lower the layer's output error on the calibration
/// data, so the following round-to-nearest quantization (same bits and granularity, same scales)
/// reproduces exactly those codes. ``Method/adaptiveRounding`` chooses each weight's rounding
/// direction (``LayerRoundingOptimizer``); ``Method/hessianUpdates`` quantizes input by input and
/// updates the weights not yet quantized to compensate (``HessianRoundingSolver``, GPTQ), so a
/// code may lie further than one step from the original weight.
///
/// Each layer's Gram matrix uses its float-model input (all layers are optimized independently,
/// from the one float run per calibration sample of ``CalibratedLayerInputs``). The largest-magnitude weight of each scale's slice
/// keeps its value, so the scales do not move.
public struct AdaptiveRoundingPass: GraphPass {
    /// How codes are chosen.
    public enum Method: Sendable, Hashable {
        /// AdaRound-style: each weight rounds down or up, by coordinate descent on the layer's error.
        case adaptiveRounding
        /// GPTQ-style: sequential quantization with inverse-Hessian error feedback.
        case hessianUpdates
    }

    /// The pass's name: `adaptive-rounding` or `gptq`.
    public var name: String { method == .adaptiveRounding ? "adaptive-rounding" : "gptq" }
    /// What the pass does.
    public var summary: String {
        method == .adaptiveRounding ? "choose each weight's rounding direction to minimise the layer's output error on calibration data"
                                    : "quantize each layer's weights input by input, updating the rest to compensate the layer's output error on calibration data (GPTQ)"
    }
    /// Weight bits and granularity (must be the options the graph is then quantized with).
    public let options: QuantizationOptions
    /// The layers' float inputs on the calibration data.
    public let layerInputs: CalibratedLayerInputs
    /// How codes are chosen.
    public let method: Method

    /// Creates the pass.
    /// - Parameters:
    ///   - options: weight bits and granularity, as the graph is then quantized with.
    ///   - layerInputs: the analysis of the graph the pass runs on.
    ///   - method: how codes are chosen.
    public init(options: QuantizationOptions, layerInputs: CalibratedLayerInputs, method: Method = .adaptiveRounding) {
        self.options = options
        self.layerInputs = layerInputs
        self.method = method
    }

    /// Returns the graph with re-rounded weights.
    /// - Throws: ``DiagnosticError`` naming a node whose weights cannot be quantized.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        for node in graph.nodes {
            guard let inputs = layerInputs.inputs(of: node), let weightName = node.input(1), let weights = graph.constants[weightName],
                  weights.floats != nil else { continue }
            let axis = PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count)
            let rounded: Tensor
            do {
                rounded = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: options.perChannelWeights ? axis : nil,
                                                                      bits: options.weightBits(for: node.name))
            } catch {
                throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
            }
            result.constants[weightName] = Self.optimized(node, weights: weights, rounded: rounded, inputs: inputs, method: method)
        }
        return result
    }

    /// The layer's weights with optimized codes written back as `s_c · q`.
    static func optimized(_ node: Node, weights: Tensor, rounded: Tensor, inputs: [Tensor], method: Method) -> Tensor {
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
        let solvers = method == .hessianUpdates ? grams.map { HessianRoundingSolver(gram: $0, size: size) } : []
        // Slices sharing one scale: the channel (per channel) or the whole tensor (per tensor).
        let sliceMaxima = quantization.isPerTensor ? [values.map(abs).max() ?? 0]
                                                   : WeightQuantizer.channelMaxima(values, shape: weights.shape, axis: isConv ? 0 : 1)
        for channel in 0 ..< outputs {
            let index = { (k: Int) in isConv ? channel * size + k : k * outputs + channel }
            let scale = quantization.scale(at: quantization.isPerTensor ? 0 : channel)
            let largest = sliceMaxima[quantization.isPerTensor ? 0 : channel]
            let channelWeights = (0 ..< size).map { values[index($0)] }
            let group = channel / (outputs / groups)
            let channelCodes = (0 ..< size).map { codes[index($0)] }, fixed = channelWeights.map { abs($0) == largest }
            let chosen: [Int32]
            switch method {
            case .adaptiveRounding:
                chosen = LayerRoundingOptimizer(gram: grams[group], size: size)
                    .optimize(weights: channelWeights, codes: channelCodes, scale: scale, maximumCode: maximumCode, fixed: fixed)
            case .hessianUpdates:
                // Without a solver (the group's inputs are all zero) the rounded codes stand. Zero
                // weights (pruned ones) stay zero, so the updates keep the sparsity.
                chosen = solvers[group]?.quantize(weights: channelWeights, codes: channelCodes, scale: scale, maximumCode: maximumCode,
                                                  fixed: zip(fixed, channelWeights).map { $0 || $1 == 0 }) ?? channelCodes
            }
            for k in 0 ..< size where chosen[k] != codes[index(k)] { values[index(k)] = Float(chosen[k]) * scale }
        }
        return Tensor(shape: weights.shape, floats: values)
    }
}
