import Foundation
import Testing
import KilnCompiler
import KilnIR
import KilnNumerics
@testable import KilnBackends

/// Simulator throughput of int8 convolutions, reported in GMAC/s: ResNet-18's 3×3 conv
/// (64 → 64 channels, 56 × 56) and a MobileNet-style 3×3 depthwise conv (128 channels, 56 × 56).
/// Runs only with `KILN_BENCHMARK=1` (use a release build:
/// `KILN_BENCHMARK=1 swift test -c release --filter SIMDThroughputTests`). Prints wall-clock and
/// thread CPU time (the machine may be shared).
@Suite struct SIMDThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KILN_BENCHMARK"] == "1"),
          arguments: ["x86-avx2-haswell-i7-4770", "x86-avx512-vnni-xeon-gold-6248"], [1, 128])
    func convolutionThroughput(target: String, groups: Int) throws {
        let channels = groups == 1 ? 64 : 128, perGroup = channels / groups
        var builder = GraphBuilder(name: "conv-bench")
        var random = SystemRandomNumberGenerator()
        let x = builder.input("x", .quantized([1, channels, 56, 56], .uint8, scale: 1 / 255, zeroPoint: 0))
        let w = builder.constant("w", Tensor(shape: [channels, perGroup, 3, 3], elementType: .int8,
                                             codes: (0..<channels * perGroup * 9).map { _ in Int32.random(in: -127...127, using: &random) },
                                             quantization: QuantizationParameters(scale: 0.01)))
        let y = try builder.node(.conv2d(Convolution(pads: [1, 1, 1, 1], groups: groups)), [x, w], name: "conv",
                                 outputTypes: [.quantized([1, channels, 56, 56], .uint8, scale: 0.5, zeroPoint: 0)])
        builder.output(y)
        let program = try SIMDTestSupport.compiler().compile(try builder.build(), for: SIMDTestSupport.target(target))
        let kernel = program.kernelSteps[0].kernel
        let input = Tensor(shape: [1, channels, 56, 56], elementType: .uint8,
                           codes: (0..<channels * 56 * 56).map { _ in Int32.random(in: 0...255, using: &random) },
                           quantization: QuantizationParameters(scale: 1 / 255))
        var counts = ActionCounts()
        _ = try kernel.execute([input], counts: &counts)
        let runs = groups == 1 ? 5 : 20
        let cpuStart = Self.threadSeconds()
        let start = Date()
        for _ in 0..<runs { _ = try kernel.execute([input], counts: &counts) }
        let seconds = Date().timeIntervalSince(start) / Double(runs)
        let cpuSeconds = (Self.threadSeconds() - cpuStart) / Double(runs)
        let macs = Double(kernel.countActions().totalMultiplyAccumulates)
        print("\(target) \(groups == 1 ? "conv 3x3 64->64" : "depthwise 3x3 x128") 56x56: \(String(format: "%.2f", macs / seconds / 1e9)) GMAC/s wall, "
              + "\(String(format: "%.2f", macs / cpuSeconds / 1e9)) GMAC/s thread CPU (\(Int(macs)) MACs in \(String(format: "%.2f", seconds * 1000)) ms)")
    }

    static func threadSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
