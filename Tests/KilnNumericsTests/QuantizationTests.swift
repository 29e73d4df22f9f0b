import Testing
import KilnNumerics

@Suite("Quantize / dequantize (ONNX semantics), bit packing")
struct QuantizationTests {
    @Test func tiesRoundHalfToEven() throws {
        // ONNX's own test vectors contain no ties that separate half-to-even from half-away; pin them here.
        let values: [Float] = [0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, -3.5]
        let codes = try LinearQuantization.quantize(values, shape: [8], parameters: .init(scale: 1), to: .int8)
        #expect(codes == [0, 2, 2, 4, 0, -2, -2, -4])  // half away from zero would give 1, 2, 3, 4, ...
        #expect(try LinearQuantization.quantize(2.5, scale: 1, to: .int8) == 2)
        #expect(try LinearQuantization.quantize(0.25, scale: 0.1, zeroPoint: 10, to: .uint8) == 12)  // 0.25/0.1 = 2.5 in float32
    }

    @Test func saturationAtBothEnds() throws {
        let parameters = QuantizationParameters(scale: 0.5, zeroPoint: 3)
        let values: [Float] = [1e9, -1e9, .infinity, -.infinity, .nan, 62, 63, -65.5, -66]
        #expect(try LinearQuantization.quantize(values, shape: [9], parameters: parameters, to: .int8)
                == [127, -128, 127, -128, 3, 127, 127, -128, -128])
        #expect(try LinearQuantization.quantize([1e12, -1e12, 3], shape: [3], parameters: .init(scale: 1), to: .int32)
                == [Int32.max, Int32.min, 3])
        #expect(try LinearQuantization.quantize([-3, 100], shape: [2], parameters: .init(scale: 1), to: .uint4) == [0, 15])
        #expect(try LinearQuantization.quantize([-100, 100], shape: [2], parameters: .init(scale: 1), to: .int4) == [-8, 7])
        #expect(try LinearQuantization.quantize([-0.1, 0, 2], shape: [3], parameters: .init(scale: 1), to: .binary) == [-1, 1, 1])
    }

    @Test func exhaustiveInt8RoundTripAgainstReference() throws {
        // Every int8 code and every midpoint between neighbouring codes, for several scales.
        for scale: Float in [1, 0.5, 0.1, 0.0078125, 3.7] {
            for zeroPoint: Int32 in [-128, 0, 17, 127] {
                for code in Int32(-128)...127 {
                    let real = LinearQuantization.dequantize(code, scale: scale, zeroPoint: zeroPoint)
                    let expected = min(max(Int64((real / scale).rounded(.toNearestOrEven)) + Int64(zeroPoint), -128), 127)
                    #expect(Int64(LinearQuantization.quantize(real, scale: scale, zeroPoint: zeroPoint, minimumCode: -128, maximumCode: 127)) == expected)
                }
            }
        }
    }

    @Test func perAxisParameters() throws {
        let parameters = QuantizationParameters(scales: [1, 0.5], zeroPoints: [0, 10], axis: 1)
        let codes = try LinearQuantization.quantize([1, 1, 2, 2, 3, 3], shape: [3, 2], parameters: parameters, to: .uint8)
        #expect(codes == [1, 12, 2, 14, 3, 16])
        #expect(try LinearQuantization.dequantize(codes, shape: [3, 2], parameters: parameters, from: .uint8) == [1, 1, 2, 2, 3, 3])
        let negativeAxis = QuantizationParameters(scales: [1, 0.5], zeroPoints: [0, 10], axis: -1)
        #expect(try LinearQuantization.quantize([1, 1], shape: [1, 2], parameters: negativeAxis, to: .uint8) == [1, 12])
    }

    @Test func invalidInputThrows() {
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize(1, scale: 0, to: .int8) }
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize(1, scale: .nan, to: .int8) }
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize(1, scale: -1, to: .int8) }
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize(1, scale: 1, zeroPoint: 300, to: .int8) }
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize(1, scale: 1, to: .float32) }
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize([1, 2], shape: [3], parameters: .init(scale: 1), to: .int8) }
        let perAxis = QuantizationParameters(scales: [1, 1, 1], zeroPoints: [0, 0, 0], axis: 0)
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize([1, 2], shape: [2], parameters: perAxis, to: .int8) }
        #expect(throws: NumericsError.self) { try LinearQuantization.quantize([1, 2], shape: [2], parameters: .init(scales: [1], zeroPoints: [0], axis: 4), to: .int8) }
        #expect(throws: NumericsError.self) { try LinearQuantization.dequantize([200], shape: [1], parameters: .init(scale: 1), from: .int8) }
    }

    @Test func bitPacking() throws {
        let signed: [Int32] = [-8, 7, -1, 0, 3]
        let packed = try BitPacking.packInt4(signed, signed: true)
        #expect(packed == [0x78, 0x0F, 0x03])
        #expect(try BitPacking.unpackInt4(packed, count: 5, signed: true) == signed)
        #expect(try BitPacking.unpackInt4([0xF0], count: 2, signed: false) == [0, 15])
        #expect(throws: NumericsError.self) { try BitPacking.packInt4([8], signed: true) }
        let binary: [Int32] = [1, -1, -1, 1, 1, 1, -1, 1, -1, 1]
        let bits = try BitPacking.packBinary(binary)
        #expect(bits == [0b1011_1001, 0b10])
        #expect(try BitPacking.unpackBinary(bits, count: 10) == binary)
        let other: [Int32] = [1, 1, -1, -1, 1, -1, -1, 1, 1, 1]
        let expected = zip(binary, other).reduce(Int64(0)) { $0 + Int64($1.0 * $1.1) }
        #expect(try BitPacking.binaryDotProduct(bits, BitPacking.packBinary(other), count: 10) == expected)
        #expect(throws: NumericsError.self) { try BitPacking.packBinary([0]) }
        #expect(throws: NumericsError.self) { try BitPacking.unpackBinary([], count: 3) }
    }
}
