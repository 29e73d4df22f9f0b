import KilnNumerics

/// How graph codes become the bytes a dot-product instruction reads: activations flip to
/// unsigned (x86: u8 × s8) or signed (Arm: s8 × s8) bytes by adding ±128, weights to signed
/// bytes. The zero points move with the codes, so `(x − zx)(w − zw)` is unchanged.
struct Int8OperandEncoding: Sendable, Hashable {
    /// Added to every activation code (0, +128 or −128).
    let firstOffset: Int32
    /// Added to every weight code (0 or −128).
    let secondOffset: Int32

    /// The encoding for a scheme's operands, or nil unless both are 8-bit integers (±1 codes count
    /// as signed bytes).
    init?(scheme: SIMDDotProductScheme, first: ElementType, second: ElementType) {
        func signedness(_ type: ElementType) -> Bool? {
            if case .integer(8, let signed) = type { return signed }
            return type == .binary ? true : nil
        }
        guard let firstSigned = signedness(first), let secondSigned = signedness(second) else { return nil }
        if scheme.firstOperandUnsigned {
            firstOffset = firstSigned ? 128 : 0
        } else {
            firstOffset = firstSigned ? 0 : -128
        }
        secondOffset = secondSigned ? 0 : -128
    }

    /// Whether activations are re-encoded (one sign-bit flip per vector while packing).
    var flipsActivations: Bool { firstOffset != 0 }
}
