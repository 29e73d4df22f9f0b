import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Turns a binarized layer in float form (what QONNX's BipolarQuant export imports to) into a
/// binary-weight layer with an integer accumulator:
///
///     dequantize(codes) ────┐
///     dequantize(±1 const) ─┴─ conv2d / dense ─ [batchNorm] ─ sign
///   becomes
///     codes ─ conv2d / dense (±1 weights, int32 accumulator + int32 bias) ─ sign
///
/// The float layer computes `acc · m_c` exactly when `m_c = s_x · s_w[c]` is a power of two
/// (every partial sum is an integer multiple of `m_c` below 2^24 · m_c), where `acc` is the
/// dot product in `[−B, B]`, `B = K · max|code|` (K for ±1 activations; the first layer of a
/// binarized network reads 8-bit codes). The batchNorm then sign is a nondecreasing (γ > 0),
/// nonincreasing (γ < 0, the channel's weights are negated) or constant function of `acc`, so it
/// is `acc + b_c ≥ 0` for the threshold `−b_c` found by bisection over `[−B, B + 1]`, evaluating
/// the reference interpreter's float32 batchNorm (`(x − μ) / √(σ² + ε) · γ + β`). The result
/// equals the float form on every input, and thresholds never leave the layer (FINN's
/// streamlining of binarized networks, Umuroglu et al., FINN, FPGA 2017, §4.2).
///
/// Applies only when: the activation codes are binary or integers of at most 16 bits, per-tensor
/// with zero point 0, `B < 2^24`, the weights
/// are constant binary codes (per tensor or per output channel), there is no bias, a conv has no
/// padding (a padded 0 is not ±1), and each intermediate value has one reader.
public struct FuseBinaryLayers: GraphPass {
    /// Creates the pass.
    public init() {}
    /// `fuse-binary-layers`.
    public var name: String { "fuse-binary-layers" }
    /// One line saying what the pass does.
    public var summary: String { "float ±1 conv / dense with batchNorm and sign → binary layer with int32 accumulator and threshold bias" }

    /// Returns the graph with every matching binarized layer rewritten.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        for index in result.nodes.indices {
            fuse(at: index, in: &result)
        }
        result.nodes.removeAll { $0.name.isEmpty }
        result.removeUnusedValues()
        return result
    }

    /// Rewrites the conv2d / dense at `index` if it matches; fused nodes get an empty name.
    private func fuse(at index: Int, in graph: inout Graph) {
        let layer = graph.nodes[index]
        guard layer.kind == .conv2d || layer.kind == .dense, layer.input(2) == nil,
              let x = layer.input(0), let w = layer.input(1),
              let codes = dequantizedInput(x, graph), let weightCodes = dequantizedInput(w, graph),
              let xType = graph.types[codes], xType.elementType == .binary || xType.elementType.isInteger,
              xType.elementType.bitWidth <= 16,
              let xScale = xType.quantization, xScale.isPerTensor, xScale.zeroPoints == [0],
              var weights = graph.constants[weightCodes], weights.type.elementType == .binary,
              let weightScale = weights.type.quantization, var weightValues = weights.codes else { return }
        let weightAxis = layer.kind == .conv2d ? 0 : 1
        guard weights.shape.count == (layer.kind == .conv2d ? 4 : 2), weightScale.axis == nil || weightScale.axis == weightAxis else { return }
        if case .conv2d(let convolution) = layer.operation, convolution.pads.contains(where: { $0 != 0 }) { return }
        let channels = weights.shape[weightAxis]
        let depth = (Shape.elementCount(weights.shape) ?? 0) / max(channels, 1)
        // |acc| ≤ depth · the largest |code|; below 2^24 the float accumulator is exact.
        let bound = depth * Int(max(xType.elementType.minimumCode.magnitude, UInt64(xType.elementType.maximumCode.magnitude)))
        guard channels > 0, depth > 0, depth < 1 << 24, bound < 1 << 24, let output = layer.outputs.first, !graph.outputs.contains(output),
              let outputType = graph.types[output] else { return }
        // The chain: [batchNorm] then sign, each the only reader of the value before it.
        let consumers = graph.consumers()
        guard let next = consumers[output], next.count == 1 else { return }
        var norm: (epsilon: Float, parameters: [[Float]], index: Int)?
        var signIndex = next[0]
        if case .batchNorm(let epsilon) = graph.nodes[next[0]].operation {
            let node = graph.nodes[next[0]]
            var parameters: [[Float]] = []
            for position in 1...4 {
                guard let name = node.input(position), let values = graph.constants[name]?.floats, values.count == channels else { return }
                parameters.append(values)
            }
            guard let normalized = node.outputs.first, !graph.outputs.contains(normalized),
                  let after = consumers[normalized], after.count == 1 else { return }
            norm = (epsilon, parameters, next[0])
            signIndex = after[0]
        }
        guard graph.nodes[signIndex].kind == .sign else { return }
        // Per channel: the exact unit of the float accumulator, then the threshold.
        var bias: [Int32] = []
        var negate: [Bool] = []
        for c in 0..<channels {
            let unit = xScale.scales[0] * weightScale.scale(at: c)
            guard unit.isNormal, unit.significandBitPattern == 0 else { return }
            let decides: (Int) -> Bool
            var decreasing = false
            if let norm {
                let (gamma, beta, mean, variance) = (norm.parameters[0][c], norm.parameters[1][c], norm.parameters[2][c], norm.parameters[3][c])
                let root = (variance + norm.epsilon).squareRoot()
                decreasing = gamma < 0
                decides = { acc in (Float(decreasing ? -acc : acc) * unit - mean) / root * gamma + beta >= 0 }
            } else {
                decides = { acc in Float(acc) * unit >= 0 }
            }
            var low = -bound, high = bound + 1
            while low < high {
                let middle = low + (high - low) / 2
                if decides(middle) { high = middle } else { low = middle + 1 }
            }
            bias.append(Int32(-low))
            negate.append(decreasing)
        }
        if negate.contains(true) {
            let inner = weightAxis == 0 ? depth : 1
            for position in weightValues.indices where negate[weightAxis == 0 ? position / inner : position % channels] {
                weightValues[position] = -weightValues[position]
            }
            weights = Tensor(type: weights.type, storage: .int32(weightValues))
        }
        let weightName = "\(layer.name)/binary_weights", biasName = "\(layer.name)/threshold_bias"
        graph.constants[weightName] = weights
        graph.types[weightName] = weights.type
        graph.constants[biasName] = Tensor(shape: [channels], elementType: .int32, codes: bias)
        graph.types[biasName] = graph.constants[biasName]!.type
        graph.types[output] = TensorType(shape: outputType.shape, elementType: .int32)
        graph.nodes[index].inputs = [codes, weightName, biasName]
        graph.nodes[signIndex].inputs[0] = output
        if let norm { graph.nodes[norm.index].name = "" }
    }

    /// The codes behind `value` when a dequantize node produces it.
    private func dequantizedInput(_ value: String, _ graph: Graph) -> String? {
        guard let producer = graph.producerIndex(of: value), graph.nodes[producer].kind == .dequantize else { return nil }
        return graph.nodes[producer].input(0)
    }
}
