import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnJSON
import KilnTargets

/// Evaluates grid points of a sweep: sets the varied fields in the base target's document,
/// re-validates the result as a target description, compiles the model for it and estimates
/// the cost (and, with data, simulates it for accuracy).
struct SweepRunner {
    /// The model.
    let graph: Graph
    /// The target the sweep varies.
    let base: TargetDescription
    /// The grid.
    let grid: SweepGrid
    /// The catalog (for host targets).
    let catalog: TargetCatalog
    /// The loader that re-validates each modified target.
    let loader: TargetLoader
    /// The compiler.
    let compiler: Compiler
    /// Inputs for accuracy, if given.
    var data: Tensor?
    /// Labels for top-1 accuracy, if given.
    var labels: [Int64]?
    /// The model's reference output on `data`, for SQNR when there are no labels.
    var reference: Tensor?

    /// Creates a runner.
    init(graph: Graph, base: TargetDescription, grid: SweepGrid, catalog: TargetCatalog, loader: TargetLoader, compiler: Compiler) {
        self.graph = graph
        self.base = base
        self.grid = grid
        self.catalog = catalog
        self.loader = loader
        self.compiler = compiler
    }

    /// The row of grid point `index`; an invalid target value or a model that does not run
    /// gives a row with the finding instead of an estimate (never a thrown error).
    func row(at index: Int) -> SweepRow {
        var row = SweepRow(index: index, values: grid.values(at: index))
        let target: TargetDescription
        do {
            target = try loader.decode(grid.document(at: index, base: base.document), file: base.file)
        } catch {
            row.failure = Self.describe(error)
            return row
        }
        row.resource = compiler.registry.resourceFigure(for: target).value
        if let host = target.host, catalog.target(named: host.target) == nil {
            row.failure = "at host.target: no target is named '\(host.target)'"
            return row
        }
        let estimator = CostEstimator(compiler: compiler, catalog: catalog)
        do {
            let compared = try CompareCommand.compare(graph, on: target, compiler: compiler, estimator: estimator,
                                                      data: data, labels: labels, reference: reference, calibration: nil)
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
