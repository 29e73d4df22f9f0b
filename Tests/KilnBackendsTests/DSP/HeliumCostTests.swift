import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnTargets
@testable import KilnBackends

/// Cortex-M55/M85 targets declare the M-profile Vector Extension: CMSIS-NN's wrappers then take
/// their `ARM_MATH_MVEI` kernels, priced from the compiled loops on the cores' vector pipes.
@Suite struct HeliumCostTests {
    static func target(_ name: String) throws -> TargetDescription {
        try #require(BuiltInTargets.catalog.target(named: name))
    }

    static func pipes(_ name: String) throws -> MVEPipeModel {
        let section = try #require(try target(name).section(DSPSection.self))
        return try #require(DSPIssueModel(section: section).vector)
    }

    static func steady(_ model: MVEPipeModel, _ body: [DSPInstruction]) -> Double {
        model.cycles(of: body + body, waitStates: [:]) - model.cycles(of: body, waitStates: [:])
    }

    static func program(_ target: String) throws -> TargetProgram {
        try Compiler(registry: try BuiltInBackends.registry()).compile(try SoftwareStackCostTests.dscnn(), for: try Self.target(target))
    }

    /// `arm_nn_mat_mult_nt_t_s8`'s loop: five `vldrb` on the load/store pipe and five
    /// multiply-pipe instructions (`vaddva`, four `vmladava`), each holding its pipe 2 cycles on a
    /// dual-beat core. Loads overlap the multiply-accumulates, so an iteration takes 10 cycles
    /// (64 MACs: 6.4 per cycle), not the 20 of back-to-back instructions; `letp` is free.
    @Test(arguments: ["corstone300-cortex-m55", "ra8d1-cortex-m85"])
    func loadsOverlapTheMultiplyAccumulates(target: String) throws {
        let loop = try #require(CMSISNNCompiledMVELoops.loops[.convolve1x1MVE])
        #expect(Self.steady(try Self.pipes(target), loop.mnemonics.map { DSPInstruction($0) }) == 10)
    }

    /// A vector copy (`vldrb`, `vstrb`): the M55's one load/store pipe serialises them (4 cycles per
    /// 16 bytes), the M85's separate load and store pipes overlap them (2 cycles).
    @Test func theM55SharesItsLoadStorePipeAndTheM85DoesNot() throws {
        let copy = CMSISNNCompiledMVELoops.im2col.mnemonics.map { DSPInstruction($0) }
        #expect(Self.steady(try Self.pipes("corstone300-cortex-m55"), copy) == 4)
        #expect(Self.steady(try Self.pipes("ra8d1-cortex-m85"), copy) == 2)
    }

    /// A weight load from flash holds the load pipe for its wait states too: the RA8D1's 8 flash
    /// wait cycles on the one weight `vldrb` of the loop make the load pipe the bound, 10 + 8.
    @Test func flashWaitStatesHoldTheLoadPipe() throws {
        let body = [DSPInstruction("vaddva.s8"), DSPInstruction("vldrb.u8", "sram"), DSPInstruction("vmladava.s8"),
                    DSPInstruction("vldrb.u8", "sram"), DSPInstruction("vmladava.s8"), DSPInstruction("vldrb.u8", "sram"),
                    DSPInstruction("vmladava.s8"), DSPInstruction("vldrb.u8", "sram"), DSPInstruction("vmladava.s8"),
                    DSPInstruction("vldrb.u8", "flash")]
        let model = try Self.pipes("ra8d1-cortex-m85")
        let waits = ["flash": 8]
        #expect(model.cycles(of: body + body, waitStates: waits) - model.cycles(of: body, waitStates: waits) == 18)
    }

    /// The wrappers with `ARM_MATH_MVEI`: the DS-CNN's strided conv through im2col, every 3×3
    /// depthwise through `arm_depthwise_conv_s8_opt` (the 3×3 path is compiled out), the 1×1
    /// convs and the dense layer through the matrix kernels.
    @Test(arguments: ["corstone300-cortex-m55", "ra8d1-cortex-m85"])
    func heliumDispatchesEachLayerByItsShape(target: String) throws {
        let paths = SoftwareStackCostTests.macKernels(try Self.program(target)).map(\.path)
        #expect(paths == [.convolveMVE] + Array(repeating: [S8KernelPath.depthwiseMVE, .convolve1x1MVE], count: 4).flatMap { $0 } + [.fullyConnectedMVE])
    }

    /// The RA8D1 declares its 32 KB data cache: the DS-CNN's 1×1 convs (64 × 64 weights, 4 KiB)
    /// read their weights from flash once, 128 line fills of 32 bytes, and from the cache in the
    /// loop (no flash wait states there); the M55 target declares no cache.
    @Test func cachedWeightsAreFilledOncePerLine() throws {
        let pointwise = try #require(SoftwareStackCostTests.macKernels(try Self.program("ra8d1-cortex-m85")).first { $0.path == .convolve1x1MVE })
        #expect(pointwise.outputChannels * pointwise.depth == 4096 && pointwise.weightsCached)
        let loops = pointwise.loops()
        let fill = try #require(loops.first { $0.name == "weight-fill" })
        #expect(fill.iterations == 128 && fill.body.map(\.memory) == ["flash"])
        let mac = try #require(loops.first { $0.name == "mac" })
        #expect(mac.body.allSatisfy { $0.memory != "flash" })
        let m55 = try #require(SoftwareStackCostTests.macKernels(try Self.program("corstone300-cortex-m55")).first { $0.path == .convolve1x1MVE })
        #expect(!m55.weightsCached && !m55.loops().contains { $0.name == "weight-fill" })
    }

    /// The reference stack on a Helium core still runs TFLite Micro's scalar loops.
    @Test func theReferenceStackIgnoresTheVectorExtension() throws {
        let target = try Self.target("corstone300-cortex-m55").selecting(stack: "tflm-reference")
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(try SoftwareStackCostTests.dscnn(), for: target)
        #expect(SoftwareStackCostTests.macKernels(program).allSatisfy { $0.path == .reference })
    }

    /// Every Helium path issues a MAC lane for every multiply-accumulate of a tap inside the input
    /// (a `vmladava` on int8 is 16 lanes, a `vmul.i32` 4; tail predication and padding only add).
    @Test func heliumLoopsIssueEveryMultiplyAccumulate() throws {
        let lanes = ["vmlava.s8": 16, "vmladava.s8": 16, "vmul.i32": 4]
        for kernel in SoftwareStackCostTests.macKernels(try Self.program("corstone300-cortex-m55")) {
            let issued = DSPLoop.instructionCounts(kernel.loops()).reduce(0) { $0 + (lanes[$1.key.name] ?? 0) * $1.value }
            let inBounds = kernel.layout.inBoundsTapCount(depth: kernel.depth, groups: kernel.groups) * kernel.outputsPerGroup
            #expect(issued >= inBounds, "\(kernel.name) (\(kernel.path)): \(issued) MAC lanes issued for \(inBounds) MACs")
        }
    }

    /// CMSIS-NN's MVE add works on four int32 lanes: its compiled loop (33 instructions, 23 of
    /// them on the integer pipe: 46 cycles) runs once per four elements. On the M55 the store and
    /// the next iteration's first load share the load/store pipe, so the first `vadd` waits 2
    /// cycles more: 48 cycles, 12 per element.
    @Test func theAddRunsItsVectorLoop() throws {
        let body = CMSISNNCompiledMVELoops.elementwiseAdd.vectorBody(weights: "sram", activations: "sram")
        #expect(Self.steady(try Self.pipes("corstone300-cortex-m55"), body) == 48)
    }

    /// The peak counts the vector unit: 16 int8 lanes every 2 cycles, 8 MACs (16 operations) per cycle.
    @Test func thePeakIsTheVectorUnits() throws {
        #expect(try Self.target("corstone300-cortex-m55").familyDetails.peakOperationsPerCycle == 16)
        #expect(try Self.target("stm32h743-cortex-m7").familyDetails.peakOperationsPerCycle == 4)
    }

    /// The Ethos-U systems' host is the Corstone-300 Cortex-M55.
    @Test func ethosUTargetsAreDrivenByTheCortexM55() throws {
        let ethos = BuiltInTargets.catalog.targets.filter { $0.family == "ethosU" }
        #expect(ethos.count == 7)
        #expect(ethos.allSatisfy { $0.host?.target == "corstone300-cortex-m55" })
    }

    /// `CMSISNNCompiledMVELoops.swift` is what `tools/validation/cmsis_nn_mve_loops.py` generated
    /// from its JSON: the same loops, mnemonic for mnemonic.
    @Test func compiledLoopsEqualTheToolsRecord() throws {
        let url = SoftwareStackCostTests.repository.appendingPathComponent("tools/validation/cmsis_nn_mve_loops.json")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let loops = try #require(record["loops"] as? [String: [String: Any]])
        let named = ["im2colMVE": CMSISNNCompiledMVELoops.im2col, "elementwiseAddMVE": CMSISNNCompiledMVELoops.elementwiseAdd,
                     "elementwiseMulMVE": CMSISNNCompiledMVELoops.elementwiseMul]
        #expect(loops.count == CMSISNNCompiledMVELoops.loops.count + named.count)
        for (name, loop) in loops {
            let path = S8KernelPath(rawValue: name)
            let table = try #require(named[name] ?? path.flatMap { CMSISNNCompiledMVELoops.loops[$0] }, "\(name)")
            #expect(table.mnemonics == loop["mnemonics"] as? [String], "\(name)")
            #expect(table.weightLoads == loop["weightLoads"] as? Int, "\(name)")
        }
    }
}
