import Foundation
import KilnCompiler
import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Makes the weights of every integer `conv2d` and `dense` ternary, per output channel, with the
/// least-squares rule of Ternary Weight Networks (Li, Zhang and Liu, "Ternary Weight Networks",
/// 2016, eq. 3–4): choose `α > 0` and `t ∈ {−1, 0, +1}` minimizing `‖w − α·t‖²`. For a fixed set
/// of kept weights, `α` is their mean magnitude and the error falls by `(Σ|w|)² / count`, so the
/// best set is the `k` largest magnitudes for the `k` maximizing `(Σ_{top k}|w|)² / k`; the pass
/// finds it exactly by sorting (the paper's `Δ ≈ 0.7·mean|w|` approximates this threshold).
///
/// The new weights are `i2` codes with scale `s · α` per channel (zero point 0), so
/// `s·w ≈ s·α·t`; the int32 bias, which lives at the accumulator's scale, is divided by `α`
/// (rounded to nearest) to keep its real value. Layers whose output is the raw int32
/// accumulator keep their weights (later nodes read the accumulator at its old scale). The change
/// is lossy: the pass logs, per layer, how many weights became zero and the relative error.
public struct TernarizeWeightsPass: GraphPass {
    /// Where the pass writes what it changed.
    public let log: CompileLog

    /// Creates the pass.
    public init(log: CompileLog) {
        self.log = log
    }

    /// `ternarize-weights`.
    public var name: String { "ternarize-weights" }
    /// What the pass does.
    public var summary: String { "ternarize integer conv / dense weights per output channel (least squares, TWN), rescale bias" }

    /// Returns the graph with ternary weights.
    public func run(on graph: Graph) throws(DiagnosticError) -> Graph {
        var result = graph
        for (index, node) in graph.nodes.enumerated() where node.kind == .conv2d || node.kind == .dense {
            guard let weightName = node.input(1), let weights = graph.constants[weightName], let codes = weights.codes,
                  let quantization = weights.type.quantization, case .integer(let bits, true) = weights.type.elementType, bits > 2
            else { continue }
            guard graph.types[node.outputs[0]]?.quantization != nil else {
                log.note("weights kept: the output is the raw int32 accumulator, which later nodes read at its scale", pass: name, node: node.name)
                continue
            }
            let axis = node.kind == .conv2d ? 0 : 1
            let channels = weights.shape[axis]
            let inner = weights.shape[(axis + 1)...].reduce(1, *)
            var ternary = [Int32](repeating: 0, count: codes.count)
            var scales: [Float] = [], alphas: [Double] = []
            var zeros = 0, errorSquared = 0.0, normSquared = 0.0
            for channel in 0..<channels {
                // Element i of this channel is at (outer · channels + channel) · inner + j.
                let indices = (0..<(codes.count / channels)).map { ($0 / inner * channels + channel) * inner + $0 % inner }
                let zeroPoint = quantization.zeroPoint(at: channel)
                let centered = indices.map { Double(codes[$0] - zeroPoint) }
                let (threshold, alpha) = Self.leastSquaresThreshold(centered)
                let scale = Double(quantization.scale(at: channel))
                for (i, value) in zip(indices, centered) {
                    let t: Int32 = abs(value) > threshold ? (value > 0 ? 1 : -1) : 0
                    ternary[i] = t
                    if t == 0 { zeros += 1 }
                    errorSquared += pow(scale * (value - alpha * Double(t)), 2)
                    normSquared += pow(scale * value, 2)
                }
                scales.append(Float(scale * alpha))
                alphas.append(alpha)
            }
            let newWeights = Tensor(shape: weights.shape, elementType: .integer(bits: 2, signed: true), codes: ternary,
                                    quantization: QuantizationParameters(scales: scales, zeroPoints: Array(repeating: 0, count: channels), axis: axis))
            result.constants[weightName + ".ternary"] = newWeights
            result.types[weightName + ".ternary"] = newWeights.type
            result.nodes[index].inputs[1] = weightName + ".ternary"
            if let biasName = node.input(2), let bias = graph.constants[biasName], let biasCodes = bias.codes, biasCodes.count == channels {
                let rescaled = zip(biasCodes, alphas).map { Int32(clamping: Int64((Double($0) / $1).rounded())) }
                var type = bias.type
                type.quantization = type.quantization.map { old in
                    QuantizationParameters(scales: (0..<channels).map { old.scale(at: $0) * Float(alphas[$0]) },
                                           zeroPoints: (0..<channels).map { old.zeroPoint(at: $0) }, axis: 0)
                }
                result.constants[biasName + ".ternary"] = Tensor(type: type, storage: .int32(rescaled))
                result.types[biasName + ".ternary"] = type
                result.nodes[index].inputs[2] = biasName + ".ternary"
            }
            let error = normSquared > 0 ? (errorSquared / normSquared).squareRoot() : 0
            log.note("\(codes.count) \(weights.type.elementType.name) weights → ternary over \(channels) channels: "
                     + "\(zeros) zero (\(percent(zeros, codes.count))), relative weight error \(String(format: "%.3f", error)); bias divided by α",
                     pass: name, node: node.name)
        }
        result.removeUnusedValues()
        return result
    }

    /// The magnitude above which weights are kept and their mean `α`, minimizing `‖w − α·t‖²`;
    /// `(∞, 1)` for an all-zero channel.
    static func leastSquaresThreshold(_ weights: [Double]) -> (threshold: Double, alpha: Double) {
        let magnitudes = weights.map(abs).sorted(by: >)
        var sum = 0.0, best = 0.0, kept = 0
        for (index, magnitude) in magnitudes.enumerated() where magnitude > 0 {
            sum += magnitude
            // Keep ties together: a threshold cannot split equal magnitudes.
            if index + 1 < magnitudes.count, magnitudes[index + 1] == magnitude { continue }
            if sum * sum / Double(index + 1) > best { best = sum * sum / Double(index + 1); kept = index + 1 }
        }
        guard kept > 0 else { return (.infinity, 1) }
        let alpha = magnitudes[..<kept].reduce(0, +) / Double(kept)
        return (kept < magnitudes.count ? magnitudes[kept] : 0, alpha)
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        "\(Int((100 * Double(part) / Double(max(whole, 1))).rounded()))%"
    }
}
