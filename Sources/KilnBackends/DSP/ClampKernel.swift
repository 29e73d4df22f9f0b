import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// The code bounds of a relu or clip on Q7/Q15 codes: the real bounds quantized with the
/// value's own parameters (round half to even, saturated), as the reference clamps codes.
enum ClampCodes {
    /// `(lower, upper)` for relu / clip on `type`, or nil for any other operation.
    static func bounds(of operation: Operator, type: TensorType) -> (Int32, Int32)? {
        guard let quantization = type.quantization else { return nil }
        let lowest = Int32(type.elementType.minimumCode), highest = Int32(type.elementType.maximumCode)
        let scale = quantization.scale(at: 0), zero = quantization.zeroPoint(at: 0)
        func code(_ value: Float) -> Int32 {
            LinearQuantization.quantize(value, scale: scale, zeroPoint: zero, minimumCode: lowest, maximumCode: highest)
        }
        switch operation {
        case .relu: return (zero, highest)
        case .clip(let minimum, let maximum): return (minimum.map(code) ?? lowest, maximum.map(code) ?? highest)
        default: return nil
        }
    }
}

/// relu / clip on Q7/Q15 codes: one saturating clamp per element (`usat` for relu, `ssat`-free
/// `cmp`/`mov` pairs for other bounds), in place.
struct ClampKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let type: TensorType
    let lowerBound: Int32, upperBound: Int32
    let memory: DSPMemoryMap
    /// Whether the target's loops cost no `subs`/`bne`.
    let zeroOverheadLoops: Bool

    var name: String { node.kind == .relu ? "usat-relu" : "clamp-clip" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }
    var elementCount: Int { type.elementCount ?? 0 }
    var elementBytes: Int { (type.elementType.bitWidth + 7) / 8 }

    /// True: `execute` tallies the trip counts of the loops it runs.
    var countsWhileExecuting: Bool { true }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, let codes = operands[0].codes, codes.count == elementCount else {
            throw DiagnosticError(.error("\(name): expected \(elementCount) integer codes", place: node.place))
        }
        var output = [Int32](repeating: 0, count: codes.count)
        var clamped = 0
        for index in codes.indices {
            output[index] = min(max(codes[index], lowerBound), upperBound)
            clamped += 1
        }
        counts.add(actionCounts(elements: clamped))
        return [Tensor(type: type, storage: .int32(output))]
    }

    func countActions() -> ActionCounts { actionCounts(elements: elementCount) }

    /// The instructions of ``loops(elements:)``.
    func actionCounts(elements: Int) -> ActionCounts {
        var counts = ActionCounts()
        counts.instructions = DSPLoop.instructionCounts(loops(elements: elements))
        counts.aluOperations = node.kind == .relu ? elements : elements * 4
        counts.bytesRead[memory.activationLevel] = elements * elementBytes
        counts.bytesWritten[memory.activationLevel] = elements * elementBytes
        return counts
    }

    /// The loops of one run over every element.
    func loops() -> [DSPLoop] { loops(elements: elementCount) }

    /// Per element: a load, `usat` (relu) or `cmp`/`mov` ×2 (clip), a store; `subs`/`bne`.
    func loops(elements: Int) -> [DSPLoop] {
        let level = memory.activationLevel
        let clamp = node.kind == .relu ? [DSPInstruction("usat")] : ["cmp", "mov", "cmp", "mov"].map { DSPInstruction($0) }
        let body = [DSPInstruction(elementBytes == 1 ? "ldrsb" : "ldrsh", level)] + clamp + [DSPInstruction(elementBytes == 1 ? "strb" : "strh", level)]
        return [DSPLoop(name: "element", body: body, iterations: elements, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        let clamp = node.kind == .relu ? "usat #\(type.elementType.bitWidth - 1)" : "clamp to [\(lowerBound), \(upperBound)] (cmp/mov ×2)"
        return ["for i in 0..<\(elementCount):  \(elementBytes == 1 ? "ldrsb" : "ldrsh"); \(clamp); \(elementBytes == 1 ? "strb" : "strh")   ; \(type.elementType.name) codes in \(memory.activationLevel)"]
    }
}

/// Lowers relu / clip on Q7/Q15 codes (same parameters in and out) to ``ClampKernel``.
struct ClampPattern: LoweringPattern {
    /// relu or clip.
    let root: OperatorKind
    /// `usat-relu` / `clamp-clip`.
    var name: String { root == .relu ? "usat-relu" : "clamp-clip" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard let input = node.input(0), let inputType = graph.types[input], let output = node.outputs.first,
              let outputType = graph.types[output], inputType == outputType,
              PowerOfTwoFormat.isPowerOfTwoActivation(inputType),
              let bounds = ClampCodes.bounds(of: node.operation, type: inputType) else {
            return .rejected("needs q7/q15 codes with the same power-of-two scale in and out")
        }
        return .lowered(ClampKernel(node: node, type: outputType, lowerBound: bounds.0, upperBound: bounds.1,
                                    memory: DSPMemoryMap(target: target, graph: graph),
                                    zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
