import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnNumerics
import KilnTargets
@testable import KilnBackends

/// CMSIS-NN's s4 kernels on the DSP targets that declare `i4`: i4 weights (two per byte) with
/// s8 activations give the same codes as the reference interpreter, half the weight bytes, and
/// more cycles than s8 (the nibbles are unpacked in the inner loop; the SMLAD count is the same).
@Suite struct DSPInt4WeightTests {
    /// `graph` with every conv2d / dense weight tensor of symmetric i8 codes turned into i4 codes
    /// `code >> 4` (floor, in −8…7) at 16× the scale: a model quantized to 4-bit weights.
    static func fourBitWeights(_ graph: Graph) -> Graph {
        var result = graph
        for node in graph.nodes where node.kind == .conv2d || node.kind == .dense {
            guard let name = node.input(1), let weights = graph.constants[name], weights.type.elementType == .int8,
                  let codes = weights.codes, let quantization = weights.type.quantization, quantization.isSymmetric else { continue }
            let parameters = QuantizationParameters(scales: quantization.scales.map { $0 * 16 }, zeroPoints: quantization.zeroPoints,
                                                    axis: quantization.axis)
            let narrowed = Tensor(shape: weights.shape, elementType: .int4, codes: codes.map { $0 >> 4 }, quantization: parameters)
            result.constants[name] = narrowed
            result.types[name] = narrowed.type
        }
        return result
    }

    static let models = ["mlp", "cnn-padded-strided", "depthwise-separable"]

    /// Bit-exact against the reference interpreter on every DSP target, every MAC layer on an s4 kernel.
    @Test(arguments: models, DSPFixtures.targetNames)
    func s4KernelsMatchTheReference(model: String, target: String) throws {
        let graph = Self.fourBitWeights(try DSPFixtures.model(model))
        let description = try DSPFixtures.target(target)
        let outcome = try ConformanceKit.check(model: model, graph: graph, target: description, compiler: DSPFixtures.compiler())
        #expect(outcome.compared > 0)
        #expect(outcome.mismatches == 0, "\(outcome)")
        let program = try DSPFixtures.compiler().compile(graph, for: description)
        let layers = graph.nodes.filter { $0.kind == .conv2d || $0.kind == .dense }.count
        let s4 = program.kernelSteps.filter { $0.placement == .accelerator && $0.kernel.name.hasSuffix("_s4") }
        #expect(s4.count == layers, "\(program.kernelSteps.map(\.kernel.name))")
    }

    /// Against the same model with i8 weights: fewer weight bytes, the same MACs, more
    /// cycles (the unpacking), on the M7.
    @Test(arguments: models)
    func s4HalvesWeightBytesButCostsCycles(model: String) throws {
        let compiler = try DSPFixtures.compiler()
        let target = try DSPFixtures.target("stm32h743-cortex-m7")
        let estimator = CostEstimator(compiler: compiler, catalog: DSPFixtures.catalog)
        let eight = try compiler.compile(try DSPFixtures.model(model), for: target)
        let four = try compiler.compile(Self.fourBitWeights(try DSPFixtures.model(model)), for: target)
        #expect(four.weightBytes < eight.weightBytes)
        let (costEight, costFour) = (try estimator.estimate(eight), try estimator.estimate(four))
        #expect(costFour.latencySeconds > costEight.latencySeconds)
        func total(_ program: TargetProgram, _ instruction: String) -> Int {
            program.kernelSteps.reduce(0) { $0 + ($1.kernel.countActions().instructions[Instruction(instruction)] ?? 0) }
        }
        // The same MACs; the s8 layers take CMSIS-NN's fast paths (1×1, 3×3 depthwise, 2 × 2
        // tiles), which the s4 kernels do not have, so the instruction mixes differ.
        func macs(_ program: TargetProgram) -> Int {
            program.kernelSteps.reduce(0) { $0 + $1.kernel.countActions().multiplyAccumulates.values.reduce(0, +) }
        }
        #expect(macs(four) == macs(eight))
        #expect(total(eight, "ldrh") == 0 && total(four, "ldrh") > 0)
    }

    /// A hand-sized dense: x[1, 9] · w[9, 2], i4 weights. Per output two quads (an `ldrh` and the
    /// `read_and_pad_s4` unpacking each: two `ror`, four `sxtb16`) and one tail tap (`ldrsb`,
    /// `lsl`, `asr`, `mla`); the weight bytes read are ⌈9/2⌉ per output.
    @Test func denseS4CountsByHand() throws {
        let target = try DSPFixtures.target("stm32h743-cortex-m7")
        var builder = GraphBuilder(name: "dense4")
        let x = builder.input("x", .quantized([1, 9], .int8, scale: 0.5, zeroPoint: 3))
        let w = builder.constant("w", Tensor(shape: [9, 2], elementType: .int4, codes: (0..<18).map { Int32($0 % 16) - 8 },
                                             quantization: QuantizationParameters(scales: [0.25, 0.125], zeroPoints: [0, 0], axis: 1)))
        let y = try builder.node(.dense, [x, w], name: "fc", outputTypes: [.quantized([1, 2], .int8, scale: 2, zeroPoint: -1)])
        builder.output(y)
        var graph = try builder.build()
        graph.nodes[0].semantics = .tensorFlowLite
        graph.nodes[0].requantization = .fixedPointMultiplier
        guard case .lowered(let kernel) = S8MultiplyAccumulatePattern(root: .dense).match(nodeAt: 0, in: LoweringContext(graph: graph, target: target)) else {
            Issue.record("the s4 pattern rejected the dense")
            return
        }
        #expect(kernel.name == "arm_fully_connected_s4")
        let counts = kernel.countActions()
        #expect(counts.instructions[Instruction("ldrh")] == 2 * 2)
        #expect(counts.instructions[Instruction("ror")] == 2 * 2 * 2)
        #expect(counts.instructions[Instruction("sxtb16")] == 2 * 2 * 4)
        #expect(counts.instructions[Instruction("smlad")] == 2 * 2 * 2)
        #expect(counts.instructions[Instruction("mla")] == 2)
        #expect(counts.multiplyAccumulates[MultiplyAccumulateKind(.int8, .int4)] == 18)
        let memory = DSPMemoryMap(target: target, graph: graph)
        // ⌈9/2⌉ weight bytes per output; the 9 inputs read per output, when they share the level.
        #expect(counts.bytesRead[memory.weightLevel] == 2 * 5 + (memory.weightLevel == memory.activationLevel ? 2 * 9 : 0))
    }

    /// A target that does not declare `i4` keeps i4-weight layers off its kernels and says why.
    @Test func targetWithoutI4RefusesWithTheReason() throws {
        let declared = try DSPFixtures.target("stm32h743-cortex-m7")
        let target = TargetDescription(file: declared.file, name: declared.name, family: declared.family, description: declared.description,
                                       clockMegahertz: declared.clockMegahertz, cores: declared.cores,
                                       numerics: TargetNumerics(storageFormats: declared.numerics.storageFormats.filter { $0 != .int4 },
                                                                accumulatorBits: declared.numerics.accumulatorBits,
                                                                requantization: declared.numerics.requantization),
                                       memory: declared.memory, operations: declared.operations, energy: declared.energy, host: declared.host,
                                       document: declared.document, familyDetails: declared.familyDetails)
        let graph = Self.fourBitWeights(try DSPFixtures.model("mlp"))
        let program = try DSPFixtures.compiler().compile(graph, for: target)
        #expect(!program.kernelSteps.contains { $0.kernel.name.hasSuffix("_s4") })
        let notes = program.notes.map(\.message).joined(separator: "\n")
        #expect(notes.contains("need constant symmetric i8 weights"), "\(notes)")
        #expect(notes.contains("its weights are i4"), "\(notes)")
    }
}
