import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics
import KilnTargets

/// Elementwise add of two Q7/Q15 tensors with power-of-two scales: both operands are aligned to
/// the finer of their fraction bits (`lsl`), added with `qadd`, shifted to the output's fraction
/// bits rounding half to even (`ubfx` the quotient's low bit, two `add`s, `asr`) and saturated
/// with `ssat`.
///
/// With power-of-two scales this integer sequence equals the reference's
/// dequantize → float32 add → quantize exactly: every dequantized value, the sum and the division
/// by the output scale are exact in float32 (the pattern checks the sum stays below 2^24), and
/// quantize rounds half to even.
struct SaturatingAddKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let shape: [Int]
    let outputType: TensorType
    /// Left shifts aligning a and b to the common fraction bits, and the right shift to the output
    /// (negative: a left shift).
    let shiftA: Int, shiftB: Int, outputShift: Int
    let elementBytes: (a: Int, b: Int, output: Int)
    let memory: DSPMemoryMap
    /// Whether the target's loops cost no `subs`/`bne`.
    let zeroOverheadLoops: Bool

    var name: String { "qadd-add" }
    var nodes: [Node] { [node] }
    var inputs: [String] { Array(node.inputs.prefix(2)) }
    var outputs: [String] { node.outputs }
    var elementCount: Int { Shape.elementCount(shape) ?? 0 }

    /// One element: `ssat(round_half_even((a << shiftA) + (b << shiftB)) >> outputShift)`.
    @inline(__always)
    func add(_ a: Int32, _ b: Int32) -> Int32 {
        let sum = (Int64(a) << shiftA) + (Int64(b) << shiftB)  // qadd: cannot saturate (|sum| < 2^24)
        // ubfx of the quotient bit, then (sum + 2^(s−1) − 1 + bit) >> s: round half to even.
        let rounded = outputShift > 0 ? RoundingMode.halfToEven.divide(sum, byPowerOfTwo: outputShift) : sum << -outputShift
        return Int32(outputType.elementType.saturate(rounded))
    }

    /// True: `execute` tallies the trip counts of the loops it runs.
    var countsWhileExecuting: Bool { true }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 2, let a = operands[0].codes, let b = operands[1].codes,
              a.count == elementCount, b.count == elementCount else {
            throw DiagnosticError(.error("\(name): expected two tensors of \(elementCount) codes", place: node.place))
        }
        var output = [Int32](repeating: 0, count: elementCount)
        var done = 0
        for index in 0..<elementCount {
            output[index] = add(a[index], b[index])
            done += 1
        }
        counts.add(actionCounts(elements: done))
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts { actionCounts(elements: elementCount) }

    /// The instructions of ``loops(elements:)``.
    func actionCounts(elements: Int) -> ActionCounts {
        var counts = ActionCounts()
        let shifts = (shiftA > 0 ? 1 : 0) + (shiftB > 0 ? 1 : 0) + (outputShift < 0 ? 1 : 0)
        counts.instructions = DSPLoop.instructionCounts(loops(elements: elements))
        counts.aluOperations = elements * (shifts + 2) + (outputShift > 0 ? elements * 4 : 0)
        counts.bytesRead[memory.activationLevel] = elements * (elementBytes.a + elementBytes.b)
        counts.bytesWritten[memory.activationLevel] = elements * elementBytes.output
        return counts
    }

    /// The loops of one run over every element.
    func loops() -> [DSPLoop] { loops(elements: elementCount) }

    /// Per element: two loads, an `lsl` per unaligned operand, `qadd`, an `lsl` to a finer output
    /// or the rounding shift (`ubfx`, `add` ×2, `asr`) to a coarser one, `ssat`, a store; `subs`/`bne`.
    func loops(elements: Int) -> [DSPLoop] {
        let level = memory.activationLevel
        func load(_ bytes: Int) -> DSPInstruction { DSPInstruction(bytes == 1 ? "ldrsb" : "ldrsh", level) }
        var body = [load(elementBytes.a), load(elementBytes.b)]
        if shiftA > 0 { body.append(DSPInstruction("lsl")) }
        if shiftB > 0 { body.append(DSPInstruction("lsl")) }
        body.append(DSPInstruction("qadd"))
        if outputShift < 0 { body.append(DSPInstruction("lsl")) }
        if outputShift > 0 { body += ["ubfx", "add", "add", "asr"].map { DSPInstruction($0) } }
        body += [DSPInstruction("ssat"), DSPInstruction(elementBytes.output == 1 ? "strb" : "strh", level)]
        return [DSPLoop(name: "element", body: body, iterations: elements, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        let rounding = outputShift > 0 ? "ubfx q, s, #\(outputShift), #1; add; add #\((1 << (outputShift - 1)) - 1); asr #\(outputShift) (round half even)"
            : outputShift < 0 ? "lsl #\(-outputShift)" : "no shift"
        return ["for i in 0..<\(elementCount):  ; \(outputType.elementType.name) codes in \(memory.activationLevel)",
                "  ldrsb a; ldrsb b; lsl a, #\(shiftA); lsl b, #\(shiftB); qadd s, a, b",
                "  \(rounding); ssat #\(outputType.elementType.bitWidth); strb"]
    }
}

/// Lowers an add of two same-shape Q7/Q15 tensors with power-of-two scales to ``SaturatingAddKernel``.
struct SaturatingAddPattern: LoweringPattern {
    var root: OperatorKind { .add }
    var name: String { "qadd-add" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.inputs.count == 2, let a = graph.types[node.inputs[0]], let b = graph.types[node.inputs[1]],
              let output = node.outputs.first, let outputType = graph.types[output],
              [a, b, outputType].allSatisfy(PowerOfTwoFormat.isPowerOfTwoActivation) else {
            return .rejected("needs q7/q15 operands and output with power-of-two scales and zero point 0")
        }
        guard a.shape == b.shape, a.shape == outputType.shape else { return .rejected("broadcasting is not supported (shapes \(a.shape), \(b.shape))") }
        let bitsA = PowerOfTwoFormat.fractionBits(ofScale: a.quantization!.scales[0])!
        let bitsB = PowerOfTwoFormat.fractionBits(ofScale: b.quantization!.scales[0])!
        let bitsOut = PowerOfTwoFormat.fractionBits(ofScale: outputType.quantization!.scales[0])!
        let common = max(bitsA, bitsB)
        let shiftA = common - bitsA, shiftB = common - bitsB
        // The float32 reference is exact only while |sum| < 2^24 at the output's scale and the
        // common scale.
        let largestA = max(-a.elementType.minimumCode, a.elementType.maximumCode)
        let largestB = max(-b.elementType.minimumCode, b.elementType.maximumCode)
        guard shiftA < 24, shiftB < 24, bitsOut - common < 24,
              (largestA << shiftA) + (largestB << shiftB) < (1 << 24) else {
            return .rejected("the aligned sum could exceed 24 bits (fraction bits \(bitsA), \(bitsB) → \(bitsOut))")
        }
        if bitsOut > common, ((largestA << shiftA) + (largestB << shiftB)) << (bitsOut - common) >= (1 << 24) {
            return .rejected("the scaled sum could exceed 24 bits")
        }
        func bytes(_ type: TensorType) -> Int { (type.elementType.bitWidth + 7) / 8 }
        return .lowered(SaturatingAddKernel(node: node, shape: outputType.shape, outputType: outputType,
                                            shiftA: shiftA, shiftB: shiftB, outputShift: common - bitsOut,
                                            elementBytes: (bytes(a), bytes(b), bytes(outputType)),
                                            memory: DSPMemoryMap(target: target, graph: graph),
                                            zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
