import Foundation
import KilnDiagnostics
import KilnIR
import KilnModelIO
import KilnONNX
import KilnTFLite

/// Reads a model file of any format Kiln accepts, chosen by its extension.
enum ModelLoader {
    /// The formats, by file extension.
    static let extensions = [".onnx (ONNX, float, QDQ or QOperator)", ".tflite (TensorFlow Lite)", ".json (Kiln model)"]

    /// A model with the ONNX nodes that could not be imported (only with `allowUnsupported`).
    struct Loaded {
        var graph: Graph
        var unsupported: [UnsupportedONNXNode]
    }

    /// Loads a model as a verified graph.
    /// - Throws: ``DiagnosticError`` naming the file and the place of every problem.
    static func load(_ path: String) throws(DiagnosticError) -> Graph {
        try load(path, allowUnsupported: false).graph
    }

    /// Loads a model; with `allowUnsupported`, ONNX nodes Kiln cannot import are listed instead
    /// of failing, and the rest of the graph is returned.
    static func load(_ path: String, allowUnsupported: Bool) throws(DiagnosticError) -> Loaded {
        do { return try read(path, allowUnsupported: allowUnsupported) } catch { throw error.inFile(path) }
    }

    /// Runs `body` on the model read from `path`: findings it throws without a file (a node that
    /// cannot run, a model that does not fit) are attributed to the model file.
    static func attributing<Result>(to path: String, _ body: () throws(DiagnosticError) -> Result) throws(DiagnosticError) -> Result {
        do { return try body() } catch { throw error.inFile(path) }
    }

    private static func read(_ path: String, allowUnsupported: Bool) throws(DiagnosticError) -> Loaded {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DiagnosticError(.error("no such model file", file: path))
        }
        let lowercased = path.lowercased()
        if lowercased.hasSuffix(".json") { return Loaded(graph: try KilnModelFile.read(contentsOf: path), unsupported: []) }
        if lowercased.hasSuffix(".tflite") {
            return Loaded(graph: try TFLiteImporter().importGraph(contentsOf: URL(fileURLWithPath: path), fileName: path), unsupported: [])
        }
        if lowercased.hasSuffix(".onnx") {
            let url = URL(fileURLWithPath: path)
            guard allowUnsupported else { return Loaded(graph: try ONNXImporter().importGraph(contentsOf: url), unsupported: []) }
            let model: ONNXModel
            do { model = try ONNXModel(contentsOf: url) } catch { throw error.inFile(path) }
            let inspection = try ONNXImporter().inspect(model, file: path)
            return Loaded(graph: inspection.graph, unsupported: inspection.unsupported)
        }
        throw DiagnosticError(.error("unknown model format; Kiln reads \(extensions.joined(separator: ", "))", file: path))
    }
}
