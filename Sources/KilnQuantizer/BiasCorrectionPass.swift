import KilnDiagnostics
import KilnInterpreter
import KilnIR

/// `bias-correction`: removes the mean output shift that weight quantization causes (Nagel et al.,
/// ICCV 2019, §4.2, empirical form). For every conv2d and dense with constant float weights `W`,
/// with `Ŵ` the dequantized weights ``QuantizeOperatorsPass`` will use (``WeightQuantizer``,
/// same bits and granularity), the float bias of output channel `c` becomes
/// `b_c − mean over calibration samples and positions of ((Ŵ − W) ∗ x)_c`, `x` being the layer's
/// float input. Convolution is linear, so that mean is the output of the layer run with weights
/// `Ŵ − W` and no bias, which the pass computes with the reference interpreter on a probe graph.
/// A layer without a bias gets one.
public struct BiasCorrectionPass: GraphPass {
    /// The pass's name.
    public let name = "bias-correction"
    /// What the pass does.
    public let summary = "subtract each conv2d / dense channel's mean weight-quantization error from its bias"
    /// Weight bits and granularity (must be the options the graph is then quantized with).
    public let options: QuantizationOptions
    /// The calibration inputs the error means are taken over.
    public let samples: CalibrationSamples

    /// Creates the pass.
    public init(options: QuantizationOptions, samples: CalibrationSamples) {
        self.options = options
        self.samples = samples
    }

    /// Returns the graph with corrected biases.
    /// - Throws: ``DiagnosticError`` naming a node whose weights cannot be quantized, or from the interpreter.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var probe = graph
        var corrected: [(index: Int, probeOutput: String, channelAxis: Int)] = []
        for (index, node) in graph.nodes.enumerated() where node.kind == .conv2d || node.kind == .dense {
            guard let weightName = node.input(1), let weights = graph.constants[weightName], let values = weights.floats,
                  let outputType = graph.types[node.outputs[0]] else { continue }
            let axis = PruneWeightsPass.outputChannelAxis(of: node, weightRank: weights.shape.count)
            let quantized: [Float]
            do {
                let codes = try WeightQuantizer.symmetricIntegerWeights(weights, channelAxis: options.perChannelWeights ? axis : nil,
                                                                         bits: options.weightBits(for: node.name))
                quantized = codes.realValues
            } catch {
                throw DiagnosticError(.error("cannot quantize weights '\(weightName)': \(error)", place: node.place))
            }
            let errorName = QuantizeWeightsOnlyPass.unusedName(node.name + "_weight_error", in: probe)
            probe.constants[errorName] = Tensor(shape: weights.shape, floats: zip(quantized, values).map { $0 - $1 })
            probe.types[errorName] = .float32(weights.shape)
            let output = errorName + "_output"
            probe.nodes.append(Node(name: output, operation: node.operation, inputs: [node.inputs[0], errorName], outputs: [output]))
            probe.types[output] = outputType
            probe.outputs.append(output)
            corrected.append((index, output, node.kind == .conv2d ? 1 : outputType.shape.count - 1))
        }
        guard !corrected.isEmpty else { return graph }
        let interpreter = try ReferenceInterpreter(graph: probe)
        let feeds = samples.feeds
        let firstProbe = graph.outputs.count
        let perSample = try ParallelSamples.map(feeds.count) { sample throws(DiagnosticError) -> [Tensor] in
            Array(try interpreter.run(feeds[sample]).dropFirst(firstProbe))
        }
        var result = graph
        for (position, layer) in corrected.enumerated() {
            let shape = probe.types[layer.probeOutput]!.shape
            let channels = shape[layer.channelAxis]
            let stride = Shape.strides(shape)[layer.channelAxis]
            var sums = [Double](repeating: 0, count: channels)
            var count = 0
            for outputs in perSample {
                for (index, value) in outputs[position].doubles.enumerated() { sums[(index / stride) % channels] += value }
                count += outputs[position].count / channels
            }
            let node = graph.nodes[layer.index]
            let biasName = node.input(2) ?? QuantizeWeightsOnlyPass.unusedName(node.name + "_bias", in: result)
            let old = node.input(2).flatMap { graph.constants[$0]?.floats } ?? [Float](repeating: 0, count: channels)
            result.constants[biasName] = Tensor(shape: [channels], floats: old.indices.map { old[$0] - Float(sums[$0] / Double(max(count, 1))) })
            result.types[biasName] = .float32([channels])
            if node.input(2) == nil {
                result.nodes[layer.index].inputs = Array(node.inputs.prefix(2)) + [biasName]
            }
        }
        return result
    }
}
