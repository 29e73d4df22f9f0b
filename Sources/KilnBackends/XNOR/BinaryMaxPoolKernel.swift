import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnTargets

/// Max pooling of ±1 values as an OR on the bit encoding (+1 → bit 1): the channels of each
/// pixel are packed into words, and the words of the window's taps are ORed — one word
/// operation pools `wordBits` channels. (max over ±1 is +1 as soon as one tap is +1.)
struct BinaryMaxPoolKernel: TargetKernel {
    let nodes: [Node]
    let inputs: [String]
    let outputs: [String]
    private let window: PoolWindow
    private let type: TensorType, outputType: TensorType
    private let packing: BinaryWordPacking
    private let facts: XNORTargetFacts

    var name: String { "xnor-array.or-pool" }

    init(nodeAt index: Int, in graph: Graph, facts: XNORTargetFacts) throws(StageError) {
        let node = graph.nodes[index]
        guard case .maxPool(let attributes) = node.operation else { throw StageError("not a maxPool") }
        let x = graph.types[node.inputs[0]]!
        guard x.elementType == .binary, x.shape.count == 4 else { throw StageError("OR pooling needs ±1 NCHW input") }
        outputType = graph.types[node.outputs[0]]!
        window = PoolWindow(input: x.shape, output: outputType.shape, attributes: attributes)
        type = x
        packing = BinaryWordPacking(wordBits: facts.wordBits)
        self.facts = facts
        nodes = [node]
        inputs = [node.inputs[0]]
        outputs = node.outputs
    }

    func execute(_ operands: [Tensor], counts: inout ActionCounts) throws(DiagnosticError) -> [Tensor] {
        try XNORKernelSupport.checkOperands(operands, shapes: [type.shape], kernel: name, node: nodes[0])
        let input = operands[0].codes!
        try XNORKernelSupport.checkPlusMinusOne(input, node: nodes[0])
        let w = window
        let plane = w.height * w.width, outputPlane = w.outputHeight * w.outputWidth
        let words = packing.wordCount(w.channels)
        var packed = [UInt64](repeating: 0, count: w.batch * plane * words)
        packed.withUnsafeMutableBufferPointer { packed in
            for n in 0..<w.batch {
                for pixel in 0..<plane {
                    packing.pack(count: w.channels, into: packed, at: (n * plane + pixel) * words) {
                        input[(n * w.channels + $0) * plane + pixel]
                    }
                }
            }
        }
        var output = [Int32](repeating: 0, count: w.outputCount)
        var pooled = [UInt64](repeating: 0, count: words)
        for n in 0..<w.batch {
            for oy in 0..<w.outputHeight {
                for ox in 0..<w.outputWidth {
                    for word in 0..<words { pooled[word] = 0 }
                    var taps = 0
                    w.forEachTap(oy, ox) { y, x in
                        taps += 1
                        for word in 0..<words { pooled[word] |= packed[(n * plane + y * w.width + x) * words + word] }
                    }
                    for c in 0..<w.channels {
                        let bit = (pooled[c / packing.wordBits] >> UInt64(c % packing.wordBits)) & 1
                        // A window entirely in the padding yields the zero point (0), as the reference does.
                        output[(n * w.channels + c) * outputPlane + oy * w.outputWidth + ox] = taps == 0 ? 0 : (bit == 1 ? 1 : -1)
                    }
                }
            }
        }
        return [Tensor(type: outputType, storage: .int32(output))]
    }

    func countActions() -> ActionCounts {
        var counts = ActionCounts()
        let words = packing.wordCount(window.channels)
        let orWords = window.tapCount / max(window.channels, 1) * words
        counts.aluOperations = orWords
        counts.instructions[.or(wordBits: facts.wordBits)] = orWords
        counts.instructions[.pack(wordBits: facts.wordBits)] = window.batch * window.height * window.width * words
        counts.bytesRead[facts.activationLevel] = XNORKernelSupport.bytes(of: type)
        counts.bytesWritten[facts.activationLevel] = XNORKernelSupport.bytes(of: outputType)
        return counts
    }

    func listing() -> [String] {
        let words = packing.wordCount(window.channels)
        return ["\(window.summary)", "  OR the \(words) packed word(s) of \(window.channels) channels over the window's taps (max of ±1 = OR of bits) → \(outputType)"]
    }
}

extension BinaryMaxPoolKernel: XNORCostedKernel {
    var workload: XNORWorkload {
        let words = window.tapCount / max(window.channels, 1) * packing.wordCount(window.channels)
        return XNORWorkload(work: .wordOperations(words: words, wordBits: facts.wordBits), weightBytes: 0,
                            inputBytes: XNORKernelSupport.bytes(of: type), outputBytes: XNORKernelSupport.bytes(of: outputType))
    }
}
