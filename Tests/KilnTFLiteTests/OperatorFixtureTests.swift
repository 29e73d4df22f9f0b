import Foundation
import KilnIR
import KilnInterpreter
import KilnModelIO
import KilnDiagnostics
import Testing
@testable import KilnTFLite

/// Every per-op fixture (converted by the TFLite converter, run by TFLite's reference kernels):
/// imported and run by the reference interpreter, the output codes must equal TFLite's exactly.
@Suite struct OperatorFixtureTests {
    /// The fixture names: every `ops/<name>.tflite`.
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.ops.path)) ?? [])
        .filter { $0.hasSuffix(".tflite") }.map { String($0.dropLast(".tflite".count)) }.sorted()

    /// Runs a model on its stored inputs and returns (Kiln's output, TFLite's output).
    static func outputs(_ directory: URL, _ name: String) throws -> (kiln: Tensor, tflite: Tensor) {
        let graph = try TFLiteImporter().importGraph(contentsOf: directory.appendingPathComponent("\(name).tflite"))
        let input = try NumPyReader.read(contentsOf: directory.appendingPathComponent("\(name).input.npy").path).tensor()
        let expected = try NumPyReader.read(contentsOf: directory.appendingPathComponent("\(name).output.npy").path).tensor()
        let outputs = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: input], threads: 1)
        return (outputs[0], expected)
    }

    /// Integer outputs: (Kiln's codes, TFLite's codes, Kiln's shape).
    static func run(_ directory: URL, _ name: String) throws -> (kiln: [Int32], tflite: [Int32], shape: [Int]) {
        let (kiln, tflite) = try outputs(directory, name)
        return (kiln.codes ?? [], tflite.codes ?? [], kiln.shape)
    }

    /// Float outputs: (Kiln's values, TFLite's values, Kiln's shape).
    static func runFloat(_ directory: URL, _ name: String) throws -> (kiln: [Float], tflite: [Float], shape: [Int]) {
        let (kiln, tflite) = try outputs(directory, name)
        return (kiln.floats ?? [], tflite.floats ?? [], kiln.shape)
    }


    @Test func everyOperatorOfTheIssueHasAFixture() {
        #expect(Self.names.count == 43)
    }

    @Test func unsupportedOperatorsAreListedAllAtOnceWithIndices() throws {
        let url = Fixtures.root.appendingPathComponent("unsupported/abs_cumsum.tflite")
        do {
            _ = try TFLiteImporter().importGraph(contentsOf: url, fileName: "abs_cumsum.tflite")
            Issue.record("ABS and CUMSUM must be refused")
        } catch {
            #expect(error.diagnostics.map(\.description) == [
                "abs_cumsum.tflite: error: at operator 0 (ABS): unsupported TFLite operator ABS",
                "abs_cumsum.tflite: error: at operator 2 (CUMSUM): unsupported TFLite operator CUMSUM",
            ])
        }
    }

    @Test func multipleSubgraphsAreRefused() throws {
        // Patch the fixture's subgraphs vector to claim two entries (the second offset is then
        // the first buffer's): decoding must refuse before reading them.
        let bytes = [UInt8](try Data(contentsOf: Fixtures.ops.appendingPathComponent("relu.tflite")))
        let reader = FlatBufferReader(bytes: bytes, fileName: nil)
        let model = try reader.rootTable("Model")
        let entry = model.vtable + 4 + 2 * 2
        let vector = try reader.follow(at: model.position + Int(bytes[entry]) + Int(bytes[entry + 1]) << 8, for: "subgraphs")
        var mutated = bytes
        mutated[vector] = 2
        #expect(throws: DiagnosticError.self) { try TFLiteModel(bytes: mutated, fileName: "two.tflite") }
        do { _ = try TFLiteModel(bytes: mutated, fileName: "two.tflite") } catch {
            #expect(error.diagnostics[0].message.contains("2 subgraphs"))
        }
    }

    @Test(arguments: names)
    func outputCodesEqualTFLiteReferenceKernels(name: String) throws {
        let (kiln, tflite, _) = try Self.run(Fixtures.ops, name)
        #expect(!tflite.isEmpty)
        let differing = zip(kiln, tflite).filter { $0 != $1 }.count
        #expect(kiln.count == tflite.count && differing == 0, "\(name): \(differing) of \(tflite.count) codes differ")
    }
}
