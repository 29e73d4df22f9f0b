import Testing
import KilnCompiler
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// A ±1 layer with its sign as the output stage of an s8 kernel (Cortex-M, CMSIS-NN's loop), of
/// a systolic array's output path and of an int8 NPU operator (Ethos-U: doubled weights, odd
/// bias), on every ±1 input of a small dense layer, against the reference interpreter on the
/// graph before any rewrite.
@Suite struct BinaryLayerSignStageTests {
    static let unit = QuantizationParameters(scale: 1)

    /// `x bin[1, 4] · w[4, 3] → add(a) → sign → · I₃` (an identity read-out, so the ±1 codes are
    /// not a graph output); `a` makes `acc + a` zero for some inputs (the sign's +1 at 0) and
    /// `weightCodes` are ±1 or wider i8 codes.
    static func layer(weightType: ElementType, weightCodes: [Int32], addend: [Int32]) throws -> Graph {
        var builder = GraphBuilder(name: "binary-dense")
        let x = builder.input("x", TensorType(shape: [1, 4], elementType: .binary, quantization: unit))
        let w = builder.constant("w", Tensor(shape: [4, 3], elementType: weightType, codes: weightCodes, quantization: unit))
        let accumulator = try builder.node(.dense, [x, w], name: "fc", outputTypes: [TensorType(shape: [1, 3], elementType: .int32)])
        let a = builder.constant("a", Tensor(shape: [3], elementType: .int32, codes: addend))
        let sum = try builder.node(.add, [accumulator, a], name: "threshold")
        let sign = try builder.node(.sign, [sum], name: "sign", outputTypes: [TensorType(shape: [1, 3], elementType: .binary, quantization: unit)])
        let identity = builder.constant("identity", Tensor(shape: [3, 3], elementType: .int8, codes: [1, 0, 0, 0, 1, 0, 0, 0, 1], quantization: unit))
        builder.output(try builder.node(.dense, [sign, identity], name: "readout", outputTypes: [TensorType(shape: [1, 3], elementType: .int32)]))
        return try builder.build()
    }

    /// The 16 ±1 inputs.
    static let inputs: [Tensor] = (0..<16).map { bits in
        Tensor(shape: [1, 4], elementType: .binary, codes: (0..<4).map { bits >> $0 & 1 == 1 ? 1 : -1 }, quantization: unit)
    }

    /// Compiles `graph` for `targetName`, checks that one accelerator kernel runs fc with its
    /// threshold and sign (writing the sign's output), and that every input gives the reference's
    /// codes of `graph` itself.
    static func check(_ graph: Graph, on targetName: String, kernel: String) throws {
        let target = try #require(BuiltInTargets.catalog.target(named: targetName))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let steps = program.kernelSteps.filter { $0.kernel.nodes.contains { $0.name == "fc" } }
        #expect(steps.count == 1 && steps[0].placement == .accelerator && steps[0].kernel.name == kernel, "\(steps.map(\.kernel.name))")
        #expect(steps.first?.kernel.outputs == graph.nodes.first { $0.kind == .sign }?.outputs)
        #expect(!program.kernelSteps.contains { step in step.placement != .accelerator && step.kernel.nodes.contains { $0.kind == .sign || $0.kind == .add } })
        let weights = graph.constants["w"]!.codes!, addend = graph.constants["a"]!.codes!
        var ties = 0
        for input in inputs {
            let simulated = try FunctionalSimulator(program: program).run(["x": input]).outputs[0].codes
            let reference = try ReferenceInterpreter(graph: graph).run(["x": input])[0].codes
            #expect(simulated == reference, "\(input.codes!)")
            let x = input.codes!
            for n in 0..<3 {
                var sum: Int32 = addend[n]
                for k in 0..<4 { sum += x[k] * weights[k * 3 + n] }
                if sum == 0 { ties += 1 }
            }
        }
        #expect(ties > 0, "no input reaches the sign's tie at 0")
    }

    @Test func cmsisNNLoopWithTheSignAsOutputStage() throws {
        let graph = try Self.layer(weightType: .binary, weightCodes: [1, -1, 1, 1, 1, -1, -1, 1, 1, 1, -1, -1], addend: [0, -2, 1])
        try Self.check(graph, on: "stm32l4r5-cortex-m4", kernel: "arm_fully_connected_s8+sign")
    }

    @Test func systolicOutputPathWritesTheSign() throws {
        let graph = try Self.layer(weightType: .binary, weightCodes: [1, -1, 1, 1, 1, -1, -1, 1, 1, 1, -1, -1], addend: [0, -2, 1])
        try Self.check(graph, on: "scalesim-google-tpu-ws", kernel: "systolic-gemm-ws")
        try Self.check(graph, on: "scalesim-scale-32x32-os", kernel: "systolic-gemm-os")
    }

    @Test func ethosUDoubledWeightsAndOddBias() throws {
        let graph = try Self.layer(weightType: .binary, weightCodes: [1, -1, 1, 1, 1, -1, -1, 1, 1, 1, -1, -1], addend: [0, -2, 1])
        try Self.check(graph, on: "ethos-u55-128-corstone300", kernel: "ethos-u.dense+clip")
        // Weights of up to ±63 still double inside int8.
        let wide = try Self.layer(weightType: .int8, weightCodes: [63, -1, 2, 1, 63, -3, -63, 1, 2, 1, -63, -3], addend: [0, 0, 1])
        try Self.check(wide, on: "ethos-u55-128-corstone300", kernel: "ethos-u.dense+clip")
    }

    /// Weights of ±64 leave int8 when doubled: the layer and its sign stay as they are, on the host.
    @Test func ethosUKeepsWideWeightsOnTheHost() throws {
        let graph = try Self.layer(weightType: .int8, weightCodes: [64, -1, 1, 1, 1, -1, -1, 1, 1, 1, -1, -1], addend: [0, 0, 0])
        let target = try #require(BuiltInTargets.catalog.target(named: "ethos-u55-128-corstone300"))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        #expect(program.kernelSteps.filter { $0.kernel.nodes.contains { $0.kind == .sign } }.allSatisfy { $0.placement != .accelerator })
        #expect(program.graph.nodes.map(\.kind) == [.dense, .add, .sign, .dense])
    }
}
