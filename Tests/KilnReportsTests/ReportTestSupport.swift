import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KilnBackends
import KilnCompiler
import KilnConformance
import KilnReports
import KilnTargets

/// Shared fixtures: built-in targets, a compiled corpus model, and markup helpers.
enum ReportFixtures {
    /// The built-in catalog.
    static let catalog: TargetCatalog = try! TargetCatalog.standard(families: BuiltInBackends.targetFamilies)

    /// One target per family, compiled and costed with the corpus CNN.
    static let results: [TargetResult] = {
        let registry = try! BuiltInBackends.registry()
        let compiler = Compiler(registry: registry)
        let estimator = CostEstimator(compiler: compiler, catalog: catalog)
        let graph = try! ConformanceCorpus.models().first { $0.name == "cnn-padded-strided" }!.graph
        let names = ["cortex-a72-rpi4", "stm32h743-cortex-m7", "scalesim-google-tpu-ws", "bnn-array-45nm"]
        return names.map { name in
            let target = catalog.target(named: name)!
            let program = try! compiler.compile(graph, for: target)
            return TargetResult(target: target, program: program, cost: try! estimator.estimate(program))
        }
    }()

    /// Every `<svg …>…</svg>` fragment of `html`, in order.
    static func svgFragments(_ html: String) -> [String] {
        var fragments: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            fragments.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return fragments
    }

    /// The fragments whose `class` attribute starts with `cssClass`.
    static func charts(_ html: String, class cssClass: String) -> [String] {
        svgFragments(html).filter { $0.contains("class=\"\(cssClass)\"") }
    }

    /// The number of non-overlapping occurrences of `needle` in `text`.
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Whether `markup` parses as well-formed XML (Foundation's `XMLParser`).
    static func isWellFormedXML(_ markup: String) -> Bool {
        let parser = XMLParser(data: Data(markup.utf8))
        return parser.parse()
    }

    /// The `<body>` of a page wrapped in one root element (the body has no void elements, so
    /// it must be well-formed XML).
    static func body(_ html: String) -> String {
        guard let start = html.range(of: "<body>"), let end = html.range(of: "</body>") else { return "" }
        return "<root>" + html[start.upperBound..<end.lowerBound] + "</root>"
    }
}
