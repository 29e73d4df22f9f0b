import Foundation
import Testing
import KilnModelIO
@testable import KilnCLI

/// The six traps of issue 19, each found by fuzzing the release binary: inputs that parse and then
/// broke arithmetic. Each now ends in a finding that names the file and the place (exit code 1).
@Suite struct TrapRegressionTests {
    let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-traps-\(UUID())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()
    let quantizedModel = repositoryRoot.appendingPathComponent("examples/digits/cnn_qdq.onnx").path
    let floatModel = repositoryRoot.appendingPathComponent("examples/tiny-cnn.json").path

    /// A copy of a built-in target under another name, with `replace` applied to its text.
    func editedTarget(_ builtIn: String, name: String, _ replace: [(pattern: String, with: String)]) throws -> String {
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("targets/\(builtIn).json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "\"name\": \"\(builtIn)\"", with: "\"name\": \"\(name)\"")
        for (pattern, replacement) in replace {
            let edited = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
            #expect(edited != text, "pattern \(pattern) did not match")
            text = edited
        }
        let path = directory.appendingPathComponent("\(name).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func clock(_ value: String) -> (pattern: String, with: String) {
        (#""clockMegahertz": \{\s*"value": [0-9.e]+"#, "\"clockMegahertz\": {\"value\": \(value)")
    }

    /// Site 1: a clock of 1e19 MHz passed validation, then `compile` trapped formatting the
    /// listing header (Double → Int). Site 2: a clock of 1e300 trapped `targets show` and
    /// `targets list` formatting the peak rate.
    @Test(arguments: ["1e19", "1e300", "0.0000001"])
    func absurdClockIsRejectedAtItsPath(_ value: String) throws {
        let file = try editedTarget("cortex-a72-rpi4", name: "clock-\(value)", [clock(value)])
        let validate = runKiln(["targets", "validate", file])
        #expect(validate.code == .inputError)
        #expect(validate.error.hasPrefix("\(file): error: at clockMegahertz: "))
        #expect(validate.error.contains("is outside the plausible range of clockMegahertz (0.001–100000)"))
        for command in [["compile", floatModel, "--target", file], ["targets", "show", "clock-\(value)", "--target", file],
                        ["targets", "list", "--target", file]] {
            let result = runKiln(command)
            #expect(result.code == .inputError, "\(command)")
            #expect(result.error.contains("\(file): error: at clockMegahertz: "), "\(command)")
        }
    }

    /// Site 2: an instruction throughput above 1e19 per cycle trapped the peak-rate formatting.
    @Test func absurdThroughputIsRejectedAtItsPath() throws {
        let file = try editedTarget("x86-avx2-haswell-i7-4770", name: "throughput",
                                    [(#""throughputPerCycle": \{\s*"value": 1,"#, "\"throughputPerCycle\": {\"value\": 1e20,")])
        let validate = runKiln(["targets", "validate", file])
        #expect(validate.code == .inputError)
        #expect(validate.error.contains("\(file): error: at simd.instructions["))
        #expect(validate.error.contains("].throughputPerCycle: 1e+20 is outside the plausible range of throughputPerCycle (0.001–1024)"))
        let show = runKiln(["targets", "show", "throughput", "--target", file])
        #expect(show.code == .inputError)
    }

    /// Site 5: an XNOR target with `ops[].channelMultiple` of Int64.max trapped `compile`,
    /// `simulate` and `compare` of an int8 model (`channels + multiple − 1` overflowed).
    @Test func hugeChannelMultipleIsRejectedAtItsPath() throws {
        let file = try editedTarget("bnn-array-45nm", name: "multiple",
                                    [(#""channelMultiple": 64"#, "\"channelMultiple\": 9223372036854775807")])
        let validate = runKiln(["targets", "validate", file])
        #expect(validate.code == .inputError)
        #expect(validate.error.contains("\(file): error: at ops["))
        #expect(validate.error.contains("].channelMultiple: 9223372036854775807 is outside the plausible range of channelMultiple (1–65536)"))
        for command in ["compile", "simulate"] {
            let result = runKiln([command, quantizedModel, "--target", file])
            #expect(result.code == .inputError, "\(command)")
            #expect(result.error.contains("\(file): error: at ops["), "\(command)")
        }
        let compare = runKiln(["compare", quantizedModel, "--target", file, "--targets", "multiple"])
        #expect(compare.code == .inputError)
        #expect(compare.error.contains("\(file): error: at ops["))
    }

    /// Site 3: a Kiln model whose `add` of two i32 declares an i64 output passed `inspect`, then
    /// `run` and `simulate` trapped in `Tensor.init` (storage kind ≠ element type).
    @Test func typeInconsistentAddIsRejectedByTheVerifier() throws {
        let model = directory.appendingPathComponent("add-i64.json").path
        try Data("""
            {"kilnModel": 1, "name": "add-i64",
             "inputs": [{"name": "a", "type": {"shape": [1, 4], "elementType": "i32"}},
                        {"name": "b", "type": {"shape": [1, 4], "elementType": "i32"}}],
             "outputs": ["y"], "constants": [],
             "nodes": [{"name": "sum", "op": "add", "inputs": ["a", "b"], "attributes": {},
                        "outputs": [{"name": "y", "type": {"shape": [1, 4], "elementType": "i64"}}]}]}
            """.utf8).write(to: URL(fileURLWithPath: model))
        let data = directory.appendingPathComponent("a.npy").path
        try NumPyWriter.write(try NumPyArray(shape: [1, 4], storage: .int32([1, 2, 3, 4])), to: data)
        for command in [["inspect", model], ["run", model, "--input", "a=\(data)", "--input", "b=\(data)", "--output", data + ".out"],
                        ["simulate", model, "--target", "cortex-a72-rpi4", "--input", data]] {
            let result = runKiln(command)
            #expect(result.code == .inputError, "\(command)")
            #expect(result.error == "\(model): error: at node 'sum' (add): output 0 is declared i64, but add of these inputs computes i32 values (int32 storage, not int64)\n",
                    "\(command): \(result.error)")
        }
    }

    /// Site 4: a SCALE-Sim topology with a 6×6 input, a 1×1 filter and stride 7 trapped in
    /// `SystolicMemoryTraffic.estimatedPrefetch` (an empty range) with every calc-mode config.
    @Test(arguments: ["os", "ws", "is"])
    func strideBeyondTheInputIsAFindingInTheTopology(_ dataflow: String) throws {
        let topology = directory.appendingPathComponent("stride7.csv").path
        try Data("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nL, 6, 6, 1, 1, 1, 1, 7,\n".utf8)
            .write(to: URL(fileURLWithPath: topology))
        let config = repositoryRoot.appendingPathComponent("Tests/Fixtures/scalesim/configs/a8x8s16_\(dataflow)_calc.cfg").path
        let result = runKiln(["simulate", topology, "--target", config])
        #expect(result.code == .inputError)
        #expect(result.error == "\(topology): error: at layer 'L': stride height 7 is not smaller than the input height 6: output 2 of 2 would start past the input's edge\n")
    }

    /// Site 6: a well-formed `.npy` with an empty batch (shape (0, 1, 8, 8)) trapped in
    /// `Tensor.stacked` from `run`, `simulate` and `compare`.
    @Test func emptyBatchIsAFindingNamingTheFile() throws {
        let empty = directory.appendingPathComponent("empty.npy").path
        try NumPyWriter.write(try NumPyArray(shape: [0, 1, 8, 8], storage: .float32([])), to: empty)
        let commands = [["run", floatModel, "--input", empty, "--output", empty + ".out"],
                        ["simulate", floatModel, "--target", "cortex-a72-rpi4", "--input", empty],
                        ["compare", floatModel, "--targets", "cortex-a72-rpi4", "--data", empty]]
        for command in commands {
            let result = runKiln(command)
            #expect(result.code == .inputError, "\(command)")
            #expect(result.error.hasPrefix("\(empty): error: "), "\(command): \(result.error)")
            #expect(result.error.contains("empty"), "\(command): \(result.error)")
        }
    }

    /// Issue 19 also found that findings made after a model was read (a node the target cannot
    /// run) named the node but not the model file.
    @Test func findingsAfterLoadingNameTheModelFile() {
        let model = repositoryRoot.appendingPathComponent("examples/digits/dscnn_residual.onnx").path
        for command in ["compile", "simulate"] {
            let result = runKiln([command, model, "--target", "bnn-array-45nm", "--no-host-fallback"])
            #expect(result.code == .inputError, "\(command)")
            #expect(result.error.hasPrefix("\(model): error: at node 'conv1' (conv2d): cannot run on bnn-array-45nm: "), "\(command)")
        }
    }
}
