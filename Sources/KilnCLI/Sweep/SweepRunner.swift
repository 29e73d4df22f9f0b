import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnTargets

/// Evaluates grid points of a sweep: sets the varied fields in the base target's document,
/// re-validates the result as a target description, and evaluates the model on it: compile and
/// estimate the cost (and, with data, simulate and score it).
struct SweepRunner {
    /// The model, with its calibration policy applied.
    let model: EvaluationModel
    /// The target the sweep varies.
    let base: TargetDescription
    /// The grid.
    let grid: SweepGrid
    /// The catalog (for host targets).
    let catalog: TargetCatalog
    /// The loader that re-validates each modified target.
    let loader: TargetLoader
    /// The evaluation every grid point goes through.
    let evaluation: Evaluation
    /// The samples for accuracy and what scores them, if given.
    let data: EvaluationData?

    /// The row of grid point `index`; an invalid target value or a model that does not run
    /// gives a row with the finding instead of an estimate (never a thrown error).
    func row(at index: Int) -> SweepRow {
        var row = SweepRow(index: index, values: grid.values(at: index))
        let target: TargetDescription
        do {
            let decoded = try loader.decode(grid.document(at: index, base: base.document), file: base.file)
            // The base's selected stack (`--stack`) carries over to every grid point.
            target = try base.stack.map { stack throws(DiagnosticError) in try decoded.selecting(stack: stack.name) } ?? decoded
        } catch {
            row.failure = Self.describe(error)
            return row
        }
        row.resource = evaluation.compiler.registry.resourceFigure(for: target).value
        if let host = target.host, catalog.target(named: host.target) == nil {
            row.failure = "at host.target: no target is named '\(host.target)'"
            return row
        }
        do {
            let compared = try CompareCommand.compare(model, on: target, evaluation: evaluation, data: data)
            if let failure = compared.failure {
                row.failure = failure
                return row
            }
            row.latencySeconds = compared.latencySeconds
            row.inferencesPerSecond = compared.inferencesPerSecond
            row.energyJoules = compared.energyJoules
            row.utilization = compared.utilization
            row.bound = compared.bound
            row.top1 = compared.top1
        } catch {
            row.failure = Self.describe(error)
        }
        return row
    }

    /// Findings as one line without the file name: `at clockMegahertz: expected a positive number, got -5`.
    static func describe(_ error: DiagnosticError) -> String {
        error.diagnostics.map { finding in
            (finding.location.place.map { "at \($0): " } ?? "") + finding.message
        }.joined(separator: "; ")
    }
}
