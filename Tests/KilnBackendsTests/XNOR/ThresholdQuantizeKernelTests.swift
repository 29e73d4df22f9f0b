import Testing
import KilnCompiler
import KilnIR
import KilnNumerics
@testable import KilnBackends

/// The xnor targets' input quantize on the threshold units equals ONNX QuantizeLinear (the
/// reference's `LinearQuantization.quantize`) on every value that decides a code: each
/// threshold, its float neighbours, rounding ties, signed zeros, infinities, NaN and random values.
@Suite struct ThresholdQuantizeKernelTests {
    static func kernel(scale: Float, zeroPoint: Int32, type: ElementType, count: Int) throws -> ThresholdQuantizeKernel {
        var builder = GraphBuilder(name: "quantize")
        let x = builder.input("x", .float32([1, count]))
        let quantization = QuantizationParameters(scale: scale, zeroPoint: zeroPoint)
        builder.output(try builder.node(.quantize, [x], name: "q", outputTypes: [TensorType(shape: [1, count], elementType: type, quantization: quantization)]))
        let graph = try builder.build()
        return try ThresholdQuantizeKernel(nodeAt: 0, in: graph, facts: XNORTargetFacts(XNORTestSupport.target("bnn-array-45nm"))!)
    }

    @Test(arguments: [(Float(1) / 255, Int32(-128), ElementType.int8), (0.0078125, 0, .int8), (0.1, 3, .int8),
                      (0.013, 128, .uint8), (3.0e-5, -7, .int8), (0.5, 1, .integer(bits: 4, signed: false))])
    func equalsQuantizeLinear(scale: Float, zeroPoint: Int32, type: ElementType) throws {
        var values: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        let low = Int32(type.minimumCode), high = Int32(type.maximumCode)
        for code in low...high {
            // The real value of each code and the ties halfway to its neighbours, with their float neighbours.
            for offset: Float in [-0.5, 0, 0.5] {
                let value = (Float(code - zeroPoint) + offset) * scale
                values += [value, value.nextUp, value.nextDown]
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { values.append(Float.random(in: Float(low - zeroPoint - 4) * scale...Float(high - zeroPoint + 4) * scale, using: &generator)) }
        let kernel = try Self.kernel(scale: scale, zeroPoint: zeroPoint, type: type, count: values.count)
        var counts = ActionCounts()
        let codes = try kernel.execute([Tensor(shape: [1, values.count], floats: values)], counts: &counts)[0].codes!
        let expected = values.map { LinearQuantization.quantize($0, scale: scale, zeroPoint: zeroPoint, minimumCode: low, maximumCode: high) }
        let wrong = values.indices.filter { codes[$0] != expected[$0] }
        #expect(wrong.isEmpty, "\(wrong.prefix(5).map { "\(values[$0]): \(codes[$0]) vs \(expected[$0])" })")
    }

    /// 255 thresholds for int8: a binary search of 8 comparisons plus the NaN check per element.
    @Test func costsNineComparisonsPerInt8Element() throws {
        let kernel = try Self.kernel(scale: 1.0 / 255, zeroPoint: -128, type: .int8, count: 64)
        let counts = kernel.countActions()
        #expect(counts.instructions[.thresholdCompare] == 64 * 9)
        #expect(counts.bytesRead["weight-sram"] == 255 * 4)
        guard case .comparisons(let comparisons) = kernel.workload.work else { Issue.record("not a comparison workload"); return }
        #expect(comparisons == 576)
    }
}
