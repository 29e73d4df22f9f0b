import KilnCompiler
import KilnDiagnostics
import KilnIR

/// A streaming max pool (FINN `StreamingMaxPool` / `Pool` with a window generator) on codes:
/// the window generator pads with the smallest code, and a comparator tree keeps the largest.
/// A window that lies entirely in the padding outputs the zero point, as the reference does.
struct StreamingMaxPoolUnit: TargetKernel {
    /// `streaming-maxpool`.
    public var name: String { "streaming-maxpool" }
    /// The maxPool node.
    public let nodes: [Node]
    /// The input.
    public let inputs: [String]
    /// The output.
    public let outputs: [String]
    let window: SlidingWindowGenerator   // groups == channels: one window per channel
    let inputType: TensorType
    let outputType: TensorType
    let activationLevel: String
    /// The engine's folding (PE channels per cycle), chosen by ``DataflowFoldingPlan``.
    public internal(set) var folding = DataflowFolding.unfolded

    init(node: Node, window: SlidingWindowGenerator, inputType: TensorType, outputType: TensorType, activationLevel: String) {
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = [node.outputs[0]]
        self.window = window
        self.inputType = inputType
        self.outputType = outputType
        self.activationLevel = activationLevel
    }

    var outputCount: Int { window.batch * window.channels * window.outputPixels }

    /// Slides the window and keeps the largest code.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, input.count == window.inputCount else {
            throw DiagnosticError(.error("\(name) expects \(window.inputCount) integer codes", place: nodes[0].place))
        }
        let length = window.windowLength
        let zero = inputType.quantizationZero
        var output = [Int32](repeating: 0, count: outputCount)
        var buffer = [Int32](repeating: 0, count: max(length, 1))
        input.withUnsafeBufferPointer { input in
            buffer.withUnsafeMutableBufferPointer { vector in
                var index = 0
                for n in 0..<window.batch {
                    for c in 0..<window.channels {
                        for oy in 0..<window.outputHeight {
                            for ox in 0..<window.outputWidth {
                                if window.hasInputTap(oy: oy, ox: ox) {
                                    window.fill(vector.baseAddress!, from: input, image: n, group: c, oy: oy, ox: ox, padding: Int32.min)
                                    var largest = vector[0]
                                    for k in 1..<max(length, 1) where vector[k] > largest { largest = vector[k] }
                                    output[index] = largest
                                } else {
                                    output[index] = zero
                                }
                                index += 1
                            }
                        }
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// `window − 1` comparisons per output; the stream in and out.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = outputCount * max(window.windowLength - 1, 0)
        counts.bytesRead[activationLevel, default: 0] += packedBytes(window.inputCount, bits: inputType.elementType.bitWidth)
        counts.bytesWritten[activationLevel, default: 0] += packedBytes(outputCount, bits: outputType.elementType.bitWidth)
        return counts
    }

    /// The window and the comparator tree.
    public func listing() -> [String] {
        ["streaming max pool: \(inputType.elementType.name)[\(window.batch),\(window.channels),\(window.height),\(window.width)] \(window.summary) → \(window.outputHeight)×\(window.outputWidth) per channel",
         "for \(outputCount) outputs: max over \(window.windowLength) codes (\(max(window.windowLength - 1, 0)) comparators), padding never wins"]
    }
}
