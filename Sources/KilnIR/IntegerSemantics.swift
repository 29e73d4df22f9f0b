/// Whose arithmetic a node on quantized values follows: the runtime the model was made for.
///
/// The same operator on the same codes gives different codes under different runtimes (ONNX
/// Runtime dequantizes, computes in float32 and rounds half to even; TensorFlow Lite's kernels
/// work in fixed point with their own multipliers, shifts and lookup tables). A model keeps the
/// semantics of the format it was imported from, node by node, so nothing silently mixes them.
/// `docs/numerics.md` states every rule of both, with the source file each follows.
public enum IntegerSemantics: String, Sendable, Hashable, CaseIterable, Codable {
    /// ONNX Runtime's kernels (QLinear* ops, QDQ patterns): Kiln's default.
    case onnxRuntime
    /// TensorFlow Lite's reference kernels (`reference_ops` / `reference_integer_ops`, the
    /// kernels the TFLite interpreter runs with `OpResolverType.BUILTIN_REF`).
    case tensorFlowLite
}
