import Foundation
import Testing
@testable import KilnBackends
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnTargets

/// User foldings (`--folding FILE`, FINN's folding-config JSON): the published BNN-PYNQ foldings
/// of LFC-W1A1 and CNV-W1A1 give FINN's own estimates (`Tests/Fixtures/finn/bnn_pynq_published.json`,
/// from `tools/finn/make_bnn_pynq_estimates.py` with finn-plus), and entries that do not apply are
/// located errors.
@Suite struct DataflowFoldingFileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let pynq = "pynq-z1-zynq7020-finn"
    static let compiler = Compiler(registry: try! BuiltInBackends.registry())

    static func settings(_ path: String) throws -> LayerSettingsFile {
        let bytes = try Data(contentsOf: root.appendingPathComponent(path))
        return LayerSettingsFile(file: path, document: try JSONParser().parse([UInt8](bytes), file: path))
    }

    static func settings(json: String) throws -> LayerSettingsFile {
        LayerSettingsFile(file: "folding.json", document: try JSONParser().parse(json, file: "folding.json"))
    }

    /// The plan of `graph` on the PYNQ-Z1 with a folding file.
    static func plan(_ graph: Graph, _ settings: LayerSettingsFile) throws -> DataflowFoldingPlan {
        let target = try #require(BuiltInTargets.catalog.target(named: pynq))
        let options = CompileOptions(layerSettings: settings)
        let adapted = try compiler.adapt(graph, for: target, options: options)
        return try #require(try DataflowBackend().plan(for: adapted, target: target, options: options) as? DataflowFoldingPlan)
    }

    @Test(arguments: ["lfc-w1a1", "cnv-w1a1"])
    func publishedFoldingsGiveFINNsEstimates(_ network: String) throws {
        let graph = network == "lfc-w1a1" ? try BinarizedNetworkModels.lfc() : try BinarizedNetworkModels.cnv()
        let settings = try Self.settings("examples/finn/\(network)_folding_config.json")
        let fixture = try JSONParser().parse([UInt8](Data(contentsOf: Self.root.appendingPathComponent("Tests/Fixtures/finn/bnn_pynq_published.json"))))
        let expected = try #require(fixture.objectValue?["networks"]?.objectValue?[network]?.objectValue)
        let layers = try #require(expected["layers"]?.arrayValue)
        let plan = try Self.plan(graph, settings)
        let matrix = plan.entries.filter { DataflowFoldingFile.engine(of: $0.stage) == .matrixVector }
        // Kiln runs the last layer (float logits) on the host; every other layer is an MVAU.
        #expect(matrix.count >= layers.count - 1)
        for (entry, layer) in zip(matrix, layers) {
            let finn = try #require(layer.objectValue?["finn"]?.objectValue)
            let mvau = try #require(entry.stage.engines(entry.folding).first { $0.name == "mvau" })
            let node = layer.objectValue?["node"]?.stringValue ?? "?"
            #expect(mvau.cycles == Int(finn["cycles"]?.integerValue ?? -1), "\(node) cycles")
            #expect(mvau.resources.blockRam18k == Int(finn["bram18"]?.integerValue ?? -1), "\(node) BRAM_18K")
            #expect(mvau.resources.lookupTables == Int(finn["luts"]?.integerValue ?? -1), "\(node) LUTs")
        }
        // The pipeline interval is FINN's max(get_exp_cycles): 512 (LFC), 32,768 (CNV).
        #expect(plan.intervalCycles == Int(expected["intervalCycles"]?.integerValue ?? -1))
        #expect(plan.intervalCycles == (network == "lfc-w1a1" ? 512 : 32768))
        #expect(plan.fits)
        if network == "lfc-w1a1" {
            // 44 + 57 + 57 BRAM_18K of the PYNQ-Z1's 280: 1-bit weights packed PE·SIMD wide.
            #expect(plan.resources.blockRam18k == 158)
        }
        // Compiled and costed, the accelerator interval is the plan's.
        let target = try #require(BuiltInTargets.catalog.target(named: Self.pynq))
        let program = try Self.compiler.compile(graph, for: target, options: CompileOptions(layerSettings: settings))
        let estimator = CostEstimator(compiler: Self.compiler, catalog: BuiltInTargets.catalog)
        #expect(try estimator.estimate(program).acceleratorTiming.intervalCycles == Double(plan.intervalCycles))
    }

    /// The small TFC (784-64-64-64-10) for the error cases.
    static let tfc = try! BinarizedNetworkModels.multilayerPerceptron([784, 64, 64, 64, 10], name: "tfc_w1a1")

    static func failure(_ json: String) throws -> Diagnostic {
        do {
            _ = try plan(tfc, try settings(json: json))
        } catch let error as DiagnosticError {
            return try #require(error.diagnostics.first)
        }
        Issue.record("no error for \(json)")
        return Diagnostic(.error, "")
    }

    @Test func aFoldingThatDoesNotDivideTheLayerIsALocatedError() throws {
        let pe = try Self.failure(#"{"MVAU_hls_1": {"PE": 48, "SIMD": 8}}"#)
        #expect(pe.location.file == "folding.json" && pe.location.place == "MVAU_hls_1.PE")
        #expect(pe.message.contains("PE 48 does not divide MH 64"))
        let simd = try Self.failure(#"{"MVAU_hls_0": {"PE": 16, "SIMD": 50}}"#)
        #expect(simd.location.place == "MVAU_hls_0.SIMD" && simd.message.contains("SIMD 50") && simd.message.contains("MW 784"))
    }

    @Test func unknownNamesAttributesAndValuesAreLocatedErrors() throws {
        let name = try Self.failure(#"{"MVAU_hsl_0": {"PE": 1}}"#)
        #expect(name.location.place == "MVAU_hsl_0" && name.message.contains("names no engine"))
        let attribute = try Self.failure(#"{"MVAU_hls_0": {"PEs": 2}}"#)
        #expect(attribute.location.place == "MVAU_hls_0.PEs" && attribute.message.contains("takes PE, SIMD"))
        let style = try Self.failure(#"{"MVAU_hls_0": {"ram_style": "bram"}}"#)
        #expect(style.location.place == "MVAU_hls_0.ram_style" && style.message.contains("\"block\""))
        let mode = try Self.failure(#"{"MVAU_hls_0": {"mem_mode": "external"}}"#)
        #expect(mode.message.contains("internal_decoupled"))
    }

    @Test func aFoldingThatDoesNotFitNamesTheFileAndTheBudget() throws {
        // UltraRAM weights on a Zynq-7000, which has none.
        let error = try Self.failure(#"{"MVAU_hls_1": {"PE": 8, "SIMD": 8, "ram_style": "ultra"}}"#)
        #expect(error.location.file == "folding.json")
        #expect(error.message.contains("does not fit pynq-z1-zynq7020-finn at the folding of folding.json") && error.message.contains("URAM 1 > 0"))
    }

    @Test func defaultsKilnLayerNamesAndAbsentEnginesFollowFINNsApplyConfig() throws {
        let target = try #require(BuiltInTargets.catalog.target(named: Self.pynq))
        let adapted = try Self.compiler.adapt(Self.tfc, for: target)
        let layers = DataflowFoldingPlan.stages(of: adapted, target: target).map(\.layer)
        #expect(layers.count == 3)
        let json = #"{"Defaults": {"PE": [2, ["MVAU_hls"]], "resType": ["dsp", "all"]}, "\#(layers[1])": {"SIMD": 16}, "LabelSelect_hls_0": {"PE": 1}}"#
        let plan = try Self.plan(Self.tfc, try Self.settings(json: json))
        let foldings = plan.entries.map(\.folding)
        #expect(foldings[0] == DataflowFolding(processingElements: 2, simdLanes: 1, multipliers: .dspSlices))
        #expect(foldings[1] == DataflowFolding(processingElements: 2, simdLanes: 16, multipliers: .dspSlices))
        #expect(plan.intervalCycles == 32 * 784)
    }
}
