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
    /// One data file: the graph input it feeds when given as `NAME=FILE` (nil for a bare `FILE`,
    /// which feeds a model's only input), its path and its tensor.
    struct DataFile {
        let name: String?
        let path: String
        let tensor: Tensor
    }

    /// The data files, in the order given.
    let dataFiles: [DataFile]
    /// The labels, one per sample, or nil.
    let labels: [Int64]?
    /// The labels file's path, or nil.
    let labelsPath: String?
    /// The option that names the data files (for messages).
    let dataOption: String

    /// The samples of a single data file (a single-input model's), or nil.
    var samples: Tensor? { dataFiles.count == 1 ? dataFiles[0].tensor : nil }

    /// Reads the files.
    /// - Parameters:
    ///   - values: the data option's values: `FILE`, or `NAME=FILE` once per graph input (a value
    ///     that is not an existing file and has an `=` is read as `NAME=FILE`).
    ///   - dataOption: the option that names the data files (for the usage error).
    /// - Throws: ``UsageError`` for labels without data, ``DiagnosticError`` naming the file that
    ///   does not read, holds no sample, or (labels) is not one integer label per sample.
    init(data values: [String], labels labelsPath: String?, dataOption: String) throws {
        if labelsPath != nil && values.isEmpty { throw UsageError("--labels needs \(dataOption)") }
        self.labelsPath = labelsPath
        self.dataOption = dataOption
        dataFiles = try values.map { value throws(DiagnosticError) in
            let (name, path) = Self.split(value)
            return DataFile(name: name, path: path, tensor: try ModelDataFiles.readData(path))
        }
        let samples = dataFiles.first?.tensor.shape.first ?? 0
        labels = try labelsPath.map { path throws(DiagnosticError) in try ModelDataFiles.readLabels(path, samples: samples) }
    }

    /// `NAME=FILE` as its two parts; a bare `FILE` (or an existing file whose name has an `=`) as
    /// no name and the path.
    static func split(_ value: String) -> (name: String?, path: String) {
        guard let equals = value.firstIndex(of: "="), equals != value.startIndex, !FileManager.default.fileExists(atPath: value) else {
            return (nil, value)
        }
        return (String(value[..<equals]), String(value[value.index(after: equals)...]))
    }

    /// The files' samples and labels restricted to shard K of N: the samples whose index is
    /// K − 1 modulo N, in order (the same round-robin rule as a sweep's grid points), in every
    /// data file alike.
    /// - Throws: ``UsageError`` without data, or when there are fewer samples than
    ///   shards; ``DiagnosticError`` when a data file has no batch dimension to split.
    func restricted(to shard: SweepShard) throws -> EvaluationFiles {
        guard let first = dataFiles.first else {
            throw UsageError("a sharded compare splits the data set and merges its top-1 counts or SQNR energies: give --data")
        }
        let total = first.tensor.shape.first ?? 0
        guard total >= shard.count else {
            throw UsageError("--shard \(shard.number)/\(shard.count): the data set has \(total) samples, fewer than the \(shard.count) shards")
        }
        let chosen = Array(shard.indices(inGridOf: total))
        let files = try dataFiles.map { file throws(DiagnosticError) in
            let all = try file.tensor.samples(total, of: [1] + file.tensor.shape.dropFirst(), place: file.path)
            return DataFile(name: file.name, path: file.path, tensor: try Tensor.stacked(chosen.map { all[$0] }, place: file.path))
        }
        return EvaluationFiles(dataFiles: files, labels: labels.map { labels in chosen.map { labels[$0] } }, labelsPath: labelsPath, dataOption: dataOption)
    }

    private init(dataFiles: [DataFile], labels: [Int64]?, labelsPath: String?, dataOption: String) {
        self.dataFiles = dataFiles
        self.labels = labels
        self.labelsPath = labelsPath
        self.dataOption = dataOption
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

    /// The data files bound to `graph`'s inputs by name (a bare file feeds a single-input graph),
    /// each checked against its input's type.
    /// - Throws: ``UsageError`` when a bare file is given for a model with several inputs;
    ///   ``DiagnosticError`` naming the file whose name is not a graph input, that repeats an
    ///   input, or whose shape or type does not fit, or the graph input no file feeds.
    func inputs(for graph: Graph) throws -> [String: Tensor] {
        var bound: [String: Tensor] = [:]
        for file in dataFiles {
            let name: String
            if let given = file.name {
                guard graph.inputs.contains(given) else {
                    throw DiagnosticError(.error("'\(given)' is not an input of the model '\(graph.name)'\(closestMatchSuggestion(given, graph.inputs)); "
                                                 + "its inputs: \(graph.inputs.joined(separator: ", "))", file: file.path))
                }
                name = given
            } else {
                guard graph.inputs.count == 1 else {
                    throw UsageError("\(dataOption) \(file.path): the model '\(graph.name)' has \(graph.inputs.count) inputs "
                                     + "(\(graph.inputs.joined(separator: ", "))); give \(dataOption) NAME=FILE for each")
                }
                name = graph.inputs[0]
            }
            guard bound[name] == nil else {
                throw DiagnosticError(.error("the graph input '\(name)' is given data twice", file: file.path))
            }
            if let type = graph.types[name] { try ModelDataFiles.check(file.tensor, file: file.path, feeds: name, of: type) }
            bound[name] = file.tensor
        }
        if let missing = graph.inputs.first(where: { bound[$0] == nil }) {
            throw UsageError("no \(dataOption) for the input '\(missing)' of the model '\(graph.name)': give \(dataOption) \(missing)=FILE.npy "
                             + "(its inputs: \(graph.inputs.joined(separator: ", ")))")
        }
        return bound
    }

    /// The data of one model, checked against `graph` (the files feed its inputs, the labels are
    /// its classes) and scored by the labels; without labels, by `model`'s reference output when a
    /// model is given (the reference runs only then, with `floatModel`'s output as the float
    /// reference when given), else not scored.
    /// - Throws: what ``inputs(for:)`` throws; ``DiagnosticError`` naming the labels file that
    ///   does not fit `graph`, or when the model's reference does not run on the samples.
    func data(for graph: Graph, scoringAgainst model: EvaluationModel? = nil, floatModel: Graph? = nil) throws -> EvaluationData? {
        guard !dataFiles.isEmpty else { return nil }
        let inputs = try inputs(for: graph)
        if let labels, let labelsPath, let output = graph.outputs.first, let classes = graph.types[output]?.shape.last {
            try ModelDataFiles.check(labels: labels, file: labelsPath, classes: classes)
        }
        if labels == nil, let model { return try EvaluationData(inputs: inputs, referenceOf: model, floatModel: floatModel) }
        return try EvaluationData(inputs: inputs, labels: labels)
    }
}
