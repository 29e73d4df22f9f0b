import Foundation
import KilnDiagnostics
import KilnIR

/// Imports a TensorFlow Lite model into Kiln's graph IR.
///
/// Every node gets ``IntegerSemantics/tensorFlowLite`` semantics (and the `fixedPointMultiplier`
/// requantization rule for conv2d / dense / matmul), so the reference interpreter computes what
/// TFLite's reference kernels compute. TFLite's activations are NHWC; Kiln's convolutions and
/// pools are NCHW. The importer keeps every tensor in the model's own layout except between
/// layout-bound operators: it inserts a transpose to NCHW in front of a conv / pool whose
/// input is NHWC and a transpose back where an NHWC consumer (reshape, fully connected,
/// softmax, a graph output, ...) reads an NCHW value; elementwise operators, concatenation,
/// padding and means work in whichever layout their inputs already have. Graph inputs and
/// outputs keep the model's layout and element types, so a user's `.npy` data is fed as is.
/// See `docs/tflite-import.md`.
public struct TFLiteImporter: Sendable {
    /// Creates an importer.
    public init() {}

    /// Reads, decodes and imports a `.tflite` file.
    /// - Parameters:
    ///   - url: the file.
    ///   - fileName: the file as the user named it, for error locations (default: the URL's path).
    /// - Throws: ``DiagnosticError`` naming the file and the byte offset or operator of every problem.
    public func importGraph(contentsOf url: URL, fileName: String? = nil) throws(DiagnosticError) -> Graph {
        let file = fileName ?? url.path
        let model = try TFLiteModel(contentsOf: url, fileName: file)
        return try importGraph(model, file: file, name: url.deletingPathExtension().lastPathComponent)
    }

    /// Imports a decoded model.
    /// - Parameters:
    ///   - model: the decoded model.
    ///   - file: the file, for error locations.
    ///   - name: the graph's name.
    /// - Throws: ``DiagnosticError`` listing every unsupported operator (name and index) at once,
    ///   or the first operator that cannot be imported.
    public func importGraph(_ model: TFLiteModel, file: String? = nil, name: String = "model") throws(DiagnosticError) -> Graph {
        guard !model.subgraph.outputs.isEmpty else {
            throw DiagnosticError(Diagnostic(.error, "the subgraph names no output tensor; a model must have at least one output",
                                             at: SourceLocation(file: file, place: "subgraph 0 outputs")))
        }
        var unsupported: [Diagnostic] = []
        for (index, op) in model.subgraph.operators.enumerated() {
            guard op.opcodeIndex < model.operatorCodes.count else {
                throw DiagnosticError(Diagnostic(.error, "opcode_index \(op.opcodeIndex) is past the \(model.operatorCodes.count) operator codes",
                                                 at: SourceLocation(file: file, place: "operator \(index)", byteOffset: op.offset)))
            }
            let code = model.operatorCodes[op.opcodeIndex]
            if code.builtin.map({ !TFLiteOperatorConverters.supported.contains($0.code) }) ?? true {
                unsupported.append(Diagnostic(.error, "unsupported TFLite operator \(code.name)",
                                              at: SourceLocation(file: file, place: "operator \(index) (\(code.name))")))
            }
        }
        if !unsupported.isEmpty { throw DiagnosticError(unsupported) }
        let context = try TFLiteImportContext(model: model, file: file, name: model.subgraph.name.isEmpty ? name : model.subgraph.name)
        for index in model.subgraph.operators.indices {
            try context.convert(operator: index)
        }
        return try context.finish()
    }
}
