import KilnBackends
import KilnCompiler
import KilnConformance
import KilnIR
import KilnTargets

/// A fuzzed target description compiled for and cost-estimated on a small int8 CNN (the
/// conformance corpus's padded, strided CNN), with the program listing and the target listings
/// rendered: everything `kiln compile`, `kiln targets show` and `kiln compare` do with a target.
struct CompileCostHarness: Harness {
    let name = "compile-cost"
    let summary = "target loader, then compile + cost estimate + listings of a small int8 CNN"
    // Static, so only a process that runs this harness builds them.
    static let graph: Graph? = (try? ConformanceCorpus.models())?.first { $0.name == "cnn-padded-strided" }?.graph
    static let compiler: Compiler? = (try? BuiltInBackends.registry()).map(Compiler.init(registry:))
    static let catalog: TargetCatalog? = try? TargetCatalog.standard(families: BuiltInBackends.targetFamilies)

    func run(_ bytes: [UInt8]) {
        guard let graph = Self.graph, let compiler = Self.compiler, var catalog = Self.catalog,
              let target = try? TargetLoader(families: BuiltInBackends.targetFamilies).load(bytes: bytes, file: "fuzz.json") else { return }
        _ = TargetListing.table([target])
        _ = TargetListing.details(target)
        if catalog.target(named: target.name) == nil { catalog.add(target) }
        guard let program = try? compiler.compile(graph, for: target) else { return }
        _ = program.listing()
        _ = try? CostEstimator(compiler: compiler, catalog: catalog).estimate(program)
    }
}
