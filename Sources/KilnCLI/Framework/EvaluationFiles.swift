import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnModelIO

/// The NumPy files of a command that evaluates models: samples and labels, read and checked once
/// for every model the command evaluates.
struct EvaluationFiles {
    /// The samples, or nil without a data file.
    let samples: Tensor?
    /// The labels, one per sample, or nil.
    let labels: [Int64]?
    /// The data file's path, or nil.
    let dataPath: String?
    /// The labels file's path, or nil.
    let labelsPath: String?

    /// Reads the files.
    /// - Parameter dataOption: the option that names the data file (for the usage error).
    /// - Throws: ``UsageError`` for labels without data, ``DiagnosticError`` naming the file that
    ///   does not read, holds no sample, or (labels) is not one integer label per sample.
    init(data dataPath: String?, labels labelsPath: String?, dataOption: String) throws {
        if labelsPath != nil && dataPath == nil { throw UsageError("--labels needs \(dataOption)") }
        self.dataPath = dataPath
        self.labelsPath = labelsPath
        let samples = try dataPath.map { path throws(DiagnosticError) in try ModelDataFiles.readData(path) }
        self.samples = samples
        labels = try labelsPath.map { path throws(DiagnosticError) in try ModelDataFiles.readLabels(path, samples: samples?.shape.first ?? 0) }
    }

    /// The files' samples and labels restricted to shard K of N: the samples whose index is
    /// K − 1 modulo N, in order (the same round-robin rule as a sweep's grid points).
    /// - Throws: ``UsageError`` without data or labels, or when there are fewer samples than
    ///   shards; ``DiagnosticError`` when the data file has no batch dimension to split.
    func restricted(to shard: SweepShard) throws -> EvaluationFiles {
        guard let samples, let dataPath, let labels, let labelsPath else {
            throw UsageError("a sharded compare splits the data set and merges top-1 counts: give --data and --labels")
        }
        let total = samples.shape.first ?? 0
        guard total >= shard.count else {
            throw UsageError("--shard \(shard.number)/\(shard.count): the data set has \(total) samples, fewer than the \(shard.count) shards")
        }
        let all = try samples.samples(total, of: [1] + samples.shape.dropFirst(), place: dataPath)
        let chosen = Array(shard.indices(inGridOf: total))
        return EvaluationFiles(samples: try Tensor.stacked(chosen.map { all[$0] }, place: dataPath), labels: chosen.map { labels[$0] },
                               dataPath: dataPath, labelsPath: labelsPath)
    }

    private init(samples: Tensor, labels: [Int64], dataPath: String, labelsPath: String) {
        self.samples = samples
        self.labels = labels
        self.dataPath = dataPath
        self.labelsPath = labelsPath
    }

    /// The calibration inputs of `--calibration`, or nil.
    /// - Throws: ``DiagnosticError`` naming the file.
    static func calibration(_ path: String?) throws(DiagnosticError) -> Tensor? {
        try path.map { path throws(DiagnosticError) in try NumPyReader.read(contentsOf: path).tensor() }
    }

    /// The layer settings of `--folding FILE`, parsed, or nil.
    /// - Throws: ``DiagnosticError`` naming the file when it does not read or is not JSON.
    static func layerSettings(_ path: String?) throws(DiagnosticError) -> LayerSettingsFile? {
        guard let path else { return nil }
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw DiagnosticError(.error("cannot read the folding file", file: path))
        }
        return LayerSettingsFile(file: path, document: try JSONParser().parse([UInt8](bytes), file: path))
    }

    /// The data of one model, checked against `graph` (the samples feed its input, the labels are
    /// its classes) and scored by the labels; without labels, by `model`'s reference output when a
    /// model is given (the reference runs only then), else not scored.
    /// - Throws: ``DiagnosticError`` naming the file whose samples or labels do not fit `graph`,
    ///   or when the model's reference does not run on the samples.
    func data(for graph: Graph, scoringAgainst model: EvaluationModel? = nil) throws(DiagnosticError) -> EvaluationData? {
        guard let samples, let dataPath else { return nil }
        if let input = graph.inputs.first, let type = graph.types[input] {
            try ModelDataFiles.check(samples, file: dataPath, feeds: input, of: type)
        }
        if let labels, let labelsPath, let output = graph.outputs.first, let classes = graph.types[output]?.shape.last {
            try ModelDataFiles.check(labels: labels, file: labelsPath, classes: classes)
        }
        if labels == nil, let model { return try EvaluationData(samples: samples, referenceOf: model) }
        return try EvaluationData(samples: samples, labels: labels)
    }
}
