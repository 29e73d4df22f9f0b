import Testing
import KilnCompiler
import KilnConformance
import KilnIR
@testable import KilnBackends

/// Seeded ±1 graphs (word-boundary channel counts, asymmetric padding, strides, groups,
/// dilation) match the reference on both targets, with every binary layer on the accelerator.
@Suite struct XNORBinaryConformanceTests {
    struct Case: Sendable, CustomStringConvertible {
        var channels: Int, stride: Int, pads: [Int], groups: Int, dilation: Int
        var description: String { "C=\(channels) stride=\(stride) pads=\(pads) groups=\(groups) dilation=\(dilation)" }
    }
    static let cases = [
        Case(channels: 70, stride: 2, pads: [1, 0, 2, 1], groups: 1, dilation: 1),
        Case(channels: 64, stride: 1, pads: [1, 1, 1, 1], groups: 1, dilation: 1),
        Case(channels: 33, stride: 1, pads: [2, 2, 2, 2], groups: 1, dilation: 2),
        Case(channels: 8, stride: 1, pads: [0, 1, 0, 1], groups: 2, dilation: 1),
    ]

    @Test(arguments: cases, XNORTestSupport.targetNames)
    func binaryStackConforms(testCase: Case, target: String) throws {
        let graph = try XNORRandomGraphs.binaryStack(seed: 5, channels: testCase.channels, stride: testCase.stride,
                                                    pads: testCase.pads, groups: testCase.groups, dilation: testCase.dilation)
        let outcome = try ConformanceKit.check(model: "binary-stack \(testCase)", graph: graph, target: XNORTestSupport.target(target),
                                               compiler: try XNORTestSupport.compiler(), samples: 4)
        #expect(outcome.mismatches == 0, "\(outcome)")
        #expect(outcome.hostNodes == 0, "\(outcome)")
    }
}
