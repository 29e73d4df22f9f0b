import Testing
import KilnReports

@Suite struct ChartPrimitiveTests {
    @Test func escapingCoversMarkupAndControlCharacters() {
        #expect(HTMLEscaping.escape("<a href='x'>&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
        #expect(HTMLEscaping.escape("ok\u{01}") == "ok\u{FFFD}")
        #expect(HTMLEscaping.escape("µs\ttab") == "µs\ttab")
    }

    /// Values spanning two decades or more get a log axis widened to whole decades.
    @Test func axisIsLogarithmicOnlyWhenValuesSpanDecades() {
        let log = AxisScale.fitting([3e-8, 2e-4], preferLogarithmic: true, includeZero: true)
        #expect(log.kind == .logarithmic)
        #expect(abs(log.lower - 1e-8) < 1e-20 && abs(log.upper - 1e-3) < 1e-15)
        #expect(log.ticks.count == 6)
        let linear = AxisScale.fitting([3, 7], preferLogarithmic: true, includeZero: true)
        #expect(linear.kind == .linear)
        #expect(linear.lower == 0 && linear.upper == 10)
        #expect(linear.ticks == [0, 2, 4, 6, 8, 10])
        #expect(AxisScale.fitting([1, 1000], preferLogarithmic: false, includeZero: true).kind == .linear)
    }

    @Test func positionsClampAndSurviveBadValues() {
        let scale = AxisScale(kind: .logarithmic, lower: 1, upper: 100)
        #expect(scale.position(of: 10, from: 0, to: 200) == 100)
        #expect(scale.position(of: 1e6, from: 0, to: 200) == 200)
        #expect(scale.position(of: -1, from: 0, to: 200) == 0)
        #expect(scale.position(of: .nan, from: 0, to: 200) == 0)
        let degenerate = AxisScale(kind: .linear, lower: 5, upper: 5)
        #expect(degenerate.upper > degenerate.lower)
    }

    @Test func engineeringFormat() {
        #expect(QuantityFormat.engineering(3.38e-5, unit: "s") == "33.8 µs")
        #expect(QuantityFormat.engineering(0, unit: "J") == "0 J")
        #expect(QuantityFormat.engineering(1500) == "1.5 k")
        #expect(QuantityFormat.engineering(.infinity, unit: "s") == "—")
    }

    /// Hostile labels come out escaped and the SVG stays well-formed.
    @Test func barChartEscapesLabelsAndCountsBars() {
        let chart = BarChart(title: "t <&>", axisTitle: "energy", unit: "J",
                             series: [.init(name: "a", color: "#000"), .init(name: "b\"", color: "#111")],
                             bars: [.init(label: "<script>x</script>", segments: [1e-6, 2e-6]),
                                    .init(label: "only-a", segments: [3e-6, 0]),
                                    .init(label: "broken", segments: [], note: "does not run: a & b")],
                             preferLogarithmic: true, cssClass: "chart test")
        let svg = chart.svg()
        #expect(ReportFixtures.isWellFormedXML(svg))
        #expect(!svg.contains("<script>"))
        #expect(ReportFixtures.count("class=\"bar\"", in: svg) == 3)
        #expect(ReportFixtures.count("class=\"bar-total\"", in: svg) == 2)
        #expect(ReportFixtures.count("class=\"bar-note\"", in: svg) == 1)
    }

    /// The scatter joins a two-objective front by a staircase and draws every finite point.
    @Test func scatterMarksTheFront() {
        let points = [
            ScatterChart.Point(label: "a", x: 1e-6, y: 0.9, onFront: true),
            ScatterChart.Point(label: "b", x: 3e-6, y: 0.99, onFront: true),
            ScatterChart.Point(label: "c", x: 5e-6, y: 0.95, onFront: false),
            ScatterChart.Point(label: "d", x: .nan, y: 0.5, onFront: false),
        ]
        let chart = ScatterChart(title: "s", xAxis: .init(title: "energy", unit: "J"),
                                 yAxis: .init(title: "accuracy", unit: "", isPercentage: true, preferLogarithmic: false),
                                 points: points, joinFront: true, frontMaximizesY: true, frontLegend: "front", cssClass: "chart s")
        let svg = chart.svg()
        #expect(ReportFixtures.isWellFormedXML(svg))
        #expect(ReportFixtures.count("class=\"point front\"", in: svg) == 2)
        #expect(ReportFixtures.count("class=\"point\"", in: svg) == 1)
        #expect(ReportFixtures.count("class=\"front-line\"", in: svg) == 1)
        #expect(svg.contains("1 point(s) without a value"))
    }
}
