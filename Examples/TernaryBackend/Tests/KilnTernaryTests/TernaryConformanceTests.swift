import Foundation
import Testing
import KilnBackends
import KilnCompiler
import KilnConformance
import KilnTargets
import KilnTernary

/// Kiln's public conformance kit on every corpus model: the ternary target's simulated program
/// equals the reference interpreter on the ternarized graph, bit for bit.
@Suite struct TernaryConformanceTests {
    static let backends: [any Backend] = BuiltInBackends.all + [TernaryBackend()]
    static let targetFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../targets/ternary-array-45nm.json").standardized

    /// The target, loaded as the package's kiln loads it: every cost number must carry a source.
    static func target() throws -> TargetDescription {
        try TargetLoader(families: backends.map(\.targetSchema), options: .init(requireSources: true)).load(contentsOf: targetFile)
    }

    @Test(arguments: try ConformanceCorpus.models().map(\.name))
    func corpusModelConforms(model: String) throws {
        let entry = try #require(try ConformanceCorpus.models().first { $0.name == model })
        let compiler = Compiler(registry: try BackendRegistry(Self.backends))
        let outcome = try ConformanceKit.check(model: model, graph: entry.graph, target: try Self.target(), compiler: compiler)
        print(outcome)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.compared > 0)
        #expect(outcome.acceleratorKernels > 0, "every corpus model has a conv2d or dense the adder trees run")
    }

    @Test func targetIsInTheCatalogOfThePackagesKiln() throws {
        let catalog = try TargetCatalog.standard(packagedDirectories: [Self.targetFile.deletingLastPathComponent()],
                                                 families: Self.backends.map(\.targetSchema))
        #expect(catalog.target(named: "ternary-array-45nm")?.section(TernarySection.self)?.zeroSkipping == true)
        #expect(catalog.finalHost(of: "ternary-array-45nm")?.name == "cortex-a72-rpi4")
    }
}
