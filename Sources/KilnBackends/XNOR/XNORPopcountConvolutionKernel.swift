import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// A binary conv2d on the XNOR-popcount array: ±1 activations and weights bit-packed along the
/// channels of each pixel, `dot = K − 2·popcount(a XOR w)` per output, a padding correction,
/// the bias, then the threshold units (a fused `multiThreshold` or `sign`) or the int32 dot.
///
/// Layout: each input pixel's `C/groups` channels are packed into `⌈(C/groups)/wordBits⌉` words
/// (+1 → bit 1, channel 0 in bit 0, unused high bits 0 in activations and weights alike, so they
/// never count). Weights are packed the same way at compile time, `[O][KH][KW][words]`.
///
/// Padding: the IR's conv gives padded taps the value 0. The array cannot hold 0: it fills a
/// padded tap with its native bit (`xnor.padding`: −1, i.e. all-zero words, for `minusOne` and
/// `zeroCorrected`; +1 for `plusOne`), computes the full window, then subtracts
/// `fill · Σ_c w[o, c, ky, kx]` for each padded tap (sums precomputed per output channel and
/// tap) — exactly the zero-padded result, as Larq Compute Engine's padding correction does.
struct XNORPopcountConvolutionKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputShape: [Int], outputType: TensorType
    private let outputChannels: Int, groups: Int, channelsPerGroup: Int
    private let kernelHeight: Int, kernelWidth: Int
    private let strides: [Int], dilations: [Int], pads: [Int]
    private let outputHeight: Int, outputWidth: Int
    private let packing: BinaryWordPacking
    private let wordsPerTap: Int
    /// `[O][KH·KW][wordsPerTap]` packed weights.
    private let packedWeights: [UInt64]
    /// `Σ_c w[o, c, ky, kx]` per `[O][KH·KW]`, for the padding correction.
    private let tapWeightSums: [Int32]
    /// The words a padded tap holds (the target's fill bit in every valid channel bit).
    private let fillWords: [UInt64]
    private let bias: [Int32]?
    private let stage: BinaryOutputStage
    private let facts: XNORTargetFacts
    /// Output pixels whose window touches the padding (their count is data-independent).
    private let paddedOutputPixels: Int

    var name: String { "xnor-popcount.conv2d" }

    /// Builds the kernel for the node at `index`, absorbing a following threshold or sign.
    init(nodeAt index: Int, in context: LoweringContext, facts: XNORTargetFacts) throws(StageError) {
        let graph = context.graph
        let node = graph.nodes[index]
        guard case .conv2d(let attributes) = node.operation else { throw StageError("not a conv2d") }
        let x = graph.types[node.inputs[0]]!
        guard x.elementType == .binary else { throw StageError("the XNOR array needs ±1 activations, got \(x.elementType.name)") }
        guard let weightName = node.input(1), let weights = graph.constants[weightName], let weightCodes = weights.codes,
              weights.type.elementType == .binary, weights.shape.count == 4, x.shape.count == 4 else {
            throw StageError("the XNOR array needs constant ±1 weights [O, C/groups, KH, KW]")
        }
        guard weights.shape.allSatisfy({ $0 > 0 }), attributes.groups > 0 else { throw StageError("empty weights \(weights.shape)") }
        guard weightCodes.allSatisfy({ $0 == 1 || $0 == -1 }) else { throw StageError("±1 weights hold a code other than ±1") }
        outputChannels = weights.shape[0]
        channelsPerGroup = weights.shape[1]
        kernelHeight = weights.shape[2]; kernelWidth = weights.shape[3]
        let reduction = channelsPerGroup * kernelHeight * kernelWidth
        guard reduction <= facts.largestReduction else {
            throw StageError("a reduction of \(reduction) bits overflows the \(facts.accumulatorBits)-bit popcount accumulator (largest \(facts.largestReduction))")
        }
        let convOutput = graph.types[node.outputs[0]]!
        guard convOutput.elementType == .int32, convOutput.quantization == nil else {
            throw StageError("the XNOR array writes the int32 dot product, not \(convOutput)")
        }
        groups = attributes.groups
        strides = attributes.strides; dilations = attributes.dilations; pads = attributes.pads
        outputHeight = convOutput.shape[2]; outputWidth = convOutput.shape[3]
        inputShape = x.shape
        packing = BinaryWordPacking(wordBits: facts.wordBits)
        wordsPerTap = packing.wordCount(channelsPerGroup)
        let (packed, sums) = Self.packWeights(weightCodes, outputChannels: outputChannels, channelsPerGroup: channelsPerGroup,
                                              taps: kernelHeight * kernelWidth, packing: packing)
        packedWeights = packed
        tapWeightSums = sums
        let (fill, wordBits, perGroup) = (facts.paddingFill, facts.wordBits, channelsPerGroup)
        fillWords = (0..<wordsPerTap).map { word in
            fill > 0 ? BinaryWordPacking.mask(min(wordBits, perGroup - word * wordBits)) : 0
        }
        let activation = FusionChain.binaryActivation(after: index, in: context, channels: outputChannels, channelAxis: 1)
        bias = try FusionChain.bias(of: node, in: graph, channels: outputChannels, addend: activation.addend)
        stage = activation.stage
        outputType = graph.types[activation.output]!
        self.facts = facts
        nodes = [node] + activation.nodes
        inputs = node.inputs.filter { !$0.isEmpty }
        outputs = [activation.output]
        var padded = 0
        for oy in 0..<outputHeight {
            for ox in 0..<outputWidth {
                var touches = false
                for ky in 0..<kernelHeight {
                    let y = oy * strides[0] - pads[0] + ky * dilations[0]
                    for kx in 0..<kernelWidth {
                        let xx = ox * strides[1] - pads[1] + kx * dilations[1]
                        if y < 0 || y >= x.shape[2] || xx < 0 || xx >= x.shape[3] { touches = true }
                    }
                }
                if touches { padded += 1 }
            }
        }
        paddedOutputPixels = padded
    }

    /// Packs OIHW ±1 weights as `[O][tap][words]` and sums each tap's channels (for the correction).
    private static func packWeights(_ codes: [Int32], outputChannels: Int, channelsPerGroup: Int, taps: Int,
                                    packing: BinaryWordPacking) -> (packed: [UInt64], sums: [Int32]) {
        let wordsPerTap = packing.wordCount(channelsPerGroup)
        var packed = [UInt64](repeating: 0, count: outputChannels * taps * wordsPerTap)
        var sums = [Int32](repeating: 0, count: outputChannels * taps)
        packed.withUnsafeMutableBufferPointer { packed in
            for o in 0..<outputChannels {
                for tap in 0..<taps {
                    let code = { (c: Int) -> Int32 in codes[(o * channelsPerGroup + c) * taps + tap] }
                    packing.pack(count: channelsPerGroup, into: packed, at: (o * taps + tap) * wordsPerTap, code: code)
                    var sum: Int32 = 0
                    for c in 0..<channelsPerGroup { sum += code(c) }
                    sums[o * taps + tap] = sum
                }
            }
        }
        return (packed, sums)
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [inputShape] + Array(repeating: nil, count: operands.count - 1),
                                            kernel: name, node: nodes[0])
        let input = operands[0].codes!
        try XNORKernelSupport.checkPlusMinusOne(input, node: nodes[0])
        let batch = inputShape[0], channels = inputShape[1], height = inputShape[2], width = inputShape[3]
        let taps = kernelHeight * kernelWidth
        let windowWords = taps * wordsPerTap
        let reduction = channelsPerGroup * taps
        let outputsPerGroup = outputChannels / max(groups, 1)
        let outputPlane = outputHeight * outputWidth
        let plane = height * width
        // 1. Pack the activations: [n][group][y][x][words], channels along the bits.
        var packedInput = [UInt64](repeating: 0, count: batch * groups * plane * wordsPerTap)
        packedInput.withUnsafeMutableBufferPointer { packed in
            input.withUnsafeBufferPointer { input in
                for n in 0..<batch {
                    for g in 0..<groups {
                        let channelBase = (n * channels + g * channelsPerGroup) * plane
                        for pixel in 0..<plane {
                            packing.pack(count: channelsPerGroup, into: packed, at: ((n * groups + g) * plane + pixel) * wordsPerTap) {
                                input[channelBase + $0 * plane + pixel]
                            }
                        }
                    }
                }
            }
        }
        // 2. Per output pixel: gather the window's words (fill words at padded taps), then
        //    XOR + popcount against every output channel of the group.
        var output = [Int32](repeating: 0, count: batch * outputChannels * outputPlane)
        var window = [UInt64](repeating: 0, count: windowWords)
        var paddedTaps = [Int](repeating: 0, count: taps)
        packedInput.withUnsafeBufferPointer { packed in
            packedWeights.withUnsafeBufferPointer { weights in
                window.withUnsafeMutableBufferPointer { window in
                    for n in 0..<batch {
                        for g in 0..<groups {
                            let groupBase = (n * groups + g) * plane
                            for oy in 0..<outputHeight {
                                for ox in 0..<outputWidth {
                                    var paddedCount = 0
                                    for ky in 0..<kernelHeight {
                                        let y = oy * strides[0] - pads[0] + ky * dilations[0]
                                        for kx in 0..<kernelWidth {
                                            let x = ox * strides[1] - pads[1] + kx * dilations[1]
                                            let tap = ky * kernelWidth + kx
                                            let inside = y >= 0 && y < height && x >= 0 && x < width
                                            for word in 0..<wordsPerTap {
                                                window[tap * wordsPerTap + word] = inside
                                                    ? packed[(groupBase + y * width + x) * wordsPerTap + word] : fillWords[word]
                                            }
                                            if !inside { paddedTaps[paddedCount] = tap; paddedCount += 1 }
                                        }
                                    }
                                    for o in g * outputsPerGroup ..< (g + 1) * outputsPerGroup {
                                        var dot = BinaryWordPacking.dot(UnsafePointer(window.baseAddress!), weights.baseAddress! + o * windowWords,
                                                                        words: windowWords, count: reduction)
                                        // Padding correction: padded taps held `fill`, the IR wants 0.
                                        for index in 0..<paddedCount {
                                            dot -= Int(facts.paddingFill) * Int(tapWeightSums[o * taps + paddedTaps[index]])
                                        }
                                        var accumulator = Int32(truncatingIfNeeded: dot)
                                        if let bias { accumulator = accumulator &+ bias[o] }
                                        output[(n * outputChannels + o) * outputPlane + oy * outputWidth + ox] = stage.apply(accumulator, channel: o)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let batch = inputShape[0]
        let taps = kernelHeight * kernelWidth
        let lanes = facts.lanes(outputChannels, for: .conv2d)
        let wordOperations = batch * lanes * outputHeight * outputWidth * taps * wordsPerTap
        counts.familyActions[XNORFamily.xnorPopcountBit] = wordOperations * facts.wordBits
        let outputElements = batch * outputChannels * outputHeight * outputWidth
        let corrections = batch * outputChannels * paddedOutputPixels
        let comparisons = outputElements * stage.comparisonsPerOutput
        // K − 2·popcount per output, the bias add, the corrections, the threshold comparisons.
        counts.aluOperations = outputElements * (bias == nil ? 1 : 2) + corrections + comparisons
        let packedWords = batch * groups * inputShape[2] * inputShape[3] * wordsPerTap
        counts.instructions[.pack(wordBits: facts.wordBits)] = packedWords
        counts.instructions[.xnorPopcount(wordBits: facts.wordBits)] = wordOperations
        counts.instructions[.paddingCorrection] = corrections
        if comparisons > 0 { counts.instructions[.thresholdCompare] = comparisons }
        let wordBytes = facts.wordBits / 8
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: TensorType(shape: inputShape, elementType: .binary))
        counts.bytesWritten[facts.activationLevel] = packedWords * wordBytes + XNORKernelSupport.bytes(of: outputType)
        counts.bytesRead[facts.activationLevel, default: 0] += packedWords * wordBytes
        counts.bytesRead[facts.weightLevel, default: 0] += packedWeights.count * wordBytes + (bias == nil ? 0 : 4 * outputChannels)
        return counts
    }

    func listing() -> [String] {
        let taps = kernelHeight * kernelWidth
        let lanes = facts.lanes(outputChannels, for: .conv2d)
        let fill = facts.paddingFill > 0 ? "+1 (all-one bits)" : "−1 (all-zero words)"
        var lines = [
            "XNOR-popcount array: ±1 encoded +1 → bit 1, −1 → bit 0; dot = K − 2·popcount(a XOR w), K = \(channelsPerGroup * taps)",
            "pack: [n][group][y][x] × \(wordsPerTap) word(s) of \(facts.wordBits) bits (\(channelsPerGroup) channels, \(wordsPerTap * facts.wordBits - channelsPerGroup) masked bit(s) per pixel)",
            "weights: [O=\(outputChannels)][\(kernelHeight)×\(kernelWidth)][\(wordsPerTap) word(s)] = \(packedWeights.count) words, packed at compile time",
            "for n in 0..<\(inputShape[0]), group in 0..<\(groups), oy in 0..<\(outputHeight), ox in 0..<\(outputWidth):",
            "  window: \(taps) taps × \(wordsPerTap) = \(taps * wordsPerTap) words per reduction (stride \(strides), dilation \(dilations))",
            "  for o in 0..<\(outputChannels / max(groups, 1)) per group (\(outputChannels) channels on \(lanes) lanes): popcount(a XOR w) over \(taps * wordsPerTap) words",
        ]
        if pads.contains(where: { $0 > 0 }) {
            lines.append("  padding \(pads): padded taps hold \(fill) (\(facts.padding.rawValue)); correction dot −= fill·Σ_c w[o,c,tap] (\(paddedOutputPixels) of \(outputHeight * outputWidth) pixels) = zero padding")
        }
        if bias != nil { lines.append("  acc = dot + bias[o] (i32)") }
        lines.append("  \(stage.summary) → \(outputType)")
        return lines
    }
}

extension XNORPopcountConvolutionKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        let gemm = XNORWorkload.BinaryGEMM(
            rows: inputShape[0] * outputHeight * outputWidth, groups: groups, outputsPerGroup: outputChannels / max(groups, 1),
            taps: kernelHeight * kernelWidth, wordsPerTap: wordsPerTap, wordBits: facts.wordBits,
            packedInputWords: inputShape[0] * groups * inputShape[2] * inputShape[3] * wordsPerTap,
            comparisonsPerOutput: stage.comparisonsPerOutput)
        return XNORWorkload(work: .binaryGEMM(gemm),
                            weightBytes: packedWeights.count * facts.wordBits / 8 + (bias == nil ? 0 : 4 * outputChannels),
                            inputBytes: XNORKernelSupport.bytes(of: TensorType(shape: inputShape, elementType: .binary)),
                            outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
