import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnModelIO

/// The NumPy files of a command that evaluates models: samples and labels, read and checked once
/// for every model the command evaluates.
struct EvaluationFiles {
    /// The samples, or nil without a data file.
    let samples: Tensor?
    /// The labels, one per sample, or nil.
    let labels: [Int64]?

    /// Reads the files.
    /// - Parameter dataOption: the option that names the data file (for the usage error).
    /// - Throws: ``UsageError`` for labels without data, ``DiagnosticError`` naming the file that
    ///   does not read, or the labels file when it has not one label per sample.
    init(data dataPath: String?, labels labelsPath: String?, dataOption: String) throws {
        if labelsPath != nil && dataPath == nil { throw UsageError("--labels needs \(dataOption)") }
        samples = try dataPath.map { path throws(DiagnosticError) in try NumPyReader.read(contentsOf: path).tensor() }
        labels = try labelsPath.map { path throws(DiagnosticError) in try NumPyReader.read(contentsOf: path).int64Values() }
        if let samples, let labels, let dataPath, let labelsPath, samples.shape.first != labels.count {
            throw DiagnosticError(.error("\(labels.count) labels for \(samples.shape.first ?? 0) samples in \(dataPath)", file: labelsPath))
        }
    }

    /// The calibration inputs of `--calibration`, or nil.
    /// - Throws: ``DiagnosticError`` naming the file.
    static func calibration(_ path: String?) throws(DiagnosticError) -> Tensor? {
        try path.map { path throws(DiagnosticError) in try NumPyReader.read(contentsOf: path).tensor() }
    }

    /// The data of one model, scored by the labels; without labels, by `model`'s reference
    /// output when a model is given (the reference runs only then), else not scored.
    /// - Throws: ``DiagnosticError`` when the model's reference does not run on the samples.
    func data(scoringAgainst model: EvaluationModel? = nil) throws(DiagnosticError) -> EvaluationData? {
        guard let samples else { return nil }
        if labels == nil, let model { return try EvaluationData(samples: samples, referenceOf: model) }
        return try EvaluationData(samples: samples, labels: labels)
    }
}
