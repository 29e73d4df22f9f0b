import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnInterpreter
import KilnNumerics
import KilnTargets

/// maxPool and averagePool on int8 codes (NCHW) with TFLite's arithmetic, as CMSIS-NN's
/// `arm_max_pool_s8` and `arm_avgpool_s8` compute them: over the window positions inside the
/// input, the largest code, or the sum of the raw codes divided by the number of those positions
/// rounding half away from zero (``TFLiteAveragePoolKernel/average(sum:count:bounds:)``); input
/// and output share their parameters, so no offset is applied.
struct S8PoolKernel: TargetKernel, DSPScheduledKernel {
    let node: Node
    let geometry: WindowGeometry
    let outputType: TensorType
    let memory: DSPMemoryMap
    let zeroOverheadLoops: Bool

    var isMax: Bool { node.kind == .maxPool }
    var name: String { isMax ? "arm_max_pool_s8" : "arm_avgpool_s8" }
    var nodes: [Node] { [node] }
    var inputs: [String] { [node.inputs[0]] }
    var outputs: [String] { node.outputs }
    private var planes: Int { geometry.batch * geometry.channels }
    private var outputPlane: Int { geometry.outputHeight * geometry.outputWidth }
    /// What a max-pooling window entirely in the padding gives (the reference's rule).
    private var zeroPoint: Int32 { outputType.quantization?.zeroPoint(at: 0) ?? 0 }
    private var bounds: ClosedRange<Int32> { Int32(outputType.elementType.minimumCode)...Int32(outputType.elementType.maximumCode) }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        let plane = geometry.height * geometry.width
        guard operands.count == 1, let input = operands[0].codes, input.count == planes * plane else {
            throw DiagnosticError(.error("\(name): expected \(planes * plane) integer codes", place: node.place))
        }
        var output = [Int32](repeating: 0, count: planes * outputPlane)
        let isMax = isMax  // read once, not through the node at every tap
        let width = geometry.width
        for p in 0..<planes {
            for oy in 0..<geometry.outputHeight {
                for ox in 0..<geometry.outputWidth {
                    var accumulator: Int32 = isMax ? Int32.min : 0, count: Int32 = 0
                    geometry.forEachTap(oy, ox) { _, _, y, x in
                        let value = input[p * plane + y * width + x]
                        accumulator = isMax ? max(accumulator, value) : accumulator &+ value
                        count += 1
                    }
                    guard count > 0 || isMax else {
                        throw DiagnosticError(.error("\(name): an average-pooling window lies entirely in the padding", place: node.place))
                    }
                    output[p * outputPlane + oy * geometry.outputWidth + ox] =
                        isMax ? (count > 0 ? accumulator : zeroPoint) : TFLiteAveragePoolKernel.average(sum: accumulator, count: count, bounds: bounds)
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    /// How many outputs see each number of in-bounds window taps (the padding trims the edges).
    private var tapHistogram: [(taps: Int, outputs: Int)] {
        var histogram: [Int: Int] = [:]
        for oy in 0..<geometry.outputHeight {
            for ox in 0..<geometry.outputWidth {
                var taps = 0
                geometry.forEachTap(oy, ox) { _, _, _, _ in taps += 1 }
                histogram[taps, default: 0] += planes
            }
        }
        return histogram.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    func countActions() -> ActionCounts {
        let taps = tapHistogram.reduce(0) { $0 + $1.taps * $1.outputs }
        return S8OutputStage.counts(of: loops(), bytesRead: taps, bytesWritten: planes * outputPlane, level: memory.activationLevel)
    }

    /// Per tap `ldrsb` and `cmp`/`movgt` (max) or `add` (average), one loop per number of taps a
    /// window has; per output of an average the rounding term `count/2` (`asr`), its sign (`cmp`,
    /// `add`), the division (`sdiv`) and the clamp (`cmp`/`mov` ×2); then `strb`.
    func loops() -> [DSPLoop] {
        let level = memory.activationLevel
        let tap = isMax ? [DSPInstruction("ldrsb", level), DSPInstruction("cmp"), DSPInstruction("movgt")]
                        : [DSPInstruction("ldrsb", level), DSPInstruction("add")]
        var output: [DSPInstruction] = []
        if !isMax { output += ["asr", "cmp", "add", "sdiv", "cmp", "mov", "cmp", "mov"].map { DSPInstruction($0) } }
        output.append(DSPInstruction("strb", level))
        return tapHistogram.map { DSPLoop(name: "tap", body: tap, iterations: $0.taps, entries: $0.outputs, loopControl: !zeroOverheadLoops) }
            + [DSPLoop(name: "output", body: output, iterations: planes * outputPlane, entries: 1, loopControl: !zeroOverheadLoops)]
    }

    func listing() -> [String] {
        ["for p, oy, ox in \(planes)×\(geometry.outputHeight)×\(geometry.outputWidth):  ; \(geometry.kernelHeight)×\(geometry.kernelWidth) window, s8 codes in \(memory.activationLevel)",
         isMax ? "  y = max of the in-bounds taps (ldrsb, cmp, movgt); strb"
               : "  y = clamp((sum ± count/2) / count); the sum of the in-bounds taps (ldrsb, add), sdiv; strb"]
    }
}

/// Lowers an int8 maxPool or averagePool with TensorFlow Lite semantics to ``S8PoolKernel``.
struct S8PoolPattern: LoweringPattern {
    let root: OperatorKind
    var name: String { root == .maxPool ? "arm_max_pool_s8" : "arm_avgpool_s8" }

    func match(nodeAt index: Int, in context: LoweringContext) -> LoweringMatch {
        let (graph, target) = (context.graph, context.target)
        let node = graph.nodes[index]
        guard node.semantics == .tensorFlowLite else {
            return .rejected("CMSIS-NN's s8 pooling computes TFLite's arithmetic; the node has \(node.semantics.rawValue) semantics")
        }
        let attributes: Pooling
        switch node.operation {
        case .maxPool(let window), .averagePool(let window): attributes = window
        default: return .rejected("not a window pooling")
        }
        guard let inputType = graph.types[node.inputs[0]], let output = node.outputs.first, let outputType = graph.types[output],
              inputType.elementType == outputType.elementType, inputType.elementType == .int8 || (node.kind == .maxPool && inputType.elementType == .binary),
              inputType.shape.count == 4, outputType.shape.count == 4 else {
            return .rejected("needs 4-D NCHW i8 input and output (max pooling: or ±1 codes, held as s8)")
        }
        guard attributes.kernel.count == 2, !attributes.countIncludePad else { return .rejected("needs a 2-D window that counts only in-bounds taps") }
        let geometry = WindowGeometry(input: inputType.shape, kernel: (attributes.kernel[0], attributes.kernel[1]),
                                      strides: attributes.strides, dilations: attributes.dilations, pads: attributes.pads, output: outputType.shape)
        return .lowered(S8PoolKernel(node: node, geometry: geometry, outputType: outputType,
                                     memory: DSPMemoryMap(target: target, graph: graph),
                                     zeroOverheadLoops: target.section(DSPSection.self)?.zeroOverheadLoops ?? false))
    }
}
