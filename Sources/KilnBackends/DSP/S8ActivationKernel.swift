import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// relu, clip and leakyRelu on int8 codes with TFLite's arithmetic (``TFLiteClamp``), as TFLM
/// runs them on the Cortex-M (its reference `ReluQuantized` / `QuantizeLeakyRelu`): per element
/// `ldrsb`; unless input and output share their parameters, the input offset (`add`) and a
/// double-rounding requantization; the output offset, the clamp (`cmp`/`mov` ×2) and `strb`.
struct S8ActivationKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let activation: TFLiteClamp
    let outputType: TensorType
    let memory: DSPMemoryMap
    let zeroOverheadLoops: Bool

    var name: String { "tflm_\(node.kind.rawValue)_s8" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }
    var elementCount: Int { outputType.elementCount ?? 0 }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        guard operands.count == 1, let codes = operands[0].codes, codes.count == elementCount else {
            throw DiagnosticError(.error("\(name): expected \(elementCount) integer codes", place: node.place))
        }
        return [Tensor(type: outputType, storage: .int32(codes.map(activation.apply)))]
    }

    func countActions() -> ActionCounts {
        S8OutputStage.counts(of: loops(), bytesRead: elementCount, bytesWritten: elementCount, level: memory.activationLevel)
    }

    func loops() -> [DSPLoop] {
        let level = memory.activationLevel
        var body = [DSPInstruction("ldrsb", level)]
        if activation.isCodeClamp {
            body += [DSPInstruction("cmp"), DSPInstruction("mov"), DSPInstruction("cmp"), DSPInstruction("mov")]
        } else {
            body += [DSPInstruction("add")] + S8OutputStage.doubleRounding + S8OutputStage.offsetAndClamp
        }
        body.append(DSPInstruction("strb", level))
        return [DSPLoop(name: "element", body: body, iterations: elementCount, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        let scaling = activation.isCodeClamp ? "x" : "requantize(x − \(activation.inputZeroPoint)) + \(activation.outputZeroPoint)"
        return ["for i in 0..<\(elementCount):  ; s8 codes in \(memory.activationLevel)",
                "  y = clamp(\(scaling), [\(activation.bounds.lowerBound), \(activation.bounds.upperBound)]); strb"]
    }
}

/// Lowers an int8 relu, clip or leakyRelu with TensorFlow Lite semantics to ``S8ActivationKernel``.
struct S8ActivationPattern: LoweringPattern {
    let root: OperatorKind
    var name: String { "tflm_\(root.rawValue)_s8" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.semantics == .tensorFlowLite else {
            return .rejected("the s8 \(root.rawValue) computes TFLite's arithmetic; the node has \(node.semantics.rawValue) semantics")
        }
        guard let inputType = graph.types[node.inputs[0]], let output = node.outputs.first, let outputType = graph.types[output],
              inputType.elementType == .int8, outputType.elementType == .int8 else {
            return .rejected("needs i8 input and output")
        }
        let activation: TFLiteClamp
        do { activation = try TFLiteClamp(node.operation, input: inputType, output: outputType) } catch { return .rejected(error.message) }
        return .lowered(S8ActivationKernel(node: node, activation: activation, outputType: outputType,
                                           memory: DSPMemoryMap(target: target, graph: graph),
                                           zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
