import Foundation
import Testing
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// The host partition is priced at the host core's own rates: no kernel is faster than the peak
/// of the unit that runs it for its operand formats, no host node is free, and a float model is
/// slower than its int8 version where ONNX Runtime measures it slower.
@Suite struct HostPartitionCostTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// A float model (conv, depthwise conv, max pool, residual add, global pool, gemm) and its
    /// ONNX Runtime QDQ int8 version.
    static let models = ["examples/digits/dscnn_residual.onnx", "Tests/Fixtures/qdq-cnn/dscnn_residual_qdq.onnx"]

    static func cost(_ model: String, on target: TargetDescription) throws -> ProgramCost {
        let graph = try ONNXImporter().importGraph(contentsOf: repository.appendingPathComponent(model))
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        let program = try compiler.compile(graph, for: target)
        return try CostEstimator(compiler: compiler, catalog: BuiltInTargets.catalog).estimate(program)
    }

    /// MACs per cycle of the unit that runs a step at its operand formats.
    static func peakMultiplyAccumulates(of step: ProgramCost.Step, target: TargetDescription) throws -> Double {
        guard step.resource == .host else { return target.familyDetails.peakOperationsPerCycle / 2 * Double(target.cores.value) }
        let host = target.host.flatMap { BuiltInTargets.catalog.target(named: $0.target) } ?? target
        let rates = try #require(host.hostCompute, "\(host.name) runs fallback nodes but declares no hostCompute")
        let float = step.counts.multiplyAccumulates.keys.contains { $0.operands.contains { !$0.isInteger } }
        return (float ? rates.floatMultiplyAccumulatesPerCycle.value : rates.integerMultiplyAccumulatesPerCycle.value) * Double(host.cores.value)
    }

    @Test(arguments: BuiltInTargets.catalog.targets.map(\.name).sorted())
    func noKernelBeatsItsPeakAndNoHostNodeIsFree(_ name: String) throws {
        let part = try #require(BuiltInTargets.catalog.target(named: name))
        // Every software stack the target declares, not only its default.
        let stacks = try part.stacks.dropFirst().map { stack throws(DiagnosticError) in try part.selecting(stack: stack.name) }
        for target in [part] + stacks {
            for model in Self.models {
                for step in try Self.cost(model, on: target).steps where step.resource != .link {
                    if step.resource == .host { #expect(step.seconds > 0, "\(model) on \(name): \(step.kernel) costs 0 s") }
                    let macs = Double(step.counts.totalMultiplyAccumulates)
                    guard macs > 0 else { continue }
                    let floor = macs / (try Self.peakMultiplyAccumulates(of: step, target: target))
                    #expect(step.cost.totalCycles >= floor * (1 - 1e-12),
                            "\(model) on \(name) (\(target.stack?.name ?? "no stack")): \(step.kernel) takes \(step.cost.totalCycles) cycles for \(Int(macs)) MACs, under the \(floor) of its peak")
                }
            }
        }
    }

    /// A float conv on the Cortex-M7 runs TensorFlow Lite Micro's reference loop: 4 MACs in 26
    /// cycles by llvm-mca (tools/validation/host_loops.json: the strict-FP accumulator chain of a
    /// non-fast-math build), far from the SMLAD rate; its elementwise work at 4 compares in 28.
    @Test func floatConvolutionOnTheCortexM7CostsFloatInstructions() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "stm32h743-cortex-m7"))
        let steps = try Self.cost(Self.models[0], on: target).steps.filter { $0.kernel == "host.conv2d" }
        #expect(!steps.isEmpty)
        for step in steps {
            let macs = Double(step.counts.totalMultiplyAccumulates)
            let elements = Double(step.counts.aluOperations)
            #expect(abs(step.cost.computeCycles - (macs / 0.1538 + elements / 0.1428)) < 1e-6 * step.cost.computeCycles)
        }
    }

    /// ONNX Runtime on one core measures the ResNet-8-shaped float model slower than its QDQ int8
    /// version, on the Zen 3 machine (tools/validation/ort_measurements.json: 307 µs vs 230 µs,
    /// minima of 500 runs) and on the Zen 4 one (ort_measurements_x86-avx512-zen4-epyc-kvm.json:
    /// 230 µs vs 131 µs, minimum thread CPU times); Kiln predicts the same order on each target.
    @Test(arguments: ["x86-avx2-zen3-epyc-kvm", "x86-avx512-zen4-epyc-kvm"])
    func floatResNet8IsSlowerThanItsInt8Version(_ name: String) throws {
        let target = try #require(BuiltInTargets.catalog.target(named: name))
        let float = try Self.cost("examples/validation/resnet8.onnx", on: target)
        let int8 = try Self.cost("examples/validation/resnet8_qdq.onnx", on: target)
        #expect(float.latencySeconds > int8.latencySeconds)
    }

    /// A stack's fixed cycles per node are its dispatch plus the operator's set-up in the node's
    /// arithmetic (the Zen 4 target's ONNX Runtime figures, measured on one-node chains): a float
    /// Conv on the host pays exactly 846 + 1440 cycles of overhead; an int8 kernel its cycle
    /// model's overhead plus 846 and its operator's quantized set-up (QLinearConv 3039, QGemm 2002,
    /// QLinearAdd 821, MaxPool 197, QLinearGlobalAveragePool 428, Quantize/DequantizeLinear 12), and
    /// the whole inference the stack's run call (20605 cycles) once, outside every step.
    @Test func stackPricesEachOperatorsFixedCycles() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx512-zen4-epyc-kvm"))
        let hostConvolutions = try Self.cost(Self.models[0], on: target).steps.filter { $0.kernel == "host.conv2d" }
        #expect(!hostConvolutions.isEmpty)
        for step in hostConvolutions { #expect(step.cost.overheadCycles == 846 + 1440) }

        let graph = try ONNXImporter().importGraph(contentsOf: Self.repository.appendingPathComponent(Self.models[1]))
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        let program = try compiler.compile(graph, for: target)
        let model = try compiler.backend(for: target).cycleModel(for: target, plan: program.plan)
        let cost = try CostEstimator(compiler: compiler, catalog: BuiltInTargets.catalog).estimate(program)
        var seen: Set<OperatorKind> = []
        for (index, step) in program.steps.enumerated() {
            guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator else { continue }
            let own = model.cost(of: kernelStep.kernel, counts: kernelStep.kernel.countActions()).overheadCycles
            let kind = try #require(kernelStep.kernel.nodes.first?.operation.kind)
            let setUp: Double = switch kind {
            case .conv2d: 3039
            case .dense: 2002
            case .add: 821
            case .maxPool: 197
            case .globalAveragePool: 428
            case .quantize, .dequantize: 12
            default: 0
            }
            seen.insert(kind)
            #expect(abs(cost.steps[index].cost.overheadCycles - own - (846 + setUp)) < 1e-6, "\(cost.steps[index].layer)")
        }
        #expect(seen.isSuperset(of: [.conv2d, .dense, .add, .globalAveragePool, .quantize, .dequantize]))
        #expect(cost.runSeconds == 20605 / 3680e6)
        let steps = cost.steps.reduce(0) { $0 + $1.seconds }
        #expect(abs(cost.latencySeconds - steps - 20605 / 3680e6) <= 1e-12 * cost.latencySeconds)
    }

    /// ONNX Runtime's QGemm and QLinearConv set up every output channel outside MLAS's loop
    /// (`outputChannelCycles`, 20.5 and 10.7 cycles on the Zen 4 target): a kernel's overhead is its
    /// loop nest's plus that figure times its output channels.
    @Test func outputChannelSetUpScalesWithTheChannels() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx512-zen4-epyc-kvm"))
        let graph = try ONNXImporter().importGraph(contentsOf: Self.repository.appendingPathComponent(Self.models[1]))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let model = SIMDCycleModel(target: target)
        let scheme = try #require(model.scheme)
        var checked = 0
        for step in program.steps {
            guard case .kernel(let kernelStep) = step, let gemm = kernelStep.kernel as? any SIMDGEMMKernel,
                  let kind = kernelStep.kernel.nodes.first?.operation.kind,
                  let output = kernelStep.kernel.nodes.last?.outputs.first, let shape = program.graph.type(of: output)?.shape else { continue }
            let counts = kernelStep.kernel.countActions()
            let nest = gemm.loopNest
            let loops = nest.isDepthwise ? model.depthwiseCost(nest, scheme: scheme, counts: counts) : model.gemmCost(nest, scheme: scheme, counts: counts).cost
            let channels = Double(kind == .dense ? shape[shape.count - 1] : shape[1])
            let expected = loops.overheadCycles + channels * (kind == .dense ? 20.5 : 10.7)
            #expect(abs(model.cost(of: kernelStep.kernel, counts: counts).overheadCycles - expected) < 1e-9, "\(kernelStep.kernel.name)")
            checked += 1
        }
        #expect(checked >= 5)
    }
}

/// A separate host draws its static power while it runs the ops its accelerator cannot; a host
/// on the target's own device (`host.sameDevice`) is already in the target's static power.
@Suite struct HostStaticPowerTests {
    @Test func aSeparateHostChargesItsStaticPowerForItsOwnTime() throws {
        // The float digits CNN: the Ethos-U runs none of it, the Cortex-M host all of it.
        let target = try #require(BuiltInTargets.catalog.target(named: "ethos-u55-128-corstone300"))
        let link = try #require(target.host)
        let host = try #require(BuiltInTargets.catalog.target(named: link.target))
        #expect(target.energy.staticPowerMilliwatts.value == 0)
        let cost = try HostPartitionCostTests.cost("examples/digits/cnn.onnx", on: target)
        let hostSeconds = cost.steps.filter { $0.resource == .host }.reduce(0) { $0 + $1.seconds }
        #expect(hostSeconds > 0)
        let expected = host.energy.staticPowerMilliwatts.value * 1e-3 * hostSeconds
        #expect(abs(cost.energy.staticEnergy - expected) <= 1e-12 * expected)
    }

    @Test func aHostOnTheSameDeviceIsNotChargedTwice() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "larq-rpi4-cortex-a72"))
        #expect(target.host?.sameDevice == true)
        let cost = try HostPartitionCostTests.cost("examples/digits/cnn.onnx", on: target)
        #expect(cost.steps.contains { $0.resource == .host })
        let expected = target.energy.staticPowerMilliwatts.value * 1e-3 * cost.latencySeconds
        #expect(abs(cost.energy.staticEnergy - expected) <= 1e-12 * expected)
    }
}
