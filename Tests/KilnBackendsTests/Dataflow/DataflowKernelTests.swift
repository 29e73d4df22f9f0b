import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnNumerics
@testable import KilnBackends

/// Hand-checked arithmetic of the dataflow engines.
@Suite struct DataflowKernelTests {
    /// q(a) = round-half-even(a / 2) into u2: codes step at 2 (1 → 1), 3 (1.5 → 2) and 6
    /// (2.5 → 2 by ties-to-even, 3 → 3).
    @Test func thresholdsAreTheExactStepsOfATiesToEvenQuantizer() throws {
        let requantizer = try FloatScaleRequantizer(multiplier: 0.5, zeroPoint: 0, outputType: .integer(bits: 2, signed: false))
        #expect(ThresholdDerivation.thresholds(lowest: 0, highest: 3, quantizer: requantizer.apply) == [2, 3, 6])
        // The threshold form equals the quantizer on a range of accumulators.
        let thresholds = ThresholdDerivation.thresholds(lowest: 0, highest: 3, quantizer: requantizer.apply)
        for a in Int32(-50)...50 {
            #expect(Int32(thresholds.filter { Int64(a) >= $0 }.count) == requantizer.apply(a))
        }
    }

    /// With multiplier 1e-9 the largest int32 gives code 2 (2.147 rounds to 2): code 3 is never
    /// reached, and codes 1 and 2 step exactly at their thresholds.
    @Test func codesNoAccumulatorReachesGetTheUnreachableThreshold() throws {
        let requantizer = try FloatScaleRequantizer(multiplier: 1e-9, zeroPoint: 0, outputType: .integer(bits: 2, signed: false))
        let thresholds = ThresholdDerivation.thresholds(lowest: 0, highest: 3, quantizer: requantizer.apply)
        #expect(thresholds.count == 3 && thresholds[2] == ThresholdDerivation.unreachable)
        for (index, threshold) in thresholds.prefix(2).enumerated() {
            #expect(requantizer.apply(Int32(threshold - 1)) == Int32(index))
            #expect(requantizer.apply(Int32(threshold)) == Int32(index + 1))
        }
    }

    /// A padded 2×2 conv on u4 codes with zero point 1 (so padding must be the zero-point code and
    /// the accumulator must start at bias − zx·Σw), with and without thresholds.
    static func paddedConvolution(thresholds: Bool) throws -> Graph {
        var builder = GraphBuilder(name: "padded")
        let x = builder.input("x", .quantized([1, 1, 2, 2], .uint4, scale: 0.5, zeroPoint: 1))
        let w = builder.constant("w", Tensor(shape: [1, 1, 2, 2], elementType: .int4, codes: [1, -2, 3, -1],
                                             quantization: QuantizationParameters(scale: 0.25)))
        let b = builder.constant("b", Tensor(shape: [1], elementType: .int32, codes: [5]))
        var y = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w, b], name: "conv",
                                 outputTypes: [TensorType(shape: [1, 1, 3, 3], elementType: .int32)])
        if thresholds {
            let t = builder.constant("t", Tensor(shape: [1, 3], int64s: [4, 8, 12]))
            y = try builder.node(.multiThreshold(MultiThreshold()), [y, t], name: "threshold",
                                 outputTypes: [.quantized([1, 1, 3, 3], .uint4, scale: 1)])
        }
        builder.output(y)
        return try builder.build()
    }

    static func runOnPynq(_ graph: Graph, _ inputs: [String: Tensor]) throws -> (program: TargetProgram, output: [Int32], reference: [Int32]) {
        let program = try FPGATestSupport.compiler.compile(graph, for: FPGATestSupport.target("pynq-z1-zynq7020-finn"))
        let output = try FunctionalSimulator(program: program).run(inputs).outputs[0].codes!
        let reference = try ReferenceInterpreter(graph: program.graph).run(inputs)[0].codes!
        return (program, output, reference)
    }

    @Test func mvauPadsWithTheZeroPointCodeAndStartsAtBiasMinusZeroPointTimesWeightSum() throws {
        let input = ["x": Tensor(shape: [1, 1, 2, 2], elementType: .uint4, codes: [1, 2, 3, 4],
                                 quantization: QuantizationParameters(scale: 0.5, zeroPoint: 1))]
        let raw = try Self.runOnPynq(try Self.paddedConvolution(thresholds: false), input)
        #expect(raw.output == [5, 4, 8, 3, 6, 15, 1, 1, 8])
        #expect(raw.reference == raw.output)
        let thresholded = try Self.runOnPynq(try Self.paddedConvolution(thresholds: true), input)
        #expect(thresholded.output == [1, 1, 2, 0, 1, 3, 0, 0, 2])
        #expect(thresholded.reference == thresholded.output)
        let kernel = thresholded.program.kernelSteps.first { $0.placement == .accelerator }!.kernel
        #expect(kernel.name == "mvau" && kernel.nodes.map(\.name) == ["conv", "threshold"])
        let unit = try #require(kernel as? MatrixVectorActivationUnit)
        #expect(unit.accumulatorStart == [4])   // 5 − 1·(1 − 2 + 3 − 1)
    }

    @Test func streamingMaxPoolIgnoresPadding() throws {
        var builder = GraphBuilder(name: "pool")
        let type = TensorType.quantized([1, 1, 3, 3], .uint4, scale: 1, zeroPoint: 2)
        let x = builder.input("x", type)
        let y = try builder.node(.maxPool(Pooling(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])), [x], name: "pool",
                                 outputTypes: [type.withShape([1, 1, 2, 2])])
        builder.output(y)
        let run = try Self.runOnPynq(try builder.build(), ["x": Tensor(type: type, storage: .int32([1, 5, 2, 0, 4, 9, 7, 3, 6]))])
        #expect(run.output == [5, 9, 7, 9])
        #expect(run.reference == run.output)
    }

    @Test func addStreamsLookUpTheReferenceSumRoundedHalfToEven() throws {
        var builder = GraphBuilder(name: "add")
        let a = builder.input("a", .quantized([4], .uint4, scale: 0.5))
        let b = builder.input("b", .quantized([4], .uint4, scale: 0.25))
        let y = try builder.node(.add, [a, b], name: "add", outputTypes: [.quantized([4], .uint4, scale: 1)])
        builder.output(y)
        let run = try Self.runOnPynq(try builder.build(), [
            "a": Tensor(shape: [4], elementType: .uint4, codes: [3, 1, 3, 15], quantization: QuantizationParameters(scale: 0.5)),
            "b": Tensor(shape: [4], elementType: .uint4, codes: [2, 0, 0, 15], quantization: QuantizationParameters(scale: 0.25)),
        ])
        // 1.5 + 0.5 = 2; 0.5 → 0 (ties to even); 1.5 → 2; 7.5 + 3.75 = 11.25 → 11.
        #expect(run.output == [2, 0, 2, 11])
        #expect(run.reference == run.output)
        #expect(run.program.kernelSteps[0].kernel.name == "add-streams-lut")
    }

    @Test func accumulatingPoolThresholdsTheSum() throws {
        var builder = GraphBuilder(name: "gap")
        let type = TensorType.quantized([1, 4, 2, 2], .uint4, scale: 1)
        let x = builder.input("x", type)
        let y = try builder.node(.globalAveragePool, [x], name: "gap", outputTypes: [type.withShape([1, 4, 1, 1])])
        builder.output(y)
        let run = try Self.runOnPynq(try builder.build(), ["x": Tensor(type: type, storage: .int32([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 3, 3, 0, 0]))])
        // Averages 1, 0.5 → 0, 0.75 → 1, 1.5 → 2.
        #expect(run.output == [1, 0, 1, 2])
        #expect(run.reference == run.output)
    }

    @Test func foldingDividesTheMatrixAndStaysWithinTheDSPShare() throws {
        let dataflow = try #require(FPGATestSupport.target("pynq-z1-zynq7020-finn").section(DataflowSection.self))
        // 220 DSPs × 1 MAC / 4 engines = 55 MACs per engine: 8 × 27 → PE 2 × SIMD 27 = 54.
        let folding = DataflowFolding.balanced(matrixHeight: 8, matrixWidth: 27, engines: 4, dataflow: dataflow)
        #expect(folding == DataflowFolding(processingElements: 2, simdLanes: 27))
        #expect(folding.cyclesPerPixel(matrixHeight: 8, matrixWidth: 27) == 4)
    }
}
