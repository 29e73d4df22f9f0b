import KilnIR
import KilnNumerics

/// The ``Accumulation/pairwiseSaturatingInt16`` sum (x86 `vpmaddubsw` + `vpmaddwd`), stated
/// directly: operands re-encoded as unsigned × signed bytes, adjacent products summed and
/// saturated to int16, the zero points corrected afterwards in wrapping int32.
enum PairwiseSaturatingAccumulation {
    /// The 8-bit encodings of the two operands: `u = x + unsignedOffset`, `s = w − signedOffset`.
    struct Encoding {
        /// Added to the first operand's codes (128 for int8, 0 for uint8).
        let unsignedOffset: Int32
        /// Subtracted from the second operand's codes (128 for uint8, 0 for int8).
        let signedOffset: Int32

        init(first: ElementType, second: ElementType) throws(KernelError) {
            guard first.bitWidth == 8, second.bitWidth == 8, first.storage == .int32, second.storage == .int32 else {
                throw KernelError("pairwise saturating int16 accumulation needs 8-bit integer operands, got \(first.name) × \(second.name)")
            }
            unsignedOffset = first.isSigned ? 128 : 0
            signedOffset = second.isSigned ? 0 : 128
        }
    }

    /// `Σ_p SSAT16(u_2p·s_2p + u_2p+1·s_2p+1) − zs·Σu − zu·Σs + K·zu·zs` over `count` elements
    /// (wrapping int32; an odd count pairs the last element with zero).
    @inline(__always)
    static func sum(count: Int, unsignedZero zu: Int32, signedZero zs: Int32,
                    _ u: (Int) -> Int32, _ s: (Int) -> Int32) -> Int32 {
        var raw: Int32 = 0, sumU: Int32 = 0, sumS: Int32 = 0
        var k = 0
        while k < count {
            let u0 = u(k), s0 = s(k)
            var pair = u0 &* s0
            sumU &+= u0; sumS &+= s0
            if k + 1 < count {
                let u1 = u(k + 1), s1 = s(k + 1)
                pair &+= u1 &* s1
                sumU &+= u1; sumS &+= s1
            }
            raw &+= min(max(pair, -32768), 32767)
            k += 2
        }
        return raw &- zs &* sumU &- zu &* sumS &+ Int32(truncatingIfNeeded: count) &* zu &* zs
    }
}
