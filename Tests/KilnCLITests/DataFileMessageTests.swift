import Foundation
import Testing
import KilnModelIO
@testable import KilnCLI

/// Bad data and labels `.npy` files given to `run`, `simulate` and `compare`: every message
/// names the file, the tensor where there is one, and says what was expected and what was found.
@Suite struct DataFileMessageTests {
    static let model = repositoryRoot.appendingPathComponent("examples/digits/cnn_qdq.onnx").path
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-data-\(UUID())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    func write(_ name: String, _ shape: [Int], _ storage: NumPyStorage) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try NumPyWriter.write(try NumPyArray(shape: shape, storage: storage), to: path)
        return path
    }

    /// The three commands, each reading `data` (and `labels`, for the two that score accuracy).
    func commands(data: String, labels: String? = nil) -> [[String]] {
        let labelOptions = labels.map { ["--labels", $0] } ?? []
        var result = [["simulate", Self.model, "--target", "cortex-a55-rk3568", "--input", data] + labelOptions,
                      ["compare", Self.model, "--targets", "cortex-a55-rk3568", "--data", data] + labelOptions]
        if labels == nil { result.insert(["run", Self.model, "--input", data, "--output", data + ".out.npy"], at: 0) }
        return result
    }

    func expectFinding(_ command: [String], _ expected: String) {
        let result = runKiln(command)
        #expect(result.code == .inputError, "\(command[0])")
        #expect(result.error == expected + "\n", "\(command[0])")
    }

    @Test func wrongElementType() throws {
        let data = try write("integers.npy", [2, 1, 8, 8], .int64([Int64](repeating: 3, count: 128)))
        for command in commands(data: data) {
            expectFinding(command, "\(data): error: at tensor 'input': the model's input is f32 but the file holds i64 values; give float data")
        }
    }

    @Test func wrongShapeWithALayoutHint() throws {
        let data = try write("nhwc.npy", [2, 8, 8, 1], .float32([Float](repeating: 0.5, count: 128)))
        for command in commands(data: data) {
            expectFinding(command, "\(data): error: at tensor 'input': expected shape [N, 1, 8, 8] for the model's input f32[1,1,8,8], "
                          + "found [2, 8, 8, 1]; the file looks NHWC (channels last) and the model takes NCHW: transpose the data with axes (0, 3, 1, 2)")
        }
        let flat = try write("flat.npy", [2, 64], .float32([Float](repeating: 0.5, count: 128)))
        for command in commands(data: flat) {
            expectFinding(command, "\(flat): error: at tensor 'input': expected shape [N, 1, 8, 8] for the model's input f32[1,1,8,8], found [2, 64]")
        }
    }

    @Test func emptyBatch() throws {
        let data = try write("empty.npy", [0, 1, 8, 8], .float32([]))
        for command in commands(data: data) {
            expectFinding(command, "\(data): error: the data is empty (shape [0, 1, 8, 8]): give at least one sample")
        }
    }

    @Test func floatLabelsAreCalledLabels() throws {
        let data = try write("x.npy", [2, 1, 8, 8], .float32([Float](repeating: 0.5, count: 128)))
        let labels = try write("y-float.npy", [2], .float32([1, 2]))
        for command in commands(data: data, labels: labels) {
            expectFinding(command, "\(labels): error: labels must be integer class indices; the file holds float32 values (dtype '<f4')")
        }
    }

    @Test(arguments: [(Int64(-1), 0), (Int64(10), 1), (Int64.min, 1)])
    func labelsOutsideTheModelsClasses(_ bad: Int64, _ index: Int) throws {
        let data = try write("x.npy", [2, 1, 8, 8], .float32([Float](repeating: 0.5, count: 128)))
        let labels = try write("y.npy", [2], .int64(index == 0 ? [bad, 3] : [3, bad]))
        for command in commands(data: data, labels: labels) {
            expectFinding(command, "\(labels): error: label \(bad) at index \(index) is not one of the model's 10 classes (0 to 9)")
        }
    }

    @Test func labelCountAndShape() throws {
        let data = try write("x.npy", [2, 1, 8, 8], .float32([Float](repeating: 0.5, count: 128)))
        let three = try write("y3.npy", [3], .int64([1, 2, 3]))
        let matrix = try write("y22.npy", [2, 2], .int64([1, 2, 3, 4]))
        for command in commands(data: data, labels: three) {
            expectFinding(command, "\(three): error: expected 2 labels (one per sample of the data), found 3")
        }
        for command in commands(data: data, labels: matrix) {
            expectFinding(command, "\(matrix): error: expected labels of shape [2] (one class index per sample), found [2, 2]")
        }
    }
}
