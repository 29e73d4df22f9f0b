import KilnCompiler
import KilnIR

/// How a conv2d or dense kernel walks its operands: the output positions, the column (the
/// receptive field of one output position and group, in the weights' order) and where each
/// output goes. Shared by the q7 and the s8 multiply-accumulate kernels.
extension SMLADMultiplyAccumulateKernel.Layout {
    /// The shape of a conv2d (NCHW operands, OIHW weights) or dense (`x[..., K]`, `w[K, N]`)
    /// node as the multiply-accumulate kernels walk it: the layout, output channels, groups and
    /// the dot-product length; the reason when the node is neither or its shapes do not fit.
    /// Shared by the q7, s8 and ±1-layer patterns.
    static func reading(_ node: Node, input: TensorType, weights: [Int], output: TensorType)
        -> Result<(layout: Self, outputChannels: Int, groups: Int, depth: Int), LoweringRejection> {
        let shape: (layout: Self, outputChannels: Int, groups: Int, depth: Int)
        switch node.operation {
        case .conv2d(let attributes):
            guard input.shape.count == 4, weights.count == 4, output.shape.count == 4 else { return .failure(LoweringRejection("needs 4-D NCHW operands")) }
            shape = (.convolution(attributes, input: input.shape, kernelHeight: weights[2], kernelWidth: weights[3], output: output.shape),
                     weights[0], attributes.groups, weights[1] * weights[2] * weights[3])
        case .dense:
            guard weights.count == 2, let last = input.shape.last, last == weights[0] else { return .failure(LoweringRejection("needs x[..., K] and w[K, N]")) }
            shape = (.dense(rows: weights[0] == 0 ? 0 : (input.elementCount ?? 0) / weights[0]), weights[1], 1, weights[0])
        default:
            return .failure(LoweringRejection("not a conv2d or dense"))
        }
        guard shape.outputChannels > 0, shape.groups > 0, shape.outputChannels % shape.groups == 0, shape.depth > 0 else {
            return .failure(LoweringRejection("empty or ungrouped shape"))
        }
        return .success(shape)
    }

    /// Output positions per group (batch folded in).
    var positions: Int {
        switch self {
        case .convolution(_, let input, _, _, let output): input[0] * output[2] * output[3]
        case .dense(let rows): rows
        }
    }

    /// The input elements the layout reads (`depth`: the dot-product length).
    func inputCount(depth: Int) -> Int {
        switch self {
        case .convolution(_, let input, _, _, _): Shape.elementCount(input) ?? -1
        case .dense(let rows): rows * depth
        }
    }

    /// Fills the q15 column of one output position and group with `code + offset` (padding taps
    /// with 0); returns the taps read from the input.
    @inline(__always)
    func gather(position: Int, group: Int, depth: Int, offset: Int32,
                from x: UnsafeBufferPointer<Int32>, into column: UnsafeMutableBufferPointer<Int16>) -> Int {
        switch self {
        case .dense:
            let base = position * depth
            for k in 0..<depth { column[k] = Int16(truncatingIfNeeded: x[base + k] &+ offset) }
            return depth
        case .convolution(let attributes, let input, let kernelHeight, let kernelWidth, let output):
            // The window geometry read once into locals: a debug build would retain and release
            // the attribute arrays at every tap.
            let (height, width, inputChannels) = (input[2], input[3], input[1])
            let (strideY, strideX) = (attributes.strides[0], attributes.strides[1])
            let (padY, padX) = (attributes.pads[0], attributes.pads[1])
            let (dilationY, dilationX) = (attributes.dilations[0], attributes.dilations[1])
            let plane = output[2] * output[3]
            let n = position / plane, oy = (position % plane) / output[3], ox = position % output[3]
            let channelsPerGroup = depth / (kernelHeight * kernelWidth)
            var index = 0, read = 0
            var c = 0
            while c < channelsPerGroup {
                let channelBase = (n * inputChannels + group * channelsPerGroup + c) * height * width
                var ky = 0
                while ky < kernelHeight {
                    let y = oy * strideY - padY + ky * dilationY
                    var kx = 0
                    while kx < kernelWidth {
                        let xx = ox * strideX - padX + kx * dilationX
                        if y >= 0 && y < height && xx >= 0 && xx < width {
                            column[index] = Int16(truncatingIfNeeded: x[channelBase + y * width + xx] &+ offset)
                            read += 1
                        } else {
                            column[index] = 0  // padding contributes nothing to the sum
                        }
                        index += 1
                        kx += 1
                    }
                    ky += 1
                }
                c += 1
            }
            return read
        }
    }

    /// The flat output index of (position, channel) among `outputChannels` channels.
    @inline(__always)
    func outputIndex(position: Int, channel: Int, outputChannels: Int) -> Int {
        switch self {
        case .dense: return position * outputChannels + channel
        case .convolution(_, _, _, _, let output):
            let plane = output[2] * output[3]
            return ((position / plane) * outputChannels + channel) * plane + position % plane
        }
    }

    /// The taps of every column that lie inside the input (padding taps are written, not read).
    func inBoundsTapCount(depth: Int, groups: Int) -> Int {
        switch self {
        case .dense(let rows): return rows * depth
        case .convolution(let attributes, let input, let kernelHeight, let kernelWidth, let output):
            var taps = 0
            for oy in 0..<output[2] {
                for ky in 0..<kernelHeight {
                    let y = oy * attributes.strides[0] - attributes.pads[0] + ky * attributes.dilations[0]
                    guard y >= 0 && y < input[2] else { continue }
                    for ox in 0..<output[3] {
                        for kx in 0..<kernelWidth {
                            let x = ox * attributes.strides[1] - attributes.pads[1] + kx * attributes.dilations[1]
                            if x >= 0 && x < input[3] { taps += 1 }
                        }
                    }
                }
            }
            return taps * input[0] * (depth / (kernelHeight * kernelWidth)) * groups
        }
    }
}
