import Testing
import KilnCompiler
import KilnConformance
import KilnIR
import KilnTargets
@testable import KilnBackends

/// Every corpus model on every built-in xnor target: simulation equals the reference bit for bit.
@Suite struct XNORConformanceTests {
    static let targets = XNORTestSupport.targetNames
    static let modelNames = ["mlp", "cnn-padded-strided", "depthwise-separable", "residual", "binary-friendly", "attention"]

    @Test func bothTargetsAreBuiltIn() {
        #expect(Self.targets == ["bnn-array-45nm", "larq-rpi4-cortex-a72"])
    }

    @Test(arguments: modelNames, targets)
    func modelConformsOnTarget(model: String, target: String) throws {
        let corpus = try ConformanceCorpus.models()
        let entry = try #require(corpus.first { $0.name == model })
        let description = XNORTestSupport.target(target)
        let compiler = try XNORTestSupport.compiler()
        let outcome = try ConformanceKit.check(model: model, graph: entry.graph, target: description, compiler: compiler)
        print(outcome)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.compared > 0)
    }

    /// The corpus names are the ones this suite runs (a new model must be added here).
    @Test func suiteCoversTheWholeCorpus() throws {
        #expect(try ConformanceCorpus.models().map(\.name) == Self.modelNames)
    }
}
