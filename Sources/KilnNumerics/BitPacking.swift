/// Packing of sub-byte codes: 4-bit integers two per byte and binary (±1) values eight per byte.
///
/// Element 0 goes to the least significant nibble or bit (ONNX's int4 layout); a final
/// partial byte is padded with zero bits.
public enum BitPacking {
    /// Packs int4 (`signed`, −8…7) or uint4 (0…15) codes two per byte, low nibble first.
    ///
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a code outside the 4-bit range.
    public static func packInt4(_ codes: [Int32], signed: Bool) throws -> [UInt8] {
        let range: ClosedRange<Int32> = signed ? -8...7 : 0...15
        var bytes = [UInt8](repeating: 0, count: (codes.count + 1) / 2)
        for (index, code) in codes.enumerated() {
            guard range.contains(code) else { throw NumericsError.invalidArgument("code \(code) at index \(index) is not a \(signed ? "int4" : "uint4")") }
            bytes[index / 2] |= UInt8(truncatingIfNeeded: code & 0xF) << (4 * (index % 2))
        }
        return bytes
    }

    /// Unpacks `count` 4-bit codes (sign-extended when `signed`).
    ///
    /// - Throws: ``NumericsError/sizeMismatch(expected:actual:)`` if `bytes` is too short.
    public static func unpackInt4(_ bytes: [UInt8], count: Int, signed: Bool) throws -> [Int32] {
        guard count >= 0, bytes.count >= (count + 1) / 2 else { throw NumericsError.sizeMismatch(expected: (Swift.max(count, 0) + 1) / 2, actual: bytes.count) }
        return (0..<count).map { index in
            let nibble = Int32((bytes[index / 2] >> (4 * (index % 2))) & 0xF)
            return signed ? (nibble << 28) >> 28 : nibble
        }
    }

    /// Packs binary codes eight per byte: +1 → bit 1, −1 → bit 0, element 0 in bit 0.
    ///
    /// - Throws: ``NumericsError/invalidArgument(_:)`` for a code other than ±1.
    public static func packBinary(_ codes: [Int32]) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (codes.count + 7) / 8)
        for (index, code) in codes.enumerated() {
            guard code == 1 || code == -1 else { throw NumericsError.invalidArgument("code \(code) at index \(index) is not ±1") }
            if code == 1 { bytes[index / 8] |= 1 << (index % 8) }
        }
        return bytes
    }

    /// Unpacks `count` binary codes (bit 1 → +1, bit 0 → −1).
    ///
    /// - Throws: ``NumericsError/sizeMismatch(expected:actual:)`` if `bytes` is too short.
    public static func unpackBinary(_ bytes: [UInt8], count: Int) throws -> [Int32] {
        guard count >= 0, bytes.count >= (count + 7) / 8 else { throw NumericsError.sizeMismatch(expected: (Swift.max(count, 0) + 7) / 8, actual: bytes.count) }
        return (0..<count).map { (bytes[$0 / 8] >> ($0 % 8)) & 1 == 1 ? 1 : -1 }
    }

    /// The ±1 dot product of two packed binary vectors: `2 · popcount(¬(a ⊕ b)) − count`.
    ///
    /// - Parameters:
    ///   - a: packed codes (see ``packBinary(_:)``).
    ///   - b: packed codes.
    ///   - count: the number of elements (padding bits beyond it are ignored).
    /// - Throws: ``NumericsError/sizeMismatch(expected:actual:)`` if either input is too short.
    public static func binaryDotProduct(_ a: [UInt8], _ b: [UInt8], count: Int) throws -> Int64 {
        let needed = (Swift.max(count, 0) + 7) / 8
        guard count >= 0, a.count >= needed, b.count >= needed else { throw NumericsError.sizeMismatch(expected: needed, actual: Swift.min(a.count, b.count)) }
        var agreements = 0
        for index in 0..<needed {
            let valid: UInt8 = index == needed - 1 && count % 8 != 0 ? UInt8((1 << (count % 8)) - 1) : 0xFF
            agreements += (~(a[index] ^ b[index]) & valid).nonzeroBitCount
        }
        return Int64(2 * agreements - count)
    }
}
