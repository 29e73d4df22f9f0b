import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// Adapts a target-neutral quantized graph to a fixed-point DSP: Q7 (or Q15) activations and
/// weights with power-of-two scales, so that every conv2d / dense requantizes with an arithmetic
/// shift (``RequantizationRule/powerOfTwoShift``: round half up, then saturation), as CMSIS-NN's
/// q7 kernels do.
///
/// What it changes, value by value (each change is written to the compile log):
/// * `quantize` at the graph input writes Q7 with the finest scale `2^−n` that covers the
///   original type's real range (symmetric, zero point 0).
/// * conv2d / dense: weights re-quantized per output channel to `2^−g` from their real values,
///   biases to the accumulator's scale `2^−(n_x+g)`, the output to the finest `2^−n` covering
///   its original range; the node's rule becomes the shift `n_x + g − n_y`. The 32-bit
///   accumulator's worst case `|bias| + 2^(s−1) + 128·Σ|w|` is checked against the target's
///   accumulator; a channel that could overflow gets coarser weights until it cannot, so the
///   accumulator never wraps or saturates and the reference's int32 sum is the hardware's.
/// * An output whose original zero point was its lowest code (ONNX Runtime's fused relu) gets an
///   explicit `relu`: the symmetric Q7 range would otherwise keep the negative values.
/// * `add` writes the power-of-two format covering its original range (plus the fused relu).
/// * Clamps, pools and data movement keep their input's format.
/// * A MAC layer whose input is not in a power-of-two format gets a `requantize` in front; an op
///   that compares raw codes (multiThreshold, concat, integer matmul) gets a `requantize` back
///   to the type it was written for.
struct FixedPointAdaptationPass: GraphPass {
    /// The target.
    let target: TargetDescription
    /// The options (activation / weight bit widths, the log).
    let options: CompileOptions

    /// `dsp-fixed-point`.
    var name: String { "dsp-fixed-point" }
    /// One line for `--print-ir-after` listings.
    var summary: String { "Q7/Q15 activations and weights with power-of-two scales; shift requantization; accumulator bounds" }

    /// The storage formats the pass uses.
    struct Formats {
        var activation: ElementType
        var weight: ElementType
    }

    func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        let formats = try Self.formats(for: target, options: options)
        guard target.numerics.requantization.contains(.powerOfTwoShift) else {
            throw DiagnosticError(.error("the dsp backend requantizes with a power-of-two shift, but \(target.name) lists only \(target.numerics.requantization.map(\.rawValue).joined(separator: ", "))",
                                         file: target.file, place: "numerics.requantization"))
        }
        var state = State(original: graph, formats: formats, target: target, log: options.log, pass: name)
        for node in graph.nodes { try state.adapt(node) }
        var result = state.graph
        result.removeUnusedValues()
        return result
    }

    /// The activation and weight formats from the options (nil → Q7), checked against the target.
    /// - Throws: ``DiagnosticError`` with the numbers for a width the target cannot store.
    static func formats(for target: TargetDescription, options: CompileOptions) throws(DiagnosticError) -> Formats {
        func format(_ bits: Int?, _ what: String) throws(DiagnosticError) -> ElementType {
            let type: ElementType
            switch bits {
            case nil, 8?: type = .q7
            case 16?: type = .q15
            case let bits?:
                throw DiagnosticError(.error("\(target.name) computes on 8-bit (q7) or 16-bit (q15) \(what), not \(bits)-bit",
                                             file: target.file, place: "numerics.storageFormats"))
            }
            guard target.numerics.storageFormats.contains(type) else {
                throw DiagnosticError(.error("\(target.name) does not store \(type.name) \(what) (storage formats: \(target.numerics.storageFormats.map(\.name).joined(separator: ", ")))",
                                             file: target.file, place: "numerics.storageFormats"))
            }
            return type
        }
        return Formats(activation: try format(options.activationBits, "activations"), weight: try format(options.weightBits, "weights"))
    }
}

extension FixedPointAdaptationPass {
    /// The graph being rewritten and what has been retyped so far.
    struct State: GraphRebuilding {
        let original: Graph
        let formats: Formats
        let target: TargetDescription
        let log: CompileLog
        let pass: String
        var graph: Graph

        init(original: Graph, formats: Formats, target: TargetDescription, log: CompileLog, pass: String) {
            self.original = original
            self.formats = formats
            self.target = target
            self.log = log
            self.pass = pass
            graph = original
            graph.nodes = []
        }

        var restoreReason: String { "which reads raw codes" }

        mutating func adapt(_ node: Node) throws(DiagnosticError) {
            switch node.kind {
            case .quantize:
                adaptQuantize(node)
            case .conv2d, .dense:
                try adaptMultiplyAccumulate(node)
            case .add:
                adaptAdd(node)
            case .relu, .clip, .maxPool, .globalMaxPool, .averagePool, .globalAveragePool,
                 .reshape, .flatten, .squeeze, .unsqueeze, .transpose, .pad:
                propagate(node)
            case .dequantize, .sub, .mul, .div, .sign, .requantize, .sigmoid, .tanh, .hardSwish, .hardSigmoid,
                 .gelu, .erf, .leakyRelu:
                // Real-valued semantics (dequantize → op → quantize, or a sign by zero point): the
                // new parameters carry the meaning.
                graph.nodes.append(node)
            default:
                restoreOriginalTypes(node)
            }
        }

        // MARK: quantize

        mutating func adaptQuantize(_ node: Node) {
            guard let output = node.outputs.first, let type = original.types[output], let quantization = type.quantization,
                  quantization.isPerTensor, case .integer = type.elementType else {
                graph.nodes.append(node)
                return
            }
            let magnitude = PowerOfTwoFormat.realMagnitude(of: type)
            let bits = PowerOfTwoFormat.fractionBits(covering: magnitude, in: formats.activation)
            let newType = activationType(shape: type.shape, fractionBits: bits)
            graph.types[output] = newType
            graph.nodes.append(node)
            log.note("input quantized to \(formats.activation.name) at \(PowerOfTwoFormat.scaleText(bits)) in place of \(type.elementType.name) s=\(quantization.scales[0]) zp=\(quantization.zeroPoints[0]): covers ±\(format(magnitude)), scale ×\(format(PowerOfTwoFormat.scale(bits) / Double(quantization.scales[0])))",
                     pass: pass, node: node.name)
        }

        // MARK: add

        mutating func adaptAdd(_ node: Node) {
            guard let output = node.outputs.first, let type = original.types[output], let quantization = type.quantization,
                  quantization.isPerTensor, case .integer = type.elementType,
                  node.inputs.allSatisfy({ graph.types[$0]?.isQuantized ?? false }) else {
                restoreOriginalTypes(node)
                return
            }
            let magnitude = PowerOfTwoFormat.realMagnitude(of: type)
            let bits = PowerOfTwoFormat.fractionBits(covering: magnitude, in: formats.activation)
            graph.types[output] = activationType(shape: type.shape, fractionBits: bits)
            graph.nodes.append(node)
            log.note("sum written as \(formats.activation.name) at \(PowerOfTwoFormat.scaleText(bits)) in place of \(type.elementType.name) s=\(quantization.scales[0]) zp=\(quantization.zeroPoints[0]) (scale ×\(format(PowerOfTwoFormat.scale(bits) / Double(quantization.scales[0]))))",
                     pass: pass, node: node.name)
            insertFusedRelu(after: node, originalType: type)
        }

        // MARK: conv2d / dense

        mutating func adaptMultiplyAccumulate(_ node: Node) throws(DiagnosticError) {
            guard let inputName = node.input(0), let weightName = node.input(1), let output = node.outputs.first,
                  let inputType = graph.types[inputName], let originalInputType = original.types[inputName],
                  let inputQuantization = originalInputType.quantization,
                  let weights = graph.constants[weightName], let weightQuantization = weights.type.quantization,
                  case .integer(let weightBits, _) = weights.type.elementType, weightBits <= 16,
                  let weightCodes = weights.codes, let outputType = original.types[output],
                  let outputQuantization = outputType.quantization, outputQuantization.isPerTensor,
                  inputType.elementType.isInteger, inputType.elementType != .binary else {
                restoreOriginalTypes(node)
                return
            }
            let isConvolution = node.kind == .conv2d
            let channelAxis = isConvolution ? 0 : 1
            guard weights.shape.count == (isConvolution ? 4 : 2) else { restoreOriginalTypes(node); return }
            let channels = weights.shape[channelAxis]
            guard channels > 0, weightCodes.count % channels == 0 else { restoreOriginalTypes(node); return }

            // The input in a power-of-two format (a requantize in front if it is not).
            var input = inputName
            var currentInputType = inputType
            if !PowerOfTwoFormat.isPowerOfTwoActivation(inputType) {
                let magnitude = realMagnitude(ofValue: inputName, type: inputType)
                let bits = PowerOfTwoFormat.fractionBits(covering: magnitude, in: formats.activation)
                currentInputType = activationType(shape: inputType.shape, fractionBits: bits)
                input = uniqueName("\(inputName)_\(formats.activation.name)")
                graph.types[input] = currentInputType
                graph.nodes.append(Node(name: uniqueName("\(node.name)_input_requantize"), operation: .requantize,
                                        inputs: [inputName], outputs: [input]))
                log.note("input \(inputName) (\(inputType)) requantized to \(formats.activation.name) at \(PowerOfTwoFormat.scaleText(bits)) (covers ±\(format(magnitude)))",
                         pass: pass, node: node.name)
            }
            let inputBits = PowerOfTwoFormat.fractionBits(ofScale: currentInputType.quantization!.scales[0])!

            // Real weights per channel, and the biases' real values (scale s_x · s_w[c] of the original graph).
            let perChannel = weightCodes.count / channels
            func channel(of index: Int) -> Int { isConvolution ? index / perChannel : index % channels }
            var realWeights = [Double](repeating: 0, count: weightCodes.count)
            var largest = [Double](repeating: 0, count: channels)
            for index in weightCodes.indices {
                let c = channel(of: index)
                let value = Double(Int64(weightCodes[index]) - Int64(weightQuantization.zeroPoint(at: c))) * Double(weightQuantization.scale(at: c))
                realWeights[index] = value
                largest[c] = max(largest[c], abs(value))
            }
            let biasName = node.input(2)
            let biasCodes = biasName.flatMap { graph.constants[$0]?.codes }
            let realBias: [Double] = (0..<channels).map { c in
                guard let biasCodes, c < biasCodes.count else { return 0 }
                return Double(biasCodes[c]) * Double(inputQuantization.scale(at: 0)) * Double(weightQuantization.scale(at: c))
            }

            var weightFractionBits = largest.map { PowerOfTwoFormat.fractionBits(covering: $0, in: formats.weight) }
            let outputMagnitude = PowerOfTwoFormat.realMagnitude(of: outputType)
            var outputBits = PowerOfTwoFormat.fractionBits(covering: outputMagnitude, in: formats.activation)
            let accumulatorLimit = Int64(1) << (min(target.numerics.accumulatorBits, 63) - 1) - 1
            let largestInput = max(-formats.activation.minimumCode, formats.activation.maximumCode)

            var newWeights = [Int32](repeating: 0, count: weightCodes.count)
            var newBias = [Int32](repeating: 0, count: channels)
            var bounds = [Int64](repeating: 0, count: channels)
            var coarsened: [Int] = []
            var loweredOutput = false
            // Quantize each channel, coarsening it while its accumulator could overflow.
            for pass in 0..<2 {
                if pass == 1 {
                    // A shift must be ≥ 0: an output finer than the accumulator's step is coarsened.
                    let finest = inputBits + (weightFractionBits.min() ?? 0)
                    guard outputBits > finest else { break }
                    outputBits = finest
                    loweredOutput = true
                }
                for c in 0..<channels {
                    while true {
                        let step = PowerOfTwoFormat.scale(weightFractionBits[c])
                        var sumOfMagnitudes: Int64 = 0
                        for index in weightCodes.indices where channel(of: index) == c {
                            let code = Int32(formats.weight.saturate(Int64((realWeights[index] / step).rounded(.toNearestOrEven))))
                            newWeights[index] = code
                            sumOfMagnitudes += Int64(abs(code))
                        }
                        let biasValue = (realBias[c] / (PowerOfTwoFormat.scale(inputBits) * step)).rounded(.toNearestOrEven)
                        newBias[c] = Int32(max(min(biasValue, Double(Int32.max)), Double(Int32.min)))
                        let shift = inputBits + weightFractionBits[c] - outputBits
                        let rounding: Int64 = shift > 0 ? Int64(1) << min(shift - 1, 62) : 0
                        let (product, overflow) = sumOfMagnitudes.multipliedReportingOverflow(by: largestInput)
                        bounds[c] = overflow ? Int64.max : Int64(abs(newBias[c])).addingReportingOverflow(rounding).partialValue.addingReportingOverflow(product).partialValue
                        if bounds[c] <= accumulatorLimit && bounds[c] >= 0 || weightFractionBits[c] <= -60 { break }
                        weightFractionBits[c] -= 1
                        if !coarsened.contains(c) { coarsened.append(c) }
                    }
                }
            }
            guard bounds.allSatisfy({ $0 >= 0 && $0 <= accumulatorLimit }) else {
                throw DiagnosticError(.error("the \(target.numerics.accumulatorBits)-bit accumulator of \(target.name) can overflow on this layer whatever the weight scale (bound \(bounds.max() ?? 0) > \(accumulatorLimit))",
                                             place: node.place))
            }

            // The new constants and types.
            let weightType = TensorType(shape: weights.shape, elementType: formats.weight,
                                        quantization: QuantizationParameters(scales: weightFractionBits.map { Float(PowerOfTwoFormat.scale($0)) },
                                                                             zeroPoints: [Int32](repeating: 0, count: channels), axis: channelAxis))
            let newWeightName = uniqueName("\(weightName)_\(formats.weight.name)")
            graph.constants[newWeightName] = Tensor(type: weightType, storage: .int32(newWeights))
            graph.types[newWeightName] = weightType
            var newBiasName = ""
            if let biasName {
                newBiasName = uniqueName("\(biasName)_\(formats.weight.name)")
                let bias = Tensor(shape: [channels], elementType: .int32, codes: newBias)
                graph.constants[newBiasName] = bias
                graph.types[newBiasName] = bias.type
            }
            let newOutputType = activationType(shape: outputType.shape, fractionBits: outputBits)
            let relu = PowerOfTwoFormat.clampsAtZero(outputType)
            let macOutput = relu ? uniqueName("\(output)_linear") : output
            graph.types[macOutput] = newOutputType
            var adapted = node
            adapted.inputs = [input, newWeightName] + (biasName == nil ? [] : [newBiasName])
            adapted.outputs = [macOutput]
            adapted.requantization = .powerOfTwoShift
            graph.nodes.append(adapted)

            // The log: formats, shifts, scale errors, accumulator bound.
            let shifts = weightFractionBits.map { inputBits + $0 - outputBits }
            var squaredError = 0.0, squaredSignal = 0.0
            for index in weightCodes.indices {
                let value = Double(newWeights[index]) * PowerOfTwoFormat.scale(weightFractionBits[channel(of: index)])
                squaredError += (value - realWeights[index]) * (value - realWeights[index])
                squaredSignal += realWeights[index] * realWeights[index]
            }
            let originalMultipliers = (0..<channels).map { Double(inputQuantization.scale(at: 0)) * Double(weightQuantization.scale(at: $0)) / Double(outputQuantization.scales[0]) }
            let weightSQNR = squaredError == 0 ? "exact" : "SQNR \(format(10 * log10(squaredSignal / squaredError))) dB"
            log.note("\(formats.weight.name) weights per output channel at 2^-g (g \(range(weightFractionBits))), \(weightSQNR); input \(PowerOfTwoFormat.scaleText(inputBits)), output \(formats.activation.name) at \(PowerOfTwoFormat.scaleText(outputBits)) in place of s=\(outputQuantization.scales[0]) zp=\(outputQuantization.zeroPoints[0]) (scale ×\(format(PowerOfTwoFormat.scale(outputBits) / Double(outputQuantization.scales[0])))); requantization: shift right by \(range(shifts)) (round half up, saturate) in place of float multipliers \(format(originalMultipliers.min() ?? 0))…\(format(originalMultipliers.max() ?? 0)); \(target.numerics.accumulatorBits)-bit accumulator bound \(bounds.max() ?? 0) ≤ \(accumulatorLimit): cannot overflow",
                     pass: pass, node: node.name)
            if !coarsened.isEmpty {
                log.note("channels \(coarsened.map(String.init).joined(separator: ", ")) got coarser weights so that the \(target.numerics.accumulatorBits)-bit accumulator cannot overflow",
                         pass: pass, node: node.name)
            }
            if loweredOutput {
                log.note("output coarsened to \(PowerOfTwoFormat.scaleText(outputBits)): a finer output than the accumulator's step would need a left shift",
                         pass: pass, node: node.name)
            }
            if relu {
                graph.types[output] = newOutputType
                graph.nodes.append(Node(name: uniqueName("\(node.name)_relu"), operation: .relu, inputs: [macOutput], outputs: [output]))
                log.note("explicit relu: the original \(outputType.elementType.name) output with zero point \(outputQuantization.zeroPoints[0]) clamped at 0, the symmetric \(formats.activation.name) format does not",
                         pass: pass, node: node.name)
            }
        }

        // MARK: helpers

        /// Pass-through ops: the output takes the (new) format of input 0.
        mutating func propagate(_ node: Node) {
            guard let input = node.input(0), isRetyped(input), let inputType = graph.types[input],
                  let output = node.outputs.first, let outputType = original.types[output], outputType.isQuantized else {
                restoreOriginalTypes(node)
                return
            }
            graph.types[output] = inputType.withShape(outputType.shape)
            graph.nodes.append(node)
        }

        /// After a node whose original output clamped at 0 (zero point = lowest code), renames its
        /// output and adds a relu writing the original name.
        mutating func insertFusedRelu(after node: Node, originalType: TensorType) {
            guard PowerOfTwoFormat.clampsAtZero(originalType), let output = node.outputs.first,
                  let type = graph.types[output] else { return }
            let linear = uniqueName("\(output)_linear")
            graph.types[linear] = type
            graph.nodes[graph.nodes.count - 1].outputs = [linear]
            graph.nodes.append(Node(name: uniqueName("\(node.name)_relu"), operation: .relu, inputs: [linear], outputs: [output]))
            log.note("explicit relu: the original \(originalType.elementType.name) output with zero point \(originalType.quantization!.zeroPoints[0]) clamped at 0, the symmetric \(formats.activation.name) format does not",
                     pass: pass, node: node.name)
        }

        /// The real magnitude a value can reach: a multiThreshold's counts bound it tighter than its type.
        func realMagnitude(ofValue value: String, type: TensorType) -> Double {
            if let producer = graph.nodes.last(where: { $0.outputs.contains(value) }),
               case .multiThreshold(let attributes) = producer.operation,
               let thresholds = producer.input(1).flatMap({ graph.types[$0] }), thresholds.shape.count == 2,
               let quantization = type.quantization {
                let zero = Int64(quantization.zeroPoint(at: 0)), scale = Double(quantization.scale(at: 0))
                let low = Int64(attributes.offset) - zero, high = Int64(attributes.offset + thresholds.shape[1]) - zero
                return Double(max(abs(low), abs(high))) * scale
            }
            return PowerOfTwoFormat.realMagnitude(of: type)
        }

        func activationType(shape: [Int], fractionBits: Int) -> TensorType {
            TensorType(shape: shape, elementType: formats.activation,
                       quantization: QuantizationParameters(scale: Float(PowerOfTwoFormat.scale(fractionBits))))
        }

        func range(_ values: [Int]) -> String {
            let low = values.min() ?? 0, high = values.max() ?? 0
            return low == high ? "\(low)" : "\(low)…\(high)"
        }

        func format(_ value: Double) -> String { String(format: "%.4g", value) }
    }
}
