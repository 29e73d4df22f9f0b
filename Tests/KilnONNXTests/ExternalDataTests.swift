import Foundation
import KilnDiagnostics
import Testing
@testable import KilnONNX

/// Tensors whose data lives in a file next to the model.
@Suite struct ExternalDataTests {
    /// A model with one float initializer of `count` elements stored externally.
    private func model(location: String, offset: Int?, length: Int?, count: Int = 4) -> [UInt8] {
        var writer = ProtobufWriter()
        writer.int(1, 8)
        writer.message(8) { $0.int(2, 13) }
        writer.message(7) { graph in
            graph.message(5) { tensor in
                tensor.int(1, Int64(count))
                tensor.int(2, 1)
                tensor.string(8, "w")
                tensor.int(14, 1)
                tensor.message(13) { $0.string(1, "location"); $0.string(2, location) }
                if let offset { tensor.message(13) { $0.string(1, "offset"); $0.string(2, "\(offset)") } }
                if let length { tensor.message(13) { $0.string(1, "length"); $0.string(2, "\(length)") } }
            }
        }
        return writer.bytes
    }

    private func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kiln-onnx-external-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let floats: [Float] = [9, 1, 2, 3, 4]
        let bytes = floats.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        try Data(bytes).write(to: directory.appendingPathComponent("weights.bin"))
        try body(directory)
    }

    private func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as DiagnosticError {
            return error.diagnostics.first?.message
        } catch {
            return "\(error)"
        }
    }

    @Test func loadsFromAFileNextToTheModel() throws {
        try withDirectory { directory in
            let url = directory.appendingPathComponent("m.onnx")
            try Data(model(location: "weights.bin", offset: 4, length: 16)).write(to: url)
            let decoded = try ONNXModel(contentsOf: url)
            let tensor = try #require(decoded.graph.initializers.first)
            #expect(tensor.dataLocation == .external)
            #expect(try tensor.values() == .float([1, 2, 3, 4]))
            // Without loading, values() says why it cannot decode.
            let unloaded = try ONNXModel(contentsOf: url, loadExternalData: false)
            #expect(message { _ = try unloaded.graph.initializers.first?.values() }
                == "the tensor's data is stored in an external file that has not been loaded")
            // No length: the rest of the file.
            try Data(model(location: "weights.bin", offset: 4, length: nil)).write(to: url)
            #expect(try ONNXModel(contentsOf: url).graph.initializers.first?.values() == .float([1, 2, 3, 4]))
        }
    }

    @Test func rejectsPathsOutsideTheModelDirectory() throws {
        try withDirectory { directory in
            let url = directory.appendingPathComponent("m.onnx")
            for location in ["../weights.bin", "/etc/passwd", "sub/../../x", "", "a//b"] {
                try Data(model(location: location, offset: 0, length: 16)).write(to: url)
                let text = message { _ = try ONNXModel(contentsOf: url) }
                #expect(text?.contains("relative path inside the model's directory") == true
                    || text == "external data has no location", "\(location): \(text ?? "no error")")
            }
            // A symbolic link leading outside the directory.
            try FileManager.default.createSymbolicLink(
                at: directory.appendingPathComponent("escape.bin"),
                withDestinationURL: URL(fileURLWithPath: "/etc/hostname"))
            try Data(model(location: "escape.bin", offset: 0, length: 16)).write(to: url)
            #expect(message { _ = try ONNXModel(contentsOf: url) }?.contains("leads outside the model's directory") == true)
        }
    }

    @Test func checksSizesAgainstTheFile() throws {
        try withDirectory { directory in
            let url = directory.appendingPathComponent("m.onnx")
            try Data(model(location: "weights.bin", offset: 8, length: 16)).write(to: url)
            #expect(message { _ = try ONNXModel(contentsOf: url) }
                == "external data of 16 bytes at offset 8 does not fit in 'weights.bin' (20 bytes)")
            try Data(model(location: "weights.bin", offset: 100, length: nil)).write(to: url)
            #expect(message { _ = try ONNXModel(contentsOf: url) }
                == "external data offset 100 is past the end of 'weights.bin' (20 bytes)")
            try Data(model(location: "weights.bin", offset: 0, length: 12)).write(to: url)
            #expect(message { _ = try ONNXModel(contentsOf: url) }
                == "external data has 12 bytes, a float tensor of shape [4] needs 16")
            try Data(model(location: "missing.bin", offset: 0, length: 16)).write(to: url)
            #expect(message { _ = try ONNXModel(contentsOf: url) }?.hasPrefix("cannot read external data file 'missing.bin'") == true)
            try Data(model(location: "weights.bin", offset: -1, length: 16)).write(to: url)
            #expect(message { _ = try ONNXModel(contentsOf: url) } == "external data offset '-1' is not a byte count")
        }
    }
}
