import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnNumerics
@testable import KilnBackends

/// Simulator throughput of an int8 3×3 conv (64 → 64 channels, 56 × 56), reported in GMAC/s.
/// Runs only with `KILN_BENCHMARK=1` (use a release build: `swift test -c release`).
@Suite struct SIMDThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KILN_BENCHMARK"] == "1"),
          arguments: ["x86-avx2-haswell-i7-4770", "x86-avx512-vnni-xeon-gold-6248"])
    func convolutionThroughput(target: String) throws {
        var builder = GraphBuilder(name: "conv-bench")
        var random = SystemRandomNumberGenerator()
        let x = builder.input("x", .quantized([1, 64, 56, 56], .uint8, scale: 1 / 255, zeroPoint: 0))
        let w = builder.constant("w", Tensor(shape: [64, 64, 3, 3], elementType: .int8,
                                             codes: (0..<64 * 64 * 9).map { _ in Int32.random(in: -127...127, using: &random) },
                                             quantization: QuantizationParameters(scale: 0.01)))
        let y = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1])), [x, w], name: "conv",
                                 outputTypes: [.quantized([1, 64, 56, 56], .uint8, scale: 0.5, zeroPoint: 0)])
        builder.output(y)
        let program = try SIMDTestSupport.compiler().compile(try builder.build(), for: SIMDTestSupport.target(target))
        let kernel = program.kernelSteps[0].kernel
        let input = Tensor(shape: [1, 64, 56, 56], elementType: .uint8, codes: (0..<64 * 56 * 56).map { _ in Int32.random(in: 0...255, using: &random) },
                           quantization: QuantizationParameters(scale: 1 / 255))
        var counts = ActionCounts()
        _ = try kernel.execute([input], counts: &counts)
        let start = Date()
        let runs = 5
        for _ in 0..<runs { _ = try kernel.execute([input], counts: &counts) }
        let seconds = Date().timeIntervalSince(start) / Double(runs)
        let macs = Double(kernel.countActions().totalMultiplyAccumulates)
        print("\(target): \(String(format: "%.2f", macs / seconds / 1e9)) GMAC/s (\(Int(macs)) MACs in \(String(format: "%.1f", seconds * 1000)) ms)")
    }
}
