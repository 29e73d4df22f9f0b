import Foundation
import KilnDiagnostics
import KilnIR
import KilnModelIO

/// Reads a model file of any format Kiln accepts, chosen by its extension.
enum ModelLoader {
    /// The formats, by file extension.
    static let extensions = [".json (Kiln model)"]

    /// Loads a model as a verified graph.
    /// - Throws: ``DiagnosticError`` naming the file and the place of every problem.
    static func load(_ path: String) throws(DiagnosticError) -> Graph {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DiagnosticError(.error("no such model file", file: path))
        }
        if path.lowercased().hasSuffix(".json") { return try KilnModelFile.read(contentsOf: path) }
        throw DiagnosticError(.error("unknown model format; Kiln reads \(extensions.joined(separator: ", "))", file: path))
    }
}
