import Foundation
import Testing
import KilnDiagnostics
import KilnIR
import KilnInterpreter
@testable import KilnEvaluation

/// A float 1×4 → 3 dense layer with hand-picked weights (row i of the 4×3 weight is e_i's
/// contribution to each class).
func floatDense() throws -> Graph {
    var builder = GraphBuilder(name: "dense")
    let x = builder.input("x", .float32([1, 4]))
    let w = builder.constant("w", Tensor(shape: [4, 3], floats: [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]))
    builder.output(try builder.node(.dense, [x, w], name: "fc"))
    return try builder.build()
}

@Suite struct EvaluationTests {
    /// One sample of exactly the input's shape runs once; anything else is a batch along the
    /// leading dimension whose outputs are stacked.
    @Test func singleSampleOrBatch() throws {
        let graph = try floatDense()
        let interpreter = try ReferenceInterpreter(graph: graph)
        let one = SampleBatch(["x": Tensor(shape: [1, 4], floats: [1, 2, 3, 4])], for: graph)
        #expect(one.isSingleSample)
        // [1 2 3 4] · w = [1+4, 2+4, 3+4].
        #expect(try one.run(interpreter)[0].floats == [5, 6, 7])
        let two = SampleBatch(["x": Tensor(shape: [2, 4], floats: [1, 2, 3, 4, 0, 0, 0, 1])], for: graph)
        #expect(!two.isSingleSample)
        let stacked = try two.run(interpreter)[0]
        #expect(stacked.shape == [2, 3])
        #expect(stacked.floats == [5, 6, 7, 1, 1, 1])
        // A batch of one in a different rank is still a batch: [1, 4] per sample.
        #expect(!SampleBatch(["x": Tensor(shape: [4], floats: [1, 2, 3, 4])], for: graph).isSingleSample)
    }

    /// Data is matched to a model's inputs by name: a graph input without data, or data naming
    /// no graph input, is a finding that names it, not a crash.
    @Test func feedingMatchesInputsByName() throws {
        var builder = GraphBuilder(name: "two-inputs")
        builder.output(try builder.node(.add, [builder.input("a", .float32([1, 2])), builder.input("b", .float32([1, 2]))], name: "sum"))
        let graph = try builder.build()
        let a = Tensor(shape: [1, 2], floats: [1, 2]), b = Tensor(shape: [1, 2], floats: [10, 20])
        do {
            _ = try SampleBatch.feeding(["a": a], to: graph)
            Issue.record("expected a finding")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["no data for the graph input 'b' of the model 'two-inputs' (its inputs: a, b)"])
            #expect(error.diagnostics.map(\.location.place) == ["tensor 'b'"])
        }
        do {
            _ = try SampleBatch.feeding(["a": a, "b": b, "c": b], to: graph)
            Issue.record("expected a finding")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["the data names 'c', which is not an input of the model 'two-inputs' (its inputs: a, b)"])
        }
        #expect(try SampleBatch.feeding(["a": a, "b": b], to: graph).run(try ReferenceInterpreter(graph: graph))[0].floats == [11, 22])
        #expect(try SampleBatch.feeding(["x": Tensor(shape: [1, 4], floats: [1, 2, 3, 4])], to: try floatDense()).isSingleSample)
    }

    /// Top-1 counts rows whose largest score is at the label; SQNR and cosine similarity come
    /// from the element-wise error.
    @Test func scores() throws {
        let output = Tensor(shape: [3, 3], floats: [0.1, 0.7, 0.2, 0.9, 0.05, 0.05, 0.2, 0.3, 0.5])
        // Row maxima at 1, 0, 2; labels 1, 2, 2 → 2 of 3.
        #expect(try Score.topOne(output, labels: [1, 2, 2]).topOne == 2.0 / 3.0)
        #expect(throws: DiagnosticError.self) { try Score.topOne(output, labels: [1, 2]) }
        // Reference [3, 4], output [3, 5]: signal 9 + 16 = 25, noise 1 → 10·log10(25) dB;
        // cosine (9 + 20) / (5 · √34).
        let score = try Score.against(reference: Tensor(shape: [2], floats: [3, 4]), Tensor(shape: [2], floats: [3, 5]))
        #expect(score.sqnrDecibels == 10 * log10(25.0))
        #expect(score.cosineSimilarity == 29 / (5 * 34.0.squareRoot()))
        #expect(score.topOne == nil)
        #expect(try Score.against(reference: Tensor(shape: [2], floats: [3, 4]), Tensor(shape: [2], floats: [3, 4])).sqnrDecibels == .infinity)
        #expect(throws: DiagnosticError.self) { try Score.against(reference: Tensor(shape: [2], floats: [3, 4]), Tensor(shape: [1], floats: [3])) }
    }

    /// With calibration data a float model is quantized and every target gets the data; without
    /// it, the model is compiled as loaded.
    @Test func calibrationPolicy() throws {
        let graph = try floatDense()
        #expect(EvaluationModel.computesInFloat(graph))
        let plain = try EvaluationModel(graph, calibration: nil)
        #expect(plain.graph == graph && plain.calibration == nil && !plain.isQuantizedByKiln)
        #expect(plain.compileOptions().calibration == nil)

        let samples = Tensor(shape: [2, 4], floats: [1, 2, 3, 4, -1, 0, 0.5, 1])
        let calibrated = try EvaluationModel(graph, calibration: samples)
        #expect(calibrated.isQuantizedByKiln)
        #expect(!EvaluationModel.computesInFloat(calibrated.graph))
        #expect(calibrated.calibration == ["x": samples])
        #expect(calibrated.compileOptions(allowHostFallback: false).calibration == ["x": samples])
        #expect(!calibrated.compileOptions(allowHostFallback: false).allowHostFallback)

        // A model that is already quantized is kept; its targets still get the calibration data.
        let again = try EvaluationModel(calibrated.graph, calibration: samples)
        #expect(again.graph == calibrated.graph && !again.isQuantizedByKiln && again.calibration == ["x": samples])
    }

    /// Data scored by labels needs one label per sample; data scored against the reference runs
    /// the source model (before quantization) once.
    @Test func evaluationData() throws {
        let graph = try floatDense()
        let samples = Tensor(shape: [2, 4], floats: [1, 2, 3, 4, 0, 0, 0, 1])
        #expect(throws: DiagnosticError.self) { try EvaluationData(inputs: ["x": samples], labels: [0]) }
        guard case .labels(let labels) = try EvaluationData(inputs: ["x": samples], labels: [2, 0]).scoring else {
            Issue.record("expected labels"); return
        }
        #expect(labels == [2, 0])
        let model = try EvaluationModel(graph, calibration: samples)
        let data = try EvaluationData(inputs: ["x": samples], referenceOf: model)
        guard case .reference(let reference) = data.scoring else {
            Issue.record("expected a reference"); return
        }
        // The reference is the quantized graph's output (what every target compiles); the float
        // model's output is kept beside it because Kiln quantized the model.
        #expect(data.floatReference?.floats == [5, 6, 7, 1, 1, 1])
        #expect(model.isQuantizedByKiln)
        let quantized = try SampleBatch(["x": samples], for: model.graph).run(try ReferenceInterpreter(graph: model.graph))[0]
        #expect(reference.shape == [2, 3] && reference.doubles == quantized.doubles)
        #expect(try EvaluationData(inputs: ["x": samples], referenceOf: try EvaluationModel(graph, calibration: nil)).floatReference == nil)
    }
}
