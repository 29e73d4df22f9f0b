import Foundation
import KilnModelIO
import KilnNumerics
import Testing

/// Reads `Tests/Fixtures/float-formats/<name>.npy` (written by
/// `tools/float_formats/make_float_format_fixtures.py` from ml_dtypes and NumPy).
private func fixture(_ name: String) throws -> NumPyArray {
    var url = URL(fileURLWithPath: #filePath)
    while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
    return try NumPyReader.read(contentsOf: url.appendingPathComponent("Fixtures/float-formats/\(name).npy").path)
}

/// The bit pattern of a float, with every NaN mapped to one pattern per sign (fixtures keep
/// ml_dtypes' NaN signs; payloads of decoded NaN codes are not part of the format).
private func pattern(_ value: Float) -> UInt32 {
    value.isNaN ? (value.sign == .minus ? 0xFFC0_0000 : 0x7FC0_0000) : value.bitPattern
}

@Suite("FP8 / FP16 / BF16 conversions against ml_dtypes")
struct FloatFormatTests {
    @Test(arguments: FloatFormat.allCases)
    func everyCodeDecodesLikeMLDtypes(_ format: FloatFormat) throws {
        let expected = try fixture("\(format.rawValue)_decoded").floatValues()
        #expect(expected.count == 1 << format.bitWidth)
        var mismatches = 0
        for code in 0 ..< expected.count where pattern(format.decode(UInt32(code))) != pattern(expected[code]) {
            mismatches += 1
        }
        #expect(mismatches == 0, "\(format.rawValue): \(mismatches) codes decode differently")
    }

    @Test(arguments: FloatFormat.allCases)
    func everyFiniteCodeRoundTrips(_ format: FloatFormat) {
        var mismatches = 0
        for code in UInt32(0) ..< UInt32(1 << format.bitWidth) where !format.decode(code).isNaN {
            if format.encode(format.decode(code), overflow: .nonSaturating) != code { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test(arguments: FloatFormat.allCases)
    func encodingMatchesMLDtypes(_ format: FloatFormat) throws {
        let inputs = try fixture("\(format.rawValue)_inputs").floatValues()
        let plain = try fixture("\(format.rawValue)_encoded").int32Values()
        let saturating = try fixture("\(format.rawValue)_encoded_saturating").int32Values()
        #expect(inputs.count > 9000 && plain.count == inputs.count && saturating.count == inputs.count)
        #expect(inputs.contains(where: \.isNaN) && inputs.contains(.infinity) && inputs.contains(-.infinity))
        #expect(inputs.contains { $0.isSubnormal })
        var plainMismatches: [Float] = [], saturatingMismatches: [Float] = []
        for (index, value) in inputs.enumerated() {
            if format.encode(value, overflow: .nonSaturating) != UInt32(plain[index]) { plainMismatches.append(value) }
            if format.encode(value, overflow: .saturate) != UInt32(saturating[index]) { saturatingMismatches.append(value) }
        }
        #expect(plainMismatches.isEmpty, "\(format.rawValue): first \(plainMismatches.prefix(5))")
        #expect(saturatingMismatches.isEmpty, "\(format.rawValue): first \(saturatingMismatches.prefix(5))")
    }

    @Test func formatConstantsFollowTheOCPSpecification() {
        #expect(FloatFormat.float8E4M3.largestFinite == 448)
        #expect(FloatFormat.float8E5M2.largestFinite == 57344)
        #expect(FloatFormat.float16.largestFinite == 65504)
        #expect(FloatFormat.bfloat16.largestFinite == Float(bitPattern: 0x7F7F_0000))
        // Ties to even: 464 lies halfway between 448 (mantissa 110) and the NaN slot 480.
        #expect(FloatFormat.float8E4M3.encode(464, overflow: .nonSaturating) == 0x7E)
        #expect(FloatFormat.float8E4M3.encode(465, overflow: .nonSaturating) == 0x7F)
        #expect(FloatFormat.float8E4M3.encode(-.infinity, overflow: .saturate) == 0xFE)
        #expect(FloatFormat.float8E5M2.encode(.infinity, overflow: .nonSaturating) == 0x7C)
        // The smallest E4M3 subnormal is 2^-9; half of it rounds to zero (even), a bit more to 2^-9.
        #expect(FloatFormat.float8E4M3.encode(0x1p-10, overflow: .saturate) == 0)
        #expect(FloatFormat.float8E4M3.encode(0x1.01p-10, overflow: .saturate) == 1)
        #expect(ElementType(name: "f8e4m3") == .floatingPoint(.float8E4M3))
        #expect(ElementType.floatingPoint(.bfloat16).name == "bf16" && !ElementType.floatingPoint(.float16).isInteger)
    }
}
