import KilnCompiler
import KilnDiagnostics
import KilnJSON
import KilnTargets

/// `kiln simulate WORKLOAD --target T` for a workload format a family contributes: the family's
/// estimate of every layer, printed as a table, CSV, JSON or one of the format's own reports.
///
/// A workload is shapes only, so this path is cost only. `--target` names a target, a target
/// description file, or a configuration in the format's own syntax.
enum WorkloadSimulation {
    static func run(_ format: any WorkloadFormat, _ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        guard let targetArgument = arguments.values("--target").last else { throw UsageError("missing --target NAME|FILE") }
        if arguments.value("--input") != nil || arguments.value("--labels") != nil || arguments.value("--output") != nil
            || arguments.value("--output-dir") != nil {
            throw UsageError("a \(format.name) has shapes only: --input, --labels, --output and --output-dir do not apply")
        }
        let target: TargetDescription
        if format.reads(targetAt: targetArgument) {
            target = try context.registry.targetLoader().load(bytes: try format.targetDescription(at: targetArgument), file: targetArgument)
        } else {
            target = try context.requiredTarget(arguments)
        }
        let variant = format.variantOption.flatMap { arguments.value($0.name) }
        let estimate = try format.estimate(workloadAt: arguments.positionals[0], variant: variant, target: target)
        let output = arguments.value("--format") ?? "table"
        if let report = estimate.reports[output] {
            context.console.print(report)
            return .success
        }
        var table = TextTable(estimate.columns.map { ($0.title, $0.leftAligned ? .left : .right) })
        for row in estimate.rows { table.append(row) }
        switch output {
        case "json": context.console.print(JSONWriter().write(estimate.json))
        case "csv": context.console.print(table.csv())
        default: context.console.print(table.rendered())
        }
        return .success
    }
}
