import Testing
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnTernary

@Suite struct TernarizeWeightsPassTests {
    /// `[4, −4, 1, 0]`: keeping {4, −4} gives (8)²/2 = 32, keeping {4, −4, 1} gives 81/3 = 27, so
    /// the threshold is 1 and α = 4.
    @Test func leastSquaresKeepsTheBestSetOfLargestMagnitudes() {
        let (threshold, alpha) = TernarizeWeightsPass.leastSquaresThreshold([4, -4, 1, 0])
        #expect(threshold == 1)
        #expect(alpha == 4)
        #expect(TernarizeWeightsPass.leastSquaresThreshold([0, 0]).threshold == .infinity)
        #expect(TernarizeWeightsPass.leastSquaresThreshold([3, -3, 3]) == (0, 3))
    }

    @Test func everyIntegerLayerBecomesTernaryAndIsLogged() throws {
        let log = CompileLog()
        for model in try ConformanceCorpus.models() {
            let graph = try TernarizeWeightsPass(log: log).run(on: model.graph)
            try graph.verify()
            for node in graph.nodes where node.kind == .conv2d || node.kind == .dense {
                guard let weights = node.input(1).flatMap({ graph.constants[$0] }), weights.type.elementType == .int8 else { continue }
                Issue.record("\(model.name): \(node.name) kept int8 weights")
            }
        }
        #expect(log.entries.contains { $0.node == "conv1" && $0.message.contains("→ ternary") })
        #expect(log.entries.allSatisfy { $0.pass == "ternarize-weights" })
    }
}
