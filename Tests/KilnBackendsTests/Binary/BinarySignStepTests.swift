import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnNumerics
@testable import KilnBackends

/// The sign step of a binarized layer (`accumulator → add(−T_c) → sign`) on the simd core and on
/// the dataflow fabric: exact at the int32 limits, counted as its instruction mix, and fused only
/// where the threshold form cannot differ from the reference's wrapping add.
@Suite struct BinarySignStepTests {
    /// `x i32[1, 2, 4, 8] → add(a[c]) → sign`: channel 0 adds Int32.max (1 + Int32.max wraps to
    /// Int32.min, so −1), channel 1 adds −5.
    static func thresholdGraph() throws -> Graph {
        var builder = GraphBuilder(name: "threshold")
        let x = builder.input("x", TensorType(shape: [1, 2, 4, 8], elementType: .int32))
        let a = builder.constant("a", Tensor(shape: [2, 1, 1], elementType: .int32, codes: [Int32.max, -5]))
        let sum = try builder.node(.add, [x, a], name: "threshold")
        builder.output(try builder.node(.sign, [sum], name: "sign",
                                        outputTypes: [TensorType(shape: [1, 2, 4, 8], elementType: .binary, quantization: QuantizationParameters(scale: 1))]))
        return try builder.build()
    }

    @Test func simdThresholdSignWrapsLikeTheReference() throws {
        let graph = try Self.thresholdGraph()
        let target = SIMDTestSupport.target("x86-avx2-zen3-epyc-kvm")
        let kernel = try SIMDBinarizeKernel(nodeAt: 0, in: LoweringContext(graph: graph, target: target), vectorBits: 256)
        #expect(kernel.nodes.map(\.name) == ["threshold", "sign"])
        var codes = [Int32](repeating: 0, count: 64)
        codes[0] = 1; codes[1] = -1; codes[2] = Int32.min      // channel 0: wraps to Int32.min, Int32.max − 1, −1
        codes[32] = 5; codes[33] = 4; codes[34] = Int32.min     // channel 1: 0, −1, wraps to Int32.max
        let input = Tensor(shape: [1, 2, 4, 8], elementType: .int32, codes: codes)
        var counts = ActionCounts()
        let output = try kernel.execute([input], counts: &counts)[0].codes!
        let reference = try ReferenceInterpreter(graph: graph).run(["x": input])[0].codes!
        #expect(output == reference)
        #expect(Array(output[0..<3]) == [-1, 1, -1])
        #expect(Array(output[32..<35]) == [1, -1, 1])
        // 64 int32 lanes on 256-bit vectors: 8 loads, adds and compares; 3 packs per 4 vectors
        // narrow them to 2 byte vectors, each ORed with 1 and stored.
        let actions = kernel.countActions()
        #expect(actions.instructions[.vectorLoad] == 8 && actions.instructions[.vectorAdd] == 8 && actions.instructions[.vectorCompare] == 8)
        #expect(actions.instructions[.vectorPack] == 6 && actions.instructions[.vectorOr] == 2 && actions.instructions[.vectorStore] == 2)
    }

    /// `x bin[1, 4] · w bin[4, 2] + bias → add(a) → sign` on the PYNQ-Z1 fabric. The MVAU takes the
    /// add and sign as thresholds only when `max|acc| + |a|` fits int32.
    static func binaryDense(bias: [Int32], addend: [Int32]) throws -> Graph {
        var builder = GraphBuilder(name: "dense")
        let unit = QuantizationParameters(scale: 1)
        let x = builder.input("x", TensorType(shape: [1, 4], elementType: .binary, quantization: unit))
        let w = builder.constant("w", Tensor(shape: [4, 2], elementType: .binary, codes: [1, -1, 1, 1, -1, 1, 1, -1], quantization: unit))
        let b = builder.constant("b", Tensor(shape: [2], elementType: .int32, codes: bias))
        let accumulator = try builder.node(.dense, [x, w, b], name: "fc", outputTypes: [TensorType(shape: [1, 2], elementType: .int32)])
        let a = builder.constant("a", Tensor(shape: [2], elementType: .int32, codes: addend))
        let sum = try builder.node(.add, [accumulator, a], name: "threshold")
        builder.output(try builder.node(.sign, [sum], name: "sign",
                                        outputTypes: [TensorType(shape: [1, 2], elementType: .binary, quantization: unit)]))
        return try builder.build()
    }

    @Test func mvauFusesTheThresholdFormOnlyWhereItCannotWrap() throws {
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        let target = try #require(BuiltInTargets.catalog.target(named: "pynq-z1-zynq7020-finn"))
        let fused = try compiler.compile(try Self.binaryDense(bias: [3, -2], addend: [-1, 2]), for: target)
        #expect(fused.kernelSteps.map(\.kernel.name) == ["mvau"])
        #expect(fused.kernelSteps[0].kernel.nodes.map(\.name) == ["fc", "threshold", "sign"])
        // |acc| ≤ 4 + (Int32.max − 4) and |a| = 1: the sum could wrap, so add and sign stay apart.
        let apart = try compiler.compile(try Self.binaryDense(bias: [Int32.max - 4, 0], addend: [1, 0]), for: target)
        #expect(apart.kernelSteps[0].kernel.nodes.map(\.name) == ["fc"])
        for program in [fused, apart] {
            let input = Tensor(shape: [1, 4], elementType: .binary, codes: [1, -1, -1, 1], quantization: QuantizationParameters(scale: 1))
            let simulated = try FunctionalSimulator(program: program).run(["x": input]).outputs[0].codes
            #expect(simulated == (try ReferenceInterpreter(graph: program.graph).run(["x": input])[0].codes))
        }
    }
}
