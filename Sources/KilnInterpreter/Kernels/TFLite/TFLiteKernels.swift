import KilnIR
import KilnNumerics

/// The kernels of nodes with ``IntegerSemantics/tensorFlowLite`` semantics whose integer
/// arithmetic differs from the target-neutral kernels.
///
/// conv2d and matmul use the shared kernels with the `fixedPointMultiplier` rule (the
/// arithmetic of TFLite's `ConvPerChannel`, `DepthwiseConvPerChannel` and `BatchMatMul`); data
/// movement and max pooling are exact on codes; float nodes compute in float.
enum TFLiteKernels {
    /// The node's outputs, or nil when the shared kernel computes TFLite's result.
    static func execute(_ node: Node, _ operands: [Tensor?], _ outputTypes: [TensorType]) throws(KernelError) -> [Tensor]? {
        guard let x = operands.first.flatMap({ $0 }), x.codes != nil, let outputType = outputTypes.first else { return nil }
        switch node.operation {
        case .dense where outputType.isQuantized:
            guard operands.count > 1, let w = operands[1] else { throw KernelError("input 1 is missing") }
            return [try TFLiteFullyConnectedKernel.execute(x, w, operands.count > 2 ? operands[2] : nil, outputType)]
        case .add, .sub, .mul:
            guard operands.count == 2, let b = operands[1] else { throw KernelError("input 1 is missing") }
            return [try TFLiteArithmeticKernel.execute(node.kind, x, b, outputType)]
        case .relu, .clip, .leakyRelu:
            return [try TFLiteClampKernel.execute(node.operation, x, outputType)]
        case .sigmoid, .tanh, .gelu:
            return [try TFLiteLookupTableKernel.execute(node.operation, x, outputType)]
        case .hardSwish:
            return [try TFLiteHardSwishKernel.execute(x, outputType)]
        case .softmax:
            return [try TFLiteSoftmaxKernel.execute(beta: 1, x, outputType)]
        case .averagePool(let attributes):
            return [try TFLiteAveragePoolKernel.execute(attributes, x, outputType)]
        case .mean(let axes, _):
            return [try TFLiteMeanKernel.execute(axes: axes, x, outputType)]
        case .resize(let attributes) where attributes.mode == .bilinear:
            return [try TFLiteResizeBilinearKernel.execute(attributes, x, outputType)]
        case .rsqrt:
            return [try TFLiteRsqrtKernel.execute(x, outputType)]
        case .squaredDifference:
            guard operands.count == 2, let b = operands[1] else { throw KernelError("input 1 is missing") }
            return [try TFLiteSquaredDifferenceKernel.execute(x, b, outputType)]
        case .quantize, .requantize:
            return [try TFLiteQuantizeKernel.execute(x, outputType)]
        default:
            return nil
        }
    }
}
