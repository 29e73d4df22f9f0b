import Foundation

/// Locates `Tests/Fixtures` from this source file's path.
enum Fixtures {
    /// `Tests/Fixtures`, found by walking up from this file to the `Tests` directory.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 && url.lastPathComponent != "Tests" {
            url.deleteLastPathComponent()
        }
        return url.appendingPathComponent("Fixtures")
    }()

    /// `Tests/Fixtures/onnx-node`.
    static var onnxNode: URL { root.appendingPathComponent("onnx-node") }

    /// `Tests/Fixtures/digits`.
    static var digits: URL { root.appendingPathComponent("digits") }

    /// Reads a file's bytes.
    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// Parses a JSON file into Foundation objects.
    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    /// The test directories of the onnx-node fixture, sorted.
    static func onnxNodeTests() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: onnxNode, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("test_") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
