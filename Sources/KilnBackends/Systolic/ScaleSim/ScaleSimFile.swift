import Foundation
import KilnDiagnostics

/// Small text helpers shared by the SCALE-Sim readers.
enum ScaleSimFile {
    /// The UTF-8 text of a file.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - name: the file's name in diagnostics.
    /// - Throws: ``DiagnosticError`` naming the file when it cannot be read or is not UTF-8.
    static func text(at path: String, name: String) throws(DiagnosticError) -> String {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw DiagnosticError(.error("cannot read the file: \(error)", file: name))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DiagnosticError(.error("the file is not UTF-8 text", file: name))
        }
        return text
    }
}

extension StringProtocol {
    /// The text without the given characters at either end.
    func scaleSimTrimmed(_ characters: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
