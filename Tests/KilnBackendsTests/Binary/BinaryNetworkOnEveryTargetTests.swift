import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnModelIO
import KilnTargets
@testable import KilnBackends

/// The binarized digits example (`examples/digits/bnn.onnx`, quantized by `kiln quantize`:
/// `Tests/Fixtures/digits/bnn_quantized.json`) on every built-in target: where its ±1 layers run.
@Suite struct BinaryNetworkOnEveryTargetTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let model: Graph = try! KilnModelFile.read(contentsOf: repository.appendingPathComponent("Tests/Fixtures/digits/bnn_quantized.json").path)

    /// Families whose built-in targets run every ±1 layer on the accelerator, with the sign step
    /// (the thresholds) fused or beside it.
    static let runningFamilies: Set<String> = ["xnor", "simd", "dataflow", "dsp", "systolic"]
    /// Families that run every ±1 layer with its sign on the accelerator, and the first layer's
    /// sign on the host: on an Ethos-U the sign is an int8 output stage over the odd sum
    /// `2·(acc − T) + 1`, which needs weights doubled inside int8; the first layer's i8 weights
    /// reach ±127 and Vela 5.2 has no SIGN (docs/backends/ethos-u.md).
    static let firstSignOnHostFamilies: Set<String> = ["ethosU"]

    /// A binary layer: a conv2d / dense reading or holding ±1 values.
    static func isBinaryLayer(_ node: Node, in graph: Graph) -> Bool {
        OperatorKind.multiplyAccumulate.contains(node.kind) && node.inputs.prefix(2).contains { graph.types[$0]?.elementType == .binary }
    }
    /// The binary layers of the model as imported: bconv2, bconv3 and the classifier, which reads
    /// ±1 (a family may hold ±1 codes in another type, as the Ethos-U's int8, under the same names).
    static let binaryLayers = Set(model.nodes.filter { isBinaryLayer($0, in: model) }.map(\.name))

    /// The nodes a compiled program runs on the host that `select` picks, with the printed reason.
    static func hostNodes(_ program: TargetProgram, _ select: (Node) -> Bool) -> [(node: String, reason: String)] {
        program.kernelSteps.flatMap { step -> [(node: String, reason: String)] in
            guard case .host(let reason) = step.placement else { return [] }
            return step.kernel.nodes.filter(select).map { ($0.name, reason) }
        }
    }

    @Test(arguments: BuiltInTargets.catalog.targets.map(\.name).sorted())
    func binaryLayersStayOffTheHost(_ targetName: String) throws {
        let target = try #require(BuiltInTargets.catalog.target(named: targetName))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(Self.model, for: target)
        let layers = Self.hostNodes(program) { Self.binaryLayers.contains($0.name) }
        let signs = Self.hostNodes(program) { $0.kind == .sign }
        func describe(_ nodes: [(node: String, reason: String)]) -> String {
            nodes.isEmpty ? "none" : nodes.map { "\($0.node) — \($0.reason)" }.joined(separator: "; ")
        }
        print("\(targetName) (\(target.family)): ±1 layers on the host: \(describe(layers)); sign steps on the host: \(describe(signs))")
        #expect(Self.binaryLayers == ["bconv2", "bconv3", "logits"])
        #expect(Self.binaryLayers.isSubset(of: program.graph.nodes.map(\.name)))
        if Self.runningFamilies.contains(target.family) {
            #expect(layers.isEmpty && signs.isEmpty, "\(layers) \(signs)")
        } else {
            #expect(Self.firstSignOnHostFamilies.contains(target.family), "a family this test does not know: \(target.family)")
            #expect(layers.isEmpty, "\(layers)")
            #expect(signs.map(\.node) == ["sign1"] && signs.allSatisfy { $0.reason == "sign is not in the target's op set" }, "\(signs)")
        }
    }

    /// On `bnn-array-45nm` the input is quantized on the threshold units: the only host step is the
    /// final dequantize, and the only transfer is the 10-byte output going to the host.
    @Test func bnnArrayMakesNoHostRoundTrip() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "bnn-array-45nm"))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(Self.model, for: target)
        let hostNodes = program.kernelSteps.filter { $0.placement != .accelerator }.flatMap(\.kernel.nodes).map(\.kind)
        #expect(hostNodes == [.dequantize])
        let transfers = program.steps.compactMap { if case .transfer(let transfer) = $0 { transfer } else { nil } }
        #expect(transfers.map(\.value) == ["logits_codes"] && transfers.map(\.bytes) == [10] && transfers.allSatisfy(\.toHost))
        #expect(program.kernelSteps.first?.kernel.name == "threshold-units.quantize")
    }

    /// The Ethos-U's rewritten ±1 layers (doubled weights, odd bias, ±1 clamp) against the
    /// Cortex-M4's, which keep the imported ±1 nodes: the two programs differ up to the classifier
    /// (both TFLite's FULLY_CONNECTED) only in how the ±1 layers are written, so their logits
    /// must agree code for code.
    @Test func ethosUBinaryLayersEqualTheImportedOnes() throws {
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        let npu = try compiler.compile(Self.model, for: try #require(BuiltInTargets.catalog.target(named: "ethos-u55-128-corstone300")))
        let mcu = try compiler.compile(Self.model, for: try #require(BuiltInTargets.catalog.target(named: "stm32l4r5-cortex-m4")))
        #expect(npu.graph.nodes.contains { $0.name == "bconv2" && $0.semantics == .tensorFlowLite })
        for sample in 0..<4 {
            // An all-zero image, then fixed pseudo-random ones.
            let pixels = (0..<64).map { Float(($0 * 37 + sample * 101) % 256 * min(sample, 1)) / 255 }
            let input = Tensor(shape: [1, 1, 8, 8], floats: pixels)
            let npuLogits = try FunctionalSimulator(program: npu).run(["input": input]).outputs[0]
            let mcuLogits = try FunctionalSimulator(program: mcu).run(["input": input]).outputs[0]
            #expect(npuLogits == mcuLogits, "sample \(sample)")
        }
    }

    /// Simulation equals the reference interpreter on the target-numerics graph, element for
    /// element, where the ±1 layers now run on the accelerator.
    @Test(arguments: ["bnn-array-45nm", "larq-rpi4-cortex-a72", "x86-avx2-zen3-epyc-kvm", "x86-avx512-vnni-xeon-gold-6248",
                      "cortex-a72-rpi4", "cortex-a9-zynq7000-ps", "pynq-z1-zynq7020-finn", "scalesim-scale-32x32-os",
                      "stm32l4r5-cortex-m4", "nrf5340-cortex-m33", "ethos-u55-128-corstone300", "ethos-u65-256"])
    func simulationEqualsReference(_ targetName: String) throws {
        let target = try #require(BuiltInTargets.catalog.target(named: targetName))
        let outcome = try ConformanceKit.check(model: "bnn", graph: Self.model, target: target,
                                               compiler: Compiler(registry: try BuiltInBackends.registry()), samples: 3)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.countMismatches.isEmpty, "\(outcome)")
        #expect(outcome.compared > 0)
    }
}
