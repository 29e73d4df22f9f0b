import Testing
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnBackends

/// The cost-only path counts exactly what execution counts, for every kernel of every corpus
/// model on every xnor target (each kernel kind appears at least once).
@Suite struct XNORActionCountTests {
    @Test(arguments: XNORTestSupport.targetNames)
    func countActionsEqualsExecutedCounts(target: String) throws {
        let compiler = try XNORTestSupport.compiler()
        var kernelKinds = Set<String>()
        for model in try ConformanceCorpus.models() {
            let program = try compiler.compile(model.graph, for: XNORTestSupport.target(target))
            let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 7))
            for (step, counts) in zip(program.steps, run.stepCounts) {
                guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator else { continue }
                kernelKinds.insert(kernelStep.kernel.name)
                #expect(kernelStep.kernel.countActions() == counts, "\(kernelStep.kernel.name) in \(model.name)")
            }
        }
        #expect(kernelKinds.isSuperset(of: ["xnor-popcount.conv2d", "int8-unit.conv2d", "int8-unit.dense", "int8-unit.max-pool", "view.flatten"]))
    }

    /// Binary graphs built here cover the kernels the corpus does not reach on its own.
    @Test(arguments: XNORTestSupport.targetNames)
    func binaryGraphKernelsCountWhatTheyExecute(target: String) throws {
        let graph = try XNORRandomGraphs.binaryStack(seed: 11, channels: 70, stride: 2, pads: [1, 0, 2, 1], groups: 1)
        let program = try XNORTestSupport.compiler().compile(graph, for: XNORTestSupport.target(target))
        let run = try FunctionalSimulator(program: program).run(ConformanceKit.randomInputs(for: program.graph, seed: 3))
        var names = Set<String>()
        for (step, counts) in zip(program.steps, run.stepCounts) {
            guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator else { continue }
            names.insert(kernelStep.kernel.name)
            #expect(kernelStep.kernel.countActions() == counts, "\(kernelStep.kernel.name)")
        }
        #expect(names.isSuperset(of: ["xnor-popcount.conv2d", "xnor-popcount.dense", "xnor-array.or-pool", "threshold-units.sign",
                                      "threshold-units.multi-threshold"]))
    }
}
