import Foundation
import KilnDiagnostics
import KilnIR
import KilnModelIO

/// Files a command writes after a long run (`--html`, `--trace`, `--output`): checked before
/// the run starts, so a typo in a path costs nothing, with an error naming the file and the option.
enum OutputFile {
    /// Checks that `path` can be written: its folder exists and is writable, and the file, if it
    /// exists, is a writable regular file.
    /// - Parameter option: the option that named the file (for the message).
    /// - Throws: ``DiagnosticError`` naming the file and saying what is wrong.
    static func checkWritable(_ path: String, option: String) throws(DiagnosticError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw DiagnosticError(.error("\(option): is a directory, not a file", file: path)) }
            guard manager.isWritableFile(atPath: path) else {
                throw DiagnosticError(.error("\(option): the file is not writable", file: path))
            }
            return
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DiagnosticError(.error("\(option): the folder \(folder) does not exist", file: path))
        }
        guard manager.isWritableFile(atPath: folder) else {
            throw DiagnosticError(.error("\(option): cannot create the file: the folder \(folder) is not writable", file: path))
        }
    }
}

/// `--output-dir DIR`: every graph output written as `DIR/<output name>.npy`.
enum OutputDirectory {
    /// The option's help text.
    static let help = "write every graph output as DIR/<output name>.npy (DIR is created if missing)"

    /// The file an output is written to: its name with `/`, `\` and `:` made `_` (ONNX value
    /// names may hold them), under `directory`.
    static func file(for name: String, in directory: String) -> String {
        let safe = String(name.map { "/\\:".contains($0) ? "_" : $0 })
        return URL(fileURLWithPath: directory).appendingPathComponent((safe.isEmpty || safe.allSatisfy { $0 == "." } ? "output" : safe) + ".npy").path
    }

    /// Creates `directory` when it does not exist, before a run starts.
    /// - Throws: ``DiagnosticError`` naming the folder when it is a file or cannot be created.
    static func prepare(_ directory: String) throws(DiagnosticError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw DiagnosticError(.error("--output-dir: is a file, not a folder", file: directory)) }
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw DiagnosticError(.error("--output-dir: the folder is not writable", file: directory))
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DiagnosticError(.error("--output-dir: cannot create the folder (\(error.localizedDescription))", file: directory))
        }
    }

    /// Writes each output under its graph output name.
    /// - Throws: ``DiagnosticError`` naming the file that cannot be written.
    static func write(_ outputs: [Tensor], names: [String], to directory: String) throws(DiagnosticError) {
        for (name, output) in zip(names, outputs) {
            try NumPyWriter.write(try NumPyArray(tensor: output), to: file(for: name, in: directory))
        }
    }
}
