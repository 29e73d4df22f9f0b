import Testing
import KilnCompiler
import KilnReports
import KilnTargets

@Suite struct ComparisonPageTests {
    /// The results with hand-made accuracies, plus a target that does not run with a hostile message.
    static func page(accuracies: [Double]) -> ComparisonPage {
        var results = ReportFixtures.results
        for index in results.indices { results[index].top1 = accuracies[index] }
        results.append(TargetResult(target: ReportFixtures.catalog.target(named: "cortex-a55-rk3568")!, program: nil, cost: nil,
                                    failure: "<script>alert('x')</script> & more"))
        let table = HTMLTable(titles: ["TARGET", "LATENCY"], rows: results.map { [$0.target.name, "1 µs"] })
        return ComparisonPage(model: "cnn <test>", results: results, table: table)
    }

    @Test func pageIsWellFormedAndEscaped() {
        let html = Self.page(accuracies: [0.9, 0.95, 0.8, 0.7]).html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").dropFirst().allSatisfy { $0.hasPrefix("www.w3.org/2000/svg") })
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"))
        #expect(html.contains("Kiln comparison: cnn &lt;test&gt;"))
        #expect(ReportFixtures.isWellFormedXML(ReportFixtures.body(html)))
        for fragment in ReportFixtures.svgFragments(html) { #expect(ReportFixtures.isWellFormedXML(fragment)) }
    }

    /// Latency and energy have one bar per target that runs and a note for the one that does not;
    /// energy bars have one segment per non-zero component.
    @Test func latencyAndEnergyBars() throws {
        let page = Self.page(accuracies: [0.9, 0.95, 0.8, 0.7])
        let html = page.html()
        let latency = try #require(ReportFixtures.charts(html, class: "chart latency").first)
        #expect(ReportFixtures.count("class=\"bar-total\"", in: latency) == 4)
        #expect(ReportFixtures.count("class=\"bar\"", in: latency) == 4)
        #expect(ReportFixtures.count("class=\"bar-note\"", in: latency) == 1)
        let energy = try #require(ReportFixtures.charts(html, class: "chart energy").first)
        let segments = ReportFixtures.results.map { result -> Int in
            let e = result.cost!.energy
            return [e.compute, e.onChipMemory, e.offChipMemory, e.staticEnergy, e.hostLink].filter { $0 > 0 }.count
        }.reduce(0, +)
        #expect(ReportFixtures.count("class=\"bar\"", in: energy) == segments)
        for name in ["compute", "on-chip memory", "off-chip memory", "static", "host link"] {
            #expect(energy.contains(">\(name)</text>"), "legend lacks \(name)")
        }
        #expect(latency.contains("latency (s)"))
        #expect(energy.contains("energy per inference (J)"))
    }

    /// The accuracy-versus-energy front matches an independent sweep over the points sorted by
    /// energy (a point is on the front when it is more accurate than every cheaper point).
    @Test(arguments: [[0.9, 0.95, 0.8, 0.7], [0.5, 0.6, 0.7, 0.8], [0.99, 0.99, 0.99, 0.99]])
    func accuracyFrontIsRight(_ accuracies: [Double]) throws {
        let page = Self.page(accuracies: accuracies)
        let chart = try #require(page.accuracyChart())
        #expect(chart.points.count == 4)
        let energies = ReportFixtures.results.map { $0.cost!.energy.total }
        var expected = Set<String>()
        for (index, energy) in energies.enumerated() {
            let beaten = energies.indices.contains { other in
                other != index && energies[other] <= energy && accuracies[other] >= accuracies[index]
                    && (energies[other] < energy || accuracies[other] > accuracies[index])
            }
            if !beaten { expected.insert(ReportFixtures.results[index].target.name) }
        }
        #expect(Set(chart.points.filter(\.onFront).map(\.label)) == expected)
        let svg = try #require(ReportFixtures.charts(page.html(), class: "chart accuracy-energy").first)
        #expect(ReportFixtures.count("class=\"point front\"", in: svg) == expected.count)
        #expect(ReportFixtures.count("class=\"point\"", in: svg) == 4 - expected.count)
        #expect(svg.contains("top-1 accuracy (%)"))
    }

    /// One per-layer chart per target that runs, one bar per program step; one roofline per
    /// target that runs, one point per accelerator layer with operations and bytes.
    @Test func layerChartsAndRooflines() throws {
        let html = Self.page(accuracies: [0.9, 0.95, 0.8, 0.7]).html()
        let layers = ReportFixtures.charts(html, class: "chart layers")
        #expect(layers.count == 4)
        for (chart, result) in zip(layers, ReportFixtures.results) {
            let drawn = ReportFixtures.count("class=\"bar-total\"", in: chart) + ReportFixtures.count("class=\"bar-note\"", in: chart)
            #expect(drawn == result.cost!.steps.count)
        }
        let rooflines = ReportFixtures.charts(html, class: "chart roofline")
        #expect(rooflines.count == 4)
        for (chart, result) in zip(rooflines, ReportFixtures.results) {
            let roofline = try #require(Roofline(target: result.target, cost: result.cost!))
            #expect(!roofline.layers.isEmpty)
            #expect(ReportFixtures.count("class=\"point layer\"", in: chart) == roofline.layers.count)
            #expect(ReportFixtures.count("class=\"roof ", in: chart) == 2)
            #expect(chart.contains("arithmetic intensity (op/B)"))
        }
    }

    /// The roofline's roofs come from the target: peak ops/s and the nearest activation/weight
    /// level's read bandwidth × clock; no layer is above the roof by more than rounding.
    @Test func rooflineRoofsComeFromTheTarget() throws {
        for result in ReportFixtures.results {
            let target = result.target
            let roofline = try #require(Roofline(target: target, cost: result.cost!))
            let level = try #require(target.memory.first { $0.holdsActivations || $0.holdsWeights })
            #expect(roofline.peakOperationsPerSecond == target.peakOperationsPerSecond)
            #expect(roofline.memoryBytesPerSecond == level.readBytesPerCycle.value * target.clockMegahertz.value * 1e6)
            #expect(roofline.attainable(atIntensity: roofline.ridgeIntensity * 10) == roofline.peakOperationsPerSecond)
            for layer in roofline.layers {
                #expect(layer.operationsPerSecond <= roofline.peakOperationsPerSecond * 1.0001, "\(target.name) \(layer.name) beats the peak")
            }
        }
    }

    /// Exact results (SQNR +∞) are drawn at the top of the axis with a ring, and they dominate:
    /// an exact target that uses less energy pushes a less accurate, costlier one off the front.
    @Test func exactSQNRPointsAreDrawnAndOnTheFront() throws {
        var results = ReportFixtures.results
        let energies = results.map { $0.cost!.energy.total }
        let cheapest = try #require(energies.indices.min { energies[$0] < energies[$1] })
        for index in results.indices { results[index].sqnrDecibels = index == cheapest ? .infinity : 30 + Double(index) }
        let page = ComparisonPage(model: "m", results: results, table: HTMLTable(titles: [], rows: []))
        let chart = try #require(page.accuracyChart())
        #expect(chart.points.count == results.count)
        // The cheapest target is exact: it beats every other (no less accurate, less energy).
        #expect(chart.points.filter(\.onFront).map(\.label) == [results[cheapest].label])
        let exact = try #require(chart.points.first { $0.isExact })
        #expect(exact.y == ComparisonPage.exactSQNRPosition(finite: chart.points.filter { !$0.isExact }.map(\.y)))
        #expect(exact.y == 50 && chart.points.allSatisfy { $0.isExact || $0.y < exact.y })
        let svg = try #require(ReportFixtures.charts(page.html(), class: "chart accuracy-energy").first)
        let drawn = ["point", "point exact", "point front", "point front exact"].map { ReportFixtures.count("class=\"\($0)\"", in: svg) }
        #expect(drawn.reduce(0, +) == results.count && drawn[3] == 1)
        #expect(ReportFixtures.count("class=\"exact-ring\"", in: svg) == 1)
        #expect(!svg.contains("without a value"))
        #expect(svg.contains("∞ (exact)"))
        // Every result exact: all drawn at 100 dB, all on the front only if none uses more energy.
        for index in results.indices { results[index].sqnrDecibels = .infinity }
        let allExact = try #require(ComparisonPage(model: "m", results: results, table: HTMLTable(titles: [], rows: [])).accuracyChart())
        #expect(allExact.points.allSatisfy { $0.isExact && $0.y == 100 })
        #expect(allExact.points.filter(\.onFront).count == 1)
    }

    /// Each target that runs gets a per-layer table with time, energy and bytes per memory level.
    @Test func perLayerTablesHaveTrafficPerLevel() throws {
        let result = try #require(ReportFixtures.results.first)
        let table = try #require(ComparisonPage.layerTable(result))
        #expect(table.rows.count == result.cost!.steps.count)
        #expect(table.levels == result.target.memory.map(\.name))
        for level in table.levels { #expect(table.keys.contains("readBytes[\(level)]") && table.keys.contains("writtenBytes[\(level)]")) }
        let read = try #require(table.keys.firstIndex(of: "readBytes[\(table.levels[0])]"))
        for (row, step) in zip(table.rows, result.cost!.steps) {
            #expect(row[read] == .number(Double(step.counts.bytesRead[table.levels[0]] ?? 0)))
        }
        let html = ComparisonPage(model: "m", results: ReportFixtures.results, table: HTMLTable(titles: [], rows: [])).html()
        #expect(ReportFixtures.count("<th>readBytes[\(table.levels[0])]</th>", in: html) >= 1)
        #expect(ReportFixtures.isWellFormedXML(ReportFixtures.body(html)))
    }

    @Test func withoutAccuracyTheScatterIsReplacedByANote() {
        let page = ComparisonPage(model: "m", results: ReportFixtures.results, table: HTMLTable(titles: [], rows: []))
        #expect(page.accuracyChart() == nil)
        #expect(page.html().contains("No accuracy figures"))
    }
}
