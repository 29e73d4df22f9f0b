import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// A global average pool as FINN builds it: an accumulating pool (`GlobalAccPool`) that sums the
/// codes of each channel, then a thresholding stage whose thresholds are the exact sums where
/// the averaged output code steps.
///
/// The thresholds come from the reference's quantized average (float-scale rule with multiplier
/// `inputScale / (outputScale · count)`) by ``ThresholdDerivation``, so the two agree on every
/// int32 sum.
struct AccumulatingPoolUnit: TargetKernel {
    /// `accumulating-pool`.
    public var name: String { "accumulating-pool" }
    /// The globalAveragePool node.
    public let nodes: [Node]
    /// The input.
    public let inputs: [String]
    /// The output.
    public let outputs: [String]
    let planes: Int, plane: Int
    let thresholds: [Int64]
    let offset: Int32
    let inputType: TensorType
    let outputType: TensorType
    let activationLevel: String
    /// The engine's folding (PE channels per cycle), chosen by ``DataflowFoldingPlan``.
    public internal(set) var folding = DataflowFolding.unfolded

    /// Derives the thresholds.
    /// - Throws: ``DiagnosticError`` when the scales give no valid requantizer.
    init(node: Node, inputType: TensorType, outputType: TensorType, activationLevel: String) throws(DiagnosticError) {
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = [node.outputs[0]]
        planes = inputType.shape[0] * inputType.shape[1]
        plane = planes == 0 ? 0 : (Shape.elementCount(inputType.shape) ?? 0) / planes
        self.inputType = inputType
        self.outputType = outputType
        self.activationLevel = activationLevel
        let low = Int32(outputType.elementType.minimumCode), high = Int32(outputType.elementType.maximumCode)
        let multiplier = inputType.quantization!.scale(at: 0) / (outputType.quantization!.scale(at: 0) * Float(plane))
        let requantizer: FloatScaleRequantizer
        do {
            requantizer = try FloatScaleRequantizer(multiplier: multiplier, zeroPoint: outputType.quantizationZero, outputType: outputType.elementType)
        } catch {
            throw DiagnosticError(.error("cannot build the average's quantizer (multiplier \(multiplier)): \(error)", place: node.place))
        }
        thresholds = ThresholdDerivation.thresholds(lowest: low, highest: high, quantizer: requantizer.apply)
        offset = low
    }

    /// Sums each channel's codes minus the zero point (int32, wrapping), then thresholds.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard let input = operands.first?.codes, input.count == planes * plane else {
            throw DiagnosticError(.error("\(name) expects \(planes * plane) integer codes", place: nodes[0].place))
        }
        let zero = inputType.quantizationZero
        var output = [Int32](repeating: 0, count: planes)
        for p in 0..<planes {
            var sum: Int32 = 0
            for index in p * plane ..< (p + 1) * plane { sum = sum &+ (input[index] &- zero) }
            var reached: Int32 = 0
            for threshold in thresholds where Int64(sum) >= threshold { reached += 1 }
            output[p] = offset + reached
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// One addition per input element, one comparison per output and threshold.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = planes * plane + planes * thresholds.count
        counts.bytesRead[activationLevel, default: 0] += packedBytes(planes * plane, bits: inputType.elementType.bitWidth)
        counts.bytesWritten[activationLevel, default: 0] += packedBytes(planes, bits: outputType.elementType.bitWidth)
        return counts
    }

    /// The accumulator and the thresholds.
    public func listing() -> [String] {
        ["accumulating pool: \(planes) channels × Σ over \(plane) codes (i32, minus zero point \(inputType.quantizationZero))",
         "thresholding: \(thresholds.count) thresholds on the sum, \(offset) + count(sum ≥ t) → \(outputType)"]
    }
}
