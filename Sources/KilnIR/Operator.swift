/// An operation with its typed attributes.
///
/// The inputs each operation takes, in order, are listed with its case. Optional inputs are
/// given as an empty name in ``Node/inputs`` or left off the end. Integer semantics (what the
/// reference interpreter computes on quantized values) are stated in `docs/numerics.md`.
public enum Operator: Sendable, Hashable {
    /// Inputs: x `[N, C, H, W]`, weight `[O, C/groups, KH, KW]`, bias `[O]` (optional; int32
    /// codes with scale `sx·sw[o]` when quantized).
    case conv2d(Convolution)
    /// Inputs: x `[..., K]`, weight `[K, N]`, bias `[N]` (optional).
    case dense
    /// Inputs: a, b (NumPy matmul: 1-D operands promoted, leading dimensions broadcast).
    case matmul
    /// Inputs: a, b.
    case add
    /// Inputs: a, b.
    case sub
    /// Inputs: a, b.
    case mul
    /// Inputs: a, b.
    case div
    /// Inputs: x.
    case relu
    /// Inputs: x.
    case leakyRelu(alpha: Float)
    /// Inputs: x. Bounds are real values; nil means unbounded on that side.
    case clip(minimum: Float?, maximum: Float?)
    /// Inputs: x.
    case sigmoid
    /// Inputs: x.
    case tanh
    /// Inputs: x.
    case hardSwish
    /// Inputs: x.
    case hardSigmoid(alpha: Float, beta: Float)
    /// Inputs: x.
    case gelu(approximation: GeluApproximation)
    /// Inputs: x.
    case erf
    /// Inputs: x `[N, C, H, W]`.
    case maxPool(Pooling)
    /// Inputs: x `[N, C, H, W]`.
    case averagePool(Pooling)
    /// Inputs: x `[N, C, H, W]`; output `[N, C, 1, 1]`.
    case globalAveragePool
    /// Inputs: x `[N, C, H, W]`; output `[N, C, 1, 1]`.
    case globalMaxPool
    /// Inputs: x. Mean over `axes` (non-negative, sorted, distinct); reduced axes are kept as
    /// size 1 when `keepDimensions`, else removed.
    case mean(axes: [Int], keepDimensions: Bool)
    /// Inputs: x. Output dimension `i` reads `start[i] + k · step[i]` for `k` in `0..<count[i]`.
    case slice(Slice)
    /// Inputs: x, indices (integers in `0..<x.shape[axis]`). Output
    /// `x.shape[..<axis] + indices.shape + x.shape[(axis + 1)...]`.
    case gather(axis: Int)
    /// Inputs: x `[N, C, H, W]`; output `[N, C, height, width]`.
    case resize(Resize)
    /// Inputs: a, b.
    case squaredDifference
    /// Inputs: x.
    case rsqrt
    /// Inputs: x. The target shape is fully resolved (no −1 or 0 entries).
    case reshape(shape: [Int])
    /// Inputs: x. Output `[prod(dims[..<axis]), prod(dims[axis...])]`.
    case flatten(axis: Int)
    /// Inputs: x. Output dimension `i` is input dimension `permutation[i]`.
    case transpose(permutation: [Int])
    /// Inputs: two or more tensors of equal rank.
    case concat(axis: Int)
    /// Inputs: x.
    case pad(Padding)
    /// Inputs: x. Axes are non-negative and sorted.
    case squeeze(axes: [Int])
    /// Inputs: x. Axes index the output and are non-negative and sorted.
    case unsqueeze(axes: [Int])
    /// Inputs: x.
    case softmax(axis: Int)
    /// Inputs: x `[N, C, ...]`, scale `[C]`, bias `[C]`, mean `[C]`, variance `[C]`.
    case batchNorm(epsilon: Float)
    /// Inputs: x, scale, bias (optional); normalizes over the axes from `axis` to the last.
    case layerNorm(axis: Int, epsilon: Float)
    /// Inputs: x (float). The output type carries the quantization parameters.
    case quantize
    /// Inputs: x (quantized). Output float32.
    case dequantize
    /// Inputs: x (quantized). The output type carries the new parameters.
    case requantize
    /// Inputs: x (float). Outputs: y (uint8), scale (float32 scalar), zero point (uint8 scalar).
    case dynamicQuantize
    /// Inputs: x. Output binary (±1).
    case sign
    /// Inputs: x `[N, C, ...]` (or `[N, C]`), thresholds `[C, T]` or `[1, T]`, ascending per row.
    case multiThreshold(MultiThreshold)
    /// Inputs: x. Converts to the output's element type as ONNX Cast does: float → integer
    /// truncates toward zero (then wraps to the width, like C), integer → float rounds to
    /// nearest, anything → bool is `x ≠ 0`, bool → number is 0 or 1. Quantization is ignored:
    /// codes convert as plain numbers.
    case cast
    /// Inputs: condition (bool), x, y (same element type); NumPy broadcasting of all three.
    case `where`
    /// Inputs: x. Output: the NumPy broadcast of x's shape and `shape` (ONNX Expand).
    case expand(shape: [Int])
    /// Inputs: a, b (same element type); NumPy broadcasting; output bool.
    case compare(Comparison)
    /// Inputs: a, b (bool); NumPy broadcasting; output bool.
    case logical(LogicalOperation)
    /// Inputs: a, b; NumPy broadcasting (float: NaN propagates as in ONNX Max; integer: exact).
    case maximum
    /// Inputs: a, b; NumPy broadcasting.
    case minimum
    /// Inputs: a (base), b (exponent); float32 only, `pow` evaluated in double and rounded once.
    case power
    /// Inputs: x; float32 only.
    case sqrt
    /// Inputs: x. Round half to even (float32; on codes through the unary lookup table).
    case round
    /// Inputs: x. Reduces over `axes` (non-negative, sorted, distinct; empty means every
    /// axis); reduced axes are kept as size 1 when `keepDimensions`, else removed.
    case reduce(Reduction, axes: [Int], keepDimensions: Bool)

    /// The operation's name without attributes.
    public var kind: OperatorKind {
        switch self {
        case .conv2d: .conv2d
        case .dense: .dense
        case .matmul: .matmul
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .relu: .relu
        case .leakyRelu: .leakyRelu
        case .clip: .clip
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        case .hardSwish: .hardSwish
        case .hardSigmoid: .hardSigmoid
        case .gelu: .gelu
        case .erf: .erf
        case .maxPool: .maxPool
        case .averagePool: .averagePool
        case .globalAveragePool: .globalAveragePool
        case .globalMaxPool: .globalMaxPool
        case .mean: .mean
        case .slice: .slice
        case .gather: .gather
        case .resize: .resize
        case .squaredDifference: .squaredDifference
        case .rsqrt: .rsqrt
        case .reshape: .reshape
        case .flatten: .flatten
        case .transpose: .transpose
        case .concat: .concat
        case .pad: .pad
        case .squeeze: .squeeze
        case .unsqueeze: .unsqueeze
        case .softmax: .softmax
        case .batchNorm: .batchNorm
        case .layerNorm: .layerNorm
        case .quantize: .quantize
        case .dequantize: .dequantize
        case .requantize: .requantize
        case .dynamicQuantize: .dynamicQuantize
        case .sign: .sign
        case .multiThreshold: .multiThreshold
        case .cast: .cast
        case .where: .where
        case .expand: .expand
        case .compare: .compare
        case .logical: .logical
        case .maximum: .maximum
        case .minimum: .minimum
        case .power: .power
        case .sqrt: .sqrt
        case .round: .round
        case .reduce(let reduction, _, _): reduction.kind
        }
    }
}

/// An elementwise comparison (ONNX Equal, Less, LessOrEqual, Greater, GreaterOrEqual).
public enum Comparison: String, Sendable, Hashable, CaseIterable {
    /// `a == b`.
    case equal
    /// `a < b`.
    case less
    /// `a ≤ b`.
    case lessOrEqual
    /// `a > b`.
    case greater
    /// `a ≥ b`.
    case greaterOrEqual
}

/// A logical operation on booleans (ONNX And, Or, Xor).
public enum LogicalOperation: String, Sendable, Hashable, CaseIterable {
    /// Both true.
    case and
    /// Either true.
    case or
    /// Exactly one true.
    case xor
}

/// What a reduction computes over its axes (ONNX ReduceSum, ReduceMax, ReduceMin, ReduceL2).
public enum Reduction: String, Sendable, Hashable, CaseIterable {
    /// `Σx` (float: summed in double, rounded once; integer: exact, wrapped to the width).
    case sum
    /// The largest element.
    case max
    /// The smallest element.
    case min
    /// `√Σx²` (float32 only; the sum in double, rounded once).
    case l2

    /// The operator kind of a reduction.
    public var kind: OperatorKind {
        switch self {
        case .sum: .reduceSum
        case .max: .reduceMax
        case .min: .reduceMin
        case .l2: .reduceL2
        }
    }
}

/// Attributes of a 2-D convolution.
public struct Convolution: Sendable, Hashable {
    /// Vertical and horizontal stride.
    public var strides: [Int]
    /// Vertical and horizontal dilation.
    public var dilations: [Int]
    /// Padding as `[top, left, bottom, right]` (ONNX order: all begins, then all ends).
    public var pads: [Int]
    /// Number of groups; `groups == C == O` is depthwise.
    public var groups: Int

    /// Creates convolution attributes (defaults: stride 1, dilation 1, no padding, one group).
    public init(strides: [Int] = [1, 1], dilations: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0], groups: Int = 1) {
        self.strides = strides
        self.dilations = dilations
        self.pads = pads
        self.groups = groups
    }
}

/// Attributes of max and average pooling.
public struct Pooling: Sendable, Hashable {
    /// Window height and width.
    public var kernel: [Int]
    /// Vertical and horizontal stride.
    public var strides: [Int]
    /// Padding as `[top, left, bottom, right]`.
    public var pads: [Int]
    /// Vertical and horizontal dilation (max pooling only; 1 for average pooling).
    public var dilations: [Int]
    /// Whether output sizes round up (ONNX `ceil_mode`); a window must start inside the
    /// input or its left padding.
    public var ceilMode: Bool
    /// Whether padded positions count in the average's divisor (average pooling only).
    public var countIncludePad: Bool

    /// Creates pooling attributes (defaults: stride 1, no padding, no dilation, floor mode).
    public init(kernel: [Int], strides: [Int] = [1, 1], pads: [Int] = [0, 0, 0, 0],
                dilations: [Int] = [1, 1], ceilMode: Bool = false, countIncludePad: Bool = false) {
        self.kernel = kernel
        self.strides = strides
        self.pads = pads
        self.dilations = dilations
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
    }
}

/// Attributes of padding.
public struct Padding: Sendable, Hashable {
    /// How padded elements get their values.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// A constant (`value`; the zero point's real value 0 for quantized tensors).
        case constant
        /// Mirror without repeating the edge.
        case reflect
        /// Repeat the edge element.
        case edge
    }
    /// Pads per axis as `[begin_0, ..., begin_{r-1}, end_0, ..., end_{r-1}]`, all ≥ 0.
    public var pads: [Int]
    /// How padded elements get their values.
    public var mode: Mode
    /// The real value of constant padding.
    public var value: Float

    /// Creates padding attributes.
    public init(pads: [Int], mode: Mode = .constant, value: Float = 0) {
        self.pads = pads
        self.mode = mode
        self.value = value
    }
}

/// Which GELU formula to use.
public enum GeluApproximation: String, Sendable, Hashable, CaseIterable {
    /// `0.5 · x · (1 + erf(x / √2))`.
    case none
    /// `0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))`.
    case tanh
}

/// Attributes of a multi-threshold activation.
public struct MultiThreshold: Sendable, Hashable {
    /// Added to the count of thresholds reached (e.g. `−2^(b−1)` for a signed b-bit output).
    public var offset: Int
    /// The axis whose index selects the thresholds row (1 for NCHW and `[N, C]`).
    public var channelAxis: Int

    /// Creates multi-threshold attributes.
    public init(offset: Int = 0, channelAxis: Int = 1) {
        self.offset = offset
        self.channelAxis = channelAxis
    }
}

/// Attributes of a strided slice, fully resolved (no negative indices, masks or clamping left).
public struct Slice: Sendable, Hashable {
    /// The first index read on each axis, inside the axis.
    public var starts: [Int]
    /// The number of indices read on each axis (≥ 0).
    public var counts: [Int]
    /// The step on each axis (non-zero; negative walks backwards).
    public var steps: [Int]

    /// Creates slice attributes.
    public init(starts: [Int], counts: [Int], steps: [Int]) {
        self.starts = starts
        self.counts = counts
        self.steps = steps
    }
}

/// Attributes of a spatial resize.
public struct Resize: Sendable, Hashable {
    /// How output positions take input values.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        /// The nearest input position.
        case nearest
        /// Interpolation between the four nearest positions.
        case bilinear
    }
    /// Nearest neighbour or bilinear.
    public var mode: Mode
    /// Whether the corner pixels of input and output are aligned (scale `(in − 1) / (out − 1)`).
    public var alignCorners: Bool
    /// Whether pixel centres sit at half-integer coordinates.
    public var halfPixelCenters: Bool
    /// The output height and width.
    public var size: [Int]

    /// Creates resize attributes.
    public init(mode: Mode, size: [Int], alignCorners: Bool = false, halfPixelCenters: Bool = false) {
        self.mode = mode
        self.size = size
        self.alignCorners = alignCorners
        self.halfPixelCenters = halfPixelCenters
    }
}
