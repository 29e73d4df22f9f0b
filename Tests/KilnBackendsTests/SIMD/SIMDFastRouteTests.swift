import Testing
import KilnCompiler
import KilnConformance
import KilnHostKernels
import KilnIR
import KilnInterpreter
import KilnNumerics
@testable import KilnBackends

/// The SIMD convolution's fast routes against the reference interpreter: the direct depthwise
/// route (weight zero points, stride 2, channel multiplier 2, asymmetric padding), the 1×1
/// route whose im2col rows are the NHWC pixels, and the host GEMM's in-place windows (no weight
/// zero points: padding, strides, dilation, two groups, 1×1 stride 2), on an exact and a
/// saturating target; and max pooling with padding against the reference.
@Suite struct SIMDFastRouteTests {
    static func graph(kernel: Int, groups: Int, inputChannels: Int, outputChannels: Int, stride: Int, pads: [Int], dilation: Int = 1,
                      weightZeroPoints: Bool = true, seed: UInt64) throws -> Graph {
        var random = SeededGenerator(seed: seed)
        var builder = GraphBuilder(name: "conv")
        let x = builder.input("x", .quantized([1, inputChannels, 9, 10], .uint8, scale: 0.02, zeroPoint: 37))
        let perGroup = inputChannels / groups
        let count = outputChannels * perGroup * kernel * kernel
        let w = builder.constant("w", Tensor(shape: [outputChannels, perGroup, kernel, kernel], elementType: .int8,
                                             codes: (0..<count).map { _ in Int32.random(in: -128...127, using: &random) },
                                             quantization: QuantizationParameters(scales: (0..<outputChannels).map { Float($0 + 1) * 0.003 },
                                                                                  zeroPoints: (0..<outputChannels).map { weightZeroPoints ? Int32($0 % 5) - 2 : 0 }, axis: 0)))
        let b = builder.constant("b", Tensor(shape: [outputChannels], elementType: .int32,
                                             codes: (0..<outputChannels).map { _ in Int32.random(in: -3000...3000, using: &random) }))
        let operation = Operator.conv2d(Convolution(strides: [stride, stride], dilations: [dilation, dilation], pads: pads, groups: groups))
        let span = (kernel - 1) * dilation + 1
        let height = (9 + pads[0] + pads[2] - span) / stride + 1, width = (10 + pads[1] + pads[3] - span) / stride + 1
        let y = try builder.node(operation, [x, w, b], name: "conv",
                                 outputTypes: [.quantized([1, outputChannels, height, width], .uint8, scale: 0.05, zeroPoint: 11)])
        builder.output(y)
        return try builder.build()
    }

    static let shapes: [(name: String, kernel: Int, groups: Int, inputs: Int, outputs: Int, stride: Int, pads: [Int], dilation: Int, zeroPoints: Bool)] = [
        ("depthwise", 3, 12, 12, 12, 1, [1, 1, 1, 1], 1, true),
        ("depthwise stride 2 multiplier 2", 3, 6, 6, 12, 2, [0, 1, 2, 1], 1, true),
        ("pointwise", 1, 1, 16, 24, 1, [0, 0, 0, 0], 1, true),
        ("in place 3×3 padded", 3, 1, 6, 20, 1, [1, 1, 1, 1], 1, false),
        ("in place 3×3 stride 2 asymmetric padding", 3, 1, 8, 17, 2, [0, 1, 2, 1], 1, false),
        ("in place 3×3 dilation 2, two groups", 3, 2, 16, 34, 1, [2, 1, 2, 2], 2, false),
        ("in place 1×1 stride 2", 1, 1, 12, 33, 2, [0, 0, 0, 0], 1, false),
        ("in place 1×1 ten channels", 1, 1, 10, 9, 1, [0, 0, 0, 0], 1, false),
    ]

    @Test(arguments: ["x86-avx512-vnni-xeon-gold-6248", "x86-avx2-zen3-epyc-kvm", "cortex-a76-bcm2712"])
    func fastRoutesEqualTheReference(_ target: String) throws {
        for (index, shape) in Self.shapes.enumerated() {
            let graph = try Self.graph(kernel: shape.kernel, groups: shape.groups, inputChannels: shape.inputs, outputChannels: shape.outputs,
                                       stride: shape.stride, pads: shape.pads, dilation: shape.dilation, weightZeroPoints: shape.zeroPoints,
                                       seed: UInt64(index + 1))
            let program = try SIMDTestSupport.compiler().compile(graph, for: SIMDTestSupport.target(target))
            let kernel = try #require(program.kernelSteps.first?.kernel as? SIMDConvolutionKernel, "\(shape.name)")
            #expect((kernel.depthwise != nil) == (shape.groups == shape.inputs), "\(shape.name)")
            let hostGEMM = HostVectorKernels.level != KILN_PAIR_GEMM_NONE
            #expect((kernel.inPlace != nil) == (hostGEMM && !shape.zeroPoints), "\(shape.name)")
            // vpdpbusd reads unsigned bytes where sums are exact and a group's channels come in
            // fours: the VNNI target's uint8 activations, not the A76's signed sdot operands nor
            // the AVX2 target's saturating pairs.
            let bytes = HostVectorKernels.level == KILN_PAIR_GEMM_AVX512_VNNI && target == "x86-avx512-vnni-xeon-gold-6248"
                && (shape.inputs / shape.groups) % 4 == 0
            #expect((kernel.inPlace?.bytes ?? false) == (bytes && kernel.inPlace != nil), "\(target): \(shape.name)")
            var random = SeededGenerator(seed: 99)
            let type = program.graph.types[program.graph.inputs[0]]!
            let input = Tensor(type: type, storage: .int32((0..<type.shape.reduce(1, *)).map { _ in Int32.random(in: 0...255, using: &random) }))
            let feed = [program.graph.inputs[0]: input]
            let reference = try ReferenceInterpreter(graph: program.graph).run(feed)[0].codes
            let simulated = try FunctionalSimulator(program: program).run(feed).outputs[0].codes
            #expect(simulated == reference, "\(target): \(shape.name)")
        }
    }

    /// Max pooling (3×3, stride 2, padding 1 — ResNet's stem pool — and windows clipped by
    /// asymmetric padding) against the reference interpreter.
    @Test(arguments: ["x86-avx512-vnni-xeon-gold-6248", "cortex-a76-bcm2712"])
    func maxPoolingEqualsTheReference(_ target: String) throws {
        for (kernel, stride, pads) in [(3, 2, [1, 1, 1, 1]), (2, 3, [1, 0, 2, 2]), (3, 1, [0, 2, 1, 0])] {
            var builder = GraphBuilder(name: "pool")
            let x = builder.input("x", .quantized([1, 5, 9, 10], .uint8, scale: 0.02, zeroPoint: 37))
            let height = (9 + pads[0] + pads[2] - kernel) / stride + 1, width = (10 + pads[1] + pads[3] - kernel) / stride + 1
            let y = try builder.node(.maxPool(Pooling(kernel: [kernel, kernel], strides: [stride, stride], pads: pads)), [x], name: "pool",
                                     outputTypes: [.quantized([1, 5, height, width], .uint8, scale: 0.02, zeroPoint: 37)])
            builder.output(y)
            let program = try SIMDTestSupport.compiler().compile(try builder.build(), for: SIMDTestSupport.target(target))
            #expect(program.kernelSteps.first?.kernel is SIMDPoolingKernel)
            var random = SeededGenerator(seed: 5)
            let type = program.graph.types[program.graph.inputs[0]]!
            let input = Tensor(type: type, storage: .int32((0..<type.shape.reduce(1, *)).map { _ in Int32.random(in: 0...255, using: &random) }))
            let feed = [program.graph.inputs[0]: input]
            let reference = try ReferenceInterpreter(graph: program.graph).run(feed)[0].codes
            let simulated = try FunctionalSimulator(program: program).run(feed).outputs[0].codes
            #expect(simulated == reference, "\(target): \(kernel)×\(kernel) stride \(stride) pads \(pads)")
        }
    }
}
