import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// ONNX Runtime's generic QLinearConv path: which layers take it (MLAS's symmetric convolution's
/// channel alignment, `core/mlas/lib/convsym.cpp`) and what its im2col copies cost on the Zen 4
/// target, whose MLAS stack gives `im2colRowCycles` measured by tools/validation/time_ort.py.
@Suite struct SIMDGenericConvolutionPathTests {
    static func nest(channels: Int, outputs: Int, kernel: Int, groups: Int = 1) -> SIMDGEMMLoopNest {
        SIMDGEMMLoopNest(runs: groups, rows: 64, columns: outputs / groups, depth: kernel * kernel * channels / groups,
                         paddedDepth: (kernel * kernel * channels / groups + 3) / 4 * 4, pairedWeights: true, inputBytes: 0,
                         outputBytes: 0, weightBytes: 0, packsActivations: true, channelsPerGroup: channels / groups, groups: groups,
                         kernelHeight: kernel, kernelWidth: kernel)
    }

    /// The int8 ResNet-8 of the validation table compiled for `target`.
    static func resNet8(on target: TargetDescription) throws -> TargetProgram {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let graph = try ONNXImporter().importGraph(contentsOf: root.appendingPathComponent("examples/validation/resnet8_qdq.onnx"))
        return try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
    }

    @Test func mlasSymmetricConvolutionTakesAlignedLayersOnly() {
        let generic = SIMDCycleModel.takesGenericConvolutionPath
        #expect(generic(Self.nest(channels: 3, outputs: 16, kernel: 3), 512))     // input channels not a multiple of 4
        #expect(!generic(Self.nest(channels: 16, outputs: 16, kernel: 3), 512))
        #expect(generic(Self.nest(channels: 16, outputs: 8, kernel: 3), 512))     // fewer than 16 outputs
        #expect(!generic(Self.nest(channels: 16, outputs: 20, kernel: 3), 512))   // AVX-512: outputs a multiple of 4
        #expect(generic(Self.nest(channels: 16, outputs: 20, kernel: 3), 256))    // AVX2: a multiple of 8
        #expect(generic(Self.nest(channels: 32, outputs: 32, kernel: 3, groups: 2), 512))
        #expect(!generic(Self.nest(channels: 32, outputs: 32, kernel: 3, groups: 32), 512)) // depthwise: its own kernel
        #expect(!generic(Self.nest(channels: 3, outputs: 16, kernel: 1), 512))    // 1×1: read in place, no im2col
    }

    /// ResNet-8's first layer (3 input channels, 3×3, 32×32 output) pays 1024 pixels × 3 kernel
    /// rows × the stack's figure, split over the target's 2 cores; its 16-channel layers nothing.
    @Test func firstLayerOfResNet8PaysItsIm2colRows() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx512-zen4-epyc-kvm"))
        let row = try #require(target.stack?.im2colRowCycles?.value)
        let model = SIMDCycleModel(target: target)
        let scheme = try #require(model.scheme)
        let program = try Self.resNet8(on: target)
        var charged: [Double] = []
        for case .kernel(let step) in program.steps {
            guard let convolution = step.kernel as? SIMDConvolutionKernel else { continue }
            charged.append(model.genericConvolutionCycles(convolution.loopNest, scheme: scheme, threads: model.gemmThreads(convolution.loopNest)))
        }
        #expect(charged.count == 9)
        #expect(charged.first == 1024 * 3 * row / 2)
        #expect(charged.dropFirst().allSatisfy { $0 == 0 })
    }

    /// The symmetric path's indirection: every other 3×3 layer of ResNet-8 pays its output pixels ×
    /// 9 taps × the stack's `indirectionTapCycles` (2.35 on the Zen 4 target), split over its GEMM
    /// threads; the 1×1 shortcuts (read directly) and the generic first layer pay none.
    @Test func symmetricLayersPayTheirIndirectionTaps() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx512-zen4-epyc-kvm"))
        #expect(target.stack?.indirectionTapCycles?.value == 2.35)
        let model = SIMDCycleModel(target: target)
        let scheme = try #require(model.scheme)
        let program = try Self.resNet8(on: target)
        var charged: [(pixels: Int, taps: Int, threads: Int, cycles: Double)] = []
        for case .kernel(let step) in program.steps {
            guard let convolution = step.kernel as? SIMDConvolutionKernel else { continue }
            let nest = convolution.loopNest, threads = model.gemmThreads(nest)
            charged.append((nest.rows, nest.kernelHeight * nest.kernelWidth, threads, model.indirectionCycles(nest, scheme: scheme, threads: threads)))
        }
        #expect(charged.count == 9)
        #expect(charged[0].cycles == 0)   // generic path
        for layer in charged.dropFirst() {
            let expected = layer.taps == 1 ? 0 : Double(layer.pixels * layer.taps) * 2.35 / Double(layer.threads)
            #expect(abs(layer.cycles - expected) < 1e-9)
        }
        #expect(charged.filter { $0.cycles > 0 }.count == 6)
        #expect(charged.contains { $0.pixels == 1024 && $0.taps == 9 && $0.cycles == 1024 * 9 * 2.35 / Double($0.threads) })
    }
}

/// ONNX Runtime's MLAS gives a GEMM one thread per `MLAS_QGEMM_THREAD_COMPLEXITY` (65,536)
/// multiply-accumulates, up to the pool's size: a transformer's small projections run on one core
/// of a 56-core Xeon, not on all of them.
@Suite struct GEMMThreadCountTests {
    @Test func mlasStartsAThreadPer65536MultiplyAccumulates() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-amx-avx512-sapphire-rapids"))
        let stack = try #require(target.stack)
        #expect(stack.multiplyAccumulatesPerThread?.value == 65_536)
        #expect(stack.gemmThreads(multiplyAccumulates: 32_768, cores: 56) == 1)
        #expect(stack.gemmThreads(multiplyAccumulates: 65_536, cores: 56) == 2)
        #expect(stack.gemmThreads(multiplyAccumulates: 200_000, cores: 56) == 4)
        #expect(stack.gemmThreads(multiplyAccumulates: 100_000_000, cores: 56) == 56)
        // A 128 × 64 × 64 projection (524,288 MACs) splits over 9 threads, not 56.
        let nest = SIMDGEMMLoopNest(runs: 1, rows: 128, columns: 64, depth: 64, paddedDepth: 64, pairedWeights: true, inputBytes: 0,
                                    outputBytes: 0, weightBytes: 0, packsActivations: true, channelsPerGroup: 64, groups: 1,
                                    kernelHeight: 1, kernelWidth: 1)
        #expect(SIMDCycleModel(target: target).gemmThreads(nest) == 9)
    }
}

/// MLAS's AVX-512 VNNI QGEMM on one row (`ProcessCountM 1`): 48/32/16-column blocks whose
/// accumulators wait on the dot product's latency at every 4-deep step.
@Suite struct MLASOneRowGEMMTests {
    static func nest(rows: Int, columns: Int, depth: Int) -> SIMDGEMMLoopNest {
        SIMDGEMMLoopNest(runs: 1, rows: rows, columns: columns, depth: depth, paddedDepth: (depth + 3) / 4 * 4, pairedWeights: true,
                         inputBytes: 0, outputBytes: 0, weightBytes: 0, packsActivations: false)
    }

    @Test func blocksOfFortyEightColumnsWaitOnTheLatency() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: "x86-avx512-zen4-epyc-kvm"))
        let model = SIMDCycleModel(target: target)
        let scheme = try #require(model.scheme)
        // 128 columns: blocks of 48, 48, 32; 32 steps of max(3 / 1, 4, 196 / 64) = 4 cycles each.
        let square = try #require(model.oneRowGEMVCycles(Self.nest(rows: 1, columns: 128, depth: 128), scheme: scheme))
        #expect(abs(square - 3 * 32 * 4) < 1e-9, "\(square)")
        // 640 columns: thirteen 48-column blocks and one of 16; a 640-deep reduction is 160 steps.
        let wide = try #require(model.oneRowGEMVCycles(Self.nest(rows: 1, columns: 640, depth: 640), scheme: scheme))
        #expect(abs(wide - 14 * 160 * 4) < 1e-9, "\(wide)")
        // 8 columns, 10-deep: one block, 3 steps.
        let narrow = try #require(model.oneRowGEMVCycles(Self.nest(rows: 1, columns: 8, depth: 10), scheme: scheme))
        #expect(abs(narrow - 3 * 4) < 1e-9, "\(narrow)")
        // More rows, or another kernel library, keep the scheme's tile.
        #expect(model.oneRowGEMVCycles(Self.nest(rows: 2, columns: 128, depth: 128), scheme: scheme) == nil)
        let zen3 = try #require(BuiltInTargets.catalog.target(named: "x86-avx2-zen3-epyc-kvm"))
        let zen3Model = SIMDCycleModel(target: zen3)
        #expect(zen3Model.oneRowGEMVCycles(Self.nest(rows: 1, columns: 128, depth: 128), scheme: try #require(zen3Model.scheme)) == nil)
    }
}
