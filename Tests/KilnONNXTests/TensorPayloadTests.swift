import Foundation
import KilnDiagnostics
import Testing
@testable import KilnONNX

/// Payload decoding of `TensorProto`: every element type, raw versus typed fields, size checks.
@Suite struct TensorPayloadTests {
    private func message(_ error: () throws -> Void) -> String? {
        do {
            try error()
            return nil
        } catch let error as DiagnosticError {
            return error.diagnostics.first?.message
        } catch {
            return nil
        }
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func float16IsExactForEveryBitPattern() {
        for bits in 0 ... UInt16.max {
            let ours = SmallFloatFormats.float16(bits)
            let swift = Float(Float16(bitPattern: bits))
            if swift.isNaN {
                #expect(ours.isNaN)
                #expect(ours.sign == swift.sign)
            } else {
                #expect(ours.bitPattern == swift.bitPattern, "0x\(String(bits, radix: 16))")
            }
        }
    }
    #endif

    @Test func float16Specials() throws {
        #expect(SmallFloatFormats.float16(0x0001) == Float(sign: .plus, exponent: -24, significand: 1))  // smallest subnormal
        #expect(SmallFloatFormats.float16(0x03FF) == Float(0x3FF) * 0x1p-24)  // largest subnormal
        #expect(SmallFloatFormats.float16(0x7BFF) == 65504)
        #expect(SmallFloatFormats.float16(0x7C00) == .infinity)
        #expect(SmallFloatFormats.float16(0xFC00) == -.infinity)
        #expect(SmallFloatFormats.float16(0x7E00).isNaN)
        #expect(SmallFloatFormats.float16(0x8000).bitPattern == (-0.0 as Float).bitPattern)
        let tensor = ONNXTensor(dims: [3], dataType: .float16, rawData: [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00])
        #expect(try tensor.values() == .float([1, -2, 0x1p-24]))
        let typed = ONNXTensor(dims: [2], dataType: .float16, int32Data: [0x3C00, 0xBC00])
        #expect(try typed.values() == .float([1, -1]))
        let bfloat = ONNXTensor(dims: [2], dataType: .bfloat16, rawData: [0x80, 0x3F, 0xC0, 0xFF])
        guard case .float(let values) = try bfloat.values() else { return }
        #expect(values[0] == 1)
        #expect(values[1].isNaN)
    }

    @Test func float8Formats() {
        let e4m3 = SmallFloatFormats.float8e4m3fnTable
        #expect(e4m3[0x00] == 0)
        #expect(e4m3[0x38] == 1)
        #expect(e4m3[0x7E] == 448)
        #expect(e4m3[0xFE] == -448)
        #expect(e4m3[0x01] == 0x1p-9)
        #expect(e4m3[0x7F].isNaN && e4m3[0xFF].isNaN)
        #expect(e4m3.filter(\.isNaN).count == 2)
        #expect(!e4m3.contains(.infinity))
        let e5m2 = SmallFloatFormats.float8e5m2Table
        #expect(e5m2[0x3C] == 1)
        #expect(e5m2[0x7B] == 57344)
        #expect(e5m2[0x7C] == .infinity && e5m2[0xFC] == -.infinity)
        #expect(e5m2[0x01] == 0x1p-16)
        #expect(e5m2[0x7D].isNaN)
        let e4m3fnuz = SmallFloatFormats.float8e4m3fnuzTable
        #expect(e4m3fnuz[0x40] == 1)
        #expect(e4m3fnuz[0x7F] == 240)
        #expect(e4m3fnuz[0x80].isNaN && e4m3fnuz.filter(\.isNaN).count == 1)
        let e5m2fnuz = SmallFloatFormats.float8e5m2fnuzTable
        #expect(e5m2fnuz[0x40] == 1)
        #expect(e5m2fnuz[0x7F] == 57344)
        #expect(e5m2fnuz[0x80].isNaN && e5m2fnuz.filter(\.isNaN).count == 1)
        #expect(SmallFloatFormats.float8e8m0Table[127] == 1)
        #expect(SmallFloatFormats.float8e8m0Table[0] == 0x1p-127)
        #expect(SmallFloatFormats.float8e8m0Table[0xFF].isNaN)
        #expect(SmallFloatFormats.float4e2m1Table == [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6])
    }

    @Test func subByteIntegersFromRawAndTypedFields() throws {
        // int4 [5]: -8, 7, -1, 0, 3 -> bytes 0x78, 0x0F, 0x03 (low nibble first).
        let int4Raw = ONNXTensor(dims: [5], dataType: .int4, rawData: [0x78, 0x0F, 0x03])
        #expect(try int4Raw.values() == .int8([-8, 7, -1, 0, 3]))
        let int4Typed = ONNXTensor(dims: [5], dataType: .int4, int32Data: [0x78, 0x0F, 0x03])
        #expect(try int4Typed.values() == .int8([-8, 7, -1, 0, 3]))
        let uint4 = ONNXTensor(dims: [3], dataType: .uint4, int32Data: [0xF1, 0x0A])
        #expect(try uint4.values() == .uint8([1, 15, 10]))
        // int2 [6]: -2, -1, 0, 1 | 1, -2 -> 0b01_00_11_10, 0b00_00_10_01.
        let int2 = ONNXTensor(dims: [6], dataType: .int2, int32Data: [0b0100_1110, 0b0000_1001])
        #expect(try int2.values() == .int8([-2, -1, 0, 1, 1, -2]))
        let uint2 = ONNXTensor(dims: [5], dataType: .uint2, rawData: [0b1110_0100, 0b0000_0011])
        #expect(try uint2.values() == .uint8([0, 1, 2, 3, 3]))
        let fp4 = ONNXTensor(dims: [3], dataType: .float4e2m1, int32Data: [0x97, 0x02])
        #expect(try fp4.values() == .float([6, -0.5, 1]))
        // Packed types need ceil(n / k) entries.
        #expect(message { _ = try ONNXTensor(dims: [5], dataType: .int4, int32Data: [0, 0]).values() }
            == "int32_data has 2 entries, a int4 tensor of shape [5] needs 3")
        #expect(message { _ = try ONNXTensor(dims: [5], dataType: .int4, rawData: [0, 0]).values() }
            == "raw_data has 2 bytes, a int4 tensor of shape [5] needs 3")
    }

    @Test func everyIntegerTypeFromRawData() throws {
        #expect(try ONNXTensor(dims: [2], dataType: .int8, rawData: [0xFF, 0x7F]).values() == .int8([-1, 127]))
        #expect(try ONNXTensor(dims: [2], dataType: .uint8, rawData: [0xFF, 0x7F]).values() == .uint8([255, 127]))
        #expect(try ONNXTensor(dims: [1], dataType: .int16, rawData: [0x00, 0x80]).values() == .int16([-32768]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint16, rawData: [0x34, 0x12]).values() == .uint16([0x1234]))
        #expect(try ONNXTensor(dims: [1], dataType: .int32, rawData: [0xFE, 0xFF, 0xFF, 0xFF]).values() == .int32([-2]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint32, rawData: [0xFE, 0xFF, 0xFF, 0xFF]).values() == .uint32([0xFFFF_FFFE]))
        #expect(try ONNXTensor(dims: [1], dataType: .int64, rawData: [UInt8](repeating: 0xFF, count: 8)).values() == .int64([-1]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint64, rawData: [UInt8](repeating: 0xFF, count: 8)).values() == .uint64([.max]))
        #expect(try ONNXTensor(dims: [3], dataType: .bool, rawData: [0, 1, 1]).values() == .bool([false, true, true]))
        #expect(try ONNXTensor(dims: [], dataType: .double, rawData: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]).values() == .double([1]))
        #expect(try ONNXTensor(dims: [], dataType: .float, rawData: [0, 0, 0x80, 0x3F]).values() == .float([1]))
    }

    @Test func everyTypeFromTypedFields() throws {
        #expect(try ONNXTensor(dims: [2], dataType: .float, floatData: [1, 2]).values() == .float([1, 2]))
        #expect(try ONNXTensor(dims: [2], dataType: .double, doubleData: [1, 2]).values() == .double([1, 2]))
        #expect(try ONNXTensor(dims: [2], dataType: .int64, int64Data: [-1, 2]).values() == .int64([-1, 2]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint64, uint64Data: [.max]).values() == .uint64([.max]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint32, uint64Data: [7]).values() == .uint32([7]))
        #expect(try ONNXTensor(dims: [2], dataType: .int32, int32Data: [-5, 5]).values() == .int32([-5, 5]))
        #expect(try ONNXTensor(dims: [2], dataType: .int16, int32Data: [-32768, 32767]).values() == .int16([-32768, 32767]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint16, int32Data: [65535]).values() == .uint16([65535]))
        #expect(try ONNXTensor(dims: [1], dataType: .int8, int32Data: [-128]).values() == .int8([-128]))
        #expect(try ONNXTensor(dims: [1], dataType: .uint8, int32Data: [255]).values() == .uint8([255]))
        #expect(try ONNXTensor(dims: [2], dataType: .bool, int32Data: [1, 0]).values() == .bool([true, false]))
        #expect(try ONNXTensor(dims: [1], dataType: .float8e4m3fn, int32Data: [0x7E]).values() == .float([448]))
        #expect(try ONNXTensor(dims: [1], dataType: .string, stringData: [[104, 105]]).values() == .string([[104, 105]]))
        #expect(message { _ = try ONNXTensor(dims: [1], dataType: .uint8, int32Data: [256]).values() }
            == "int32_data[0] = 256 is out of range for a uint8 tensor")
        #expect(message { _ = try ONNXTensor(dims: [1], dataType: .uint32, uint64Data: [1 << 32]).values() }
            == "uint64_data[0] = 4294967296 is out of range for a uint32 tensor")
    }

    @Test func sizeAndShapeChecks() {
        #expect(message { _ = try ONNXTensor(dims: [2, 3], dataType: .float, floatData: [1]).values() }
            == "float_data has 1 entries, a float tensor of shape [2, 3] needs 6")
        #expect(message { _ = try ONNXTensor(dims: [2], dataType: .float).values() }
            == "a float tensor of shape [2] has no data (neither raw_data nor float_data)")
        #expect(message { _ = try ONNXTensor(dims: [-1], dataType: .float).values() } == "negative dimension -1 in shape [-1]")
        #expect(message { _ = try ONNXTensor(dims: [1 << 40, 1 << 40], dataType: .float, rawData: []).values() }
            == "element count of shape [1099511627776, 1099511627776] overflows")
        #expect(message { _ = try ONNXTensor(dims: [1 << 61], dataType: .double, rawData: []).values() }
            == "byte size of shape [2305843009213693952] overflows")
        #expect(message { _ = try ONNXTensor(dims: [2], dataType: .float, rawData: [0, 0, 0]).values() }
            == "raw_data has 3 bytes, a float tensor of shape [2] needs 8")
        #expect(message { _ = try ONNXTensor(dims: [1], dataType: .complex64, floatData: [1, 2]).values() }
            == "complex64 tensors are not supported")
        #expect(message { _ = try ONNXTensor(dims: [1], dataType: .undefined).values() } == "the tensor has no data type")
        #expect(message { _ = try ONNXTensor(dims: [1], dataType: .float, dataLocation: .external).values() }
            == "the tensor's data is stored in an external file that has not been loaded")
        #expect(try! ONNXTensor(dims: [0, 5], dataType: .float).values() == .float([]))
        // A tensor message with an unknown data type is rejected while decoding.
        var writer = ProtobufWriter()
        writer.int(2, 99)
        #expect(message { _ = try ONNXTensor(bytes: writer.bytes) } == "unknown tensor data type 99 in 'TensorProto.data_type'")
    }

    @Test func tensorMessageFieldsRoundTrip() throws {
        var writer = ProtobufWriter()
        writer.packedVarints(1, [2, 2])
        writer.int(2, Int64(ONNXDataType.float.rawValue))
        writer.message(3) { $0.int(1, 4); $0.int(2, 8) }
        writer.string(8, "w")
        writer.string(12, "doc")
        writer.bytes(9, [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40])
        writer.fixed64(10, 1.5.bitPattern)
        let tensor = try ONNXTensor(bytes: writer.bytes)
        #expect(tensor.name == "w")
        #expect(tensor.docString == "doc")
        #expect(tensor.segment == ONNXTensor.Segment(begin: 4, end: 8))
        #expect(tensor.doubleData == [1.5])
        #expect(try tensor.values() == .float([1, 2, 3, 4]))
    }
}
