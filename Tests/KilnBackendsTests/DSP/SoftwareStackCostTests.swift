import Foundation
import Testing
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// A target's software stack decides which kernel each layer runs and what the runtime adds per
/// operator: CMSIS-NN's wrapper dispatch by layer shape, TFLite Micro's reference loops, the
/// interpreter's dispatch against microTVM's generated calls.
@Suite struct SoftwareStackCostTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The DS-CNN-shaped ONNX Runtime QDQ model: a 10×4 strided conv, four 3×3 depthwise + 1×1
    /// pointwise pairs, global pooling and a dense layer.
    static func dscnn() throws -> Graph {
        try ONNXImporter().importGraph(contentsOf: repository.appendingPathComponent("examples/validation/dscnn_qdq.onnx"))
    }

    static func program(stack: String?) throws -> TargetProgram {
        var target = try #require(BuiltInTargets.catalog.target(named: "stm32l4r5-cortex-m4"))
        if let stack { target = try target.selecting(stack: stack) }
        return try Compiler(registry: try BuiltInBackends.registry()).compile(try dscnn(), for: target)
    }

    static func macKernels(_ program: TargetProgram) -> [S8MultiplyAccumulateKernel] {
        program.steps.compactMap { step in
            guard case .kernel(let kernel) = step else { return nil }
            return kernel.kernel as? S8MultiplyAccumulateKernel
        }
    }

    static func latency(_ program: TargetProgram) throws -> Double {
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        return try CostEstimator(compiler: compiler, catalog: BuiltInTargets.catalog).estimate(program).latencySeconds
    }

    @Test func cmsisNNDispatchesEachLayerByItsShape() throws {
        let paths = Self.macKernels(try Self.program(stack: nil)).map(\.path)
        #expect(paths == [.convolve] + Array(repeating: [S8KernelPath.depthwise3x3, .convolve1x1], count: 4).flatMap { $0 } + [.fullyConnected])
    }

    @Test func referenceKernelsRunOneScalarLoopForEveryLayer() throws {
        let kernels = Self.macKernels(try Self.program(stack: "tflm-reference"))
        #expect(kernels.count == 10)
        #expect(kernels.allSatisfy { $0.path == .reference })
    }

    /// `arm_depthwise_conv_3x3_s8`'s compiled loop (tools/validation/cmsis_nn_loops.json): 49
    /// instructions per window row of 4 channels; Kiln's body drops the closing `cmp`/`blt` (its loop
    /// control) and keeps 12 MAC instructions (3 taps × 4 channels), the 10 stack reloads in the
    /// activation level and 3 of the 6 other loads (the kernel rows) in the weight level.
    @Test func depthwise3x3RunsTheCompiledLoop() throws {
        let kernel = try #require(Self.macKernels(try Self.program(stack: nil)).first { $0.path == .depthwise3x3 })
        let body = try #require(kernel.loops().first { $0.name == "mac" }).body
        #expect(body.count == 47)
        #expect(body.filter { ["smlabb", "smlatt"].contains($0.mnemonic) }.count == 12)
        let loads = body.filter { $0.mnemonic == "ldr" }
        #expect(loads.count == 16)
        #expect(loads.filter { $0.memory == kernel.memory.weightLevel }.count == 3)
        #expect(kernel.memory.weightLevel == "flash" && kernel.memory.activationLevel == "sram")
    }

    /// Every path's loops perform the layer's MACs: the MAC lanes issued (SMLAD counts two) cover
    /// every multiply-accumulate of a tap inside the input (CMSIS-NN's 3×3 path skips padded taps).
    @Test(arguments: ["tflm-cmsis-nn", "tflm-cmsis-nn-2020", "tflm-reference"])
    func loopsIssueEveryMultiplyAccumulate(stack: String) throws {
        for kernel in Self.macKernels(try Self.program(stack: stack)) {
            let instructions = DSPLoop.instructionCounts(kernel.loops())
            let issued = 2 * (instructions[Instruction("smlad")] ?? 0) + (instructions[Instruction("mla")] ?? 0)
                + (instructions[Instruction("smlabb")] ?? 0) + (instructions[Instruction("smlatt")] ?? 0)
            let inBounds = kernel.layout.inBoundsTapCount(depth: kernel.depth, groups: kernel.groups) * kernel.outputsPerGroup
            #expect(issued >= inBounds, "\(kernel.name) (\(kernel.path)): \(issued) MAC lanes issued for \(inBounds) MACs")
        }
    }

    @Test func referenceKernelsAreSlowerThanCMSISNN() throws {
        let cmsis = try Self.latency(try Self.program(stack: "tflm-cmsis-nn"))
        let reference = try Self.latency(try Self.program(stack: "tflm-reference"))
        #expect(reference > 2 * cmsis, "reference \(reference) s, CMSIS-NN \(cmsis) s")
    }

    /// Same kernels, different runtime: the two latencies differ by exactly the dispatch difference
    /// (250 − 20 cycles) on every kernel step the core runs (its own and its host-partition nodes),
    /// at 120 MHz.
    @Test func interpreterDispatchIsChargedPerKernel() throws {
        let interpreted = try Self.program(stack: "tflm-cmsis-nn")
        let generated = try Self.program(stack: "microtvm-cmsis-nn")
        let steps = interpreted.steps.filter { if case .kernel = $0 { true } else { false } }.count
        let difference = try Self.latency(interpreted) - Self.latency(generated)
        #expect(abs(difference - Double(steps) * 230 / 120e6) < 1e-12, "\(difference) s over \(steps) kernels")
    }

    /// `CMSISNNCompiledLoops.swift` is what `tools/validation/cmsis_nn_loops.py` generated from its
    /// JSON files: the same loops, mnemonic for mnemonic, for today's clang build and the 2020 GCC
    /// build, and the 2020 build's compiled `arm_nn_requantize`.
    @Test(arguments: [("cmsis_nn_loops.json", false), ("cmsis_nn_loops_2020_gcc.json", true)])
    func compiledLoopsEqualTheToolsRecord(file: String, legacy: Bool) throws {
        let url = Self.repository.appendingPathComponent("tools/validation/\(file)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let loops = try #require(record["loops"] as? [String: [String: Any]])
        let tables = legacy ? CMSISNNCompiledLoops.loops2020 : CMSISNNCompiledLoops.loops
        #expect(loops.count == tables.count)
        for (name, loop) in loops {
            let path = try #require(S8KernelPath(rawValue: name))
            let table = try #require(tables[path])
            #expect(table.mnemonics == loop["mnemonics"] as? [String], "\(name)")
            #expect(table.iteration == loop["iteration"] as? String, "\(name)")
            #expect(table.taps == loop["taps"] as? Int, "\(name)")
            #expect(table.weightLoads == loop["weightLoads"] as? Int, "\(name)")
        }
        if legacy {
            #expect(CMSISNNCompiledLoops.requantize2020 == record["requantize"] as? [String])
            let call = try #require(record["im2colCall"] as? [String: Any])
            #expect(CMSISNNCompiledLoops.im2colCall2020 == call["call"] as? [String])
            #expect(CMSISNNCompiledLoops.im2colTail2020.mnemonics == call["tail"] as? [String])
            let positions = try #require(call["positions"] as? [String: [String]])
            #expect(positions.count == CMSISNNCompiledLoops.im2colPositions2020.count)
            for (name, words) in positions {
                #expect(CMSISNNCompiledLoops.im2colPositions2020[try #require(S8KernelPath(rawValue: name))] == words, "\(name)")
            }
        }
    }

    /// The 2020 kernels' im2col calls `arm_q7_to_q15_with_offset` once per kernel position (CMSIS_5
    /// 1150e71e `arm_convolve_s8`, `arm_depthwise_conv_s8_opt`): the DS-CNN's 10×4 conv over one
    /// input channel makes 40 calls per column, each the caller's 23 compiled instructions (the
    /// `memset` arm left out) and the fill's 25 outside its loops (a 7-register push and pop, the
    /// call and the return as taken branches), no block of 4 channels and one scalar channel. The
    /// 3×3 depthwise layers make 9 calls per position. Today's kernels keep one fill per column.
    @Test func im2col2020CallsTheFillPerKernelPosition() throws {
        let kernels = Self.macKernels(try Self.program(stack: "tflm-cmsis-nn-2020"))
        let conv = try #require(kernels.first { $0.path == .convolve })
        let loops = conv.loops()
        let call = try #require(loops.first { $0.name == "im2col-call" })
        #expect(call.iterations == conv.positions * 40 && call.entries == 1 && !call.loopControl)
        #expect(call.body.count == 23 + 25)
        #expect(call.body.filter { $0.mnemonic == "bne" }.count == 2)
        // 7 pushed and 7 popped registers, the caller's 1 spill and 6 reloads (and an `ldrsh`), the fill's literal.
        #expect(call.body.filter { $0.mnemonic == "str" }.count == 8 && call.body.filter { $0.mnemonic == "ldr" }.count == 14)
        #expect(try #require(loops.first { $0.name == "im2col" }).iterations == 0)
        let tail = try #require(loops.first { $0.name == "im2col-tail" })
        #expect(tail.iterations == 1 && tail.entries == conv.positions * 40)
        let depthwise = try #require(kernels.first { $0.path == .depthwiseOptimized })
        let fill = try #require(depthwise.loops().first { $0.name == "im2col" })
        #expect(fill.iterations == depthwise.outputChannels / 4 && fill.entries == depthwise.positions * 9)
        let today = try #require(Self.macKernels(try Self.program(stack: nil)).first { $0.path == .convolve })
        #expect(today.loops().filter { $0.name.hasPrefix("im2col") }.map(\.name) == ["im2col"])
    }

    /// TFLite Micro 2.3.1's kernels of 2020 (CMSIS_5 1150e71e) had no depthwise wrapper: the DS-CNN's
    /// 3×3 depthwise layers run `arm_depthwise_conv_s8_opt`; its 1×1 layers (stride 1, 64 channels)
    /// keep the 1×1 fast path.
    @Test func cmsisNN2020DispatchesAsTFLiteMicro231() throws {
        let paths = Self.macKernels(try Self.program(stack: "tflm-cmsis-nn-2020")).map(\.path)
        #expect(paths == [.convolve] + Array(repeating: [S8KernelPath.depthwiseOptimized, .convolve1x1], count: 4).flatMap { $0 } + [.fullyConnected])
    }

    /// The 2020 build's depthwise loop as GCC compiled it (tools/validation/cmsis_nn_loops_2020_gcc.json):
    /// 68 instructions per 2 taps of 4 channels; Kiln's body drops the closing `b` and the last
    /// `subs` (its loop control) and keeps the 4 SMLADs, the 18 stack reloads (2 of them `ldrh`) and 9 spills in the
    /// activation level, and 2 of the 6 other loads (the weights) in the weight level. Every output
    /// adds the compiled `arm_nn_requantize` (37 instructions, its literal-pool load from flash) where
    /// it runs alone (leftover channels); the tiles run the compiled code around the loop.
    @Test func depthwise2020RunsTheGCCLoop() throws {
        let kernel = try #require(Self.macKernels(try Self.program(stack: "tflm-cmsis-nn-2020")).first { $0.path == .depthwiseOptimized })
        let body = try #require(kernel.loops().first { $0.name == "mac" }).body
        #expect(body.count == 66)
        #expect(body.filter { $0.mnemonic == "smlad" }.count == 4)
        let loads = body.filter { $0.mnemonic == "ldr" }
        #expect(loads.count == 22)  // 16 stack reloads (2 more are ldrh) and the 6 other loads
        #expect(loads.filter { $0.memory == kernel.memory.weightLevel }.count == 2)
        #expect(body.filter { $0.mnemonic == "str" }.count == 9)
        #expect(kernel.outputStageInstructions.count == 37 + 5 + 1)
        // The code around the loop, once per 4 channels of a position: the 280 instructions of the
        // enclosing loop outside its nested loops, as compiled (no loop control of Kiln's own).
        let tile = try #require(kernel.loops().first { $0.name == "tile" })
        #expect(tile.body.count == 280 && CMSISNNCompiledLoops.tiles2020[.depthwiseOptimized]?.count == 280)
        #expect(tile.iterations == kernel.outputChannels / 4 * kernel.positions && !tile.loopControl)
        #expect(tile.body.filter { $0.mnemonic == "smlal" }.count == 4)  // four inlined requantizations
    }

    @Test func anUnknownStackIsAnErrorListingTheTargetsStacks() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "stm32l4r5-cortex-m4"))
        #expect(target.stack?.name == "tflm-cmsis-nn")
        do {
            _ = try target.selecting(stack: "cmsis")
            Issue.record("selected a stack the target does not have")
        } catch {
            let message = error.diagnostics.map(\.description).joined()
            #expect(message.contains("no software stack named 'cmsis'"))
            #expect(message.contains("tflm-cmsis-nn, microtvm-cmsis-nn, tflm-reference"))
            #expect(message.contains("stm32l4r5-cortex-m4.json"))
        }
    }
}
