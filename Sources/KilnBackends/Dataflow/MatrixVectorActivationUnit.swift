import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics

/// A FINN matrix-vector-activation unit (MVAU; VVAU for depthwise layers) behind its
/// sliding-window generator: one engine per conv2d / dense layer, optionally with the
/// following `multiThreshold` fused as its thresholding stage.
///
/// Arithmetic, as the engine does it:
/// * the window generator streams input codes in `(ky, kx, c)` order, padding with the input's
///   zero-point code;
/// * each PE's accumulator starts at `bias[o] − zx · Σ w[o]` (a per-channel constant, so the
///   MACs use raw codes) and adds `x · (w − zw)` products of the layer's bit widths, wrapping in
///   int32 exactly like the reference's `bias + Σ (x − zx)(w − zw)`;
/// * the thresholding stage compares the accumulator with every threshold of its channel in
///   parallel and outputs `offset + count(acc ≥ t)` (a fused `sign`, binary output: one threshold
///   at 0 and `acc ≥ 0 → +1`, else −1, FINN's binarized MVAU); without it the int32 accumulator
///   streams out.
struct MatrixVectorActivationUnit: TargetKernel {
    /// `mvau` or `vvau` (depthwise).
    public let name: String
    /// The conv2d / dense node, then the fused multiThreshold if any.
    public let nodes: [Node]
    /// Activations, weights, bias, thresholds.
    public let inputs: [String]
    /// The codes (or accumulators) written.
    public let outputs: [String]

    /// The window geometry (a 1 × 1 window for dense).
    public let window: SlidingWindowGenerator
    /// Output channels (MH).
    public let outputChannels: Int
    /// The folding.
    public internal(set) var folding: DataflowFolding
    let weights: [Int32]            // [O][MW], (w − zw), (ky, kx, c) order
    let accumulatorStart: [Int32]   // per output channel
    let thresholds: [[Int64]]?      // per output channel
    let thresholdOffset: Int32
    /// Whether the thresholding stage is a fused sign writing ±1 codes.
    private var binaryOutput: Bool { outputType.elementType == .binary }
    let inputType: TensorType
    let weightType: TensorType
    let outputType: TensorType
    let inputZeroPoint: Int32
    let weightLevel: String
    let activationLevel: String
    let isDense: Bool

    /// Builds the engine; weights, bias and thresholds are read from the graph's constants
    /// (they are synthesized into the fabric).
    init(nodes: [Node], window: SlidingWindowGenerator, outputChannels: Int, folding: DataflowFolding,
         weight: Tensor, bias: Tensor?, thresholds: Tensor?, thresholdOffset: Int, isDense: Bool,
         inputType: TensorType, outputType: TensorType, weightLevel: String, activationLevel: String) {
        self.nodes = nodes
        self.isDense = isDense
        self.name = window.groups > 1 && window.groupChannels == 1 ? "vvau" : "mvau"
        var names = nodes[0].inputs.filter { !$0.isEmpty }
        if nodes.count > 1, let table = nodes[1].input(1) { names.append(table) }
        inputs = names
        outputs = [nodes.last!.outputs[0]]
        self.window = window
        self.outputChannels = outputChannels
        self.folding = folding
        self.inputType = inputType
        self.weightType = weight.type
        self.outputType = outputType
        self.weightLevel = weightLevel
        self.activationLevel = activationLevel
        inputZeroPoint = inputType.quantization?.zeroPoint(at: 0) ?? 0
        let length = window.windowLength
        let codes = weight.codes ?? []
        let quantization = weight.type.quantization
        var reordered = [Int32](repeating: 0, count: outputChannels * length)
        let cg = window.groupChannels, kh = window.kernelHeight, kw = window.kernelWidth
        for o in 0..<outputChannels {
            let zero = quantization?.zeroPoint(at: o) ?? 0
            for ky in 0..<kh {
                for kx in 0..<kw {
                    for c in 0..<cg {
                        let source = isDense ? c * outputChannels + o : ((o * cg + c) * kh + ky) * kw + kx
                        reordered[o * length + (ky * kw + kx) * cg + c] = codes[source] &- zero
                    }
                }
            }
        }
        weights = reordered
        let biasCodes = bias?.codes
        accumulatorStart = (0..<outputChannels).map { o in
            var sum: Int32 = 0
            for k in 0..<length { sum = sum &+ reordered[o * length + k] }
            return (biasCodes?[o] ?? 0) &- inputType.quantizationZero &* sum
        }
        if let thresholds {
            let rows = thresholds.shape[0], perRow = thresholds.shape[1]
            let table = thresholds.integers ?? []
            self.thresholds = (0..<outputChannels).map { o in
                let row = rows == 1 ? 0 : o
                return Array(table[row * perRow ..< (row + 1) * perRow])
            }
        } else {
            self.thresholds = nil
        }
        self.thresholdOffset = Int32(thresholdOffset)
    }

    /// Thresholds per channel (0 without a thresholding stage).
    public var thresholdCount: Int { thresholds?.first?.count ?? 0 }
    /// All output pixels of all images.
    var pixels: Int { window.batch * window.outputPixels }
    var outputChannelsPerGroup: Int { outputChannels / window.groups }

    /// Runs the engine on its input stream.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, input.count == window.inputCount else {
            throw DiagnosticError(.error("\(name) expects \(window.inputCount) integer input codes", place: nodes[0].place))
        }
        let length = window.windowLength
        let planeOut = window.outputPixels
        let perGroup = outputChannelsPerGroup
        var output = [Int32](repeating: 0, count: pixels * outputChannels)
        var windowBuffer = [Int32](repeating: 0, count: max(length, 1))
        input.withUnsafeBufferPointer { input in
            weights.withUnsafeBufferPointer { weights in
                windowBuffer.withUnsafeMutableBufferPointer { vector in
                    output.withUnsafeMutableBufferPointer { output in
                        for n in 0..<window.batch {
                            for group in 0..<window.groups {
                                for oy in 0..<window.outputHeight {
                                    for ox in 0..<window.outputWidth {
                                        window.fill(vector.baseAddress!, from: input, image: n, group: group, oy: oy, ox: ox,
                                                    padding: inputZeroPoint)
                                        for o in group * perGroup ..< (group + 1) * perGroup {
                                            let accumulator = accumulatorStart[o] &+ DotProduct.wrappingSum(
                                                UnsafePointer(vector.baseAddress), weights.baseAddress.map { $0 + o * length }, count: length)
                                            let index = (n * outputChannels + o) * planeOut + oy * window.outputWidth + ox
                                            if let thresholds {
                                                var reached: Int32 = 0
                                                for t in thresholds[o] where Int64(accumulator) >= t { reached += 1 }
                                                output[index] = binaryOutput ? (reached == 0 ? -1 : 1) : thresholdOffset + reached
                                            } else {
                                                output[index] = accumulator
                                            }
                                        }
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

    /// MACs by bit widths, threshold comparisons, stream and weight-memory bytes, engine cycles.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let length = window.windowLength
        let macs = pixels * outputChannels * length
        counts.multiplyAccumulates[MultiplyAccumulateKind(inputType.elementType, weightType.elementType)] = macs
        counts.aluOperations = pixels * outputChannels * thresholdCount
        let outputBits = outputType.elementType.bitWidth
        counts.bytesRead[activationLevel, default: 0] += packedBytes(window.inputCount, bits: inputType.elementType.bitWidth)
        counts.bytesWritten[activationLevel, default: 0] += packedBytes(pixels * outputChannels, bits: outputBits)
        // Every weight (and every threshold, at accumulator width) is read once per output pixel.
        counts.bytesRead[weightLevel, default: 0] += packedBytes(outputChannels * length, bits: weightType.elementType.bitWidth) * pixels
            + outputChannels * thresholdCount * 4 * pixels
        counts.instructions[.cycles(of: name)] = folding.cyclesPerPixel(matrixHeight: outputChannels, matrixWidth: length) * pixels
        return counts
    }

    /// The engine with its folding and cycle formula, the window generator, the loop nest.
    public func listing() -> [String] {
        let length = window.windowLength
        let pe = folding.processingElements, simd = folding.simdLanes
        let neuronFolds = outputChannels / pe, synapseFolds = length / simd
        let windowText = "\(window.kernelHeight)×\(window.kernelWidth)×\(window.groupChannels)"
        var lines = [
            "engine \(name): MH \(outputChannels) × MW \(length) (\(windowText), ky·kx·c)\(window.groups > 1 ? ", \(window.groups) groups" : ""), PE \(pe), SIMD \(simd)",
            "cycles = (MH/PE)·(MW/SIMD)·(output pixels) = (\(outputChannels)/\(pe))·(\(length)/\(simd))·\(pixels) = \(neuronFolds * synapseFolds * pixels)",
            "sliding-window generator: \(inputType.elementType.name)[\(window.batch),\(window.channels),\(window.height),\(window.width)] \(window.summary) → \(pixels) windows of \(length), pad code \(inputZeroPoint)",
            "for pixel in 0..<\(pixels) { for nf in 0..<\(neuronFolds) { for sf in 0..<\(synapseFolds) { \(pe) PE × \(simd) SIMD \(inputType.elementType.name)×\(weightType.elementType.name) MACs → i32 } } }",
            "accumulator start per channel: bias − \(inputZeroPoint)·Σw",
        ]
        if let thresholds {
            lines.append("thresholding: \(thresholdCount) thresholds × \(thresholds.count) channels, \(thresholdOffset) + count(acc ≥ t) → \(outputType)")
        } else {
            lines.append("no thresholding: i32 accumulators stream out")
        }
        lines.append("weights: \(outputChannels * length) × \(weightType.elementType.name) = \(packedBytes(outputChannels * length, bits: weightType.elementType.bitWidth)) B in \(weightLevel)")
        return lines
    }
}

extension TensorType {
    /// The zero point of a per-tensor quantized value, else 0.
    var quantizationZero: Int32 { quantization?.zeroPoint(at: 0) ?? 0 }
}

extension Instruction {
    /// The cycles a dataflow unit named `unit` is busy (`mvau.cycles`).
    public static func cycles(of unit: String) -> Instruction { Instruction("\(unit).cycles") }
}
