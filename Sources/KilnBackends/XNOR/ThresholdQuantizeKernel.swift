import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// The model input's `quantize` (float32 → 8-bit codes) on the threshold units, so an input never
/// goes to the host and back before the first layer.
///
/// ONNX QuantizeLinear, `q(x) = saturate(round_half_even(x / s) + zp)` (the reference's
/// `LinearQuantization.quantize`), is non-decreasing in `x`. So for each code `k` above the lowest
/// there is a least float32 `t_k` with `q(t_k) ≥ k`, and `q(x) = lowest + #{k : x ≥ t_k}` for every
/// non-NaN `x`. The `t_k` are found at compile time by bisection over the ordered float32 bit
/// patterns with `q` itself, so the kernel equals the reference bit for bit by construction (NaN
/// maps to the zero point, as the reference's does: one extra `x ≠ x` compare). Each element does
/// a binary search over the `2^bits − 1` thresholds: `bits` comparisons plus the NaN check, one
/// comparison per threshold unit per cycle.
struct ThresholdQuantizeKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    /// `t_k` for codes `lowest + 1 … highest`, ascending.
    private let thresholds: [Float]
    private let lowest: Int32, zeroPoint: Int32
    private let facts: XNORTargetFacts

    var name: String { "threshold-units.quantize" }

    /// Builds the kernel for a per-tensor ONNX-semantics quantize to an 8-bit (or narrower) type.
    init(nodeAt index: Int, in graph: Graph, facts: XNORTargetFacts) throws(StageError) {
        let node = graph.nodes[index]
        let x = graph.types[node.inputs[0]]!, y = graph.types[node.outputs[0]]!
        guard node.semantics == .onnxRuntime else {
            throw StageError("the thresholds are derived from ONNX QuantizeLinear (round half to even); TFLite's rounds half away from zero")
        }
        guard x.elementType == .float32, y.elementType.isInteger, y.elementType.bitWidth <= 8,
              let quantization = y.quantization, quantization.isPerTensor else {
            throw StageError("the threshold units quantize f32 to a per-tensor quantized type of at most 8 bits, got \(x) → \(y)")
        }
        let low = Int32(clamping: y.elementType.minimumCode), high = Int32(clamping: y.elementType.maximumCode)
        let scale = quantization.scale(at: 0), zero = quantization.zeroPoint(at: 0)
        let code = { (value: Float) in
            LinearQuantization.quantize(value, scale: scale, zeroPoint: zero, minimumCode: low, maximumCode: high)
        }
        thresholds = (low < high ? Array(low + 1...high) : []).map { Self.leastFloat(reaching: $0, code) }
        lowest = low
        zeroPoint = zero
        inputType = x
        outputType = y
        self.facts = facts
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
    }

    /// The least non-NaN float32 `x` (in value order) with `code(x) ≥ k`, by bisection over the
    /// order-preserving integer keys of the bit patterns (−∞ … +∞, NaNs outside). `code` must be
    /// non-decreasing; `code(+∞)` is the highest code, so the search always ends inside the range.
    static func leastFloat(reaching k: Int32, _ code: (Float) -> Int32) -> Float {
        var low = orderKey(-.infinity), high = orderKey(.infinity)
        while low < high {
            let middle = low + (high - low) / 2
            if code(float(ofKey: middle)) >= k { high = middle } else { low = middle + 1 }
        }
        return float(ofKey: low)
    }

    /// A key that orders float32 bit patterns as their values (−0 just below +0).
    static func orderKey(_ value: Float) -> UInt32 {
        let bits = value.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// The float32 whose ``orderKey(_:)`` is `key`.
    static func float(ofKey key: UInt32) -> Float {
        Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key)
    }

    /// Comparisons per element: the binary search's `⌈log2(thresholds + 1)⌉` steps and the NaN check.
    private var comparisonsPerElement: Int {
        var steps = 0
        while (1 << steps) < thresholds.count + 1 { steps += 1 }
        return steps + 1
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, operands[0].shape == inputType.shape, let values = operands[0].floats else {
            throw DiagnosticError(.error("\(name) expects one f32 operand of shape \(inputType.shape)", place: nodes[0].place))
        }
        var output = [Int32](repeating: 0, count: values.count)
        thresholds.withUnsafeBufferPointer { table in
            for (index, value) in values.enumerated() {
                if value.isNaN { output[index] = zeroPoint; continue }
                // Binary search: the number of thresholds ≤ value.
                var low = 0, high = table.count
                while low < high {
                    let middle = (low + high) / 2
                    if value >= table[middle] { low = middle + 1 } else { high = middle }
                }
                output[index] = lowest + Int32(low)
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let comparisons = (inputType.elementCount ?? 0) * comparisonsPerElement
        counts.aluOperations = comparisons
        counts.instructions[.thresholdCompare] = comparisons
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: inputType)
        counts.bytesRead[facts.weightLevel] = thresholds.count * 4
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        let quantization = outputType.quantization
        return [
            "threshold units: q(x) = round_half_even(x / s) + zp, saturated (s = \(quantization?.scale(at: 0) ?? 1), zp = \(zeroPoint)), as \(thresholds.count) f32 thresholds t_k = least x with q(x) ≥ k (derived at compile time)",
            "for each of \(inputType.elementCount ?? 0) elements: NaN → \(zeroPoint); else \(lowest) + #{k : x ≥ t_k} by binary search (\(comparisonsPerElement) comparisons) → \(outputType)",
        ]
    }
}

extension ThresholdQuantizeKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        XNORWorkload(work: .comparisons((inputType.elementCount ?? 0) * comparisonsPerElement), weightBytes: thresholds.count * 4,
                     inputBytes: XNORKernelSupport.bytes(of: inputType), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
