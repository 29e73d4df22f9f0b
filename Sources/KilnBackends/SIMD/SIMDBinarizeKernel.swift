import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// The sign step of a binarized network on a SIMD CPU: `y = (x + a[c] ≥ zp) ? +1 : −1`, with the
/// optional per-channel int32 constant `a` of the quantizer's threshold form
/// `accumulator → add(−T_c) → sign` absorbed (the add wraps to 32 bits, as the reference's int32
/// add does). ±1 codes are written one per signed byte, so the next ±1 layer runs through the int8
/// GEMM kernels with exact int32 accumulation (``SIMDBinaryOperands``).
///
/// Per vector of `vectorBits / laneBits` input lanes: a load, the add (`vpaddd` / NEON `add`), a
/// compare that writes an all-ones mask where `x < zp` (`vpcmpgtd` / `cmgt`), then per byte vector
/// the narrowing packs (`vpackssdw` + `vpacksswb` / `xtn` ×2 for four int32 vectors), an OR with 1
/// (mask −1 → −1, 0 → +1; `vpor` / `orr`) and a store.
struct SIMDBinarizeKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let inputType: TensorType, outputType: TensorType
    /// Per-channel int32 constants added before the sign (the threshold form), or nil.
    private let addend: [Int32]?
    private let channels: Int, inner: Int
    private let vectorBits: Int
    private let levels: SIMDMemoryLevels

    var name: String { addend == nil ? "simd-sign" : "simd-threshold-sign" }

    /// Builds the kernel rooted at an `add` of a per-channel int32 constant followed by a `sign`,
    /// or at a standalone `sign` of integer codes; throws the reason it does not apply.
    init(nodeAt index: Int, in context: LoweringContext, vectorBits bits: Int) throws(StageError) {
        let graph = context.graph
        let root = graph.nodes[index]
        guard let x = graph.types[root.inputs[0]], x.elementType.isInteger, x.shape.count >= 2 else {
            throw StageError("the sign kernel compares integer codes with a channel axis 1")
        }
        channels = x.shape[1]
        inner = Shape.elementCount(Array(x.shape.dropFirst(2))) ?? 1
        var covered = [root], signNode = root
        if root.kind == .add {
            guard let values = context.channelAddend(of: root, channels: channels, channelAxis: 1) else {
                throw StageError("not an add of a per-channel int32 constant to an int32 accumulator")
            }
            guard let next = context.fusibleFollower(of: index, accepts: { $0.kind == .sign }) else {
                throw StageError("the add is not followed by a sign it could be fused with")
            }
            addend = values
            signNode = graph.nodes[next]
            covered.append(signNode)
        } else {
            guard root.kind == .sign else { throw StageError("not an add or a sign") }
            addend = nil
        }
        inputType = x
        outputType = graph.types[signNode.outputs[0]]!
        vectorBits = bits
        levels = SIMDMemoryLevels(target: context.target)
        nodes = covered
        inputs = [root.inputs[0]]
        outputs = signNode.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, operands[0].shape == inputType.shape, let codes = operands[0].codes else {
            throw DiagnosticError(.error("\(name) expects integer codes of shape \(inputType.shape)", place: nodes[0].place))
        }
        let zero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        var output = [Int32](repeating: 0, count: codes.count)
        let plane = max(inner, 1), count = max(channels, 1)
        for index in 0..<codes.count {
            let value = addend.map { codes[index] &+ $0[(index / plane) % count] } ?? codes[index]
            output[index] = value >= zero ? 1 : -1
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// Input lanes per vector.
    private var lanes: Int { max(vectorBits / max((inputType.elementType.bitWidth + 7) / 8 * 8, 8), 1) }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let elements = inputType.elementCount ?? 0
        let inputVectors = (elements + lanes - 1) / lanes
        let byteVectors = (elements + vectorBits / 8 - 1) / max(vectorBits / 8, 1)
        counts.aluOperations = elements * (addend == nil ? 1 : 2)
        counts.instructions[.vectorLoad] = inputVectors
        if addend != nil { counts.instructions[.vectorAdd] = inputVectors }
        counts.instructions[.vectorCompare] = inputVectors
        // Narrowing to bytes: pairs of vectors packed per halving of the lane width.
        let narrowing = max(inputVectors - byteVectors, 0)
        if narrowing > 0 { counts.instructions[.vectorPack] = narrowing }
        counts.instructions[.vectorOr] = byteVectors
        counts.instructions[.vectorStore] = byteVectors
        counts.bytesRead[levels.activations] = SIMDMemoryLevels.bytes(elements, of: inputType.elementType)
        counts.bytesRead[levels.weights] = (addend?.count ?? 0) * 4
        counts.bytesWritten[levels.activations] = SIMDMemoryLevels.bytes(elements, of: outputType.elementType)
        return counts
    }

    func listing() -> [String] {
        let zero = inputType.quantization?.zeroPoint(at: 0) ?? 0
        return [
            "for each of \(inputType.elementCount ?? 0) elements (\(channels) channels × \(inner), \(lanes) lanes per \(vectorBits)-bit vector): "
                + (addend == nil ? "" : "x + a[c] (wrapping i32), ") + "mask = x < \(zero); narrow to bytes; mask | 1 → ±1 s8 → \(outputType)",
        ]
    }
}

/// Lowers the sign step (``SIMDBinarizeKernel``) from its root: `add` (the threshold form) or `sign`.
struct SIMDBinarizePattern: LoweringPattern {
    let root: OperatorKind
    let vectorBits: Int
    var name: String { root == .add ? "simd-threshold-sign" : "simd-sign" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        do {
            return .lowered(try SIMDBinarizeKernel(nodeAt: index, in: context, vectorBits: vectorBits))
        } catch {
            return .rejected(error.message)
        }
    }
}

extension Instruction {
    /// A vector integer add (`vpaddd`, NEON `add`).
    public static let vectorAdd = Instruction("vector-add")
    /// A vector integer compare writing a lane mask (`vpcmpgtd`, NEON `cmgt`).
    public static let vectorCompare = Instruction("vector-compare")
    /// A saturating narrowing pack of two vectors into one of half-width lanes (`vpackssdw`, `vpacksswb`, NEON `sqxtn`).
    public static let vectorPack = Instruction("vector-pack")
    /// A vector bitwise OR (`vpor`, NEON `orr`).
    public static let vectorOr = Instruction("vector-or")
}

/// ±1 operands on the SIMD kernels: codes −1 / +1 stored one per signed byte, so they run through
/// the 8-bit kernels (GEMM, max pooling, views) unchanged.
enum SIMDBinaryOperands {
    /// Whether a value of `type` is held as one byte per element by the simd kernels: 8-bit codes,
    /// or ±1 codes as signed bytes.
    static func isByte(_ type: ElementType) -> Bool { type.bitWidth == 8 || type == .binary }
}
