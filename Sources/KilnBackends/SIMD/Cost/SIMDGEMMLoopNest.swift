/// The loop nest of one GEMM-shaped SIMD kernel (conv2d, dense, matmul), as the cycle model reads
/// it: `runs` independent products (batch × groups) of `rows` × `depth` activations by
/// `depth` × `columns` weights, tiled by the scheme's register tile.
struct SIMDGEMMLoopNest: Sendable, Hashable {
    /// Independent GEMMs (batch × groups for a convolution, the matmul batch).
    var runs: Int
    /// Rows M per run (output pixels).
    var rows: Int
    /// Columns N per run (output channels of one group).
    var columns: Int
    /// Reduction length K.
    var depth: Int
    /// K rounded up to the packing step (4).
    var paddedDepth: Int
    /// False when the widening Arm kernels must widen every product (a −128 weight).
    var pairedWeights: Bool
    /// Bytes of the input tensor(s) the kernel reads once.
    var inputBytes: Int
    /// Bytes of the output tensor.
    var outputBytes: Int
    /// Packed weight bytes of all runs (right operand bytes for a matmul packed per run).
    var weightBytes: Int
    /// Whether the activation rows are re-packed into a buffer (im2col, matmul left operand).
    var packsActivations: Bool
    /// Input channels of one group (1 with one output per group: a depthwise convolution).
    var channelsPerGroup = 0
    /// Groups of a convolution (`runs` is batch × groups); 1 otherwise.
    var groups = 1
    /// Kernel height and width of a convolution (1 × 1 for a matrix kernel).
    var kernelHeight = 1, kernelWidth = 1

    /// Whether the nest is a depthwise convolution (one input and one output channel per group,
    /// more than one group): a stack runs it with channels in the vector lanes, not as one GEMM
    /// column per channel.
    var isDepthwise: Bool { groups > 1 && channelsPerGroup == 1 && columns == 1 }

    /// Bytes of one run's packed activation rows (`rows × paddedDepth`).
    var activationBytesPerRun: Int { rows * paddedDepth }
}

/// A kernel whose inner loop is the GEMM micro-kernel.
protocol SIMDGEMMKernel {
    /// The loop nest.
    var loopNest: SIMDGEMMLoopNest { get }
}

extension SIMDConvolutionKernel: SIMDGEMMKernel {
    var loopNest: SIMDGEMMLoopNest {
        let g = geometry
        let padded = packed[0].paddedDepth
        return SIMDGEMMLoopNest(
            runs: g.batch * g.groups, rows: g.pixels, columns: g.outputsPerGroup, depth: g.depth, paddedDepth: padded,
            pairedWeights: !(scheme.pairsProductsInInt16 && packed.contains { $0.hasMinus128 }),
            inputBytes: g.batch * g.channels * g.height * g.width,
            outputBytes: SIMDMemoryLevels.bytes(g.batch * g.outputChannels * g.pixels, of: outputType.elementType),
            weightBytes: g.groups * padded * packed[0].columnBlocks * Int8GEMM.blockColumns, packsActivations: true,
            channelsPerGroup: g.channelsPerGroup, groups: g.groups, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth)
    }
}

extension SIMDMatrixKernel: SIMDGEMMKernel {
    var loopNest: SIMDGEMMLoopNest {
        let padded = (depth + 3) / 4 * 4
        let packedBytes = padded * ((columns + Int8GEMM.blockColumns - 1) / Int8GEMM.blockColumns * Int8GEMM.blockColumns)
        return SIMDGEMMLoopNest(
            runs: batches, rows: rows, columns: columns, depth: depth, paddedDepth: padded,
            pairedWeights: !(scheme.pairsProductsInInt16 && (packed?.hasMinus128 ?? true)),
            inputBytes: batches * rows * depth + (packed == nil ? batches * depth * columns : 0),
            outputBytes: SIMDMemoryLevels.bytes(batches * rows * columns, of: outputType.elementType),
            weightBytes: packed == nil ? batches * packedBytes : packedBytes, packsActivations: false)
    }
}
