import Foundation
import KilnIR
import Testing
@testable import KilnTFLite

/// Float TFLite models (the float operators a converter leaves around int8 ones) import and run
/// in float32; hybrid (dynamic-range) operators are refused with a clear error.
@Suite struct FloatModelTests {
    static let directory = Fixtures.root.appendingPathComponent("float")

    /// Float kernels differ from TFLite's in summation order only: agreement to a few float32 ulps
    /// of the output's magnitude.
    @Test(arguments: ["cnn", "depthwise_mean"])
    func outputsAgreeWithTFLiteInFloat32(name: String) throws {
        let graph = try TFLiteImporter().importGraph(contentsOf: Self.directory.appendingPathComponent("\(name).tflite"))
        #expect(graph.types[graph.inputs[0]]?.elementType == .float32)
        let (kiln, tflite, _) = try OperatorFixtureTests.runFloat(Self.directory, name)
        #expect(kiln.count == tflite.count && !tflite.isEmpty)
        let scale = max(1, tflite.map(abs).max() ?? 0)
        let worst = zip(kiln, tflite).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5 * scale, "\(name): largest difference \(worst)")
    }

    @Test func hybridOperatorsAreRefused() throws {
        let url = Fixtures.root.appendingPathComponent("unsupported/hybrid_conv2d.tflite")
        do {
            _ = try TFLiteImporter().importGraph(contentsOf: url, fileName: "hybrid_conv2d.tflite")
            Issue.record("a hybrid conv must be refused")
        } catch {
            #expect(error.diagnostics[0].description.hasPrefix("hybrid_conv2d.tflite: error: at operator 0 (CONV_2D): at byte 5208: hybrid (dynamic-range quantized)"))
        }
    }
}
