import Foundation
import Testing
import KilnBackends
import KilnCompiler
import KilnIR
import KilnJSON
import KilnModelIO
import KilnTargets
@testable import KilnCLI

/// `kiln run` / `inspect` / `simulate` on `.tflite` models: int8 data in the model's own layout
/// in, int8 codes out, equal to TFLite's reference kernels (fixtures of `tools/tflite`).
@Suite struct TFLiteModelTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tflite")

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kiln-tflite-\(UUID())-\(name)").path
    }

    @Test(arguments: ["mlperf/ad01_int8", "mlperf/kws_ref_model", "mlperf/pretrainedResnet_quant", "mlperf/vww_96_int8",
                      "ops/add_broadcast_relu", "ops/softmax_4d", "ops/mean_keepdims"])
    func runWritesTFLitesCodes(model: String) throws {
        let base = Self.fixtures.appendingPathComponent(model).path
        let output = Self.temporaryFile("y.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["run", base + ".tflite", "--input", base + ".input.npy", "--output", output])
        #expect(result.code == .success, "\(result.error)")
        let written = try NumPyReader.read(contentsOf: output)
        let expected = try NumPyReader.read(contentsOf: base + ".output.npy")
        #expect(written.shape == expected.shape)
        #expect(written.storage.isBitwiseIdentical(to: expected.storage))
    }

    @Test func inspectListsTheImportedGraph() {
        let result = runKiln(["inspect", Self.fixtures.appendingPathComponent("mlperf/kws_ref_model.tflite").path])
        #expect(result.code == .success, "\(result.error)")
        #expect(result.output.contains("input  input_1: i8[1,49,10,1] (s=0.5847029, zp=83)"))
        #expect(result.output.contains("op11_FULLY_CONNECTED"))
    }

    @Test func unsupportedOperatorsAreListedWithIndices() {
        let path = Self.fixtures.appendingPathComponent("unsupported/abs_cumsum.tflite").path
        let result = runKiln(["inspect", path])
        #expect(result.code != .success)
        #expect(result.error.contains("\(path): error: at operator 0 (ABS): unsupported TFLite operator ABS"))
        #expect(result.error.contains("\(path): error: at operator 2 (CUMSUM): unsupported TFLite operator CUMSUM"))
    }

    @Test func simulateAcceptsATFLiteModel() {
        let base = Self.fixtures.appendingPathComponent("ops/conv2d").path
        let output = Self.temporaryFile("sim.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["simulate", base + ".tflite", "--target", "cortex-a72-rpi4", "--input", base + ".input.npy", "--output", output])
        #expect(result.code == .success, "\(result.error)")
        #expect((try? NumPyReader.read(contentsOf: output).shape) == [4, 8, 8, 5])
    }

    // MARK: families on TFLite models

    /// Every per-op fixture.
    static let operatorFixtures: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.appendingPathComponent("ops").path)) ?? [])
        .filter { $0.hasSuffix(".tflite") }.map { String($0.dropLast(".tflite".count)) }.sorted()

    /// The DSP targets (TFLite Micro + CMSIS-NN s8; the M55 and M85 with CMSIS-NN's Helium paths,
    /// whose arithmetic is the same).
    static let dspTargets = ["stm32l4r5-cortex-m4", "stm32h743-cortex-m7", "nrf5340-cortex-m33", "corstone300-cortex-m55", "ra8d1-cortex-m85"]
    /// The DSP targets and one SIMD target per instruction set (on the AVX2 target a TFLite node
    /// keeps exact int32 accumulation, as TFLite's own x86 kernels compute it).
    static let exactTargets = dspTargets + ["cortex-a72-rpi4", "x86-avx2-haswell-i7-4770", "x86-avx512-vnni-xeon-gold-6248"]

    static let catalog = try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)

    /// Every op fixture compiled for every exact target and simulated (the program `kiln
    /// simulate` runs): the output codes equal TFLite's reference kernels', element for element.
    @Test(arguments: operatorFixtures)
    func simulatedProgramsEqualTFLiteReferenceCodes(model: String) throws {
        let base = Self.fixtures.appendingPathComponent("ops/\(model)").path
        let graph = try ModelLoader.load(base + ".tflite")
        let input = try ModelDataFiles.readData(base + ".input.npy", feeds: graph.inputs[0], of: graph.types[graph.inputs[0]]!)
        let expected = try NumPyReader.read(contentsOf: base + ".output.npy").int32Values()
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        for name in Self.exactTargets {
            let target = try #require(Self.catalog.target(named: name))
            let program = try compiler.compile(graph, for: target)
            let codes = try FunctionalSimulator(program: program).runBatch([graph.inputs[0]: input]).outputs[0].codes ?? []
            #expect(codes.count == expected.count && zip(codes, expected).allSatisfy { $0 == $1 },
                    "\(model) on \(name): \(zip(codes, expected).filter { $0 != $1 }.count) of \(expected.count) codes differ")
        }
    }

    /// The MLPerf Tiny models on their first stored sample: `kiln simulate` on the Cortex-M4
    /// writes the codes TFLite's reference kernels computed, and the programs for the other DSP
    /// targets compute the same.
    @Test(arguments: ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8"])
    func simulateOnDSPTargetsEqualsTFLiteReferenceCodes(model: String) throws {
        let base = Self.fixtures.appendingPathComponent("mlperf/\(model)").path
        let x = try NumPyReader.read(contentsOf: base + ".input.npy").tensor()
        let y = try NumPyReader.read(contentsOf: base + ".output.npy").tensor()
        let input = Self.temporaryFile("x1.npy")
        defer { try? FileManager.default.removeItem(atPath: input) }
        try NumPyWriter.write(try NumPyArray(tensor: try Tensor.stacked([try x.samples(x.shape[0], of: [1] + x.shape.dropFirst())[0]])), to: input)
        let expected = try NumPyArray(tensor: try Tensor.stacked([try y.samples(y.shape[0], of: [1] + y.shape.dropFirst())[0]])).int32Values()
        let output = Self.temporaryFile("y.npy")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = runKiln(["simulate", base + ".tflite", "--target", Self.dspTargets[0], "--input", input, "--output", output])
        #expect(result.code == .success, "\(result.error)")
        let written = try NumPyReader.read(contentsOf: output).int32Values()
        #expect(written == expected, "\(model): \(zip(written, expected).filter { $0 != $1 }.count) of \(expected.count) codes differ")
        let graph = try ModelLoader.load(base + ".tflite")
        let sample = try ModelDataFiles.readData(input, feeds: graph.inputs[0], of: graph.types[graph.inputs[0]]!)
        let compiler = Compiler(registry: try BuiltInBackends.registry())
        for name in Self.dspTargets.dropFirst() {
            let program = try compiler.compile(graph, for: try #require(Self.catalog.target(named: name)))
            let codes = try FunctionalSimulator(program: program).runBatch([graph.inputs[0]: sample]).outputs[0].codes ?? []
            #expect(codes == expected, "\(model) on \(name): \(zip(codes, expected).filter { $0 != $1 }.count) of \(expected.count) codes differ")
        }
    }

    /// On the DSP targets the MLPerf models' layers run in the CMSIS-NN s8 kernels, not on the
    /// host: every conv2d, dense, add and pooling node is on the accelerator (softmax, whose TFLite
    /// and CMSIS-NN arithmetic differ, and the layout transposes at the edges are not).
    @Test(arguments: ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "ad01_int8"])
    func mlperfLayersRunInTheS8Kernels(model: String) throws {
        let graph = try ModelLoader.load(Self.fixtures.appendingPathComponent("mlperf/\(model).tflite").path)
        let registry = try BuiltInBackends.registry()
        let target = try #require(Self.catalog.target(named: "stm32l4r5-cortex-m4"))
        let program = try Compiler(registry: registry).compile(graph, for: target)
        let host = Set(program.kernelSteps.filter { $0.placement != .accelerator }.flatMap { $0.kernel.nodes.map(\.kind) })
        #expect(host.isSubset(of: [.softmax, .transpose]), "\(host)")
        let kernels = Set(program.kernelSteps.map(\.kernel.name))
        #expect(kernels.contains(model == "ad01_int8" ? "arm_fully_connected_s8" : "arm_convolve_s8"), "\(kernels)")
    }

    /// On the AVX2 target (whose `vpmaddubsw` saturates pair sums) a TFLite model's conv2d and
    /// dense layers keep exact accumulation and still run in the SIMD kernels, not on the host.
    @Test(arguments: ["kws_ref_model", "ad01_int8"])
    func tfliteLayersRunInTheAVX2Kernels(model: String) throws {
        let graph = try ModelLoader.load(Self.fixtures.appendingPathComponent("mlperf/\(model).tflite").path)
        let target = try #require(Self.catalog.target(named: "x86-avx2-haswell-i7-4770"))
        let program = try Compiler(registry: try BuiltInBackends.registry()).compile(graph, for: target)
        let host = Set(program.kernelSteps.filter { $0.placement != .accelerator }.flatMap { $0.kernel.nodes.map(\.kind) })
        #expect(host.isDisjoint(with: [.conv2d, .dense]), "\(host)")
    }

    /// `kiln compare model.tflite --data x.npy` with the model's own int8 data (its three stored
    /// samples): the DSP row and the exact SIMD row reproduce the model's reference output (an
    /// exact SQNR: `sqnrVsReferenceExact` true, the decibels null).
    @Test func compareTakesTheModelsOwnInt8Data() throws {
        let base = Self.fixtures.appendingPathComponent("mlperf/kws_ref_model").path
        let result = runKiln(["compare", base + ".tflite", "--data", base + ".input.npy",
                              "--targets", "stm32l4r5-cortex-m4,cortex-a72-rpi4", "--format", "json"])
        #expect(result.code == .success, "\(result.error)")
        let report = try #require(try JSONParser().parse(result.output, file: "stdout").objectValue)
        let rows = try #require(report["rows"]?.arrayValue).compactMap(\.objectValue)
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["sqnrVsReferenceExact"] == .bool(true), "\(row["target"] ?? .null): \(row["sqnrVsReferenceDecibels"] ?? .null)")
            #expect(row["sqnrVsReferenceDecibels"] == .null)
            #expect(row["format"]?.stringValue == "i8×i8")
        }
    }
}
