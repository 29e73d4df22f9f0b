import Testing
import KilnCompiler
import KilnConformance
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// Hand-checked integers for each DSP kernel; every case is also run through the reference
/// interpreter, which must agree.
@Suite struct DSPKernelArithmeticTests {
    static func q7(_ shape: [Int], fractionBits: Int) -> TensorType {
        .quantized(shape, .q7, scale: Float(sign: .plus, exponent: -fractionBits, significand: 1))
    }

    /// Lowers node `index` with `pattern`, runs it, checks the reference agrees, returns the codes.
    static func run(_ graph: Graph, node index: Int, pattern: any LoweringPattern, inputs: [Tensor]) throws -> (codes: [Int32], kernel: any TargetKernel) {
        let target = try DSPFixtures.target("stm32l4r5-cortex-m4")
        guard case .lowered(let kernel) = pattern.match(nodeAt: index, in: LoweringContext(graph: graph, target: target)) else {
            Issue.record("pattern \(pattern.name) rejected the node")
            throw DiagnosticError(.error("rejected"))
        }
        var counts = ActionCounts()
        let operands = kernel.inputs.map { name in graph.constants[name] ?? inputs[graph.inputs.firstIndex(of: name)!] }
        let result = try kernel.execute(operands, counts: &counts)
        #expect(counts == kernel.countActions())
        let feeds = Dictionary(uniqueKeysWithValues: zip(graph.inputs, inputs))
        let expected = try ReferenceInterpreter(graph: graph).run(feeds)
        #expect(result[0].codes == expected[0].codes, "reference disagrees")
        return (result[0].codes ?? [], kernel)
    }

    /// A 2×2 image, 3×3 kernels with padding 1 (every window sees the whole image), shift 3.
    static func convolutionGraph(fusedRelu: Bool) throws -> Graph {
        var builder = GraphBuilder(name: "conv")
        let x = builder.input("x", q7([1, 1, 2, 2], fractionBits: 4))
        // Channel 0: all taps 8 (1.0 at 2^-3); channel 1: only the centre tap, 1.
        let weights = [Int32](repeating: 8, count: 9) + [0, 0, 0, 0, 1, 0, 0, 0, 0]
        let w = builder.constant("w", Tensor(shape: [2, 1, 3, 3], elementType: .q7, codes: weights,
                                             quantization: QuantizationParameters(scales: [0.125, 0.125], zeroPoints: [0, 0], axis: 0)))
        let b = builder.constant("b", Tensor(shape: [2], elementType: .int32, codes: [5, -4]))
        var y = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w, b], name: "conv",
                                 outputTypes: [q7([1, 2, 2, 2], fractionBits: 4)], requantization: .powerOfTwoShift)
        if fusedRelu { y = try builder.node(.relu, [y], name: "relu") }
        builder.output(y)
        return try builder.build()
    }

    @Test func smladConvolutionPadsRoundsHalfUpAndSaturates() throws {
        let graph = try Self.convolutionGraph(fusedRelu: false)
        let input = Tensor(shape: [1, 1, 2, 2], elementType: .q7, codes: [16, -32, 100, 127], quantization: graph.types["x"]!.quantization)
        let (codes, kernel) = try Self.run(graph, node: 0, pattern: SMLADMultiplyAccumulatePattern(root: .conv2d), inputs: [input])
        // Channel 0: 5 + 8·211 = 1693, >> 3 → 212 → SSAT 127.
        // Channel 1: 16−4 = 12 → 1.5 → 2; −32−4 = −36 → −4.5 → −4 (ties up); 96 → 12; 123 → 15.375 → 15.
        #expect(codes == [127, 127, 127, 127, 2, -4, 12, 15])
        // Depth 9 = two SMLAD quads + one SMLABB per output; 8 outputs.
        let counts = kernel.countActions()
        #expect(counts.instructions[Instruction("smlad")] == 8 * 4)
        #expect(counts.instructions[Instruction("smlabb")] == 8)
        #expect(counts.instructions[Instruction("ssat")] == 8)
        #expect(counts.multiplyAccumulates[MultiplyAccumulateKind(.q7, .q7)] == 8 * 9)
    }

    @Test func fusedReluBecomesUSAT() throws {
        let graph = try Self.convolutionGraph(fusedRelu: true)
        let input = Tensor(shape: [1, 1, 2, 2], elementType: .q7, codes: [16, -32, 100, 127], quantization: graph.types["x"]!.quantization)
        let (codes, kernel) = try Self.run(graph, node: 0, pattern: SMLADMultiplyAccumulatePattern(root: .conv2d), inputs: [input])
        #expect(codes == [127, 127, 127, 127, 2, 0, 12, 15])
        #expect(kernel.nodes.map(\.name) == ["conv", "relu"])
        #expect(kernel.countActions().instructions[Instruction("usat")] == 8)
    }

    @Test func saturatingAddAlignsAndRoundsHalfToEven() throws {
        var builder = GraphBuilder(name: "add")
        let a = builder.input("a", Self.q7([1, 5], fractionBits: 4))
        let b = builder.input("b", Self.q7([1, 5], fractionBits: 5))
        let y = try builder.node(.add, [a, b], name: "add", outputTypes: [Self.q7([1, 5], fractionBits: 3)])
        builder.output(y)
        let graph = try builder.build()
        let x = Tensor(shape: [1, 5], elementType: .q7, codes: [3, 5, -3, 127, -128], quantization: graph.types["a"]!.quantization)
        let z = Tensor(shape: [1, 5], elementType: .q7, codes: [0, 0, 0, 127, -128], quantization: graph.types["b"]!.quantization)
        let (codes, _) = try Self.run(graph, node: 0, pattern: SaturatingAddPattern(), inputs: [x, z])
        // At 2^-5: 6, 10, −6, 381, −384; to 2^-3 (÷4): 1.5 → 2, 2.5 → 2, −1.5 → −2, 95.25 → 95, −96.
        #expect(codes == [2, 2, -2, 95, -96])
    }

    @Test func globalAverageScalesOnTheFPUWithTiesToEven() throws {
        var builder = GraphBuilder(name: "gap")
        let x = builder.input("x", Self.q7([1, 2, 2, 2], fractionBits: 4))
        let y = try builder.node(.globalAveragePool, [x], name: "gap", outputTypes: [Self.q7([1, 2, 1, 1], fractionBits: 4)])
        builder.output(y)
        let graph = try builder.build()
        let input = Tensor(shape: [1, 2, 2, 2], elementType: .q7, codes: [1, 1, 0, 0, 2, 3, 2, 3], quantization: graph.types["x"]!.quantization)
        let (codes, _) = try Self.run(graph, node: 0, pattern: FixedPointPoolPattern(root: .globalAveragePool), inputs: [input])
        #expect(codes == [0, 2])  // 2/4 = 0.5 → 0; 10/4 = 2.5 → 2
    }

    @Test func maxPoolWindowInPaddingOnlySeesInBoundsTaps() throws {
        var builder = GraphBuilder(name: "pool")
        let x = builder.input("x", Self.q7([1, 1, 2, 2], fractionBits: 4))
        let y = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1])), [x], name: "pool",
                                 outputTypes: [Self.q7([1, 1, 2, 2], fractionBits: 4)])
        builder.output(y)
        let graph = try builder.build()
        let input = Tensor(shape: [1, 1, 2, 2], elementType: .q7, codes: [-5, -7, -100, -128], quantization: graph.types["x"]!.quantization)
        let (codes, _) = try Self.run(graph, node: 0, pattern: FixedPointPoolPattern(root: .maxPool), inputs: [input])
        #expect(codes == [-5, -7, -100, -128])
    }

    @Test func edgeQuantizeRoundsHalfToEvenAndSaturates() throws {
        var builder = GraphBuilder(name: "edge")
        let x = builder.input("x", .float32([6]))
        let y = try builder.node(.quantize, [x], name: "q", outputTypes: [Self.q7([6], fractionBits: 4)])
        builder.output(y)
        let graph = try builder.build()
        let input = Tensor(shape: [6], floats: [0.5, 0.53125, -0.515625, 3, .nan, 100])
        let (codes, _) = try Self.run(graph, node: 0, pattern: EdgeConversionPattern(root: .quantize), inputs: [input])
        #expect(codes == [8, 8, -8, 48, 0, 127])  // 8.5 → 8, −8.25 → −8, NaN → 0, 1600 → 127
    }

    @Test func kernelGivenWrongOperandsThrowsInsteadOfTrapping() throws {
        let graph = try Self.convolutionGraph(fusedRelu: false)
        let target = try DSPFixtures.target("stm32h743-cortex-m7")
        guard case .lowered(let kernel) = SMLADMultiplyAccumulatePattern(root: .conv2d).match(nodeAt: 0, in: LoweringContext(graph: graph, target: target)) else {
            Issue.record("rejected"); return
        }
        var counts = ActionCounts()
        let short = Tensor(shape: [1, 1, 1, 2], elementType: .q7, codes: [1, 2], quantization: graph.types["x"]!.quantization)
        #expect(throws: DiagnosticError.self) { try kernel.execute([short, graph.constants["w"]!, graph.constants["b"]!], counts: &counts) }
        #expect(throws: DiagnosticError.self) { try kernel.execute([short], counts: &counts) }
    }

    @Test func patternRejectsAnAccumulatorThatCouldOverflow() throws {
        var builder = GraphBuilder(name: "big")
        let x = builder.input("x", .quantized([1, 4], .q15, scale: 1.0 / 32768))
        let w = builder.constant("w", Tensor(shape: [4, 1], elementType: .q15, codes: [32767, 32767, 32767, 32767],
                                             quantization: QuantizationParameters(scales: [1.0 / 32768], zeroPoints: [0], axis: 1)))
        let y = try builder.node(.dense, [x, w], name: "fc", outputTypes: [.quantized([1, 1], .q15, scale: 1.0 / 32768)],
                                 requantization: .powerOfTwoShift)
        builder.output(y)
        let graph = try builder.build()
        let match = SMLADMultiplyAccumulatePattern(root: .dense).match(nodeAt: 0, in: LoweringContext(graph: graph, target: try DSPFixtures.target("stm32l4r5-cortex-m4")))
        guard case .rejected(let reason) = match else { Issue.record("lowered an overflowing layer"); return }
        // 32768 · 4 · 32767 + 2^14 (the round constant of shift 15).
        #expect(reason.contains("could overflow (bound 4294852608 > 2147483647)"), "\(reason)")
    }
}

@Suite struct DSPAdaptationTests {
    /// The s8 stack converts an ONNX model's layers to TFLite's arithmetic, node by node, and logs
    /// each change: MAC layers take the fixed-point multiplier, u8 activations become i8.
    @Test func s8StackConvertsONNXLayersToTFLiteArithmeticAndLogsIt() throws {
        let log = CompileLog()
        let program = try DSPFixtures.compiler().compile(DSPFixtures.model("residual"), for: DSPFixtures.target("stm32l4r5-cortex-m4"),
                                                         options: CompileOptions(log: log))
        let macNodes = program.graph.nodes.filter { OperatorKind.multiplyAccumulate.contains($0.kind) }
        #expect(!macNodes.isEmpty)
        #expect(macNodes.allSatisfy { $0.semantics == .tensorFlowLite && $0.requantization == .fixedPointMultiplier })
        for node in macNodes {
            #expect(log.entries.contains { $0.node == node.name && $0.pass == "dsp-cmsis-nn-s8" && $0.message.contains("ONNX Runtime's arithmetic → TFLite's") })
        }
        #expect(log.entries.contains { $0.message.contains("written as i8 with zero point") })
        // No u8 value reaches a TFLite node.
        for node in program.graph.nodes where node.semantics == .tensorFlowLite {
            #expect(node.inputs.prefix(1).allSatisfy { program.graph.types[$0]?.elementType == .int8 }, "\(node.place)")
        }
    }

    @Test func s8StackRefusesOtherWidthsWithTheOption() throws {
        do {
            _ = try DSPFixtures.compiler().compile(DSPFixtures.model("mlp"), for: DSPFixtures.target("stm32l4r5-cortex-m4"),
                                                   options: CompileOptions(activationBits: 16))
            Issue.record("compiled 16-bit activations on the s8 stack")
        } catch {
            #expect((error as? DiagnosticError)?.diagnostics.first?.message.hasPrefix("stm32l4r5-cortex-m4 runs CMSIS-NN's s8 kernels on 8-bit activations, not 16-bit") == true)
        }
    }

    @Test func unsupportedBitWidthIsAnErrorWithTheNumbers() throws {
        let compiler = try DSPFixtures.compiler()
        let options = CompileOptions(activationBits: 4)
        do {
            _ = try compiler.compile(DSPFixtures.model("mlp"), for: DSPFixtures.q7Target("stm32l4r5-cortex-m4"), options: options)
            Issue.record("compiled 4-bit activations")
        } catch {
            #expect((error as? DiagnosticError)?.diagnostics.first?.message == "stm32l4r5-cortex-m4 computes on 8-bit (q7) or 16-bit (q15) activations, not 4-bit")
        }
    }

    @Test func everyMACLayerLogsItsShiftsAndAccumulatorBound() throws {
        let log = CompileLog()
        let program = try DSPFixtures.compiler().compile(DSPFixtures.model("residual"), for: DSPFixtures.q7Target("stm32h743-cortex-m7"),
                                                         options: CompileOptions(log: log))
        let macNodes = program.graph.nodes.filter { OperatorKind.multiplyAccumulate.contains($0.kind) }
        #expect(macNodes.allSatisfy { $0.requantization == .powerOfTwoShift })
        for node in macNodes {
            #expect(log.entries.contains { $0.node == node.name && $0.message.contains("cannot overflow") && $0.message.contains("shift right by") })
        }
        #expect(log.entries.contains { $0.node == "residual_add" && $0.message.contains("explicit relu") })
    }

    /// Q15 × Q15 overflows a 32-bit accumulator at full scale: weights are coarsened (and logged)
    /// until it cannot, and the program still matches the reference.
    @Test(arguments: DSPFixtures.targetNames)
    func q15LayersCoarsenWeightsUntilTheAccumulatorCannotOverflow(target: String) throws {
        let log = CompileLog()
        let options = CompileOptions(weightBits: 16, activationBits: 16, log: log)
        let registry = try BuiltInBackends.registry()
        let graph = try DSPFixtures.model("cnn-padded-strided")
        let program = try Compiler(registry: registry).compile(graph, for: DSPFixtures.q7Target(target), options: options)
        #expect(log.entries.contains { $0.message.contains("coarser weights") })
        #expect(program.graph.types.values.contains { $0.elementType == .q15 })
        let reference = try ReferenceInterpreter(graph: program.graph)
        let inputs = ConformanceKit.randomInputs(for: program.graph, seed: 11)
        #expect(try reference.run(inputs)[0].floats == FunctionalSimulator(program: program).run(inputs).outputs[0].floats)
        #expect(program.hostNodeCount == 0)
    }
}
