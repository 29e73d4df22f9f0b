import KilnDiagnostics
import KilnJSON
import KilnTargets

/// A workload file format a family reads besides Kiln's models: layer shapes without weights
/// that the family's analytic model estimates without compiling, reported the way that
/// format's own tools report (a simulator's topology files and per-layer report, say).
///
/// `kiln simulate WORKLOAD --target T` hands a file this format ``reads(workloadAt:)`` to
/// ``estimate(workloadAt:variant:target:)``; `--target` may name a target file in the format's
/// own configuration syntax, which ``targetDescription(at:)`` converts.
public protocol WorkloadFormat: Sendable {
    /// The format's name in messages (`topology CSV`).
    var name: String { get }
    /// Lines added to `kiln simulate --help`, saying what the format reads and prints.
    var help: String { get }
    /// The option selecting a variant of the format, if it has variants.
    var variantOption: WorkloadVariantOption? { get }
    /// Output formats besides `table`, `json` and `csv`, keys of ``WorkloadEstimate/reports``.
    var reportFormats: [String] { get }
    /// Whether `path` is a workload of this format (by its name).
    func reads(workloadAt path: String) -> Bool
    /// Whether `path` is a target configuration in this format's own syntax (by its name).
    func reads(targetAt path: String) -> Bool
    /// The target description (Kiln's JSON, as bytes) of a configuration file in this format's syntax.
    /// - Throws: ``DiagnosticError`` naming the file and line of a bad configuration.
    func targetDescription(at path: String) throws(DiagnosticError) -> [UInt8]
    /// Estimates every layer of a workload on a target.
    /// - Parameters:
    ///   - path: the workload file.
    ///   - variant: the value of ``variantOption`` if given.
    ///   - target: the target; an error if it is not of a family the format models.
    /// - Throws: ``DiagnosticError`` naming the file and place of a bad workload, or the target.
    func estimate(workloadAt path: String, variant: String?, target: TargetDescription) throws(DiagnosticError) -> WorkloadEstimate
}

/// A command-line option selecting a variant of a ``WorkloadFormat``.
public struct WorkloadVariantOption: Sendable, Hashable {
    /// The option (`--topology-format`).
    public let name: String
    /// Its legal values; the first is the default.
    public let choices: [String]
    /// One line of help.
    public let help: String

    /// Creates an option.
    public init(name: String, choices: [String], help: String) {
        self.name = name
        self.choices = choices
        self.help = help
    }
}

/// The per-layer estimate of a workload: a table, its JSON form, and reports in the format's own layouts.
public struct WorkloadEstimate: Sendable {
    /// Column titles, and whether each is left-aligned (otherwise right-aligned).
    public let columns: [(title: String, leftAligned: Bool)]
    /// One row of cells per layer.
    public let rows: [[String]]
    /// The estimate as JSON (`--format json`).
    public let json: JSONValue
    /// Reports by output format name (``WorkloadFormat/reportFormats``), as printed.
    public let reports: [String: String]

    /// Creates an estimate.
    public init(columns: [(title: String, leftAligned: Bool)], rows: [[String]], json: JSONValue, reports: [String: String]) {
        self.columns = columns
        self.rows = rows
        self.json = json
        self.reports = reports
    }
}
