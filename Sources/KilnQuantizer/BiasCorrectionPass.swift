import KilnDiagnostics
import KilnInterpreter
import KilnIR

/// `bias-correction`: removes the mean output shift that weight quantization causes (Nagel et al.,
/// ICCV 2019, §4.2, empirical form). For every conv2d and dense with constant float weights `W`,
/// with `Ŵ` the dequantized weights ``QuantizeOperatorsPass`` will use (``WeightQuantizer``,
/// same bits and granularity), the float bias of output channel `c` becomes
/// `b_c − mean over calibration samples and positions of ((Ŵ − W) ∗ x)_c`, `x` being the layer's
/// float input (``CalibratedLayerInputs``). Convolution is linear, so that mean is the output of
/// the layer run with weights `Ŵ − W` and no bias, which the pass computes with the reference
/// semantics of the layer's op on every sample's `x`. A layer without a bias gets one.
public struct BiasCorrectionPass: GraphPass {
    /// The pass's name.
    public let name = "bias-correction"
    /// What the pass does.
    public let summary = "subtract each conv2d / dense channel's mean weight-quantization error from its bias"
    /// Weight bits and granularity (must be the options the graph is then quantized with).
    public let options: QuantizationOptions
    /// The layers' float inputs on the calibration data, which the error means are taken over.
    public let layerInputs: CalibratedLayerInputs

    /// Creates the pass.
    /// - Parameters:
    ///   - options: weight bits and granularity, as the graph is then quantized with.
    ///   - layerInputs: the analysis of the float graph (see ``CalibratedLayerInputs`` for what it
    ///     means when an earlier pass changed weights).
    public init(options: QuantizationOptions, layerInputs: CalibratedLayerInputs) {
        self.options = options
        self.layerInputs = layerInputs
    }

    /// Returns the graph with corrected biases.
    /// - Throws: ``DiagnosticError`` naming a node whose weights cannot be quantized, or whose
    ///   error the reference semantics cannot compute.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        for (index, node) in graph.nodes.enumerated() {
            guard let inputs = layerInputs.inputs(of: node), let weightName = node.input(1), let weights = graph.constants[weightName],
                  let values = weights.floats, let outputType = graph.types[node.outputs[0]] else { continue }
            let axis = PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count)
            let quantized: [Float]
            do {
                let codes = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: options.perChannelWeights ? axis : nil,
                                                                         bits: options.weightBits(for: node.name))
                quantized = codes.realValues
            } catch {
                throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
            }
            // The layer with the weight error in place of its weights and no bias.
            let error = Tensor(shape: weights.shape, floats: zip(quantized, values).map { $0 - $1 })
            let probe = Node(name: node.name, operation: node.operation, inputs: [node.inputs[0], weightName], outputs: [node.outputs[0]])
            let errorOutputs = try ParallelSamples.map(inputs.count) { sample throws(DiagnosticError) -> Tensor in
                try ReferenceInterpreter.execute(probe, operands: [inputs[sample], error], outputTypes: [outputType])[0]
            }
            let channelAxis = node.kind == .conv2d ? 1 : outputType.shape.count - 1
            let channels = outputType.shape[channelAxis]
            let stride = Shape.strides(outputType.shape)[channelAxis]
            var sums = [Double](repeating: 0, count: channels)
            var count = 0
            for output in errorOutputs {
                for (index, value) in output.doubles.enumerated() { sums[(index / stride) % channels] += value }
                count += output.count / channels
            }
            let biasName = node.input(2) ?? QuantizeWeightsOnlyPass.unusedName(node.name + "_bias", in: result)
            let old = node.input(2).flatMap { graph.constants[$0]?.floats } ?? [Float](repeating: 0, count: channels)
            result.constants[biasName] = Tensor(shape: [channels], floats: old.indices.map { old[$0] - Float(sums[$0] / Double(max(count, 1))) })
            result.types[biasName] = .float32([channels])
            if node.input(2) == nil {
                result.nodes[index].inputs = Array(node.inputs.prefix(2)) + [biasName]
            }
        }
        return result
    }
}
