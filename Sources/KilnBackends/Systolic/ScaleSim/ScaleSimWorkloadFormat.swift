import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnJSON
import KilnTargets

/// SCALE-Sim's inputs and report as a workload format of the `systolic` family: a topology CSV
/// (`conv` or `gemm` rows) estimated layer by layer with Kiln's reproduction of SCALE-Sim
/// (``SystolicArrayModel``), on a systolic target or a SCALE-Sim `.cfg` configuration; the
/// `scalesim` report is SCALE-Sim's `COMPUTE_REPORT.csv` (``SystolicComputeReport``).
struct ScaleSimWorkloadFormat: WorkloadFormat {
    var name: String { "SCALE-Sim topology CSV" }
    var help: String {
        """
        MODEL may be a SCALE-Sim topology CSV and T a SCALE-Sim .cfg: then Kiln's systolic-array
        model reports SCALE-Sim's per-layer numbers; --format scalesim writes COMPUTE_REPORT.csv rows.
        """
    }
    var variantOption: WorkloadVariantOption? {
        WorkloadVariantOption(name: "--topology-format", choices: ["conv", "gemm"], help: "for a SCALE-Sim topology CSV: conv (default) or gemm")
    }
    var reportFormats: [String] { ["scalesim"] }

    func reads(workloadAt path: String) -> Bool { path.lowercased().hasSuffix(".csv") }
    func reads(targetAt path: String) -> Bool { path.lowercased().hasSuffix(".cfg") }

    func targetDescription(at path: String) throws(DiagnosticError) -> [UInt8] {
        Array(try ScaleSimConfigReader().read(contentsOf: path).targetDescriptionJSON(sourceFile: path).utf8)
    }

    func estimate(workloadAt path: String, variant: String?, target: TargetDescription) throws(DiagnosticError) -> WorkloadEstimate {
        let shapes = try ScaleSimTopologyReader(format: variant == "gemm" ? .gemm : .conv).read(contentsOf: path)
        guard let systolic = target.section(SystolicSection.self) else {
            throw DiagnosticError(.error("a SCALE-Sim topology needs a systolic-array target (family systolic); \(target.name) is \(target.family)",
                                         file: target.file))
        }
        let layers = shapes.map(\.layer)
        let estimates: [SystolicLayerEstimate]
        do { estimates = try SystolicArrayModel(configuration: SystolicArrayConfiguration(systolic)).estimate(layers) } catch { throw error.inFile(path) }
        return WorkloadEstimate(columns: Self.columns, rows: estimates.map(Self.row), json: Self.json(estimates, target: target),
                                reports: ["scalesim": SystolicComputeReport().render(estimates)])
    }

    static let columns: [(title: String, leftAligned: Bool)] = [
        ("LAYER", true), ("CYCLES", false), ("STALLS", false), ("MAPPING", false), ("COMPUTE UTIL", false),
        ("MACS", false), ("IFMAP SRAM R", false), ("FILTER SRAM R", false), ("OFMAP SRAM W", false),
    ]

    static func row(_ estimate: SystolicLayerEstimate) -> [String] {
        [estimate.layerName, "\(estimate.totalCycles)", "\(estimate.stallCycles)",
         String(format: "%.2f%%", estimate.mappingEfficiencyPercent), String(format: "%.2f%%", estimate.computeUtilizationPercent),
         "\(estimate.multiplyAccumulates)", "\(estimate.ifmapSramReads)", "\(estimate.filterSramReads)", "\(estimate.ofmapSramWrites)"]
    }

    static func json(_ estimates: [SystolicLayerEstimate], target: TargetDescription) -> JSONValue {
        let rows = estimates.map { estimate -> JSONValue in
            .object(JSONObject([
                ("layer", .string(estimate.layerName)),
                ("totalCyclesIncludingPrefetch", .integer(Int64(estimate.totalCyclesIncludingPrefetch))),
                ("totalCycles", .integer(Int64(estimate.totalCycles))),
                ("stallCycles", .integer(Int64(estimate.stallCycles))),
                ("overallUtilizationPercent", .number(estimate.overallUtilizationPercent)),
                ("mappingEfficiencyPercent", .number(estimate.mappingEfficiencyPercent)),
                ("computeUtilizationPercent", .number(estimate.computeUtilizationPercent)),
                ("multiplyAccumulates", .integer(Int64(estimate.multiplyAccumulates))),
                ("ifmapSramReads", .integer(Int64(estimate.ifmapSramReads))),
                ("filterSramReads", .integer(Int64(estimate.filterSramReads))),
                ("ofmapSramWrites", .integer(Int64(estimate.ofmapSramWrites))),
                ("ifmapDramReads", .integer(Int64(estimate.ifmapDramReads))),
                ("filterDramReads", .integer(Int64(estimate.filterDramReads))),
                ("ofmapDramWrites", .integer(Int64(estimate.ofmapDramWrites))),
                ("memoryModelExact", .bool(estimate.isMemoryModelExact)),
            ]))
        }
        return .object(JSONObject([("target", .string(target.name)), ("layers", .array(rows))]))
    }
}
