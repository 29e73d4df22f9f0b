import Testing
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
@testable import KilnBackends

/// What the targets cannot run lands on the host with the reason; bad input is an error with
/// the numbers, never a trap.
@Suite struct XNORFallbackAndErrorTests {
    @Test(arguments: XNORTestSupport.targetNames)
    func softmaxAndFloatMatmulRunOnTheHostWithTheirReason(target: String) throws {
        let program = try XNORTestSupport.compiler().compile(try XNORTestSupport.corpusModel("attention"), for: XNORTestSupport.target(target))
        var reasons: [String: String] = [:]
        for step in program.kernelSteps {
            if case .host(let reason) = step.placement { reasons[step.kernel.nodes[0].name] = reason }
        }
        #expect(reasons["softmax"] == "softmax is not in the target's op set")
        #expect(reasons["scores"] == "matmul is not in the target's op set")
        // The input's quantize runs on the threshold units, the three projections on the int8 unit.
        #expect(program.kernelSteps.filter { $0.placement == .accelerator }.map(\.kernel.name)
                == ["threshold-units.quantize"] + Array(repeating: "int8-unit.dense", count: 3))
    }

    /// bnn-array-45nm has no `add`: the residual join falls back; larq runs it.
    @Test func residualAddFallsBackOnlyWhereTheOpIsMissing() throws {
        let graph = try XNORTestSupport.corpusModel("residual")
        let array = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("bnn-array-45nm"))
        let larq = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("larq-rpi4-cortex-a72"))
        #expect(array.kernelSteps.first { $0.kernel.nodes[0].name == "residual_add" }?.placement == .host(reason: "add is not in the target's op set"))
        #expect(larq.kernelSteps.first { $0.kernel.nodes[0].name == "residual_add" }?.placement == .accelerator)
    }

    /// An int4 conv: the targets run conv2d at bin and i8 only.
    @Test func unsupportedBitWidthFallsBackWithTheFormats() throws {
        var builder = GraphBuilder(name: "int4")
        let x = builder.input("x", TensorType(shape: [1, 2, 4, 4], elementType: .int4, quantization: QuantizationParameters(scale: 0.5)))
        let w = builder.constant("w", Tensor(shape: [2, 2, 1, 1], elementType: .int4, codes: [1, -2, 3, 7], quantization: QuantizationParameters(scale: 0.5)))
        builder.output(try builder.node(.conv2d(Convolution()), [x, w], name: "conv"))
        let graph = try builder.build()
        let program = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("larq-rpi4-cortex-a72"))
        #expect(program.kernelSteps[0].placement == .host(reason: "conv2d at i4: the target runs it at bin, i8"))
        // Without host fallback the same node is an error naming it.
        #expect(throws: DiagnosticError.self) {
            try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("larq-rpi4-cortex-a72"), options: CompileOptions(allowHostFallback: false))
        }
    }

    /// A ±1 reduction longer than bnn-array-45nm's 16-bit popcount accumulator holds is refused
    /// by the array with the numbers, and the layer moves to the int8 unit (larq's 32-bit
    /// accumulator takes it on the XNOR path).
    @Test func reductionBeyondTheAccumulatorIsRefusedWithTheNumbers() throws {
        var builder = GraphBuilder(name: "long")
        let x = builder.input("x", TensorType(shape: [1, 40_000], elementType: .binary))
        let w = builder.constant("w", Tensor(shape: [40_000, 1], elementType: .binary, codes: [Int32](repeating: 1, count: 40_000)))
        builder.output(try builder.node(.dense, [x, w], name: "fc"))
        let graph = try builder.build()
        let target = XNORTestSupport.target("bnn-array-45nm")
        let pattern = try #require(XNORBackend().loweringPatterns(for: target).first { $0.name == "xnor-popcount-dense" })
        guard case .rejected(let reason) = pattern.match(nodeAt: 0, in: LoweringContext(graph: graph, target: target)) else {
            Issue.record("expected the XNOR array to refuse"); return
        }
        #expect(reason == "a reduction of 40000 bits overflows the 16-bit popcount accumulator (largest 32767)")
        // The layer then runs on the int8 unit (±1 as i8, exact int32 accumulation).
        let array = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("bnn-array-45nm"))
        #expect(array.kernelSteps[0].kernel.name == "int8-unit.dense")
        let larq = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("larq-rpi4-cortex-a72"))
        #expect(larq.kernelSteps[0].kernel.name == "xnor-popcount.dense")
    }

    /// A kernel larger than bnn-array-45nm's 7×7 limit falls back with the sizes.
    @Test func kernelLargerThanTheArrayLimitFallsBack() throws {
        var builder = GraphBuilder(name: "large-kernel")
        let x = builder.input("x", TensorType(shape: [1, 4, 9, 9], elementType: .binary))
        let w = builder.constant("w", Tensor(shape: [2, 4, 9, 9], elementType: .binary, codes: [Int32](repeating: -1, count: 2 * 4 * 81)))
        builder.output(try builder.node(.conv2d(Convolution()), [x, w], name: "conv"))
        let program = try XNORTestSupport.compiler().compile(try builder.build(), for: XNORTestSupport.target("bnn-array-45nm"))
        guard case .host(let reason) = program.kernelSteps[0].placement else { Issue.record("expected a host fallback"); return }
        #expect(reason.contains("kernel 9×9 exceeds the target's largest, 7×7"))
    }

    /// Operands of the wrong shape are an error naming the node and both shapes.
    @Test func wrongOperandShapeIsAnErrorNotATrap() throws {
        let graph = try XNORTestSupport.corpusModel("binary-friendly")
        let program = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target("larq-rpi4-cortex-a72"))
        let kernel = try #require(program.kernelSteps.first { $0.kernel.name == "xnor-popcount.conv2d" }?.kernel)
        var counts = ActionCounts()
        let wrong = Tensor(shape: [1, 16, 4, 4], elementType: .binary, codes: [Int32](repeating: 1, count: 256))
        do {
            _ = try kernel.execute([wrong, program.graph.constants["binary.weight"]!], counts: &counts)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("operand 0 has shape [1, 16, 4, 4], expected [1, 16, 8, 8]"))
            #expect(error.description.contains("binary_conv"))
        }
        #expect(counts == ActionCounts())
    }

    /// A "±1" operand holding another code is an error naming the element, not a silent bit.
    @Test func nonBinaryCodeInABinaryOperandIsAnError() throws {
        let graph = try XNORRandomGraphs.binaryStack(seed: 1, channels: 8, stride: 1, pads: [0, 0, 0, 0], groups: 1)
        let kernel = try XNORPopcountConvolutionKernel(nodeAt: 1, in: XNORTestSupport.context(graph), facts: XNORTargetFacts(XNORTestSupport.target("bnn-array-45nm"))!)
        var codes = [Int32](repeating: 1, count: 8 * 42)
        codes[5] = 0
        var counts = ActionCounts()
        #expect(throws: DiagnosticError.self) {
            _ = try kernel.execute([Tensor(shape: [1, 8, 7, 6], elementType: .binary, codes: codes), graph.constants["w1"]!, graph.constants["b1"]!], counts: &counts)
        }
    }
}
