import KilnDiagnostics
import KilnIR
import KilnNumerics

/// The models every backend must compile and simulate bit-exactly: small but covering the
/// shapes that break kernels (padding, strides, depthwise, residual joins, ±1 layers, attention).
///
/// Every model is a quantized graph in the form ONNX import produces from an ONNX Runtime QDQ
/// model: a float input quantized to u8, integer layers with int8 per-channel weights, int32
/// biases and u8 activations, and a dequantized float output. Weights are seeded, so the corpus
/// is the same everywhere.
public enum ConformanceCorpus {
    /// One model of the corpus.
    public struct Model: Sendable {
        /// The model's name (`mlp`, `cnn-padded-strided`, ...).
        public var name: String
        /// The graph.
        public var graph: Graph
    }

    /// Every model of the corpus.
    public static func models() throws(DiagnosticError) -> [Model] {
        [
            Model(name: "mlp", graph: try mlp()),
            Model(name: "cnn-padded-strided", graph: try cnn()),
            Model(name: "depthwise-separable", graph: try depthwiseSeparable()),
            Model(name: "residual", graph: try residual()),
            Model(name: "binary-friendly", graph: try binaryFriendly()),
            Model(name: "attention", graph: try attention()),
        ]
    }

    /// Builds a quantized graph with helpers that keep scales consistent.
    struct QuantizedBuilder {
        var builder: GraphBuilder
        var random: SeededGenerator
        var layer = 0
        /// Whether scales are chosen so that every layer keeps the input's activation scale
        /// (deep networks), instead of growing with each layer's fan-in (the corpus).
        let keepsActivationScale: Bool

        init(name: String, seed: UInt64, keepsActivationScale: Bool = false) {
            builder = GraphBuilder(name: name)
            random = SeededGenerator(seed: seed)
            self.keepsActivationScale = keepsActivationScale
        }

        /// Weight scales and the output scale of a layer with reduction depth `depth`.
        /// With ``keepsActivationScale``, a weight scale is about `255 / (3·√depth·9350)` (three
        /// standard deviations of a sum of `depth` products of uniform u8 and i8 codes land at
        /// the top of the u8 range) and the output scale equals the input's.
        mutating func scales(channels: Int, depth: Int, inputScale: Float) -> (weights: [Float], output: Float) {
            if keepsActivationScale {
                let base = 255 / (3 * Float(depth).squareRoot() * 9350)
                return ((0..<channels).map { _ in base * random.float(in: 0.5...1.5) }, inputScale)
            }
            let weights = (0..<channels).map { _ in random.float(in: 0.002...0.02) }
            return (weights, inputScale * (weights.max() ?? 0.01) * Float(depth) * 8)
        }

        /// A float input quantized to u8 with scale 1/255.
        mutating func input(_ shape: [Int]) throws(DiagnosticError) -> String {
            let x = builder.input("input", .float32(shape))
            return try builder.node(.quantize, [x], name: "quantize_input",
                                    outputTypes: [.quantized(shape, .uint8, scale: 1 / 255, zeroPoint: 0)])
        }

        /// A conv2d with int8 per-channel weights, int32 bias and a u8 output; with
        /// `clampsAtZero` its zero point is 0, so the u8 output is the relu (as ONNX Runtime's
        /// quantizer makes it), else 128.
        mutating func conv(_ x: String, outputChannels: Int, kernel: Int, stride: Int = 1, pad: Int = 0,
                           groups: Int = 1, clampsAtZero: Bool = true) throws(DiagnosticError) -> String {
            layer += 1
            let xType = builder.graph.types[x]!
            let inputChannels = xType.shape[1] / groups
            let weightCount = outputChannels * inputChannels * kernel * kernel
            let inputScale = xType.quantization!.scale(at: 0)
            let (weightScales, outputScale) = scales(channels: outputChannels, depth: inputChannels * kernel * kernel, inputScale: inputScale)
            let weights = (0..<weightCount).map { _ in Int32.random(in: -127...127, using: &random) }
            let w = builder.constant("conv\(layer).weight", Tensor(shape: [outputChannels, inputChannels, kernel, kernel], elementType: .int8,
                                                                  codes: weights, quantization: QuantizationParameters(scales: weightScales, zeroPoints: [Int32](repeating: 0, count: outputChannels), axis: 0)))
            let bias = builder.constant("conv\(layer).bias", Tensor(shape: [outputChannels], elementType: .int32,
                                                                   codes: (0..<outputChannels).map { _ in Int32.random(in: -2000...2000, using: &random) }))
            let operation = Operator.conv2d(Convolution(strides: [stride, stride], pads: [pad, pad, pad, pad], groups: groups))
            let shape = try outputShape(operation, [xType.shape, w.shape(in: builder.graph), [outputChannels]])
            return try builder.node(operation, [x, w, bias], name: "conv\(layer)",
                                    outputTypes: [.quantized(shape, .uint8, scale: outputScale, zeroPoint: clampsAtZero ? 0 : 128)])
        }

        /// A dense layer with int8 per-column weights [K, N], int32 bias and a u8 output.
        mutating func dense(_ x: String, outputs: Int) throws(DiagnosticError) -> String {
            layer += 1
            let xType = builder.graph.types[x]!
            let depth = xType.shape.last!
            let (weightScales, outputScale) = scales(channels: outputs, depth: depth, inputScale: xType.quantization!.scale(at: 0))
            let w = builder.constant("fc\(layer).weight", Tensor(shape: [depth, outputs], elementType: .int8,
                                                                codes: (0..<depth * outputs).map { _ in Int32.random(in: -127...127, using: &random) },
                                                                quantization: QuantizationParameters(scales: weightScales, zeroPoints: [Int32](repeating: 0, count: outputs), axis: 1)))
            let bias = builder.constant("fc\(layer).bias", Tensor(shape: [outputs], elementType: .int32,
                                                                 codes: (0..<outputs).map { _ in Int32.random(in: -2000...2000, using: &random) }))
            return try builder.node(.dense, [x, w, bias], name: "fc\(layer)",
                                    outputTypes: [.quantized(Array(xType.shape.dropLast()) + [outputs], .uint8, scale: outputScale, zeroPoint: 64)])
        }

        /// Dequantizes and marks the output.
        mutating func finish(_ y: String) throws(DiagnosticError) -> Graph {
            let output = try builder.node(.dequantize, [y], name: "dequantize_output", outputs: ["output"])
            builder.output(output)
            return try builder.build()
        }

        func outputShape(_ operation: Operator, _ shapes: [[Int]]) throws(DiagnosticError) -> [Int] {
            do { return try operation.outputShapes(shapes)[0] } catch { throw DiagnosticError(.error(error.message)) }
        }
    }

    static func mlp() throws(DiagnosticError) -> Graph {
        var q = QuantizedBuilder(name: "mlp", seed: 1)
        var x = try q.input([1, 64])
        x = try q.dense(x, outputs: 32)
        x = try q.builder.node(.relu, [x], name: "relu1")
        x = try q.dense(x, outputs: 10)
        return try q.finish(x)
    }

    static func cnn() throws(DiagnosticError) -> Graph {
        var q = QuantizedBuilder(name: "cnn-padded-strided", seed: 2)
        var x = try q.input([1, 3, 12, 12])
        x = try q.conv(x, outputChannels: 8, kernel: 3, stride: 1, pad: 1)
        x = try q.conv(x, outputChannels: 16, kernel: 3, stride: 2, pad: 1)
        x = try q.builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [x], name: "pool")
        x = try q.conv(x, outputChannels: 12, kernel: 2, stride: 1, pad: 0)
        x = try q.builder.node(.flatten(axis: 1), [x], name: "flatten")
        x = try q.dense(x, outputs: 10)
        return try q.finish(x)
    }

    static func depthwiseSeparable() throws(DiagnosticError) -> Graph {
        var q = QuantizedBuilder(name: "depthwise-separable", seed: 3)
        var x = try q.input([1, 8, 10, 10])
        x = try q.conv(x, outputChannels: 8, kernel: 3, stride: 1, pad: 1, groups: 8)
        x = try q.conv(x, outputChannels: 16, kernel: 1)
        x = try q.conv(x, outputChannels: 16, kernel: 3, stride: 2, pad: 1, groups: 16)
        x = try q.builder.node(.globalAveragePool, [x], name: "gap",
                               outputTypes: [q.builder.graph.types[x]!.withShape([1, 16, 1, 1])])
        x = try q.builder.node(.flatten(axis: 1), [x], name: "flatten")
        x = try q.dense(x, outputs: 10)
        return try q.finish(x)
    }

    static func residual() throws(DiagnosticError) -> Graph {
        var q = QuantizedBuilder(name: "residual", seed: 4)
        var x = try q.input([1, 4, 8, 8])
        let skip = try q.conv(x, outputChannels: 8, kernel: 3, pad: 1)
        x = try q.conv(skip, outputChannels: 8, kernel: 3, pad: 1)
        let sumType = q.builder.graph.types[x]!
        let joined = try q.builder.node(.add, [x, skip], name: "residual_add",
                                        outputTypes: [.quantized(sumType.shape, .uint8, scale: sumType.quantization!.scale(at: 0) * 2, zeroPoint: 0)])
        x = try q.builder.node(.maxPool(Pooling(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])), [joined], name: "pool")
        x = try q.builder.node(.flatten(axis: 1), [x], name: "flatten")
        x = try q.dense(x, outputs: 10)
        return try q.finish(x)
    }

    /// A CNN whose hidden layers are ±1: conv (int8) → sign → binary conv → thresholds → dense.
    static func binaryFriendly() throws(DiagnosticError) -> Graph {
        var q = QuantizedBuilder(name: "binary-friendly", seed: 5)
        var x = try q.input([1, 1, 8, 8])
        x = try q.conv(x, outputChannels: 16, kernel: 3, pad: 1, clampsAtZero: false)
        x = try q.builder.node(.sign, [x], name: "sign1")
        let w = q.builder.constant("binary.weight", Tensor(shape: [16, 16, 3, 3], elementType: .binary,
                                                            codes: (0..<16 * 16 * 9).map { _ in Bool.random(using: &q.random) ? 1 : -1 }))
        x = try q.builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "binary_conv")
        let thresholds = q.builder.constant("binary.thresholds", Tensor(shape: [16, 1], elementType: .int32,
                                                                         codes: (0..<16).map { _ in Int32.random(in: -20...20, using: &q.random) }))
        x = try q.builder.node(.multiThreshold(MultiThreshold(offset: 0)), [x, thresholds], name: "binary_threshold",
                               outputTypes: [.quantized([1, 16, 8, 8], .uint8, scale: 1, zeroPoint: 0)])
        x = try q.builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [x], name: "pool")
        x = try q.builder.node(.flatten(axis: 1), [x], name: "flatten")
        x = try q.dense(x, outputs: 10)
        return try q.finish(x)
    }

    /// An attention block: quantized projections, a float score matmul and softmax.
    static func attention() throws(DiagnosticError) -> Graph {
        var q = QuantizedBuilder(name: "attention", seed: 6)
        let x = try q.input([1, 6, 16])
        let query = try q.dense(x, outputs: 16)
        let key = try q.dense(x, outputs: 16)
        let value = try q.dense(x, outputs: 16)
        let queryFloat = try q.builder.node(.dequantize, [query], name: "query_float")
        let keyFloat = try q.builder.node(.dequantize, [key], name: "key_float")
        let keyT = try q.builder.node(.transpose(permutation: [0, 2, 1]), [keyFloat], name: "key_transposed")
        let scores = try q.builder.node(.matmul, [queryFloat, keyT], name: "scores")
        let weights = try q.builder.node(.softmax(axis: -1), [scores], name: "softmax")
        let valueFloat = try q.builder.node(.dequantize, [value], name: "value_float")
        let context = try q.builder.node(.matmul, [weights, valueFloat], name: "context")
        q.builder.output(context)
        return try q.builder.build()
    }
}

extension String {
    fileprivate func shape(in graph: Graph) -> [Int] { graph.types[self]!.shape }
}
