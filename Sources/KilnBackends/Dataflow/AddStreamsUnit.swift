import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// A quantized elementwise add of two equal-shape streams as a LUT ROM indexed by the two input
/// codes, each entry the reference's result: ONNX Runtime's QLinearAdd arithmetic for 8-bit codes
/// (``KilnNumerics/ONNXRuntimeQLinearArithmetic``), else `quantize(dequantize(a) + dequantize(b))`
/// in float32 (half to even).
/// With 4-bit inputs the ROM has 256 entries; it is limited to 2^16.
struct AddStreamsUnit: TargetKernel {
    /// `add-streams-lut`.
    public var name: String { "add-streams-lut" }
    /// The add node.
    public let nodes: [Node]
    /// The two inputs.
    public let inputs: [String]
    /// The output.
    public let outputs: [String]
    let table: [Int32]
    let lowA: Int32, lowB: Int32, spanB: Int
    let count: Int
    let types: (a: TensorType, b: TensorType, output: TensorType)
    let activationLevel: String
    /// The engine's folding (PE element pairs per cycle), chosen by ``DataflowFoldingPlan``.
    public internal(set) var folding = DataflowFolding.unfolded

    /// The largest ROM (entries).
    static let maximumEntries = 1 << 16

    init(node: Node, a: TensorType, b: TensorType, output: TensorType, activationLevel: String) {
        nodes = [node]
        inputs = [node.inputs[0], node.inputs[1]]
        outputs = [node.outputs[0]]
        lowA = Int32(a.elementType.minimumCode)
        lowB = Int32(b.elementType.minimumCode)
        let highA = Int32(a.elementType.maximumCode), highB = Int32(b.elementType.maximumCode)
        spanB = Int(highB - lowB) + 1
        let qa = a.quantization!, qb = b.quantization!, qo = output.quantization!
        let minimum = Int32(clamping: output.elementType.minimumCode), maximum = Int32(clamping: output.elementType.maximumCode)
        let count = Shape.elementCount(output.shape) ?? 0
        // 8-bit codes: the reference's ONNX Runtime QLinearAdd arithmetic; narrower codes: float32
        // dequantize / add / quantize (half to even).
        let runtime = [a, b, output].allSatisfy({ $0.elementType.bitWidth == 8 }) && a.elementType == output.elementType
            && b.elementType == output.elementType
            ? ONNXRuntimeQLinearArithmetic(.add, scaleA: qa.scale(at: 0), zeroPointA: qa.zeroPoint(at: 0), scaleB: qb.scale(at: 0),
                                           zeroPointB: qb.zeroPoint(at: 0), scaleC: qo.scale(at: 0), zeroPointC: qo.zeroPoint(at: 0),
                                           minimumCode: minimum, maximumCode: maximum) : nil
        var entries: [Int32] = []
        entries.reserveCapacity(Int(highA - lowA + 1) * spanB)
        for codeA in lowA...highA {
            let realA = LinearQuantization.dequantize(codeA, scale: qa.scale(at: 0), zeroPoint: qa.zeroPoint(at: 0))
            for codeB in lowB...highB {
                if let runtime {
                    entries.append(count == 1 ? runtime.codes([codeA], [codeB])[0] : runtime.code(codeA, codeB))
                    continue
                }
                let realB = LinearQuantization.dequantize(codeB, scale: qb.scale(at: 0), zeroPoint: qb.zeroPoint(at: 0))
                entries.append(LinearQuantization.quantize(realA + realB, scale: qo.scale(at: 0), zeroPoint: qo.zeroPoint(at: 0),
                                                           minimumCode: minimum, maximumCode: maximum))
            }
        }
        table = entries
        self.count = count
        types = (a, b, output)
        self.activationLevel = activationLevel
    }

    /// ROM entries for the input types, or nil when above ``maximumEntries``.
    static func entries(_ a: ElementType, _ b: ElementType) -> Int? {
        let spanA = a.maximumCode - a.minimumCode + 1, spanB = b.maximumCode - b.minimumCode + 1
        let (product, overflow) = spanA.multipliedReportingOverflow(by: spanB)
        return overflow || product > Int64(maximumEntries) ? nil : Int(product)
    }

    /// One ROM lookup per element pair.
    public func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 2, let a = operands[0].codes, let b = operands[1].codes, a.count == count, b.count == count else {
            throw DiagnosticError(.error("\(name) expects two streams of \(count) integer codes", place: nodes[0].place))
        }
        var output = [Int32](repeating: 0, count: count)
        for index in 0..<count {
            output[index] = table[Int(a[index] - lowA) * spanB + Int(b[index] - lowB)]
        }
        return [Tensor(type: types.output, storage: .int32(output))]
    }

    /// One lookup (ALU operation) per element; both streams in, one out.
    public func countActions() -> ActionCounts {
        var counts = ActionCounts()
        counts.aluOperations = count
        counts.bytesRead[activationLevel, default: 0] += packedBytes(count, bits: types.a.elementType.bitWidth)
            + packedBytes(count, bits: types.b.elementType.bitWidth)
        counts.bytesWritten[activationLevel, default: 0] += packedBytes(count, bits: types.output.elementType.bitWidth)
        return counts
    }

    /// The ROM.
    public func listing() -> [String] {
        ["add streams: \(count) element pairs, \(types.a.elementType.name) + \(types.b.elementType.name) → LUT ROM of \(table.count) entries → \(types.output)"]
    }
}
