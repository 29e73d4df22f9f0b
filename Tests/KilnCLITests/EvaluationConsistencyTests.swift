import Foundation
import Testing
import KilnBackends
import KilnCompiler
import KilnEvaluation
import KilnIR
import KilnModelIO
@testable import KilnCLI

/// What the commands of one test run built, in order.
final class EvaluationRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Evaluation.Product] = []

    func record(_ product: Evaluation.Product) {
        lock.lock(); defer { lock.unlock() }
        recorded.append(product)
    }

    var products: [Evaluation.Product] { lock.lock(); defer { lock.unlock() }; return recorded }
}

@Suite struct EvaluationConsistencyTests {
    /// The first `count` images of a shipped .npy file, in a temporary file of this suite's own.
    static func firstImages(_ count: Int, of name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-consistency-\(UUID())-\(name)").path
        let images = try! NumPyReader.read(contentsOf: SimulateAndCompareTests.path(name))
        let values = try! images.floatValues()
        try! NumPyWriter.write(try! NumPyArray(shape: [count] + Array(images.shape.dropFirst()),
                                               storage: .float32(Array(values[0 ..< count * 64]))), to: path)
        return path
    }
    /// 16 calibration images.
    static let calibration = firstImages(16, of: "calibration_x_nchw.npy")
    /// 8 test images for `run`.
    static let inputs = firstImages(8, of: "test_x_nchw.npy")
    /// The FPGA dataflow target (4-bit activations calibrated from data).
    static let target = "pynq-z1-zynq7020-finn"

    /// Runs one command line with a context that records every graph adapted and program compiled.
    static func products(_ arguments: [String]) throws -> [Evaluation.Product] {
        let recorder = EvaluationRecorder()
        var context = CommandContext(console: .capturing(), registry: try BuiltInBackends.registry())
        context.evaluationObserver = { recorder.record($0) }
        let command = try #require(KilnTool.builtInCommands().first { $0.name == arguments[0] })
        let code = try command.run(try ParsedArguments(Array(arguments.dropFirst()), options: command.options), context: context)
        #expect(code == .success, "\(arguments)")
        return recorder.products
    }

    static func program(_ arguments: [String]) throws -> TargetProgram {
        let products = try products(arguments)
        guard products.count == 1, case .program(let program) = products[0] else {
            Issue.record("\(arguments[0]) built \(products.count) products, expected one program")
            throw CancellationError()
        }
        return program
    }

    /// `simulate`, `run --target`, `sweep` and `compare` given the same model, FPGA dataflow
    /// target and calibration data build the same target-numerics graph, and the three that
    /// compile build the same program listing. For ONNX Runtime's int8 QDQ CNN the data only
    /// calibrates the target (without it the program differs: the dataflow target chooses its
    /// 4-bit activation ranges from it); the float binarized CNN is first quantized by Kiln.
    @Test(arguments: ["cnn_qdq.onnx", "bnn.onnx"])
    func sameModelTargetAndCalibrationGiveTheSameProgram(_ name: String) throws {
        let model = SimulateAndCompareTests.path(name)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-\(UUID())-out.npy").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let simulated = try Self.program(["simulate", model, "--target", Self.target, "--calibration", Self.calibration])
        let compared = try Self.program(["compare", model, "--targets", Self.target, "--calibration", Self.calibration])
        let swept = try Self.program(["sweep", model, "--target", Self.target, "--vary", "clockMegahertz=100",
                                      "--calibration", Self.calibration])
        let ran = try Self.products(["run", model, "--target", Self.target, "--calibration", Self.calibration,
                                     "--input", Self.inputs, "--output", output])
        guard ran.count == 1, case .adaptedGraph(let interpreted, _) = ran[0] else {
            Issue.record("run --target built \(ran.count) products, expected one adapted graph"); return
        }

        #expect(compared.listing() == simulated.listing())
        #expect(swept.listing() == simulated.listing())
        #expect(compared.graph == simulated.graph)
        #expect(swept.graph == simulated.graph)
        #expect(interpreted == simulated.graph)

        if name == "cnn_qdq.onnx" {
            let uncalibrated = try Self.program(["simulate", model, "--target", Self.target])
            #expect(uncalibrated.graph != simulated.graph, "calibration data must change the dataflow program")
        } else {
            #expect(!EvaluationModel.computesInFloat(simulated.graph), "the program computes on Kiln's quantization of the float model")
        }
    }
}
