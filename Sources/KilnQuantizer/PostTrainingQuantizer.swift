import KilnDiagnostics
import KilnInterpreter
import KilnIR
import KilnNumerics

/// Post-training quantization of a float graph into Kiln's quantized IR.
///
/// ```swift
/// let quantizer = PostTrainingQuantizer(options: QuantizationOptions(weightBits: 4))
/// let result = try quantizer.quantize(graph, calibration: ["input": calibrationImages])
/// for layer in result.layers { print(layer.node, layer.signalToQuantizationNoiseRatio) }
/// ```
///
/// The pipeline is ``pipeline(calibratedParameters:)``: optional ``CrossLayerEqualizationPass`` and
/// ``PruneWeightsPass``, then optional ``AdaptiveRoundingPass`` and ``BiasCorrectionPass`` (they need the
/// calibration data), then
/// calibration (``ActivationCalibration``) on the pruned float graph, then ``QuantizeOperatorsPass``.
/// Each layer's SQNR compares its dequantized output with the float graph's value after the
/// function-preserving passes (``equivalencePipeline()``), so it includes the pruning error, over
/// all calibration samples.
public struct PostTrainingQuantizer: Sendable {
    /// Bit widths, granularity, calibration and pruning.
    public let options: QuantizationOptions

    /// Creates a quantizer.
    public init(options: QuantizationOptions = QuantizationOptions()) {
        self.options = options
    }

    /// Quantizes `graph`.
    ///
    /// - Parameters:
    ///   - graph: a verified float graph (ONNX import or a Kiln model file).
    ///   - calibration: per graph input, a batch `[N, ...]` of representative inputs (or one sample
    ///     of exactly the input's shape).
    /// - Returns: the verified quantized graph and a per-layer report.
    /// - Throws: ``DiagnosticError`` for invalid options, calibration data that does not fit the
    ///   graph's inputs (naming the input), or a graph the interpreter cannot run.
    /// - Complexity: two runs of the float graph and one of the quantized graph per calibration sample.
    public func quantize(_ graph: Graph, calibration: [String: Tensor]) throws(DiagnosticError) -> QuantizationResult {
        try options.validate()
        try graph.verify()
        let samples = try CalibrationSamples(calibration, for: graph)
        var reference = try equivalencePipeline().run(on: graph)
        if let alpha = options.smoothQuantAlpha {
            // Function-preserving too, but it needs activation ranges from the calibration data.
            reference = try SmoothQuantPass(alpha: alpha, samples: samples).run(on: reference)
        }
        var pruned = try pruningPipeline().run(on: reference)
        if let format = options.weightsOnly {
            return try quantizeWeightsOnly(pruned, format: format, float: reference, samples: samples)
        }
        let reroundsWeights = options.adaptiveRounding || options.hessianWeightUpdates
        if reroundsWeights || options.biasCorrection {
            // One float run per calibration sample of the pruned graph gives both passes their layers' inputs.
            let layerInputs = try CalibratedLayerInputs(graph: pruned, samples: samples)
            if reroundsWeights {
                // Re-round the (pruned) weights on the grid quantization will use, before bias correction measures their error.
                pruned = try AdaptiveRoundingPass(options: options, layerInputs: layerInputs,
                                                  method: options.adaptiveRounding ? .adaptiveRounding : .hessianUpdates).run(on: pruned)
            }
            if options.biasCorrection {
                // Needs the final float weights (after pruning and re-rounding).
                pruned = try BiasCorrectionPass(options: options, layerInputs: layerInputs).run(on: pruned)
            }
        }
        let calibrated = try ActivationCalibration(graph: pruned, samples: samples, method: options.calibrationMethod,
                                                   scheme: options.activationScheme)
        let pass = QuantizeOperatorsPass(options: options, activationParameters: calibrated.parameters)
        let rewritten = try pass.rewrite(pruned)
        do {
            try rewritten.graph.verify()
        } catch {
            throw DiagnosticError(error.diagnostics.map { finding in
                var copy = finding
                copy.message += " (after pass '\(pass.name)')"
                return copy
            })
        }
        let measured = try Self.measure(rewritten.layers, quantized: rewritten.graph, float: reference, samples: samples)
        return QuantizationResult(graph: rewritten.graph, layers: measured.layers, floatNodes: rewritten.floatNodes,
                                  outputs: measured.outputs)
    }

    /// Weights-only quantization of the (pruned) float graph; each layer's SQNR is measured like a full quantization's.
    private func quantizeWeightsOnly(_ pruned: Graph, format: WeightOnlyFormat, float: Graph,
                                     samples: CalibrationSamples) throws(DiagnosticError) -> QuantizationResult {
        let pass = QuantizeWeightsOnlyPass(format: format, perChannel: options.perChannelWeights)
        let rewritten = try pass.rewrite(pruned)
        try rewritten.graph.verify()
        let layers = rewritten.layers.map { layer in
            LayerQuantizationReport(node: layer.node.name, operation: layer.node.kind, form: .weightsOnly,
                                    floatValue: layer.node.outputs[0], quantizedValue: layer.node.outputs[0],
                                    outputType: rewritten.graph.types[layer.node.outputs[0]]!, weightType: layer.weights,
                                    fusedActivation: nil, weightSparsity: nil)
        }
        let measured = try Self.measure(layers, quantized: rewritten.graph, float: float, samples: samples)
        return QuantizationResult(graph: rewritten.graph, layers: measured.layers, floatNodes: [], outputs: measured.outputs)
    }

    /// Float passes that leave the model's function unchanged and so define the float reference
    /// each layer's SQNR is measured against: cross-layer equalization, when requested.
    public func equivalencePipeline() -> [any GraphPass] {
        // Rescales channels between consecutive convs so per-tensor weight scales fit every channel.
        options.crossLayerEqualization ? [CrossLayerEqualizationPass()] : []
    }

    /// Float passes that change the model before calibration: weight pruning, when requested.
    public func pruningPipeline() -> [any GraphPass] {
        guard let pruning = options.pruning else { return [] }
        return [
            // Zero weights first, so activations are calibrated on the pruned model.
            PruneWeightsPass(pruning: pruning),
        ]
    }

    /// Every pass in order, given the parameters calibration produced (for `--print-ir-after`-style tooling).
    public func pipeline(calibratedParameters: [String: QuantizationParameters]) -> [any GraphPass] {
        if let format = options.weightsOnly {
            // Weight constants → codes + dequantize; activations stay float, so no calibration is used.
            return equivalencePipeline() + pruningPipeline() + [QuantizeWeightsOnlyPass(format: format, perChannel: options.perChannelWeights)]
        }
        return equivalencePipeline() + pruningPipeline() + [
            // Float ops → integer ops, with quantize / dequantize at the boundaries.
            QuantizeOperatorsPass(options: options, activationParameters: calibratedParameters),
        ]
    }

    /// Fills in each layer's error statistics (the quantized graph's dequantized output against the
    /// float graph's value) and measures every graph output the same way.
    static func measure(_ layers: [LayerQuantizationReport], quantized: Graph, float: Graph, samples: CalibrationSamples)
        throws(DiagnosticError) -> (layers: [LayerQuantizationReport], outputs: [(name: String, error: ErrorStatistics)]) {
        let floatInterpreter = try ReferenceInterpreter(graph: float)
        let quantizedInterpreter = try ReferenceInterpreter(graph: quantized)
        let compared = layers.map { ($0.floatValue, $0.quantizedValue) } + float.outputs.map { ($0, $0) }
        var accumulators = [ErrorAccumulator](repeating: ErrorAccumulator(), count: compared.count)
        let chunkSize = max(1, ParallelSamples.activeProcessorCount * 4)
        var start = 0
        while start < samples.count {
            let chunk = Array(samples.feeds[start ..< min(start + chunkSize, samples.count)])
            let pairs = try ParallelSamples.map(chunk.count) { index throws(DiagnosticError) -> [([Float], [Float])?] in
                let reference = try floatInterpreter.runKeepingIntermediates(chunk[index])
                let approximation = try quantizedInterpreter.runKeepingIntermediates(chunk[index])
                return compared.map { floatValue, quantizedValue in
                    guard let expected = reference[floatValue], let actual = approximation[quantizedValue] else { return nil }
                    return (expected.realValues, actual.realValues)
                }
            }
            for sample in pairs {
                for (index, pair) in sample.enumerated() {
                    if let (reference, approximation) = pair { accumulators[index].add(reference: reference, approximation: approximation) }
                }
            }
            start += chunkSize
        }
        var measured = layers
        for index in measured.indices { measured[index].error = accumulators[index].statistics }
        let outputs = float.outputs.enumerated().map { ($1, accumulators[layers.count + $0].statistics) }
        return (measured, outputs)
    }
}
