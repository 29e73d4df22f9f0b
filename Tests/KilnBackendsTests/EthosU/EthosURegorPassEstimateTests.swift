import Foundation
import Testing
import KilnTargets
@testable import KilnBackends

/// Kiln's block-config search and MAC-pass formulas against Vela 5.2's default core, on one
/// convolution per model over IFM depths 8 to 48 (3×3, 1×1 and depthwise 3×3) and every
/// accelerator: `tools/vela/ifm_depth_passes.py` compiles each with `vela --enable-debug-db`,
/// whose database records the traversal, the IFM and OFM blocks and the components of
/// `EstimateMacOpCycles` (`Tests/Fixtures/vela/regor_passes.csv`).
@Suite struct EthosURegorPassEstimateTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/vela/regor_passes.csv")

    /// The pass of a fixture row: a convolution or depthwise convolution with bias and ReLU, its
    /// weights buffered in SRAM when Vela buffered them (which sets the scale fetch's latency).
    static func pass(_ row: [String: String]) throws -> EthosUPass {
        func int(_ key: String) throws -> Int {
            guard let value = Int(row[key] ?? "") else { throw EthosUPassEstimateTests.MissingColumn(key: key) }
            return value
        }
        func shape(_ prefix: String) throws -> FeatureMapShape {
            FeatureMapShape(batch: 1, height: try int("\(prefix)_h"), width: try int("\(prefix)_w"), depth: try int("\(prefix)_c"))
        }
        let depthwise = row["model"]?.hasPrefix("dwconv") == true
        let format = { (name: String?) -> FeatureMapFormat in name == "NHWC" ? .nhwc : .brick16 }
        var pass = EthosUPass(blockType: depthwise ? .depthwise : .convolution, outputKind: .other, activation: .clamp,
                              ifm: try shape("ifm_shape"), ofm: try shape("ofm_shape"),
                              ifmFormat: format(row["ifm_format"]), ofmFormat: format(row["ofm_format"]))
        pass.kernelHeight = try int("kernel_size_y")
        pass.kernelWidth = try int("kernel_size_x")
        pass.strideHeight = try int("kernel_stride_y")
        pass.strideWidth = pass.strideHeight
        pass.biasBytes = 4
        pass.weightCount = pass.kernelElements * (depthwise ? 1 : pass.ifm.depth) * pass.ofm.depth
        pass.weightStaging = row["weight_buffering"] != "" ? .staged(EthosUStagedWeights()) : .inPlace
        return pass
    }

    /// Traversal and blocks equal Vela's on every row; so do the MAC cycles (per block × blocks +
    /// one block's output stage), the output-stage cycles (per block × blocks + one block's MAC
    /// cycles) and the command issue limit. Where the weights are read in place the pass's NPU
    /// cycles are `EstimateMacOpCycles` on its own and equal Vela's too; buffered weights add
    /// their transfer (``EthosUWeightBuffering``), which this suite does not check.
    @Test func traversalBlocksAndCyclesEqualTheDefaultCores() throws {
        let rows = try EthosUPassEstimateTests.rows(of: Self.fixture)
        #expect(rows.count == 126)
        var inPlace = 0
        for row in rows {
            let accelerator = try #require(row["accelerator"])
            let name = try #require(EthosUPassEstimateTests.targets[accelerator])
            let target = try #require(BuiltInTargets.catalog.target(named: name))
            let section = try #require(target.section(EthosUSection.self))
            let arena = try #require(target.memory.first { $0.name == section.arena.memory })
            let constants = try #require(target.memory.first { $0.name == section.constants.memory })
            let model = EthosUPerformance(section: section, arenaBytesPerCycle: arena.readBytesPerCycle.value,
                                          constantBytesPerCycle: constants.readBytesPerCycle.value, core: .regor)
            let pass = try Self.pass(row)
            let place = "\(row["model"]!) on \(accelerator)"
            let config = try #require(EthosUBlockConfig(for: pass, on: section, core: .regor), "\(place)")
            let traversal = pass.blockType == .depthwise ? "Depthwise" : config.isPartKernel ? "PartKernel" : "DepthFirst"
            #expect(traversal == row["traversal"], "traversal of \(place)")
            #expect([config.ofmBlock.height, config.ofmBlock.width, config.ofmBlock.depth].map(String.init)
                    == [row["ofm_block_h"], row["ofm_block_w"], row["ofm_block_c"]], "OFM block of \(place)")
            #expect([config.ifmBlock.height, config.ifmBlock.width, config.ifmBlock.depth].map(String.init)
                    == [row["ifm_block_h"], row["ifm_block_w"], row["ifm_block_c"]], "IFM block of \(place)")

            let ofmBlock = pass.ofm.clamped(to: config.ofmBlock)
            let ublock = model.microBlock(pass)
            let blocks = Double(pass.ofm.blocks(of: ublock).elements) / Double(ofmBlock.blocks(of: ublock).elements)
            let mac = model.macCyclesPerBlock(pass, config: config, ofmBlock: ofmBlock, ublock: ublock)
            let output = model.outputBlockCycles(pass, config: config, ofmBlock: ofmBlock)
            let outputCompute = (model.outputStageCyclesPerElement(pass) * Double(ofmBlock.elements)).rounded(.up)
            let transfers = model.regorMinimumBlockTransferCycles(pass, config: config)
            let memory = blocks > 1 ? abs(transfers.ofm - transfers.ifm) : 0
            #expect(String(Int(mac * blocks + output)) == row["mac_cycles"], "MAC cycles of \(place)")
            #expect(String(Int(outputCompute * blocks + mac)) == row["ao_cycles"], "output-stage cycles of \(place)")
            #expect(String(Int((Double(memory) + mac + output) / 4)) == row["cmd_cycles"], "command issue limit of \(place)")
            if row["weight_buffering"] == "" {
                inPlace += 1
                #expect(String(Int(model.regorMacOpCycles(pass, config: config))) == row["npu_cycles"], "NPU cycles of \(place)")
            }
        }
        #expect(inPlace == 32)
    }
}
