import Foundation
import KilnIR
import Testing
@testable import KilnTFLite

/// The four MLPerf Tiny int8 reference models (mlcommons/tiny, Apache-2.0): imported and run
/// by the reference interpreter on three seeded inputs each, the output codes must equal the
/// TFLite interpreter's reference kernels exactly.
@Suite struct MLPerfTinyTests {
    @Test(arguments: ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"])
    func outputCodesEqualTFLiteReferenceKernels(name: String) throws {
        let (kiln, tflite, _) = try OperatorFixtureTests.run(Fixtures.mlperf, name)
        #expect(!tflite.isEmpty)
        let differing = zip(kiln, tflite).filter { $0 != $1 }.count
        #expect(kiln.count == tflite.count && differing == 0, "\(name): \(differing) of \(tflite.count) codes differ")
    }

    @Test func importsKeepTheModelsDeclaredTypesAndLayout() throws {
        let graph = try TFLiteImporter().importGraph(contentsOf: Fixtures.mlperf.appendingPathComponent("vww_96_int8.tflite"))
        let input = graph.types[graph.inputs[0]]!, output = graph.types[graph.outputs[0]]!
        #expect(input.shape == [1, 96, 96, 3] && input.elementType == .int8)
        #expect(output.shape == [1, 2] && output.elementType == .int8)
        #expect(graph.nodes.allSatisfy { $0.semantics == .tensorFlowLite })
        // One transpose into NCHW after the input; convs chain without transposes between them.
        #expect(graph.nodes.filter { $0.kind == .transpose }.count <= 2)
    }
}
