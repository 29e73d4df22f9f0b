import Testing
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnBackends

/// Every corpus model on every simd target: compiled, simulated, compared with the reference
/// on the adapted graph, element for element.
@Suite struct SIMDConformanceTests {
    static let cases: [(model: String, target: String)] = {
        let models = (try? ConformanceCorpus.models().map(\.name)) ?? []
        return SIMDTestSupport.targetNames.flatMap { target in models.map { ($0, target) } }
    }()

    @Test(arguments: cases)
    func modelMatchesReference(model: String, target: String) throws {
        let graph = try #require(try ConformanceCorpus.models().first { $0.name == model }).graph
        let description = SIMDTestSupport.target(target)
        let compiler = try SIMDTestSupport.compiler()
        let outcome = try ConformanceKit.check(model: model, graph: graph, target: description, compiler: compiler)
        print(outcome)
        #expect(outcome.compared > 0)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.acceleratorKernels > 0)
    }

    @Test func everySIMDTargetHasAMicroKernel() {
        for name in SIMDTestSupport.targetNames {
            let target = SIMDTestSupport.target(name)
            #expect(SIMDDotProductScheme(target: target) != nil, "\(name)")
        }
        #expect(SIMDTestSupport.targetNames.count == 9)
    }
}
