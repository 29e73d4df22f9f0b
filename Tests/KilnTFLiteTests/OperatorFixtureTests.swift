import Foundation
import KilnIR
import KilnInterpreter
import KilnModelIO
import Testing
@testable import KilnTFLite

/// Every per-op fixture (converted by the TFLite converter, run by TFLite's reference kernels):
/// imported and run by the reference interpreter, the output codes must equal TFLite's exactly.
@Suite struct OperatorFixtureTests {
    /// The fixture names: every `ops/<name>.tflite`.
    static let names: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: Fixtures.ops.path)) ?? [])
        .filter { $0.hasSuffix(".tflite") }.map { String($0.dropLast(".tflite".count)) }.sorted()

    /// Runs a model on its stored inputs and returns (Kiln's codes, TFLite's codes).
    static func run(_ directory: URL, _ name: String) throws -> (kiln: [Int32], tflite: [Int32], shape: [Int]) {
        let graph = try TFLiteImporter().importGraph(contentsOf: directory.appendingPathComponent("\(name).tflite"))
        let input = try NumPyReader.read(contentsOf: directory.appendingPathComponent("\(name).input.npy").path).tensor()
        let expected = try NumPyReader.read(contentsOf: directory.appendingPathComponent("\(name).output.npy").path).tensor()
        let outputs = try ReferenceInterpreter(graph: graph).runBatch([graph.inputs[0]: input], threads: 1)
        return (outputs[0].codes ?? [], expected.codes ?? [], outputs[0].shape)
    }

    /// Fixtures of operators Kiln does not import yet: the importer must name them.
    static let unsupported: [String: String] = ["rsqrt": "RSQRT"]

    @Test func everyOperatorOfTheIssueHasAFixture() {
        #expect(Self.names.count == 43)
    }

    @Test(arguments: unsupported.keys.sorted())
    func unsupportedOperatorsAreNamedWithTheirIndex(name: String) throws {
        let url = Fixtures.ops.appendingPathComponent("\(name).tflite")
        #expect {
            _ = try TFLiteImporter().importGraph(contentsOf: url)
        } throws: { error in
            "\(error)".contains("unsupported TFLite operator \(Self.unsupported[name]!)") && "\(error)".contains("operator ")
        }
    }

    @Test(arguments: names.filter { unsupported[$0] == nil })
    func outputCodesEqualTFLiteReferenceKernels(name: String) throws {
        let (kiln, tflite, _) = try Self.run(Fixtures.ops, name)
        #expect(!tflite.isEmpty)
        let differing = zip(kiln, tflite).filter { $0 != $1 }.count
        #expect(kiln.count == tflite.count && differing == 0, "\(name): \(differing) of \(tflite.count) codes differ")
    }
}
