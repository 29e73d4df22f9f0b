import Foundation
import Testing
import KilnBackends
import KilnCompiler
import KilnEvaluation
import KilnIR
import KilnJSON
import KilnModelIO
import KilnNumerics
@testable import KilnCLI

/// The shipped BERT encoder (`examples/transformer`: three int64 graph inputs) through the
/// commands: `--data`/`--input NAME=FILE` matched by input name with located errors,
/// `--output-dir`, and `kiln compare` on every built-in target scored against the float model.
@Suite struct TransformerCommandTests {
    static let directory = repositoryRoot.appendingPathComponent("examples/transformer")
    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    static let names = ["input_ids", "attention_mask", "token_type_ids"]
    static func feeds(_ option: String) -> [String] { names.flatMap { [option, "\($0)=\(path("\($0).npy"))"] } }

    /// Every built-in target gets a row with latency, energy and the SQNR of the embedding
    /// against the float model's; every node of each program runs somewhere (accelerator or host);
    /// on the AVX2 target (whose numerics are ORT's, the embedding equal to ORT's to 6e-8) the
    /// SQNR against float is the one of ONNX Runtime's own QDQ embedding against its float one.
    @Test func compareOnEveryTargetScoresAgainstTheFloatModel() throws {
        let recorder = EvaluationRecorder()
        var context = CommandContext(console: .capturing(), registry: try BuiltInBackends.registry())
        context.evaluationObserver = { recorder.record($0) }
        let command = try #require(KilnTool.builtInCommands().first { $0.name == "compare" })
        let arguments = [Self.path("encoder_qdq.onnx"), "--float-model", Self.path("encoder.onnx"), "--format", "json"] + Self.feeds("--data")
        let code = try command.run(try ParsedArguments(arguments, options: command.options), context: context)
        #expect(code == .success, "\(context.console.errorOutput)")
        let rows = try #require(try JSONParser().parse(context.console.output).objectValue?["rows"]?.arrayValue).compactMap(\.objectValue)
        let targets = try context.targetCatalog(try ParsedArguments([], options: command.options)).targets
        #expect(rows.count == targets.count)
        for row in rows {
            let target = row["target"]?.stringValue ?? "?"
            #expect(row["error"] == nil || row["error"] == .null, "\(target): \(row["error"]?.stringValue ?? "")")
            #expect((row["latencySeconds"]?.doubleValue ?? 0) > 0, "\(target)")
            #expect((row["energyJoules"]?.doubleValue ?? 0) > 0, "\(target)")
            let sqnr = try #require(row["sqnrVsFloatDecibels"]?.doubleValue, "\(target)")
            // Measured 9.45 dB on the ONNX Runtime-arithmetic targets (9.4454 on the two AVX2
            // targets, ORT's own 9.4454: a random-weight encoder with uint8 activations) and 1.1 dB
            // on the Cortex-M and Ethos-U targets, which run the model with TFLite's arithmetic:
            // its ADD loses the attention mask (scale 1.3e36; docs/numerics.md).
            #expect(sqnr.isFinite && sqnr > 0, "\(target): \(sqnr) dB")
        }
        let programs = recorder.products.compactMap { product -> TargetProgram? in
            if case .program(let program) = product { return program } else { return nil }
        }
        #expect(programs.count == targets.count)
        for program in programs {
            let placed = program.kernelSteps.reduce(0) { $0 + $1.kernel.nodes.count }
            #expect(placed == program.graph.nodes.count, "\(program.target.name): \(placed) of \(program.graph.nodes.count) nodes placed")
        }
        let float = try NumPyReader.read(contentsOf: Self.path("ort_float.npy")).floatValues()
        let quantized = try NumPyReader.read(contentsOf: Self.path("ort_qdq.npy")).floatValues()
        let ort = try ErrorMetrics(reference: float, approximation: quantized).signalToQuantizationNoiseRatio
        let avx2 = try #require(rows.first { $0["target"]?.stringValue == "x86-avx2-haswell-i7-4770" }?["sqnrVsFloatDecibels"]?.doubleValue)
        #expect(abs(avx2 - ort) < 1e-3, "Kiln \(avx2) dB, ONNX Runtime \(ort) dB")
    }

    /// `simulate` reports the time per operator kind and where it runs: on the Ethos-U the 12
    /// dense layers of the two encoder layers run on the NPU, the two softmaxes and the five
    /// layer normalizations on the Cortex-M host.
    @Test func simulateReportsTheTimeByOperator() throws {
        let arguments = ["simulate", Self.path("encoder_qdq.onnx"), "--target", "ethos-u55-128-corstone300"]
        let text = runKiln(arguments)
        #expect(text.code == .success, "\(text.error)")
        #expect(text.output.contains("time by operator: "))
        let json = runKiln(arguments + ["--format", "json"])
        let shares = try #require(try JSONParser().parse(json.output).objectValue?["operatorShares"]?.arrayValue).compactMap(\.objectValue)
        func steps(_ kind: String, _ placement: String) -> Int64? {
            shares.first { $0["operator"]?.stringValue == kind && $0["placement"]?.stringValue == placement }?["steps"]?.integerValue
        }
        #expect(steps("dense", "accelerator") == 12)
        #expect(steps("softmax", "host") == 2)
        #expect(steps("layerNorm", "host") == 5)
        let seconds = shares.compactMap { $0["seconds"]?.doubleValue }
        #expect(seconds == seconds.sorted(by: >))
    }

    /// `simulate --input NAME=FILE ... --output-dir` writes every graph output under its name,
    /// equal to `run`'s output on the same target.
    @Test func simulateFeedsEveryInputByNameAndWritesEveryOutput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-transformer-\(UUID())")
        let target = "x86-avx2-haswell-i7-4770"
        let simulated = runKiln(["simulate", Self.path("encoder_dynamic.onnx"), "--target", target,
                                 "--output-dir", directory.appendingPathComponent("simulate").path] + Self.feeds("--input"))
        #expect(simulated.code == .success, "\(simulated.error)")
        let ran = runKiln(["run", Self.path("encoder_dynamic.onnx"), "--target", target,
                           "--output-dir", directory.appendingPathComponent("run").path] + Self.feeds("--input"))
        #expect(ran.code == .success, "\(ran.error)")
        let fromSimulate = try NumPyReader.read(contentsOf: directory.appendingPathComponent("simulate/embedding.npy").path)
        let fromRun = try NumPyReader.read(contentsOf: directory.appendingPathComponent("run/embedding.npy").path)
        #expect(fromSimulate.shape == [2, 32])
        #expect(try fromSimulate.floatValues() == fromRun.floatValues())
    }

    /// A missing input, an unknown name, a bare file for a model with three inputs and a shape
    /// that does not fit each give a message naming the input and the file.
    @Test func inputsAreMatchedByNameWithLocatedErrors() throws {
        let model = Self.path("encoder_qdq.onnx")
        let ids = Self.path("input_ids.npy"), mask = Self.path("attention_mask.npy")
        for (option, command) in [("--input", ["simulate", model, "--target", "cortex-a55-rk3568"]),
                                  ("--data", ["compare", model, "--targets", "cortex-a55-rk3568"])] {
            let missing = runKiln(command + [option, "input_ids=\(ids)", option, "attention_mask=\(mask)"])
            #expect(missing.code == .usageError)
            #expect(missing.error.hasPrefix("error: no \(option) for the input 'token_type_ids' of the model 'main_graph': give \(option) token_type_ids=FILE.npy "
                                            + "(its inputs: input_ids, attention_mask, token_type_ids)\n"))
            let unknown = runKiln(command + [option, "input_id=\(ids)"])
            #expect(unknown.code == .inputError)
            #expect(unknown.error == "\(ids): error: 'input_id' is not an input of the model 'main_graph' (did you mean 'input_ids'?); "
                    + "its inputs: input_ids, attention_mask, token_type_ids\n")
            let bare = runKiln(command + [option, ids])
            #expect(bare.code == .usageError)
            #expect(bare.error.hasPrefix("error: \(option) \(ids): the model 'main_graph' has 3 inputs (input_ids, attention_mask, token_type_ids); "
                                         + "give \(option) NAME=FILE for each\n"))
            let shape = runKiln(command + [option, "input_ids=\(ids)", option, "attention_mask=\(Self.path("ort_float.npy"))",
                                           option, "token_type_ids=\(ids)"])
            #expect(shape.code == .inputError)
            #expect(shape.error == "\(Self.path("ort_float.npy")): error: at tensor 'attention_mask': the model's input is i64 but the file holds f32 values; give integer data\n")
        }
    }
}
