/// Vela's strided-convolution fold (`tflite_graph_optimiser.fixup_strided_conv`, with
/// `utils.calc_resize_factor` and its `calc_filter_padding`; Vela 5.2 Python core): the
/// network's first convolution, when its horizontal stride is 2 or 3 and the input depth times
/// the fold factor is at most 8, runs on an input whose width is folded into its depth
/// (W×C → W/r × C·r) with a filter zero-padded so that SAME padding is unchanged and reshaped the
/// same way, at horizontal stride `stride / r`. kws's first layer (49×10×1, 10×4 kernel, stride
/// 2×2, SAME) becomes 49×5×2 with a 10×3×2 kernel at stride 2×1: more MACs (Vela counts 480,000,
/// not 320,000) but a far better filled MAC array.
///
/// Kiln applies it to a convolution reading a graph input (Vela: operator index 0 — the two are
/// the same on models whose first operator is that convolution). Padding is SAME when the
/// convolution's pads are TFLite's SAME padding, VALID when they are zero; any other padding is
/// explicit and not folded, as in Vela. The arithmetic is unchanged (the fold is exact); only
/// the pass's shapes and weights change.
enum EthosUStridedConvolutionFold {
    /// The folded pass, or nil when Vela leaves the convolution as it is.
    static func fold(_ pass: EthosUPass, pads: [Int]) -> EthosUPass? {
        let width = pass.ifm.width, stride = pass.strideWidth, kernelWidth = pass.kernelWidth
        guard pass.blockType == .convolution, pads.count == 4, pass.dilationWidth == 1, pass.dilationHeight == 1 else { return nil }
        let (factor, finalStride) = resizeFactor(width: width, stride: stride)
        guard stride > 1, pass.ifm.depth * factor <= 8, factor != 1 else { return nil }
        let horizontal = pads[1] + pads[3]
        let same: Bool
        if pads.allSatisfy({ $0 == 0 }) {
            same = false
        } else if horizontal == neededPadding(width, stride, kernelWidth),
                  pads[0] + pads[2] == neededPadding(pass.ifm.height, pass.strideHeight, pass.kernelHeight) {
            same = true
        } else {
            return nil  // explicit padding
        }
        var (left, right) = (0, 0)
        var paddingSize = 0
        if same {
            let expected = width % (finalStride * factor) == 0 ? horizontal + finalStride : horizontal + (width / factor) % finalStride
            paddingSize = expected * factor - kernelWidth
            left = horizontal == 0 ? paddingSize / 2 : floorDivide(paddingSize, horizontal) * (horizontal / 2)
            right = paddingSize - left
        }
        if kernelWidth % factor != 0, paddingSize == 0 || horizontal == 0 {
            (left, right) = (0, factor - kernelWidth % factor)
        }
        if same, horizontal != neededPadding(width / factor, finalStride, (kernelWidth + 1 + left + right) / factor) { return nil }
        let paddedWidth = kernelWidth + left + right
        guard left >= 0, right >= 0, paddedWidth % factor == 0 else { return nil }

        var folded = pass
        folded.ifm.width = width / factor
        folded.ifm.depth = pass.ifm.depth * factor
        folded.kernelWidth = paddedWidth / factor
        folded.strideWidth = finalStride
        folded.weightCount = pass.weightCount / kernelWidth * paddedWidth
        if let weights = pass.weights {
            // OHWI padded along W with zeros (the zero point, already subtracted), then W·I regrouped.
            var values: [Int16] = []
            values.reserveCapacity(weights.outputDepth * weights.height * paddedWidth * weights.inputDepth)
            for o in 0..<weights.outputDepth {
                for y in 0..<weights.height {
                    values += repeatElement(0, count: left * weights.inputDepth)
                    let row = ((o * weights.height + y) * weights.width) * weights.inputDepth
                    values += weights.values[row..<row + weights.width * weights.inputDepth]
                    values += repeatElement(0, count: right * weights.inputDepth)
                }
            }
            folded.weights = EthosUWeights(values: values, outputDepth: weights.outputDepth, height: weights.height,
                                           width: paddedWidth / factor, inputDepth: weights.inputDepth * factor,
                                           isDepthwise: false, hasScales: weights.hasScales)
        }
        return folded
    }

    /// The fold factor and the stride left after it (Vela `calc_resize_factor`): the stride
    /// itself when it divides the width, else the largest part of it that does and leaves a
    /// stride of 2 or 3 (1: no fold).
    static func resizeFactor(width: Int, stride: Int) -> (factor: Int, stride: Int) {
        var factor = stride
        if width % factor != 0 {
            let remaining = [2, 3].first { factor % $0 == 0 && width % (stride / $0) == 0 } ?? 1
            factor = factor / remaining != factor ? factor / remaining : 1
        }
        return (factor, stride / factor)
    }

    /// TFLite's SAME padding total along one axis (Vela `needed_total_padding`).
    static func neededPadding(_ input: Int, _ stride: Int, _ filter: Int) -> Int {
        let output = (input + stride - 1) / stride
        return max(0, (output - 1) * stride + filter - input)
    }

    /// Python's `//` (rounds toward −∞).
    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
