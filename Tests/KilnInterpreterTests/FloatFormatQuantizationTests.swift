import Testing
import KilnIR
import KilnNumerics
@testable import KilnInterpreter

/// `quantize` / `dequantize` to and from the small float formats (ONNX QuantizeLinear /
/// DequantizeLinear on float8 with `saturate = 1`); expected codes worked out by hand beside them.
@Suite struct FloatFormatQuantizationTests {
    /// x → quantize(f8e4m3, scale 0.5) → codes and dequantized values.
    @Test func float8E4M3RoundsToNearestEvenAndSaturates() throws {
        let x: [Float] = [1, 0.3, 300, -1e9, 0x1p-10, 0x1p-11, 4.5, 4.75, .nan]
        var builder = GraphBuilder(name: "fp8")
        let input = builder.input("x", .float32([x.count]))
        let codes = try builder.node(.quantize, [input], name: "q",
                                     outputTypes: [.quantized([x.count], .floatingPoint(.float8E4M3), scale: 0.5)])
        builder.output(codes)
        builder.output(try builder.node(.dequantize, [codes], name: "dq", outputTypes: [.float32([x.count])]))
        let outputs = try ReferenceInterpreter(graph: try builder.build()).run(["x": Tensor(shape: [x.count], floats: x)])
        // x / 0.5: 2 = 1.0·2^1 → exponent field 8 → 0x40; 0.6 = 9.6 · 2^-4 → 10 · 2^-4 = 1.010b · 2^-1
        // → field 6, mantissa 2 → 0x32; 600 and −2e9 saturate to ±448 (0x7E / 0xFE); 2^-9 is the
        // smallest subnormal 0x01; 2^-10 is a tie between 0 and 2^-9 → 0 (even); 9 = 1.001b · 2^3
        // → 0x51; 9.5 ties between 9 (odd mantissa) and 10 → 10 = 0x52; NaN → 0x7F.
        #expect(outputs[0].codes == [0x40, 0x32, 0x7E, 0xFE, 0x01, 0x00, 0x51, 0x52, 0x7F])
        let values = try #require(outputs[1].floats)
        #expect(Array(values.prefix(8)) == [1, 0.3125, 224, -224, 0x1p-10, 0, 4.5, 5])
        #expect(values[8].isNaN)
    }

    /// Per-channel bf16 dequantize of constant codes: 0x3FC0 = 1.5, 0xC000 = −2, scales 1 and 0.25.
    @Test func bfloat16PerChannelDequantize() throws {
        var builder = GraphBuilder(name: "bf16")
        let w = builder.constant("w", Tensor(shape: [2, 2], elementType: .floatingPoint(.bfloat16), codes: [0x3FC0, 0xC000, 0x3FC0, 0xC000],
                                             quantization: QuantizationParameters(scales: [1, 0.25], zeroPoints: [0, 0], axis: 0)))
        builder.output(try builder.node(.dequantize, [w], name: "dq", outputTypes: [.float32([2, 2])]))
        let output = try ReferenceInterpreter(graph: try builder.build()).run([:])[0]
        #expect(output.floats == [1.5, -2, 0.375, -0.5])
    }

    @Test func float8WithNonzeroZeroPointIsRejected() throws {
        var builder = GraphBuilder(name: "bad")
        let input = builder.input("x", .float32([2]))
        builder.output(try builder.node(.quantize, [input], name: "q",
                                        outputTypes: [.quantized([2], .floatingPoint(.float8E5M2), scale: 1, zeroPoint: 3)]))
        #expect(throws: (any Error).self) { try builder.build() }
    }
}
