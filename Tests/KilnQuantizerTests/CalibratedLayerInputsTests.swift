import Testing
import KilnIR
@testable import KilnQuantizer

/// The analysis adaptive rounding and bias correction share: every weighted layer's float input
/// on every calibration sample, in sample order.
@Suite struct CalibratedLayerInputsTests {
    @Test func holdsEachWeightedLayersInputPerSample() throws {
        let graph = try QuantizerUnitTests.tinyMLP()
        let calibration = QuantizerUnitTests.calibration()
        let analysis = try CalibratedLayerInputs(graph: graph, samples: CalibrationSamples(calibration, for: graph))
        let node = { (name: String) in graph.nodes.first { $0.name == name }! }
        // fc1 reads the graph input: its inputs are the calibration rows, unchanged and in order.
        let rows = try #require(calibration["x"]?.floats)
        let first = try #require(analysis.inputs(of: node("fc1")))
        #expect(first.map(\.shape) == Array(repeating: [1, 4], count: 8))
        #expect(first.map { $0.floats! } == (0..<8).map { Array(rows[$0 * 4 ..< $0 * 4 + 4]) })
        // fc2 reads relu1's output: one [1, 3] tensor per sample, none of it negative.
        let second = try #require(analysis.inputs(of: node("fc2")))
        #expect(second.map(\.shape) == Array(repeating: [1, 3], count: 8))
        #expect(second.allSatisfy { $0.floats!.allSatisfy { $0 >= 0 } })
        #expect(second.contains { $0.floats!.contains { $0 > 0 } })
        // relu1 has no weights: not a layer of the analysis.
        #expect(analysis.inputs(of: node("relu1")) == nil)
    }
}
