/// The closed set of Kiln IR operations, by name.
///
/// Every pass, kernel table and target description refers to operations through this enum
/// (its raw value is the name used in model files and target op sets). Semantic groups are
/// sets (``OperatorKind/elementwiseUnary`` and so on): passes test membership, never re-list ops.
public enum OperatorKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// 2-D convolution, NCHW activations, OIHW weights, optional bias; groups incl. depthwise.
    case conv2d
    /// Fully connected layer: `x[..., K] · w[K, N] + bias[N]`.
    case dense
    /// NumPy-style (batched, broadcasting) matrix product.
    case matmul
    /// Elementwise addition with NumPy broadcasting.
    case add
    /// Elementwise subtraction with NumPy broadcasting.
    case sub
    /// Elementwise multiplication with NumPy broadcasting.
    case mul
    /// Elementwise division with NumPy broadcasting.
    case div
    /// `max(x, 0)`.
    case relu
    /// `x ≥ 0 ? x : alpha · x`.
    case leakyRelu
    /// Clamp to `[min, max]` (relu6 is `clip(0, 6)`).
    case clip
    /// Logistic sigmoid.
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
    /// `x · relu6(x + 3) / 6`.
    case hardSwish
    /// `clamp(alpha · x + beta, 0, 1)`.
    case hardSigmoid
    /// Gaussian error linear unit (exact or tanh approximation).
    case gelu
    /// The error function.
    case erf
    /// Max pooling over a window.
    case maxPool
    /// Average pooling over a window.
    case averagePool
    /// Mean over all spatial positions.
    case globalAveragePool
    /// Max over all spatial positions.
    case globalMaxPool
    /// Mean over a set of axes.
    case mean
    /// Strided slice: every axis read from a start with a step.
    case slice
    /// Select slices along an axis by index.
    case gather
    /// Spatial resize (nearest neighbour or bilinear).
    case resize
    /// `(a − b)²` with NumPy broadcasting.
    case squaredDifference
    /// `1 / √x`.
    case rsqrt
    /// Same elements, new shape.
    case reshape
    /// Collapse to 2-D around an axis.
    case flatten
    /// Permute dimensions.
    case transpose
    /// Join along an axis.
    case concat
    /// Pad with a constant, by reflection, or by repeating the edge.
    case pad
    /// Remove dimensions of size 1.
    case squeeze
    /// Insert dimensions of size 1.
    case unsqueeze
    /// Softmax along an axis.
    case softmax
    /// Inference-mode batch normalization (foldable into a preceding conv or dense).
    case batchNorm
    /// Layer normalization over the trailing axes from `axis` on.
    case layerNorm
    /// Float → integer code with the output's quantization parameters.
    case quantize
    /// Integer code → float with the input's quantization parameters.
    case dequantize
    /// Integer code → integer code with another scale and zero point.
    case requantize
    /// Float → uint8 code with parameters computed from the data (ONNX DynamicQuantizeLinear).
    case dynamicQuantize
    /// `x ≥ 0 ? +1 : −1`, to the binary element type.
    case sign
    /// Multi-threshold activation: the number of per-channel thresholds reached, plus an offset.
    case multiThreshold
    /// Element-type conversion (ONNX Cast).
    case cast
    /// Select from two tensors by a boolean condition.
    case `where`
    /// Broadcast to a larger shape.
    case expand
    /// Elementwise comparison to bool (equal, less, greater, ...).
    case compare
    /// Elementwise logical and / or / xor on bool.
    case logical
    /// Elementwise maximum with NumPy broadcasting.
    case maximum
    /// Elementwise minimum with NumPy broadcasting.
    case minimum
    /// Elementwise power `a^b` with NumPy broadcasting.
    case power
    /// Square root.
    case sqrt
    /// Round to the nearest integer, ties to even (ONNX Round).
    case round
    /// Sum over a set of axes.
    case reduceSum
    /// Maximum over a set of axes.
    case reduceMax
    /// Minimum over a set of axes.
    case reduceMin
    /// Euclidean norm `√Σx²` over a set of axes.
    case reduceL2

    /// Ops that multiply and accumulate (their cost is counted in MACs).
    public static let multiplyAccumulate: Set<OperatorKind> = [.conv2d, .dense, .matmul]
    /// Elementwise binary ops with NumPy broadcasting.
    public static let elementwiseBinary: Set<OperatorKind> = [.add, .sub, .mul, .div]
    /// Elementwise unary ops (one input, output of the same shape).
    public static let elementwiseUnary: Set<OperatorKind> = [
        .relu, .leakyRelu, .clip, .sigmoid, .tanh, .hardSwish, .hardSigmoid, .gelu, .erf, .sign, .sqrt, .round,
    ]
    /// Reductions over a set of axes other than the mean (``mean`` is a pooling op).
    public static let reductions: Set<OperatorKind> = [.reduceSum, .reduceMax, .reduceMin, .reduceL2]
    /// Ops that only move or re-index elements: exact on integer codes, no arithmetic.
    public static let dataMovement: Set<OperatorKind> = [
        .reshape, .flatten, .transpose, .concat, .pad, .squeeze, .unsqueeze,
    ]
    /// Ops that give the same row-major buffer a new shape (a view: nothing moves).
    public static let views: Set<OperatorKind> = [.reshape, .flatten, .squeeze, .unsqueeze]
    /// Pooling ops.
    public static let pooling: Set<OperatorKind> = [.maxPool, .averagePool, .globalAveragePool, .globalMaxPool, .mean]
    /// Ops that change the numeric domain between float and integer codes.
    public static let quantization: Set<OperatorKind> = [.quantize, .dequantize, .requantize, .dynamicQuantize]
    /// Normalizations (folded away or run in float).
    public static let normalization: Set<OperatorKind> = [.batchNorm, .layerNorm, .softmax]
}
