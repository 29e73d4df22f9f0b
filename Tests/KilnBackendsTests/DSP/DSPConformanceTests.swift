import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnInterpreter
import KilnTargets
@testable import KilnBackends

/// Shared fixtures of the DSP tests.
enum DSPFixtures {
    /// The built-in targets, loaded with every built-in family's schema (so this suite runs
    /// before the other backends are registered; `BuiltInTargets.catalog` needs them all).
    static let catalog: TargetCatalog = {
        try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)
    }()
    static let targetNames = catalog.targets.filter { $0.family == "dsp" }.map(\.name).sorted()
    static let modelNames = ["mlp", "cnn-padded-strided", "depthwise-separable", "residual", "binary-friendly", "attention"]

    static func target(_ name: String) throws -> TargetDescription {
        try #require(catalog.targets.first { $0.name == name })
    }

    static func model(_ name: String) throws -> Graph {
        try #require(try ConformanceCorpus.models().first { $0.name == name }).graph
    }

    /// The built-in target with the legacy q7 stack: `numerics.requantization` lists only
    /// `powerOfTwoShift` (the explicit option that selects CMSIS-NN's 2018 q7 kernels).
    static func q7Target(_ name: String) throws -> TargetDescription {
        let t = try target(name)
        return TargetDescription(file: t.file, name: t.name, family: t.family, description: t.description, clockMegahertz: t.clockMegahertz,
                                 cores: t.cores, numerics: TargetNumerics(storageFormats: t.numerics.storageFormats, accumulatorBits: t.numerics.accumulatorBits,
                                                                          requantization: [.powerOfTwoShift]),
                                 memory: t.memory, operations: t.operations, energy: t.energy, host: t.host, document: t.document,
                                 familyDetails: t.familyDetails)
    }

    /// The target of a test case: `name` with the default s8 stack, or `q7:name` with the legacy one.
    static func target(case name: String) throws -> TargetDescription {
        name.hasPrefix("q7:") ? try q7Target(String(name.dropFirst(3))) : try target(name)
    }

    /// Every DSP target, with the default s8 stack and with the legacy q7 stack.
    static let targetCases = targetNames + targetNames.map { "q7:\($0)" }

    static func compiler() throws -> Compiler { Compiler(registry: try BuiltInBackends.registry()) }
}

@Suite struct DSPConformanceTests {
    @Test func everyBuiltInDSPTargetIsFound() {
        #expect(DSPFixtures.targetNames == ["corstone300-cortex-m55", "nrf5340-cortex-m33", "ra8d1-cortex-m85", "stm32h743-cortex-m7", "stm32l4r5-cortex-m4"])
    }

    /// Every corpus model on every DSP target, with either stack: the simulation equals the
    /// reference bit for bit.
    @Test(arguments: DSPFixtures.modelNames, DSPFixtures.targetCases)
    func corpusModelMatchesReference(model: String, target: String) throws {
        let outcome = try ConformanceKit.check(model: model, graph: DSPFixtures.model(model), target: DSPFixtures.target(case: target),
                                               compiler: DSPFixtures.compiler())
        print(outcome)
        #expect(outcome.compared > 0)
        #expect(outcome.mismatches == 0, "\(outcome)")
    }

    /// What runs on the accelerator with the s8 stack: the ONNX models' layers, converted to
    /// TFLite's arithmetic, and their float edges; on the host the ops the s8 kernels lack
    /// (globalAveragePool, the binary layers, float attention) and the requantizes between the
    /// u8 values they read and i8 ones.
    @Test(arguments: DSPFixtures.targetNames)
    func s8HostNodesAreExactlyTheUnsupportedOnes(target: String) throws {
        let expectedHost: [String: Set<String>] = [
            "mlp": [], "cnn-padded-strided": [], "residual": [],
            "depthwise-separable": ["globalAveragePool", "flatten", "requantize"],
            "binary-friendly": ["sign", "conv2d", "multiThreshold", "requantize"],
            "attention": ["transpose", "matmul", "softmax"],
        ]
        let compiler = try DSPFixtures.compiler()
        for name in DSPFixtures.modelNames {
            let program = try compiler.compile(DSPFixtures.model(name), for: DSPFixtures.target(target))
            let host = program.kernelSteps.filter { $0.placement != .accelerator }.flatMap { $0.kernel.nodes.map(\.kind.rawValue) }
            #expect(Set(host) == expectedHost[name], "\(name): \(host)")
        }
    }

    /// What runs on the accelerator with the q7 stack: all of it, except the ops the Cortex-M target lacks.
    @Test(arguments: DSPFixtures.targetNames)
    func q7HostNodesAreExactlyTheUnsupportedOnes(target: String) throws {
        let expectedHost: [String: Set<String>] = [
            "mlp": [], "cnn-padded-strided": [], "depthwise-separable": [], "residual": [],
            // sign, the ±1 conv and multiThreshold are not Q7 ops; the u8 counts they produce are
            // pooled and flattened on the host and requantized to Q7 for the dense layer.
            "binary-friendly": ["sign", "conv2d", "multiThreshold", "maxPool", "flatten", "requantize"],
            // float attention core: transpose is not in the op set, matmul and softmax are f32.
            "attention": ["transpose", "matmul", "softmax"],
        ]
        let compiler = try DSPFixtures.compiler()
        for name in DSPFixtures.modelNames {
            let program = try compiler.compile(DSPFixtures.model(name), for: DSPFixtures.q7Target(target))
            let host = program.kernelSteps.filter { $0.placement != .accelerator }.flatMap { $0.kernel.nodes.map(\.kind.rawValue) }
            #expect(Set(host) == expectedHost[name], "\(name): \(host)")
        }
    }

    @Test func softmaxLandsOnTheHostWithItsReason() throws {
        let program = try DSPFixtures.compiler().compile(DSPFixtures.model("attention"), for: DSPFixtures.target("stm32l4r5-cortex-m4"))
        let softmax = try #require(program.kernelSteps.first { $0.kernel.nodes.contains { $0.kind == .softmax } })
        #expect(softmax.placement == .host(reason: "softmax at f32: the target runs it at q7, q15, i8"))
        let transpose = try #require(program.kernelSteps.first { $0.kernel.nodes.contains { $0.kind == .transpose } })
        #expect(transpose.placement == .host(reason: "transpose is not in the target's op set"))
    }

    /// `countActions()` (no data) equals what `execute` counted, for every accelerator kernel of
    /// the corpus, with either stack.
    @Test(arguments: DSPFixtures.targetCases)
    func countActionsEqualsExecutedCounts(target: String) throws {
        let compiler = try DSPFixtures.compiler()
        var kinds = Set<String>()
        for name in DSPFixtures.modelNames {
            let program = try compiler.compile(DSPFixtures.model(name), for: DSPFixtures.target(case: target))
            let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 7))
            for (step, counts) in zip(program.steps, run.stepCounts) {
                guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator else { continue }
                kinds.insert(kernelStep.kernel.name)
                #expect(kernelStep.kernel.countActions() == counts, "\(name): \(kernelStep.kernel.name)")
                #expect(counts.instructions.values.allSatisfy { $0 >= 0 })
            }
        }
        let expected: Set<String> = target.hasPrefix("q7:")
            ? ["smlad-conv2d", "smlad-depthwise-conv2d", "smlad-dense", "cmp-maxPool", "sum-fpu-globalAveragePool", "qadd-add",
               "usat-relu", "view.flatten", "fpu-quantize", "fpu-dequantize"]
            : ["arm_convolve_s8", "arm_depthwise_conv_s8", "arm_fully_connected_s8", "arm_max_pool_s8", "arm_elementwise_add_s8", "view.flatten",
               "fpu-quantize-s8", "fpu-dequantize-s8"]
        #expect(kinds.isSuperset(of: expected), "\(kinds.sorted())")
    }
}
