/// Packing of ±1 values into the target's words along the reduction axis.
///
/// Encoding (the same as `KilnNumerics.BitPacking`): +1 → bit 1, −1 → bit 0, element 0 of a
/// word in its least significant bit. A word holds `wordBits` bits (8, 16, 32 or 64); it is
/// simulated in a `UInt64` whose bits above `wordBits` stay 0. When a reduction is not a
/// multiple of the word size, the unused high bits of the last word are cleared in both
/// operands (the mask), so they XOR to 0 and never reach the popcount.
///
/// With both operands packed this way, the ±1 dot product of `K` elements is
/// `K − 2·popcount(a XOR w)`: every agreeing position contributes +1 and every disagreeing one −1.
struct BinaryWordPacking: Sendable, Hashable {
    /// Bits per word.
    let wordBits: Int

    /// The words needed for `count` bits.
    func wordCount(_ count: Int) -> Int { (count + wordBits - 1) / wordBits }

    /// The mask of the low `valid` bits of a word (`valid` in `0...64`).
    static func mask(_ valid: Int) -> UInt64 {
        valid >= 64 ? ~0 : (UInt64(1) << UInt64(valid)) - 1
    }

    /// Packs `count` codes (`code(i)` for `i` in `0..<count`, each ±1) into `words` starting at
    /// `offset`: `wordCount(count)` words, masked bits 0.
    @inline(__always)
    func pack(count: Int, into words: UnsafeMutableBufferPointer<UInt64>, at offset: Int, code: (Int) -> Int32) {
        var word: UInt64 = 0
        var bit = 0
        var index = offset
        for element in 0..<count {
            if code(element) > 0 { word |= UInt64(1) << UInt64(bit) }
            bit += 1
            if bit == wordBits {
                words[index] = word
                index += 1
                word = 0
                bit = 0
            }
        }
        if bit > 0 { words[index] = word }
    }

    /// The ±1 dot product of two packed vectors of `count` valid bits in `words` words each:
    /// `count − 2·popcount(a XOR w)`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<UInt64>, _ w: UnsafePointer<UInt64>, words: Int, count: Int) -> Int {
        var disagreements = 0
        for index in 0..<words { disagreements &+= (a[index] ^ w[index]).nonzeroBitCount }
        return count - 2 * disagreements
    }
}
