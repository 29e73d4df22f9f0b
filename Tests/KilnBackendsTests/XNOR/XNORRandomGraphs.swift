import KilnConformance
import KilnIR
import KilnNumerics

/// Seeded ±1 graphs that stress the XNOR kernels: channel counts across word boundaries,
/// asymmetric padding, strides, groups, dilation, a standalone sign, OR pooling, a binary dense
/// with a fused sign, and a standalone threshold on int8 codes.
enum XNORRandomGraphs {
    static func binaryStack(seed: UInt64, channels: Int, stride: Int, pads: [Int], groups: Int, dilation: Int = 1) throws -> Graph {
        var random = SeededGenerator(seed: seed)
        func bits(_ count: Int) -> [Int32] { (0..<count).map { _ in Bool.random(using: &random) ? 1 : -1 } }
        var builder = GraphBuilder(name: "binary-stack")
        let x = builder.input("x", TensorType(shape: [1, channels, 7, 6], elementType: .int8, quantization: QuantizationParameters(scale: 0.1, zeroPoint: 3)))
        var y = try builder.node(.sign, [x], name: "sign_in")
        let w1 = builder.constant("w1", Tensor(shape: [24, channels / groups, 3, 3], elementType: .binary, codes: bits(24 * channels / groups * 9)))
        let b1 = builder.constant("b1", Tensor(shape: [24], elementType: .int32, codes: (0..<24).map { _ in Int32.random(in: -5...5, using: &random) }))
        y = try builder.node(.conv2d(Convolution(strides: [stride, stride], dilations: [dilation, dilation], pads: pads, groups: groups)), [y, w1, b1], name: "bconv1")
        y = try builder.node(.sign, [y], name: "sign1")
        y = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [1, 1], pads: [0, 0, 1, 1])), [y], name: "orpool")
        y = try builder.node(.flatten(axis: 1), [y], name: "flatten")
        let depth = builder.graph.types[y]!.shape[1]
        let w2 = builder.constant("w2", Tensor(shape: [depth, 12], elementType: .binary, codes: bits(depth * 12)))
        let dense = try builder.node(.dense, [y, w2], name: "bdense")
        builder.output(try builder.node(.sign, [dense], name: "sign_out"))
        // A standalone threshold on the i8 input codes, per channel (the threshold units).
        let t = builder.constant("t", Tensor(shape: [channels, 2], elementType: .int32, codes: (0..<channels).flatMap { _ in
            [Int32.random(in: -128...0, using: &random), Int32.random(in: 1...127, using: &random)]
        }))
        builder.output(try builder.node(.multiThreshold(MultiThreshold(offset: -1, channelAxis: 1)), [x, t], name: "threshold",
                                        outputTypes: [TensorType(shape: [1, channels, 7, 6], elementType: .int8)]))
        return try builder.build()
    }
}
