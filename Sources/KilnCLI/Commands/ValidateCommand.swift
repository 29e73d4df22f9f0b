import Foundation
import KilnDiagnostics
import KilnEvaluation
import KilnJSON

/// `kiln validate [TABLE]`: Kiln's predicted latency beside measured latencies (published
/// measurements and ONNX Runtime timed on a named machine), with the error per row and per stack.
struct ValidateCommand: Command {
    let name = "validate"
    let summary = "Compare predicted latency with measurements on real hardware"
    let usage = "validate [TABLE] [--format table|json|csv] [--markdown FILE] [--target-dir DIR] [--target FILE]"
    let discussion = """
    TABLE is a measurement table (default examples/validation/measurements.json): each row names a
    model file (relative to the table, or absolute), a target, the software stack that ran it, the measured
    seconds per inference and its source. A row with "targetStack" is predicted with that software
    stack of the target (kiln targets show T lists them), else with its default stack. A row with
    "cores" is predicted on the target with that many cores (a one-thread measurement). A row with
    "folding" builds the dataflow design with that folding file (relative to the table); a row with
    "acceleratorCallInferences": N was timed as one accelerator call over N inferences divided by N
    (host steps untimed): the prediction is the first inference's accelerator latency and transfers
    plus N - 1 accelerator intervals, over N.
    Error is predicted / measured - 1.
    --markdown FILE also writes the page docs/validation.md is (kiln validate --markdown docs/validation.md).
    """
    let options: [OptionSpecification] = [
        .format(["table", "json", "csv"]),
        OptionSpecification("--markdown", valueName: "FILE", help: "also write the table as Markdown to FILE"),
    ] + targetCatalogOptions

    /// The table `kiln validate` reads without an argument.
    static let defaultTable = "examples/validation/measurements.json"

    func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitCode {
        try arguments.expectPositionals(0...1, names: "TABLE")
        let path = arguments.positionals.first ?? Self.defaultTable
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiagnosticError(.error("cannot read the measurement table (run from the repository root, or name the table)", file: path))
        }
        let table = try ValidationTable.decode([UInt8](data), file: path)
        let catalog = try context.targetCatalog(arguments)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let validation = try Validation.run(table, evaluation: context.evaluation(catalog), catalog: catalog) { model throws(DiagnosticError) in
            try ModelLoader.load(model.hasPrefix("/") ? model : directory.appendingPathComponent(model).path)
        } loadFolding: { folding throws(DiagnosticError) in
            let path = folding.hasPrefix("/") ? folding : directory.appendingPathComponent(folding).path
            guard let settings = try EvaluationFiles.layerSettings(path) else { throw DiagnosticError(.error("cannot read the folding file", file: path)) }
            return settings
        }
        if let markdown = arguments.value("--markdown") {
            let command = "kiln validate \(path) --markdown \(markdown)"
            do {
                try validation.markdown(command: command).write(toFile: markdown, atomically: true, encoding: .utf8)
            } catch {
                throw DiagnosticError(.error("cannot write: \(error.localizedDescription)", file: markdown))
            }
        }
        switch arguments.value("--format") {
        case "json": context.console.print(Self.json(validation))
        case "csv": context.console.print(Self.table(validation, raw: true).csv())
        default:
            var lines = [Self.table(validation, raw: false).rendered(), ""]
            for summary in validation.stacks {
                lines.append("\(summary.stack) on \(summary.target): \(summary.count) rows, median |error| \(Self.percent(summary.medianAbsoluteError, signed: false)), "
                    + "worst \(Self.percent(summary.worstError, signed: true)), within ±10 % \(Self.percent(summary.withinTenPercent, signed: false)), "
                    + "within ±25 % \(Self.percent(summary.withinTwentyFivePercent, signed: false))"
                    + (summary.medianAbsoluteEnergyError.map { ", median |energy error| \(Self.percent($0, signed: false))" } ?? ""))
            }
            context.console.print(lines.joined(separator: "\n"))
        }
        return .success
    }

    static func percent(_ value: Double, signed: Bool) -> String { String(format: signed ? "%+.1f%%" : "%.1f%%", value * 100) }

    /// One row per measurement: raw seconds and error (a fraction) for CSV, else readable units.
    static func table(_ validation: Validation, raw: Bool) -> TextTable {
        var table = TextTable([("MODEL", .left), ("TARGET", .left), ("CORES", .right), ("STACK", .left), ("MEASURED_S", .right),
                               ("PREDICTED_S", .right), ("ERROR", .right), ("MEASURED_J", .right), ("PREDICTED_J", .right),
                               ("ENERGY_ERROR", .right), ("HOST_NODES", .right)])
        for row in validation.rows {
            let m = row.measurement
            let figures = raw ? [JSONWriter.format(m.measuredSeconds), JSONWriter.format(row.predictedSeconds), JSONWriter.format(row.error),
                                 m.measuredJoules.map(JSONWriter.format) ?? "", JSONWriter.format(row.predictedJoules), row.energyError.map(JSONWriter.format) ?? ""]
                              : [Units.seconds(m.measuredSeconds), Units.seconds(row.predictedSeconds), percent(row.error, signed: true),
                                 m.measuredJoules.map(Units.joules) ?? "—", Units.joules(row.predictedJoules), row.energyError.map { percent($0, signed: true) } ?? "—"]
            table.append([m.model, m.target, m.cores.map(String.init) ?? "all", m.stack] + figures + ["\(row.hostNodes)"])
        }
        return table
    }

    static func json(_ validation: Validation) -> String {
        let rows = validation.rows.map { row -> JSONValue in
            let m = row.measurement
            return .object(JSONObject([
                ("model", .string(m.model)), ("target", .string(m.target)), ("cores", m.cores.map { .integer(Int64($0)) } ?? .null),
                ("stack", .string(m.stack)), ("targetStack", row.predictedStack.map(JSONValue.string) ?? .null), ("measuredSeconds", .number(m.measuredSeconds)), ("predictedSeconds", .number(row.predictedSeconds)),
                ("error", .number(row.error)), ("measuredJoules", m.measuredJoules.map { .number($0) } ?? .null),
                ("predictedJoules", .number(row.predictedJoules)), ("energyError", row.energyError.map { .number($0) } ?? .null),
                ("hostNodes", .integer(Int64(row.hostNodes))), ("source", .string(m.source)),
            ]))
        }
        let stacks = validation.stacks.map { s -> JSONValue in
            .object(JSONObject([
                ("stack", .string(s.stack)), ("target", .string(s.target)), ("rows", .integer(Int64(s.count))), ("medianAbsoluteError", .number(s.medianAbsoluteError)),
                ("worstError", .number(s.worstError)), ("withinTenPercent", .number(s.withinTenPercent)),
                ("withinTwentyFivePercent", .number(s.withinTwentyFivePercent)),
                ("medianAbsoluteEnergyError", s.medianAbsoluteEnergyError.map { .number($0) } ?? .null),
            ]))
        }
        return JSONWriter().write(.object(JSONObject([("rows", .array(rows)), ("stacks", .array(stacks))])))
    }
}
