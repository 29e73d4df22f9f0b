import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// Adapts a quantized graph to TFLite's int8 arithmetic, for families whose kernels compute
/// what TFLite's int8 kernels compute (TFLite Micro + CMSIS-NN on a Cortex-M, an NPU compiled
/// by Vela): nodes imported from a `.tflite` file already have it and are left alone; nodes
/// with ONNX Runtime semantics are converted as the TFLite converter would quantize the same
/// layers, each change written to the compile log:
///
/// * a u8 activation (zero point `z`) becomes i8 with zero point `z − 128`: the same real values,
///   every code shifted by −128 (TFLite's int8 scheme has no u8 activations); a graph output
///   keeps its type through a `requantize` back;
/// * conv2d / dense with constant symmetric weights of a type the kernels take (``weightFormats``:
///   i8, or i4 for CMSIS-NN's s4 kernels), add, sub, mul, relu, clip, leakyRelu and
///   max / average pooling with equal input and output parameters take TFLite semantics: the
///   float multiplier `s_x · s_w / s_y` becomes a Q31 multiplier and a shift (TFLite's
///   `QuantizeMultiplier`), requantized with `MultiplyByQuantizedMultiplier` (dense: single
///   rounding, as TFLite's FULLY_CONNECTED), ADD / MUL with TFLite's fixed-point rules;
/// * views and transposes keep their input's format; every other node keeps ONNX Runtime's
///   semantics and reads its inputs in their original types (a `requantize` back where needed),
///   so it runs on the host partition with its own arithmetic.
public struct TFLiteArithmeticAdaptationPass: GraphPass {
    /// The pass name in listings and the compile log (`dsp-cmsis-nn-s8`, `ethos-u-int8`).
    public let name: String
    /// The kernels that run the converted layers, as messages name them ("CMSIS-NN's kernels").
    public let kernels: String
    /// The target.
    public let target: TargetDescription
    /// The options (the log; activation and weight widths, which must be 8 bits).
    public let options: CompileOptions
    /// The weight element types the kernels take for conv2d and dense; narrower ones are used
    /// as the model gives them, never re-quantized here.
    public let weightFormats: [ElementType]
    /// Appended to the error for a width other than 8 bits (where the family has other kernels).
    public let widthHint: String

    /// Creates the pass.
    public init(name: String, kernels: String, target: TargetDescription, options: CompileOptions,
                weightFormats: [ElementType], widthHint: String = "") {
        self.name = name
        self.kernels = kernels
        self.target = target
        self.options = options
        self.weightFormats = weightFormats
        self.widthHint = widthHint
    }

    /// One line for `--print-ir-after` listings.
    public var summary: String { "int8 activations and TFLite's multiplier + shift requantization (\(kernels))" }

    /// Returns the graph with TFLite's int8 arithmetic on every layer it can take, each change in the compile log.
    /// - Throws: ``DiagnosticError`` at the target's `numerics.requantization` when the options ask
    ///   for activation or weight bits other than 8, which the kernels do not run.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        for (bits, what) in [(options.activationBits, "activations"), (options.weightBits, "weights")] where bits != nil && bits != 8 {
            let narrow = what == "weights" && weightFormats.contains(.integer(bits: bits!, signed: true))
                ? "; its \(bits!)-bit kernels take i\(bits!) weights from the model (quantize it with \(bits!)-bit weights), they are not re-quantized at compile time" : ""
            throw DiagnosticError(.error("\(target.name) runs \(kernels) on 8-bit \(what), not \(bits!)-bit\(widthHint)\(narrow)",
                                         file: target.file, place: "numerics.requantization"))
        }
        var state = State(original: graph, target: target, weightFormats: weightFormats, kernels: kernels, log: options.log, pass: name)
        for node in graph.nodes { state.adapt(node) }
        var result = state.graph
        result.removeUnusedValues()
        return result
    }
}

extension TFLiteArithmeticAdaptationPass {
    /// The graph being rewritten.
    struct State: GraphRebuilding {
        let original: Graph
        /// The target (named in log notes).
        let target: TargetDescription
        /// The weight types the kernels take.
        let weightFormats: [ElementType]
        /// The kernels, as messages name them.
        let kernels: String
        let log: CompileLog
        let pass: String
        var graph: Graph

        init(original: Graph, target: TargetDescription, weightFormats: [ElementType], kernels: String, log: CompileLog, pass: String) {
            self.original = original
            self.target = target
            self.weightFormats = weightFormats
            self.kernels = kernels
            self.log = log
            self.pass = pass
            graph = original
            graph.nodes = []
        }

        var restoreReason: String { "which keeps ONNX Runtime's arithmetic" }

        mutating func adapt(_ node: Node) {
            guard node.semantics == .onnxRuntime else {
                restoreOriginalTypes(node)
                return
            }
            switch node.kind {
            case .quantize:
                retypeOutput(node) { $0 }
            case .conv2d, .dense:
                convertMultiplyAccumulate(node)
            case .add, .sub, .mul, .relu, .clip, .leakyRelu:
                convert(node, inputCount: OperatorKind.elementwiseBinary.contains(node.kind) ? 2 : 1, what: "TFLite's fixed-point \(node.kind.rawValue)")
            case .maxPool, .averagePool:
                convertPooling(node)
            case .reshape, .flatten, .squeeze, .unsqueeze, .transpose:
                propagate(node)
            case .dequantize:
                graph.nodes.append(node)  // (q − z)·s: the same reals from the shifted codes
            default:
                restoreOriginalTypes(node)
            }
        }

        // MARK: conversions

        mutating func convertMultiplyAccumulate(_ node: Node) {
            if let output = node.outputs.first, let type = original.types[output], type.elementType == .int32, type.quantization == nil,
               isReadBySignStep(output) {
                keepAccumulatorForm(node)
                return
            }
            let formats = weightFormats
            guard let weightName = node.input(1), let weights = graph.constants[weightName], formats.contains(weights.type.elementType),
                  let quantization = weights.type.quantization, quantization.isSymmetric, node.accumulation == .wrappingInt32,
                  node.input(2).map({ graph.constants[$0]?.type.elementType == .int32 }) ?? true else {
                let got = node.input(1).flatMap { graph.constants[$0] }.map { " (its weights are \($0.type.elementType.name))" } ?? ""
                log.note("kept ONNX Runtime's arithmetic (runs on the host): \(kernels) need constant symmetric \(formats.map(\.name).joined(separator: " or ")) weights (the formats \(target.name) declares for them), an i32 bias and wrapping int32 sums\(got)",
                         pass: pass, node: node.name)
                restoreOriginalTypes(node)
                return
            }
            convert(node, inputCount: 1, what: node.kind == .dense
                    ? "TFLite's FULLY_CONNECTED requantization (multiplier + shift, single rounding)"
                    : "TFLite's CONV_2D requantization (per-channel multiplier + shift, double rounding)", acceptsBinary: true)
        }

        /// Whether `value`'s only reader is a `sign`, or an `add` whose only reader is a `sign`
        /// (the quantizer's threshold form): a binarized layer's accumulator.
        func isReadBySignStep(_ value: String) -> Bool {
            func soleReader(of value: String) -> Node? {
                let readers = original.nodes.filter { $0.inputs.contains(value) }
                return readers.count == 1 && !original.outputs.contains(value) ? readers[0] : nil
            }
            guard let reader = soleReader(of: value) else { return false }
            if reader.kind == .sign { return true }
            guard reader.kind == .add, let sum = reader.outputs.first else { return false }
            return soleReader(of: sum)?.kind == .sign
        }

        /// A conv2d / dense writing its raw int32 accumulator (a binarized layer before its
        /// threshold and sign): no requantization, so no arithmetic to convert. An i8 (or u8, read
        /// as i8 through a `requantize`) or ±1 input and constant symmetric i8 or ±1 weights keep
        /// the node for the family's binary-layer kernel: `Σ (x − z_x)·w` is the same sum from the shifted
        /// codes.
        mutating func keepAccumulatorForm(_ node: Node) {
            guard let input = node.input(0), let weightName = node.input(1), let weights = graph.constants[weightName],
                  weights.type.elementType == .binary || (weights.type.elementType == .int8 && weights.type.quantization?.isSymmetric == true),
                  graph.types[input]?.elementType == .binary || isEightBit(graph.types[input]) else {
                restoreOriginalTypes(node)
                return
            }
            var copy = node
            copy.inputs[0] = signedInput(input, for: node)
            log.note("kept as an int32 accumulator (no requantization) reading \(graph.types[copy.inputs[0]]!.elementType.name) codes", pass: pass, node: node.name)
            graph.nodes.append(copy)
        }

        mutating func convertPooling(_ node: Node) {
            guard let input = node.input(0), let inputType = original.types[input], let output = node.outputs.first,
                  let outputType = original.types[output], inputType.quantization == outputType.quantization,
                  inputType.quantization?.isPerTensor == true else {
                log.note("kept ONNX Runtime's arithmetic: TFLite's pooling needs equal input and output parameters", pass: pass, node: node.name)
                restoreOriginalTypes(node)
                return
            }
            if case .averagePool(let attributes) = node.operation, attributes.countIncludePad {
                log.note("kept ONNX Runtime's arithmetic: TFLite's average pooling does not count padding", pass: pass, node: node.name)
                restoreOriginalTypes(node)
                return
            }
            convert(node, inputCount: 1, what: node.kind == .maxPool ? "TFLite's maxPool (the largest code)" : "TFLite's averagePool (the sum of codes divided rounding half away from zero)",
                    acceptsBinary: node.kind == .maxPool)
        }

        /// Gives the node TFLite semantics with i8 operands (the first `inputCount` inputs) and an
        /// i8 output; keeps ONNX Runtime's when an operand is not a per-tensor quantized 8-bit value.
        /// With `acceptsBinary` (conv2d / dense input, max pooling) ±1 codes count as 8-bit: they
        /// are s8 codes −1 / +1 with scale 1 and zero point 0.
        mutating func convert(_ node: Node, inputCount: Int, what: String, acceptsBinary: Bool = false) {
            let operands = node.inputs.prefix(inputCount)
            func accepted(_ type: TensorType?) -> Bool { isEightBit(type) || (acceptsBinary && type?.elementType == .binary) }
            guard operands.allSatisfy({ accepted(graph.types[$0]) }), let output = node.outputs.first,
                  node.kind == .maxPool ? accepted(original.types[output]) : isEightBit(original.types[output]) else {
                restoreOriginalTypes(node)
                return
            }
            var converted = node
            for (position, input) in operands.enumerated() { converted.inputs[position] = signedInput(input, for: node) }
            converted.semantics = .tensorFlowLite
            if OperatorKind.multiplyAccumulate.contains(node.kind) { converted.requantization = .fixedPointMultiplier }
            log.note("ONNX Runtime's arithmetic → \(what)", pass: pass, node: node.name)
            retypeOutput(converted) { $0 }
            noteVanishingSum(converted)
        }

        /// Notes an ADD / SUB whose TFLite output multiplier is zero: `add.cc` computes
        /// `2^20 · outputScale` in float32, which overflows for an output scale above about
        /// 3.2e32 (an attention mask at float32's lowest value has one), so every output code
        /// is the zero point, as TFLite computes it.
        func noteVanishingSum(_ node: Node) {
            guard node.kind == .add || node.kind == .sub, node.inputs.count >= 2, let output = node.outputs.first,
                  let first = graph.types[node.inputs[0]], let second = graph.types[node.inputs[1]], let outputType = graph.types[output],
                  let arithmetic = try? TFLiteElementwiseArithmetic(node.kind, first: first, second: second, output: outputType),
                  arithmetic.outputMultiplier.quantizedMultiplier == 0 else { return }
            let scale = outputType.quantization?.scales.first ?? 0
            log.note("TFLite's \(node.kind.rawValue) has a zero output multiplier: 2^20 × the output scale \(scale) overflows float32 (TFLite's add.cc computes it in float), so every output is the zero point, where ONNX Runtime's arithmetic keeps the sum",
                     pass: pass, node: node.name)
        }

        /// Pass-through ops: the output takes input 0's (new) format.
        mutating func propagate(_ node: Node) {
            guard let input = node.input(0), isRetyped(input), let inputType = graph.types[input], let output = node.outputs.first,
                  let outputType = original.types[output], outputType.quantization == original.types[input]?.quantization else {
                restoreOriginalTypes(node)
                return
            }
            retypeOutput(node) { _ in inputType.withShape(outputType.shape) }
        }

        // MARK: types

        func isEightBit(_ type: TensorType?) -> Bool {
            guard let type, let quantization = type.quantization, quantization.isPerTensor else { return false }
            return type.elementType == .int8 || type.elementType == .uint8
        }

        /// The i8 form of a u8 type: codes and zero point shifted by −128 (the same reals).
        static func signed(_ type: TensorType) -> TensorType {
            guard type.elementType == .uint8, let quantization = type.quantization else { return type }
            return TensorType(shape: type.shape, elementType: .int8,
                              quantization: QuantizationParameters(scales: quantization.scales,
                                                                   zeroPoints: quantization.zeroPoints.map { $0 - 128 }, axis: quantization.axis))
        }

        /// The node's output written as i8 (`retype` gives the new type from the signed original);
        /// a graph output gets a fresh internal name and a `requantize` back to its declared type.
        mutating func retypeOutput(_ node: Node, _ retype: (TensorType) -> TensorType) {
            guard let output = node.outputs.first, let type = original.types[output], type.elementType == .uint8 || isRetyped(node.inputs.first ?? "") else {
                graph.nodes.append(node)
                return
            }
            let newType = retype(Self.signed(type))
            guard newType != type else {
                graph.nodes.append(node)
                return
            }
            var copy = node
            if original.outputs.contains(output) {
                let renamed = uniqueName("\(output)_s8")
                copy.outputs[0] = renamed
                graph.types[renamed] = newType
                graph.nodes.append(copy)
                graph.nodes.append(Node(name: uniqueName("\(node.name)_output_requantize"), operation: .requantize,
                                        inputs: [renamed], outputs: [output]))
                log.note("graph output \(output) keeps \(type.elementType.name) through a requantize from i8", pass: pass, node: node.name)
                return
            }
            graph.types[output] = newType
            graph.nodes.append(copy)
            if type.elementType == .uint8 {
                log.note("output \(output) written as i8 with zero point \(newType.quantization!.zeroPoints[0]) in place of u8 with \(type.quantization!.zeroPoints[0]) (the same reals)",
                         pass: pass, node: node.name)
            }
        }

        /// An i8 name for an operand: itself, or a `requantize` of a u8 operand to i8.
        mutating func signedInput(_ input: String, for node: Node) -> String {
            guard let type = graph.types[input], type.elementType == .uint8 else { return input }
            let signed = uniqueName("\(input)_s8")
            graph.types[signed] = Self.signed(type)
            graph.nodes.append(Node(name: uniqueName("\(node.name)_input_requantize"), operation: .requantize, inputs: [input], outputs: [signed]))
            log.note("input \(input) requantized from u8 to i8 (codes − 128)", pass: pass, node: node.name)
            return signed
        }
    }
}
