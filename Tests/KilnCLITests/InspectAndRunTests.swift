import Foundation
import Testing
import KilnTestSupport
import KilnIR
import KilnJSON
import KilnModelIO
@testable import KilnCLI

/// The example graph shipped as `examples/tiny-cnn.json`, built in code so the file can be
/// re-recorded (`KILN_RECORD=1 swift test --filter InspectAndRunTests`).
func tinyCNN() throws -> Graph {
    func weights(_ count: Int, _ seed: Double) -> [Float] {
        (0..<count).map { Float((sin(Double($0) * 0.7 + seed) * 0.5 * 1024).rounded() / 1024) }
    }
    var builder = GraphBuilder(name: "tiny-cnn")
    let x = builder.input("image", .float32([1, 1, 8, 8]))
    let c1 = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])),
                              [x, builder.constant("conv1.weight", Tensor(shape: [4, 1, 3, 3], floats: weights(36, 1))),
                               builder.constant("conv1.bias", Tensor(shape: [4], floats: weights(4, 2)))], name: "conv1")
    let r1 = try builder.node(.relu, [c1], name: "relu1")
    let p1 = try builder.node(.maxPool(Pooling(kernel: [2, 2], strides: [2, 2])), [r1], name: "pool1")
    let c2 = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])),
                              [p1, builder.constant("conv2.weight", Tensor(shape: [8, 4, 3, 3], floats: weights(288, 3))),
                               builder.constant("conv2.bias", Tensor(shape: [8], floats: weights(8, 4)))], name: "conv2")
    let r2 = try builder.node(.relu, [c2], name: "relu2")
    let g = try builder.node(.globalAveragePool, [r2], name: "gap")
    let f = try builder.node(.flatten(axis: 1), [g], name: "flatten")
    let y = try builder.node(.dense, [f, builder.constant("fc.weight", Tensor(shape: [8, 10], floats: weights(80, 5))),
                                      builder.constant("fc.bias", Tensor(shape: [10], floats: weights(10, 6)))],
                             name: "fc", outputs: ["logits"])
    builder.output(y)
    return try builder.build()
}

/// The repository root.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct InspectAndRunTests {
    let examplePath = repositoryRoot.appendingPathComponent("examples/tiny-cnn.json").path

    @Test func shippedExampleMatchesItsDefinition() throws {
        let golden = GoldenFile(URL(fileURLWithPath: examplePath))
        let outcome = try golden.check(KilnModelFile.encode(try tinyCNN()))
        #expect(outcome == .matches, "\(golden.explain(outcome, rerecord: "swift test --filter InspectAndRunTests"))")
    }

    @Test func inspectCountsMACsAndParameters() throws {
        let result = runKiln(["inspect", examplePath, "--format", "json"])
        #expect(result.code == .success)
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        let nodes = try #require(report["nodes"]?.arrayValue)
        let macs = nodes.compactMap { $0.objectValue?["macs"]?.integerValue }
        // conv1: 4 outputs × 8×8 × (1 × 3×3) = 2304; conv2: 8 × 4×4 × (4 × 3×3) = 4608; fc: 8 × 10 = 80.
        #expect(macs == [2304, 0, 0, 4608, 0, 0, 0, 80])
        #expect(report["totalMACs"]?.integerValue == 6992)
        // conv1 36 + 4, conv2 288 + 8, fc 80 + 10.
        #expect(report["totalParameters"]?.integerValue == 426)
        let table = runKiln(["inspect", examplePath])
        #expect(table.output.contains("3  conv2    conv2d             f32[1,8,4,4]     296  4608"))
        #expect(table.output.split(separator: "\n").last?.hasSuffix("426  6992") == true)
    }

    @Test func runRoundTripsNumPyData() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-run-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let images = (0..<3 * 64).map { Float($0 % 17) / 16 }
        let input = directory.appendingPathComponent("x.npy").path
        let output = directory.appendingPathComponent("y.npy").path
        try NumPyWriter.write(try NumPyArray(shape: [3, 1, 8, 8], storage: .float32(images)), to: input)
        let result = runKiln(["run", examplePath, "--input", input, "--output", output])
        #expect(result.code == .success, "\(result.error)")
        let written = try NumPyReader.read(contentsOf: output)
        #expect(written.shape == [3, 10])
        // Each sample equals a single run of the interpreter on it.
        let graph = try tinyCNN()
        let interpreter = try KilnInterpreterHarness(graph: graph)
        for sample in 0..<3 {
            let expected = try interpreter.run(Array(images[sample * 64 ..< (sample + 1) * 64]))
            #expect(Array(try written.floatValues()[sample * 10 ..< (sample + 1) * 10]) == expected)
        }
    }

    @Test func badInputsAreFindingsNotCrashes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bad-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let wrongShape = directory.appendingPathComponent("wrong.npy").path
        try NumPyWriter.write(try NumPyArray(shape: [2, 5], storage: .float32([Float](repeating: 0, count: 10))), to: wrongShape)
        let truncated = directory.appendingPathComponent("truncated.npy").path
        try Data(NumPyWriter.encode(try NumPyArray(shape: [4], storage: .float32([1, 2, 3, 4]))).dropLast(3)).write(to: URL(fileURLWithPath: truncated))
        let badModel = directory.appendingPathComponent("bad.json").path
        try Data(#"{"kilnModel": 1, "name": "x", "inputs": [], "outputs": [], "constants": [], "nodes": [], "extra": 1}"#.utf8)
            .write(to: URL(fileURLWithPath: badModel))
        let out = directory.appendingPathComponent("y.npy").path

        let shape = runKiln(["run", examplePath, "--input", wrongShape, "--output", out])
        #expect(shape.code == .inputError)
        #expect(shape.error.contains("tensor 'image'"))
        let cut = runKiln(["run", examplePath, "--input", truncated, "--output", out])
        #expect(cut.code == .inputError)
        #expect(cut.error.hasPrefix("\(truncated): error:"))
        let model = runKiln(["inspect", badModel])
        #expect(model.code == .inputError)
        #expect(model.error == "\(badModel): error: at extra: unknown key 'extra'\n")
        let missing = runKiln(["inspect", directory.appendingPathComponent("none.json").path])
        #expect(missing.code == .inputError)
        #expect(missing.error.hasSuffix("none.json: error: no such model file\n"))
        let noOutput = runKiln(["run", examplePath, "--input", wrongShape])
        #expect(noOutput.code == .usageError)
    }
}
