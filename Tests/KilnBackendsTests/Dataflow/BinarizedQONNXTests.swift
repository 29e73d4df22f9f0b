import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnModelIO
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// The QONNX TFC-W1A1 and CNV-like W1A1 (`Tests/Fixtures/qonnx`, Brevitas export form) on the
/// dataflow and XNOR targets: their binarized layers run on the accelerator with the batchNorm +
/// sign fused as a threshold (MVAU with a sign stage; XNOR-popcount dense with its threshold
/// unit), and the functional simulation equals the qonnx executor's outputs.
@Suite struct BinarizedQONNXTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/qonnx")

    @Test(arguments: [("pynq-z1-zynq7020-finn", "mvau"), ("bnn-array-45nm", "xnor-popcount.dense")])
    func hiddenLayersRunOnTheAcceleratorWithFusedSign(_ targetName: String, _ kernel: String) throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.fixtures.appendingPathComponent("tfc_w1a1.onnx"))
        let target = try #require(BuiltInTargets.catalog.target(named: targetName))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let fused = program.kernelSteps.filter { $0.placement == .accelerator && $0.kernel.name == kernel }
        #expect(fused.count == 3)
        for step in fused { #expect(step.kernel.nodes.map(\.kind) == [.dense, .sign]) }
        let x = try NumPyReader.read(contentsOf: Self.fixtures.appendingPathComponent("tfc_w1a1_x.npy").path).tensor()
        let expected = try NumPyReader.read(contentsOf: Self.fixtures.appendingPathComponent("tfc_w1a1_y.npy").path).tensor()
        let outputs = try FunctionalSimulator(program: program).run([graph.inputs[0]: x]).outputs
        #expect(outputs[0].floats == expected.floats)
    }

    /// CNV-like W1A1 on the PYNQ-Z1: all six convolutions (the first on the 8-bit input codes) and
    /// both hidden dense layers are MVAUs with a fused sign, the pools stream on the fabric.
    @Test func cnvRunsItsBinaryLayersOnTheFabric() throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.fixtures.appendingPathComponent("cnv_like_w1a1.onnx"))
        let target = try #require(BuiltInTargets.catalog.target(named: "pynq-z1-zynq7020-finn"))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let onFabric = program.kernelSteps.filter { $0.placement == .accelerator }
        #expect(onFabric.filter { $0.kernel.name == "mvau" && $0.kernel.nodes.last?.kind == .sign }.count == 8)
        #expect(onFabric.filter { $0.kernel.name == "streaming-maxpool" }.count == 2)
        let x = try NumPyReader.read(contentsOf: Self.fixtures.appendingPathComponent("cnv_like_w1a1_x.npy").path).tensor()
        let expected = try NumPyReader.read(contentsOf: Self.fixtures.appendingPathComponent("cnv_like_w1a1_y.npy").path).tensor()
        #expect(try FunctionalSimulator(program: program).run([graph.inputs[0]: x]).outputs[0].floats == expected.floats)
    }
}
