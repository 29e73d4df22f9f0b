import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnNumerics
@testable import KilnBackends

/// The integer form `kiln quantize` writes for a binarized network — conv → raw int32
/// accumulator → `add` of a per-channel int32 `−T_c` → `sign` — runs with its hidden layers on
/// the XNOR array (the add folded into the bias, the sign on the threshold units), its first
/// layer on the int8 unit with the same fused threshold, bit for bit.
@Suite struct XNORThresholdFormTests {
    /// The digits BNN's shapes (`examples/digits/bnn.onnx`: conv 1→32, bconv 32→64, pool,
    /// bconv 64→64, pool, gemm 256→10) in the quantizer's threshold form, with seeded weights.
    static func digitsBNN(seed: UInt64) throws -> Graph {
        var random = SeededGenerator(seed: seed)
        func bits(_ count: Int) -> [Int32] { (0..<count).map { _ in Bool.random(using: &random) ? 1 : -1 } }
        func scales(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: 0.01...0.2, using: &random) } }
        func perChannel(_ count: Int, axis: Int) -> QuantizationParameters {
            QuantizationParameters(scales: scales(count), zeroPoints: [Int32](repeating: 0, count: count), axis: axis)
        }
        let binary = { (shape: [Int]) in TensorType(shape: shape, elementType: .binary, quantization: QuantizationParameters(scale: 1)) }
        let int32 = { (shape: [Int]) in TensorType(shape: shape, elementType: .int32) }
        var builder = GraphBuilder(name: "digits-bnn-threshold-form")
        let x = builder.input("input", .float32([1, 1, 8, 8]))
        var y = try builder.node(.quantize, [x], name: "input_quantize",
                                 outputTypes: [TensorType(shape: [1, 1, 8, 8], elementType: .uint8, quantization: QuantizationParameters(scale: 1.0 / 255))])
        let same = Convolution(pads: [1, 1, 1, 1])
        // First layer: u8 × i8 → int32 → add(−T) → sign.
        let w1 = builder.constant("conv1.w", Tensor(shape: [32, 1, 3, 3], elementType: .int8,
                                                    codes: (0..<288).map { _ in Int32.random(in: -127...127, using: &random) },
                                                    quantization: perChannel(32, axis: 0)))
        y = try builder.node(.conv2d(same), [y, w1], name: "conv1", outputTypes: [int32([1, 32, 8, 8])])
        let t1 = builder.constant("conv1_negated_thresholds", Tensor(shape: [32, 1, 1], elementType: .int32,
                                                                     codes: (0..<32).map { _ in Int32.random(in: -3000...3000, using: &random) }))
        y = try builder.node(.add, [y, t1], name: "conv1_threshold", outputTypes: [int32([1, 32, 8, 8])])
        y = try builder.node(.sign, [y], name: "sign1", outputTypes: [binary([1, 32, 8, 8])])
        // Hidden layers: bin × bin (per-channel scale) → int32 → add(−T) → sign (→ OR pool).
        for (index, (input, output, side)) in [(32, 64, 8), (64, 64, 4)].enumerated() {
            let layer = "bconv\(index + 2)"
            let depth = input * 9
            let w = builder.constant("\(layer).w", Tensor(shape: [output, input, 3, 3], elementType: .binary,
                                                         codes: bits(output * depth), quantization: perChannel(output, axis: 0)))
            y = try builder.node(.conv2d(same), [y, w], name: layer, outputTypes: [int32([1, output, side, side])])
            let t = builder.constant("\(layer)_negated_thresholds", Tensor(shape: [output, 1, 1], elementType: .int32,
                                                                          codes: (0..<output).map { _ in Int32.random(in: -40...40, using: &random) }))
            y = try builder.node(.add, [y, t], name: "\(layer)_threshold", outputTypes: [int32([1, output, side, side])])
            y = try builder.node(.sign, [y], name: "sign\(index + 2)", outputTypes: [binary([1, output, side, side])])
            y = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [y], name: "pool\(index + 2)",
                                 outputTypes: [binary([1, output, side / 2, side / 2])])
        }
        y = try builder.node(.flatten(axis: 1), [y], name: "flatten", outputTypes: [binary([1, 256])])
        // Last layer: bin × i8 → requantized i8 logits → dequantize.
        let fc = builder.constant("fc.w", Tensor(shape: [256, 10], elementType: .int8,
                                                 codes: (0..<2560).map { _ in Int32.random(in: -127...127, using: &random) },
                                                 quantization: perChannel(10, axis: 1)))
        let bias = builder.constant("fc.b", Tensor(shape: [10], elementType: .int32, codes: (0..<10).map { _ in Int32.random(in: -500...500, using: &random) }))
        y = try builder.node(.dense, [y, fc, bias], name: "logits",
                             outputTypes: [TensorType(shape: [1, 10], elementType: .int8, quantization: QuantizationParameters(scale: 0.5, zeroPoint: 3))])
        builder.output(try builder.node(.dequantize, [y], name: "logits_dequantize", outputTypes: [.float32([1, 10])]))
        return try builder.build()
    }

    @Test(arguments: XNORTestSupport.targetNames)
    func digitsBNNInThresholdFormConformsWithHiddenLayersOnTheArray(target: String) throws {
        let graph = try Self.digitsBNN(seed: 11)
        let compiler = try XNORTestSupport.compiler()
        let outcome = try ConformanceKit.check(model: "digits-bnn-threshold-form", graph: graph, target: XNORTestSupport.target(target),
                                               compiler: compiler, samples: 6)
        #expect(outcome.mismatches == 0, "\(outcome)")

        let program = try compiler.compile(graph, for: XNORTestSupport.target(target))
        let onAccelerator = program.kernelSteps.filter { $0.placement == .accelerator }
        func kernel(rootedAt node: String) -> (any TargetKernel)? {
            onAccelerator.first { $0.kernel.nodes.first?.name == node }?.kernel
        }
        for layer in ["bconv2", "bconv3"] {
            let found = try #require(kernel(rootedAt: layer), "\(layer) is not on the accelerator")
            #expect(found.name == "xnor-popcount.conv2d")
            #expect(found.nodes.map(\.kind) == [.conv2d, .add, .sign], "\(layer): \(found.nodes.map(\.name))")
        }
        let first = try #require(kernel(rootedAt: "conv1"))
        #expect(first.name == "int8-unit.conv2d")
        #expect(first.nodes.map(\.kind) == [.conv2d, .add, .sign])
        #expect(kernel(rootedAt: "logits")?.name == "int8-unit.dense")
        // The input is quantized on the threshold units; only the output's dequantize stays on the host.
        #expect(program.kernelSteps.first?.kernel.name == "threshold-units.quantize")
        #expect(program.hostNodeCount == 1, "\(program.hostNodeCount) host nodes")
    }

    /// The add wraps to 32 bits like the accumulator: folding it into the bias is exact even at
    /// the int32 limits.
    @Test func foldedAddWrapsLikeTheInt32Add() throws {
        var builder = GraphBuilder(name: "wrap")
        let x = builder.input("x", TensorType(shape: [1, 4], elementType: .binary, quantization: QuantizationParameters(scale: 1)))
        let w = builder.constant("w", Tensor(shape: [4, 2], elementType: .binary, codes: [1, -1, 1, -1, 1, -1, 1, -1]))
        let b = builder.constant("b", Tensor(shape: [2], elementType: .int32, codes: [Int32.max, Int32.min]))
        var y = try builder.node(.dense, [x, w, b], name: "fc", outputTypes: [TensorType(shape: [1, 2], elementType: .int32)])
        let t = builder.constant("t", Tensor(shape: [2], elementType: .int32, codes: [3, -5]))
        y = try builder.node(.add, [y, t], name: "fc_threshold", outputTypes: [TensorType(shape: [1, 2], elementType: .int32)])
        builder.output(try builder.node(.sign, [y], name: "sign", outputTypes: [TensorType(shape: [1, 2], elementType: .binary, quantization: QuantizationParameters(scale: 1))]))
        let graph = try builder.build()
        for target in XNORTestSupport.targetNames {
            let outcome = try ConformanceKit.check(model: "wrap", graph: graph, target: XNORTestSupport.target(target),
                                                   compiler: try XNORTestSupport.compiler(), samples: 8)
            #expect(outcome.mismatches == 0, "\(outcome)")
            #expect(outcome.hostNodes == 0, "\(outcome)")
        }
    }
}
