import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Seeded quantized models of the sizes that benchmarks measure: ResNet layers and a whole
/// ResNet-50.
public enum BenchmarkModels {
    /// One conv layer as a graph: u8 input `[1, channels, size, size]`, int8 per-channel weights,
    /// u8 output (the `kiln bench` functional-simulation workload).
    /// - Parameters:
    ///   - depthwise: a depthwise 3×3 layer instead of a dense 3×3 one.
    public static func convolutionLayer(channels: Int, size: Int, depthwise: Bool) throws(DiagnosticError) -> Graph {
        var q = ConformanceCorpus.QuantizedBuilder(name: depthwise ? "depthwise-\(channels)x\(size)" : "conv3x3-\(channels)x\(size)",
                                                   seed: 50, keepsActivationScale: true)
        let input = q.builder.input("input", .quantized([1, channels, size, size], .uint8, scale: 1 / 255, zeroPoint: 0))
        let y = try q.conv(input, outputChannels: channels, kernel: 3, pad: 1, groups: depthwise ? channels : 1)
        q.builder.output(y)
        return try q.builder.build()
    }

    /// ResNet-50 (bottleneck blocks 3-4-6-3, 224×224 input, 53 convolutions and a classifier)
    /// as a quantized graph with seeded int8 weights: the whole-network cost-estimation workload.
    public static func resNet50() throws(DiagnosticError) -> Graph {
        var q = ConformanceCorpus.QuantizedBuilder(name: "resnet50", seed: 51, keepsActivationScale: true)
        var x = try q.input([1, 3, 224, 224])
        x = try q.conv(x, outputChannels: 64, kernel: 7, stride: 2, pad: 3)
        x = try q.builder.node(.maxPool(Pooling(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])), [x], name: "stem_pool")
        let stages = [(blocks: 3, width: 64), (4, 128), (6, 256), (3, 512)]
        for (stage, (blocks, width)) in stages.enumerated() {
            for block in 0..<blocks {
                let stride = block == 0 && stage > 0 ? 2 : 1
                var shortcut = x
                if block == 0 {
                    shortcut = try q.conv(x, outputChannels: width * 4, kernel: 1, stride: stride, clampsAtZero: false)
                }
                var y = try q.conv(x, outputChannels: width, kernel: 1)
                y = try q.conv(y, outputChannels: width, kernel: 3, stride: stride, pad: 1)
                y = try q.conv(y, outputChannels: width * 4, kernel: 1, clampsAtZero: false)
                let sumType = q.builder.graph.types[y]!
                x = try q.builder.node(.add, [y, shortcut], name: "block\(stage)_\(block)_add",
                                       outputTypes: [.quantized(sumType.shape, .uint8, scale: sumType.quantization!.scale(at: 0), zeroPoint: 0)])
            }
        }
        let pooledType = q.builder.graph.types[x]!
        x = try q.builder.node(.globalAveragePool, [x], name: "gap", outputTypes: [pooledType.withShape([1, 2048, 1, 1])])
        x = try q.builder.node(.flatten(axis: 1), [x], name: "flatten")
        x = try q.dense(x, outputs: 1000)
        return try q.finish(x)
    }
}
