import Foundation
import KilnDiagnostics

/// Reads a whole file as bytes, reporting failure as a diagnostic about `fileName`.
func readFileBytes(_ url: URL, fileName: String) throws(DiagnosticError) -> [UInt8] {
    do {
        let data = try Data(contentsOf: url, options: .mappedIfSafe)
        return [UInt8](data)
    } catch {
        throw DiagnosticError(Diagnostic(.error, "cannot read file: \(error.localizedDescription)",
                                         at: SourceLocation(file: fileName)))
    }
}
