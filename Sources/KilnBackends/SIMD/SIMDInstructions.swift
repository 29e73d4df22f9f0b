import KilnCompiler

/// The vector operations the SIMD family's data-movement, pooling, quantization and elementwise
/// kernels count (the dot-product kernels count the mnemonics of the target's
/// ``SIMDDotProductScheme``).
extension Instruction {
    /// A byte-wise vector maximum.
    public static let vectorMax = Instruction("vector-max")
    /// A byte-wise vector minimum.
    public static let vectorMin = Instruction("vector-min")
    /// A widening vector add (an average pool's sums).
    public static let vectorAddWiden = Instruction("vector-add-widen")
    /// A float vector multiply.
    public static let vectorFloatMultiply = Instruction("vector-float-multiply")
    /// A float vector add.
    public static let vectorFloatAdd = Instruction("vector-float-add")
    /// A float vector divide.
    public static let vectorFloatDivide = Instruction("vector-float-divide")
    /// A vector conversion between integer and float lanes.
    public static let vectorConvert = Instruction("vector-convert")
    /// A vector load.
    public static let vectorLoad = Instruction("vector-load")
    /// A vector store.
    public static let vectorStore = Instruction("vector-store")
    /// A scalar byte load (a gather that does not vectorize).
    public static let loadByte = Instruction("load-byte")
    /// A scalar byte store.
    public static let storeByte = Instruction("store-byte")
}
