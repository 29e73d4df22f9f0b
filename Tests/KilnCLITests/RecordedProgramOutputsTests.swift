import Foundation
import Testing
import KilnBackends
import KilnCompiler
import KilnIR
import KilnModelIO
import KilnTargets
@testable import KilnCLI
@testable import KilnEvaluation

/// Outputs reused between programs that run every node on the host: the shipped float CNN on
/// the Ethos-U targets (which run no float node) against the SIMD family's program of the int8 one.
@Suite struct RecordedProgramOutputsTests {
    /// The int8 CNN on three Ethos-U targets and two Cortex-M ones: the NPU programs run an equal
    /// graph with the family's target-independent kernels, so the second and third reuse the
    /// first one's outputs, which equal their own simulation bit for bit; the Cortex-M programs
    /// are recorded under their own family, not the Ethos-U's.
    @Test func reusedWithinAFamilyThatSimulatesIndependentlyOfTarget() throws {
        let registry = try BuiltInBackends.registry()
        let catalog = try TargetCatalog.standard(families: registry.targetFamilies)
        let evaluation = Evaluation(registry: registry, catalog: catalog)
        let model = try EvaluationModel(try ModelLoader.load(SimulateAndCompareTests.path("cnn_qdq.onnx")), calibration: nil)
        let images = try NumPyReader.read(contentsOf: try SimulateAndCompareTests.firstImages(6)).tensor()
        let data = try EvaluationData(inputs: [try #require(model.graph.inputs.first): images], labels: nil)
        let names = ["ethos-u55-128-corstone300", "ethos-u65-256", "ethos-u55-32-corstone300", "stm32h743-cortex-m7", "stm32l4r5-cortex-m4"]
        let programs = try names.map { name in try evaluation.compile(model, for: try #require(catalog.target(named: name))) }
        #expect(programs.map(RecordedProgramOutputs.runsEntirelyOnHost) == [false, false, false, false, false])
        #expect(programs[0].graph == programs[1].graph && programs[1].graph == programs[2].graph)
        #expect(registry.backend(for: programs[0].target.family)?.simulatesIndependentlyOfTarget == true)

        let first = try evaluation.evaluate(programs[0], data: data)
        #expect(data.recordedProgramOutputs.outputs(of: programs[0].graph, by: .family("ethosU")) == first.outputs)
        #expect(data.recordedProgramOutputs.outputs(of: programs[0].graph) == nil)  // not as a host-only program
        for program in programs[1...] {
            let reused = try evaluation.evaluate(program, data: data)
            #expect(reused.outputs == (try FunctionalSimulator(program: program).runBatch(data.inputs).outputs), "\(program.target.name)")
        }
        #expect(data.recordedProgramOutputs.outputs(of: programs[3].graph, by: .family("dsp")) != nil)
    }


    /// The second Ethos-U program reuses the first one's outputs, which equal its own
    /// simulation bit for bit; a program with accelerator kernels is simulated and not recorded.
    @Test func reusedOnlyForEqualHostOnlyGraphs() throws {
        let registry = try BuiltInBackends.registry()
        let catalog = try TargetCatalog.standard(families: registry.targetFamilies)
        let evaluation = Evaluation(registry: registry, catalog: catalog)
        let model = try EvaluationModel(try ModelLoader.load(SimulateAndCompareTests.path("cnn_qdq.onnx")), calibration: nil)
        let floatModel = try EvaluationModel(try ModelLoader.load(SimulateAndCompareTests.path("cnn.onnx")), calibration: nil)
        #expect(floatModel.graph.inputs == model.graph.inputs)
        let images = try NumPyReader.read(contentsOf: try SimulateAndCompareTests.firstImages(6)).tensor()
        let input = try #require(model.graph.inputs.first)
        let data = try EvaluationData(inputs: [input: images], labels: nil)

        let programs = try [(floatModel, "ethos-u55-128-corstone300"), (floatModel, "ethos-u65-256"), (model, "cortex-a55-rk3568")].map {
            (model, name) in try evaluation.compile(model, for: try #require(catalog.target(named: name)))
        }
        #expect(programs.map(RecordedProgramOutputs.runsEntirelyOnHost) == [true, true, false])
        #expect(programs[0].graph == programs[1].graph)

        #expect(data.recordedProgramOutputs.outputs(of: programs[0].graph) == nil)
        let first = try evaluation.evaluate(programs[0], data: data)
        #expect(data.recordedProgramOutputs.outputs(of: programs[0].graph) == first.outputs)
        let second = try evaluation.evaluate(programs[1], data: data)
        let simulated = try FunctionalSimulator(program: programs[1]).runBatch(data.inputs).outputs
        #expect(second.outputs == simulated)
        #expect(second.outputs?.first?.shape.first == 6)

        // A fresh data set has nothing recorded, and a program with accelerator kernels adds nothing.
        let other = try EvaluationData(inputs: data.inputs, labels: nil)
        #expect(other.recordedProgramOutputs.outputs(of: programs[0].graph) == nil)
        let simd = try evaluation.evaluate(programs[2], data: other)
        #expect(simd.outputs == (try FunctionalSimulator(program: programs[2]).runBatch(other.inputs).outputs))
        #expect(other.recordedProgramOutputs.outputs(of: programs[2].graph) == nil)
    }
}
