import Foundation
import KilnDiagnostics

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
