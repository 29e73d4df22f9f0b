import Testing
import KilnCompiler
import KilnConformance
import KilnTargets
@testable import KilnBackends

/// Kiln's conformance corpus on the Ethos-U targets: the simulated program equals the reference
/// interpreter on every element. The corpus is u8 with ONNX Runtime's float-scale
/// requantization; the family converts it to TFLite's int8 arithmetic as the TFLite converter
/// would (`ethos-u-int8`), so its MAC layers run on the NPU and the check covers the NPU kernels,
/// the host partition and its transfers, on every built-in Ethos-U configuration.
@Suite struct EthosUConformanceTests {
    static let targets = ["ethos-u55-32-corstone300", "ethos-u55-64-corstone300", "ethos-u55-128-corstone300",
                          "ethos-u55-256-corstone300", "ethos-u65-256", "ethos-u65-512"]
    static let models = ["mlp", "cnn-padded-strided", "depthwise-separable", "residual"]

    @Test(arguments: models, targets)
    func corpusModelMatchesReference(model: String, target: String) throws {
        let graph = try #require(try ConformanceCorpus.models().first { $0.name == model }).graph
        let description = try #require(BuiltInTargets.catalog.target(named: target))
        let outcome = try ConformanceKit.check(model: model, graph: graph, target: description,
                                               compiler: Compiler(registry: try BuiltInBackends.registry()))
        print(outcome)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.compared > 0)
        #expect(outcome.acceleratorKernels > 0, "\(outcome)")
    }
}
