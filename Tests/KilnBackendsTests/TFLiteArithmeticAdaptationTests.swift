import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnNumerics
import KilnInterpreter
import KilnONNX
import KilnTargets
@testable import KilnBackends

/// The shared conversion of ONNX Runtime layers to TFLite's int8 arithmetic, as the DSP and
/// Ethos-U families use it.
@Suite struct TFLiteArithmeticAdaptationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An ONNX Runtime QDQ model reaches the NPU as a user's TFLite conversion would: every
    /// conv and dense layer runs on the Ethos-U, none on the host, and the log says why.
    @Test func ethosURunsAnONNXModelsLayersOnTheNPU() throws {
        let graph = try ONNXImporter().importGraph(contentsOf: Self.repository.appendingPathComponent("examples/digits/cnn_qdq.onnx"))
        let target = try #require(BuiltInTargets.catalog.target(named: "ethos-u55-128-corstone300"))
        let log = CompileLog()
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target, options: CompileOptions(log: log))
        let macSteps = program.kernelSteps.filter { $0.kernel.nodes.contains { OperatorKind.multiplyAccumulate.contains($0.kind) } }
        #expect(macSteps.count == 3)
        #expect(macSteps.allSatisfy { $0.placement == .accelerator })
        #expect(log.entries.contains { $0.pass == "ethos-u-int8" && $0.message.contains("ONNX Runtime's arithmetic → TFLite's CONV_2D") })
    }

    /// An attention mask at float32's lowest value: TFLite's ADD computes `2^20 × outputScale`
    /// in float32 (`add.cc`), which overflows, so the output multiplier is zero and every output
    /// code is the zero point, while ONNX Runtime's float-scale add keeps the mask. The pass
    /// converts it as TFLite computes it and says so in the log.
    @Test func addWhoseOutputMultiplierVanishesGivesTheZeroPointAndIsLogged() throws {
        let maskScale: Float = 1.3344406e36  // float32's lowest value over 255 codes
        var builder = GraphBuilder(name: "mask")
        let scores = builder.input("scores", .quantized([1, 4], .uint8, scale: 0.048, zeroPoint: 128))
        let mask = builder.constant("mask", Tensor(shape: [1, 4], elementType: .uint8, codes: [255, 0, 255, 0],
                                                   quantization: QuantizationParameters(scale: maskScale, zeroPoint: 255)))
        let sum = try builder.node(.add, [scores, mask], name: "masked",
                                   outputTypes: [.quantized([1, 4], .uint8, scale: maskScale, zeroPoint: 255)])
        builder.output(sum)
        let graph = try builder.build()
        let input = Tensor(shape: [1, 4], elementType: .uint8, codes: [140, 100, 200, 128],
                           quantization: QuantizationParameters(scale: 0.048, zeroPoint: 128))

        // ONNX Runtime's arithmetic: the masked positions go to the lowest code.
        #expect(try ReferenceInterpreter(graph: graph).run(["scores": input])[0].codes == [255, 0, 255, 0])

        let target = try #require(BuiltInTargets.catalog.target(named: "stm32l4r5-cortex-m4"))
        let log = CompileLog()
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target, options: CompileOptions(log: log))
        #expect(log.entries.contains { $0.node == "masked" && $0.message.contains("zero output multiplier") })
        let add = try #require(program.graph.nodes.first { $0.name == "masked" })
        let arithmetic = try TFLiteElementwiseArithmetic(.add, first: try #require(program.graph.types[add.inputs[0]]),
                                                         second: try #require(program.graph.types[add.inputs[1]]),
                                                         output: try #require(program.graph.types[add.outputs[0]]))
        #expect(arithmetic.outputMultiplier.quantizedMultiplier == 0)
        // TFLite's arithmetic: every code is the zero point (i8 127, back to u8 255 at the output).
        #expect(try ReferenceInterpreter(graph: program.graph).run(["scores": input])[0].codes == [255, 255, 255, 255])
    }
}
