import KilnInterpreter
import KilnIR

/// The Gram matrix `G = Σ x xᵀ` of the vectors a conv2d or dense layer multiplies its weights
/// with: the rows of a dense input, or a conv's im2col patches of one group (padding taps are 0).
enum GramAccumulation {
    /// `G` as `[size · size]` row-major, summed over every input tensor, row and output position.
    ///
    /// - Parameters:
    ///   - node: the conv2d or dense layer.
    ///   - weightShape: its weight shape (OIHW for conv2d, `[K, N]` for dense).
    ///   - group: the conv group whose input channels form the patches (0 when ungrouped).
    ///   - inputs: the layer's float inputs, NCHW for conv2d, `[..., K]` for dense.
    static func gram(_ node: Node, weightShape: [Int], group: Int, inputs: [Tensor]) -> [Double] {
        let size = node.kind == .conv2d ? weightShape.dropFirst().reduce(1, *) : weightShape[0]
        var gram = [Double](repeating: 0, count: size * size)
        var vector = [Double](repeating: 0, count: size)
        func add() {
            for row in 0 ..< size where vector[row] != 0 {
                let value = vector[row]
                for column in 0 ..< size { gram[row * size + column] += value * vector[column] }
            }
        }
        for input in inputs {
            let values = input.doubles
            guard case .conv2d(let convolution) = node.operation else {
                for start in stride(from: 0, to: values.count, by: size) {
                    for k in 0 ..< size { vector[k] = values[start + k] }
                    add()
                }
                continue
            }
            let shape = input.shape
            let (kernelHeight, kernelWidth, groupChannels) = (weightShape[2], weightShape[3], weightShape[1])
            let outputHeight = (shape[2] + convolution.pads[0] + convolution.pads[2] - convolution.dilations[0] * (kernelHeight - 1) - 1)
                / convolution.strides[0] + 1
            let outputWidth = (shape[3] + convolution.pads[1] + convolution.pads[3] - convolution.dilations[1] * (kernelWidth - 1) - 1)
                / convolution.strides[1] + 1
            let geometry = WindowGeometry(input: shape, kernel: (kernelHeight, kernelWidth), strides: convolution.strides,
                                          dilations: convolution.dilations, pads: convolution.pads,
                                          output: [shape[0], weightShape[0], outputHeight, outputWidth])
            for sample in 0 ..< shape[0] {
                for oy in 0 ..< outputHeight {
                    for ox in 0 ..< outputWidth {
                        for k in 0 ..< size { vector[k] = 0 }
                        geometry.forEachTap(oy, ox) { ky, kx, y, x in
                            for channel in 0 ..< groupChannels {
                                let source = ((sample * shape[1] + group * groupChannels + channel) * shape[2] + y) * shape[3] + x
                                vector[(channel * kernelHeight + ky) * kernelWidth + kx] = values[source]
                            }
                        }
                        add()
                    }
                }
            }
        }
        return gram
    }
}
