import Foundation

/// Small text helpers shared by the SCALE-Sim readers.
enum ScaleSimFile {
    /// The bytes of a file.
    static func readBytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
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
