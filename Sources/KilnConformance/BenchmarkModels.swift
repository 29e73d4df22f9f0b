import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Seeded quantized models of the sizes that benchmarks measure: ResNet layers, a whole
/// ResNet-18, MobileNetV2 and ResNet-50 (u8 activations, int8 per-channel weights; the shapes of
/// torchvision's models, which `tools/bench/ort_bench.py` rebuilds for ONNX Runtime).
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
                x = try residualSum(&q, y, shortcut, name: "block\(stage)_\(block)_add")
            }
        }
        return try classifier(&q, x, features: 2048)
    }

    /// ResNet-18 (basic blocks 2-2-2-2, 224×224 input, 1.8 GMAC): the whole-network simulation
    /// workload of `kiln bench`.
    public static func resNet18() throws(DiagnosticError) -> Graph {
        var q = ConformanceCorpus.QuantizedBuilder(name: "resnet18", seed: 52, keepsActivationScale: true)
        var x = try q.input([1, 3, 224, 224])
        x = try q.conv(x, outputChannels: 64, kernel: 7, stride: 2, pad: 3)
        x = try q.builder.node(.maxPool(Pooling(kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1])), [x], name: "stem_pool")
        for (stage, width) in [64, 128, 256, 512].enumerated() {
            for block in 0..<2 {
                let stride = block == 0 && stage > 0 ? 2 : 1
                let shortcut = stride == 1 ? x : try q.conv(x, outputChannels: width, kernel: 1, stride: stride, clampsAtZero: false)
                var y = try q.conv(x, outputChannels: width, kernel: 3, stride: stride, pad: 1)
                y = try q.conv(y, outputChannels: width, kernel: 3, pad: 1, clampsAtZero: false)
                x = try residualSum(&q, y, shortcut, name: "block\(stage)_\(block)_add")
            }
        }
        return try classifier(&q, x, features: 512)
    }

    /// MobileNetV2 (width 1.0, 224×224 input, inverted residual blocks with depthwise 3×3,
    /// 0.3 GMAC): the depthwise-heavy simulation workload of `kiln bench`.
    public static func mobileNetV2() throws(DiagnosticError) -> Graph {
        var q = ConformanceCorpus.QuantizedBuilder(name: "mobilenetv2", seed: 53, keepsActivationScale: true)
        var x = try q.input([1, 3, 224, 224])
        x = try q.conv(x, outputChannels: 32, kernel: 3, stride: 2, pad: 1)
        var channels = 32
        // (expansion t, output channels c, repeats n, first stride s), the paper's Table 2.
        let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        for (stage, (expansion, outputs, repeats, firstStride)) in settings.enumerated() {
            for block in 0..<repeats {
                let stride = block == 0 ? firstStride : 1
                let hidden = channels * expansion
                var y = expansion == 1 ? x : try q.conv(x, outputChannels: hidden, kernel: 1)
                y = try q.conv(y, outputChannels: hidden, kernel: 3, stride: stride, pad: 1, groups: hidden)
                y = try q.conv(y, outputChannels: outputs, kernel: 1, clampsAtZero: false)
                x = stride == 1 && channels == outputs ? try residualSum(&q, y, x, name: "block\(stage)_\(block)_add") : y
                channels = outputs
            }
        }
        x = try q.conv(x, outputChannels: 1280, kernel: 1)
        return try classifier(&q, x, features: 1280)
    }

    /// `y + shortcut` as u8 with `y`'s scale and zero point 0 (the sum is clamped at zero, a relu).
    private static func residualSum(_ q: inout ConformanceCorpus.QuantizedBuilder, _ y: String, _ shortcut: String,
                                    name: String) throws(DiagnosticError) -> String {
        let sumType = q.builder.graph.types[y]!
        return try q.builder.node(.add, [y, shortcut], name: name,
                                  outputTypes: [.quantized(sumType.shape, .uint8, scale: sumType.quantization!.scale(at: 0), zeroPoint: 0)])
    }

    /// Global average pool, flatten and a 1000-way dense layer.
    private static func classifier(_ q: inout ConformanceCorpus.QuantizedBuilder, _ x: String, features: Int) throws(DiagnosticError) -> Graph {
        let pooledType = q.builder.graph.types[x]!
        var x = try q.builder.node(.globalAveragePool, [x], name: "gap", outputTypes: [pooledType.withShape([1, features, 1, 1])])
        x = try q.builder.node(.flatten(axis: 1), [x], name: "flatten")
        x = try q.dense(x, outputs: 1000)
        return try q.finish(x)
    }
}
