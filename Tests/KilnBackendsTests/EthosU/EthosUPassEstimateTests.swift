import Foundation
import Testing
import KilnCompiler
import KilnConformance
import KilnTargets
@testable import KilnBackends

/// Kiln's block-config search and pass formulas against Vela 5.2's own Python functions
/// (`find_block_config`, `measure_cycle_cost`, `measure_element_access`), called by
/// `tools/vela/pass_estimates.py` on the same passes: the formulas are the same, so every
/// number must be equal.
@Suite struct EthosUPassEstimateTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/vela/passes.csv")
    /// Vela's accelerator name → the built-in target of that array.
    static let targets = ["ethos-u55-32": "ethos-u55-32-corstone300", "ethos-u55-64": "ethos-u55-64-corstone300", "ethos-u55-128": "ethos-u55-128-corstone300",
                          "ethos-u55-256": "ethos-u55-256-corstone300", "ethos-u65-256": "ethos-u65-256", "ethos-u65-512": "ethos-u65-512"]

    /// The rows of a CSV fixture (this suite's by default) keyed by its header.
    static func rows(of file: URL = fixture) throws -> [[String: String]] {
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    struct MissingColumn: Error { let key: String }

    static func pass(_ row: [String: String]) throws -> EthosUPass {
        func int(_ key: String) throws -> Int {
            guard let value = Int(row[key] ?? "") else { throw MissingColumn(key: key) }
            return value
        }
        func shape(_ prefix: String) throws -> FeatureMapShape {
            FeatureMapShape(batch: 1, height: try int("\(prefix)_h"), width: try int("\(prefix)_w"), depth: try int("\(prefix)_c"))
        }
        let kind = try #require(row["kind"])
        let blockType: EthosUBlockType = switch kind {
        case "convolution": .convolution
        case "depthwise": .depthwise
        case "vectorProduct": .vectorProduct
        case "averagePool", "maxPool": .pooling
        default: .elementwise
        }
        let output: EthosUOutputKind = switch kind {
        case "maxPool": .maxPool
        case "add": .addSubtract
        case "mul": .multiply
        default: .other
        }
        let format = { (name: String?) -> FeatureMapFormat in name == "nhwc" ? .nhwc : .brick16 }
        var pass = EthosUPass(blockType: blockType, outputKind: output, activation: row["activation"] == "relu" ? .clamp : .none,
                              ifm: try shape("ifm"), ofm: try shape("ofm"), ifmFormat: format(row["ifm_format"]), ofmFormat: format(row["ofm_format"]))
        if try int("ifm2_c") > 0 { pass.ifm2 = try shape("ifm2") }
        pass.kernelHeight = try int("kernel_h")
        pass.kernelWidth = try int("kernel_w")
        pass.strideHeight = try int("stride")
        pass.strideWidth = try int("stride")
        if [.convolution, .depthwise, .vectorProduct].contains(blockType) {
            pass.biasBytes = 4
            pass.weightCount = pass.kernelElements * (blockType == .depthwise ? 1 : pass.ifm.depth) * pass.ofm.depth
        }
        return pass
    }

    @Test func blockConfigsCyclesAndAccessesEqualVelas() throws {
        let rows = try Self.rows()
        #expect(rows.count == 100)
        for row in rows {
            let accelerator = try #require(row["accelerator"])
            let name = try #require(Self.targets[accelerator])
            let target = try #require(BuiltInTargets.catalog.target(named: name))
            let section = try #require(target.section(EthosUSection.self))
            let arena = try #require(target.memory.first { $0.name == section.arena.memory })
            let constants = try #require(target.memory.first { $0.name == section.constants.memory })
            let model = EthosUPerformance(section: section, arenaBytesPerCycle: arena.readBytesPerCycle.value,
                                          constantBytesPerCycle: constants.readBytesPerCycle.value, core: .python)
            let pass = try Self.pass(row)
            let place = "\(accelerator) \(row["kind"]!) \(row["ifm_h"]!)×\(row["ifm_w"]!)×\(row["ifm_c"]!) → \(row["ofm_h"]!)×\(row["ofm_w"]!)×\(row["ofm_c"]!)"
            let config = try #require(EthosUBlockConfig(for: pass, on: section, core: .python), "\(place)")
            #expect([config.ofmBlock.height, config.ofmBlock.width, config.ofmBlock.depth].map(String.init)
                    == [row["ofm_block_h"], row["ofm_block_w"], row["ofm_block_c"]], "OFM block of \(place)")
            #expect([config.ifmBlock.height, config.ifmBlock.width, config.ifmBlock.depth].map(String.init)
                    == [row["ifm_block_h"], row["ifm_block_w"], row["ifm_block_c"]], "IFM block of \(place)")
            #expect((config.isPartKernel ? "1" : "0") == row["part_kernel"], "traversal of \(place)")
            #expect(String(Int(model.cycles(pass, config: config))) == row["npu_cycles"], "NPU cycles of \(place)")
            let access = model.accesses(pass, config: config)
            #expect([access.ifmRead, access.ifm2Read, access.ofmWrite, access.weightRead, access.biasRead].map(String.init)
                    == [row["ifm_read"], row["ifm2_read"], row["ofm_write"], row["weight_read"], row["bias_read"]], "accesses of \(place)")
        }
    }
}
