import KilnBackends
import KilnDiagnostics
import KilnJSON
import KilnModelIO
import KilnTargets

/// `kiln simulate TOPOLOGY.csv --target CONFIG.cfg|T`: SCALE-Sim's inputs, Kiln's analytic
/// systolic-array model, and SCALE-Sim's `COMPUTE_REPORT.csv` layout (`--format scalesim`).
///
/// The topology is shapes only, so this path is cost only. The target is a SCALE-Sim `.cfg` file
/// or any target description of the `fpga` family with `architecture: systolic`.
enum ScaleSimSimulation {
    static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        let topologyPath = arguments.positionals[0]
        guard let targetArgument = arguments.values("--target").last else { throw UsageError("missing --target CONFIG.cfg|NAME") }
        if arguments.value("--input") != nil || arguments.value("--labels") != nil || arguments.value("--output") != nil {
            throw UsageError("a SCALE-Sim topology has shapes only: --input, --labels and --output do not apply")
        }
        let format: ScaleSimTopologyReader.Format = arguments.value("--topology-format") == "gemm" ? .gemm : .conv
        let shapes = try ScaleSimTopologyReader(format: format).read(contentsOf: topologyPath)
        let target: TargetDescription
        if targetArgument.lowercased().hasSuffix(".cfg") {
            let config = try ScaleSimConfigReader().read(contentsOf: targetArgument)
            let json = config.targetDescriptionJSON(sourceFile: targetArgument)
            target = try TargetLoader(families: context.targetFamilies).load(bytes: Array(json.utf8), file: targetArgument)
        } else {
            target = try context.requiredTarget(arguments)
        }
        guard let systolic = target.fpga?.systolic else {
            throw DiagnosticError(.error("a SCALE-Sim topology needs a systolic-array target (fpga, architecture systolic); \(target.name) is \(target.family)",
                                         file: target.file))
        }
        let layers = shapes.map { shape in
            SystolicLayer(name: shape.name, ifmapHeight: shape.ifmapHeight, ifmapWidth: shape.ifmapWidth,
                          filterHeight: shape.filterHeight, filterWidth: shape.filterWidth, channels: shape.channels,
                          filterCount: shape.filterCount, strideHeight: shape.strideHeight, strideWidth: shape.strideWidth)
        }
        let estimates: [SystolicLayerEstimate]
        do { estimates = try SystolicArrayModel(configuration: SystolicArrayConfiguration(systolic)).estimate(layers) } catch { throw error.inFile(topologyPath) }
        switch arguments.value("--format") {
        case "scalesim":
            context.console.print(SystolicComputeReport().render(estimates))
        case "json":
            context.console.print(json(estimates, target: target))
        case "csv":
            context.console.print(table(estimates).csv())
        default:
            context.console.print(table(estimates).rendered())
        }
        return .success
    }

    static func table(_ estimates: [SystolicLayerEstimate]) -> TextTable {
        var table = TextTable([("LAYER", .left), ("CYCLES", .right), ("STALLS", .right), ("MAPPING", .right), ("COMPUTE UTIL", .right),
                               ("MACS", .right), ("IFMAP SRAM R", .right), ("FILTER SRAM R", .right), ("OFMAP SRAM W", .right)])
        for estimate in estimates {
            table.append([estimate.layerName, "\(estimate.totalCycles)", "\(estimate.stallCycles)",
                          String(format: "%.2f%%", estimate.mappingEfficiencyPercent), String(format: "%.2f%%", estimate.computeUtilizationPercent),
                          "\(estimate.multiplyAccumulates)", "\(estimate.ifmapSramReads)", "\(estimate.filterSramReads)", "\(estimate.ofmapSramWrites)"])
        }
        return table
    }

    static func json(_ estimates: [SystolicLayerEstimate], target: TargetDescription) -> String {
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
        return JSONWriter().write(.object(JSONObject([("target", .string(target.name)), ("layers", .array(rows))])))
    }
}
