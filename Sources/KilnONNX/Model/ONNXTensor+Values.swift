import KilnDiagnostics

extension ONNXTensor {
    /// The number of elements: the product of ``dims`` (1 for a scalar).
    ///
    /// Throws if a dimension is negative or the product overflows `Int`.
    public func elementCount() throws(DiagnosticError) -> Int {
        var count = 1
        for dim in dims {
            guard dim >= 0 else { throw tensorError("negative dimension \(dim) in shape \(dims)") }
            guard dim <= Int64(Int.max) else { throw tensorError("dimension \(dim) is too large") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow else { throw tensorError("element count of shape \(dims) overflows") }
            count = product
        }
        return count
    }

    /// The number of bytes `raw_data` must have for this tensor's type and shape
    /// (sub-byte types are packed, so 5 int4 elements take 3 bytes).
    public func rawByteCount() throws(DiagnosticError) -> Int {
        let count = try elementCount()
        let bits = dataType.bitWidth
        guard bits > 0 else { throw tensorError("a \(dataType) tensor has no fixed-size raw encoding") }
        let (totalBits, overflow) = count.multipliedReportingOverflow(by: bits)
        guard !overflow, totalBits <= Int.max - 7 else { throw tensorError("byte size of shape \(dims) overflows") }
        return (totalBits + 7) / 8
    }

    /// Decodes the payload into a typed Swift array.
    ///
    /// The payload comes from `raw_data` (little-endian) if present, otherwise from the typed
    /// field ONNX prescribes for the data type. Its size is checked against the element count
    /// before anything is allocated. float16, bfloat16, the float8 formats and float4e2m1 are
    /// widened to `Float` exactly; 4-bit and 2-bit integers are unpacked (low bits first).
    /// Complex and float6 tensors, and external tensors whose data has not been loaded
    /// (see ``loadExternalData(relativeTo:)``), are rejected with an error.
    public func values() throws(DiagnosticError) -> ONNXTensorValues {
        let count = try elementCount()
        if dataLocation == .external && rawData == nil {
            throw tensorError("the tensor's data is stored in an external file that has not been loaded")
        }
        switch dataType {
        case .undefined:
            throw tensorError("the tensor has no data type")
        case .complex64, .complex128, .float6e2m3, .float6e3m2:
            throw tensorError("\(dataType) tensors are not supported")
        case .string:
            guard rawData == nil else { throw tensorError("a string tensor cannot use raw_data") }
            guard stringData.count == count else {
                throw tensorError("string_data has \(stringData.count) entries, shape \(dims) needs \(count)")
            }
            return .string(stringData)
        default:
            break
        }
        if let rawData { return try decodeRaw(rawData, count: count) }
        return try decodeTypedFields(count: count)
    }

    // MARK: - raw_data

    private func decodeRaw(_ raw: [UInt8], count: Int) throws(DiagnosticError) -> ONNXTensorValues {
        let expected = try rawByteCount()
        guard raw.count == expected else {
            throw tensorError("raw_data has \(raw.count) bytes, a \(dataType) tensor of shape \(dims) needs \(expected)")
        }
        switch dataType {
        case .float: return .float(Self.load(raw, count: count) { (bits: UInt32) in Float(bitPattern: bits) })
        case .double: return .double(Self.load(raw, count: count) { (bits: UInt64) in Double(bitPattern: bits) })
        case .float16: return .float(Self.load(raw, count: count) { (bits: UInt16) in SmallFloatFormats.float16(bits) })
        case .bfloat16: return .float(Self.load(raw, count: count) { (bits: UInt16) in SmallFloatFormats.bfloat16(bits) })
        case .int8: return .int8(raw.map { Int8(bitPattern: $0) })
        case .uint8: return .uint8(raw)
        case .int16: return .int16(Self.load(raw, count: count) { (bits: UInt16) in Int16(bitPattern: bits) })
        case .uint16: return .uint16(Self.load(raw, count: count) { (bits: UInt16) in bits })
        case .int32: return .int32(Self.load(raw, count: count) { (bits: UInt32) in Int32(bitPattern: bits) })
        case .uint32: return .uint32(Self.load(raw, count: count) { (bits: UInt32) in bits })
        case .int64: return .int64(Self.load(raw, count: count) { (bits: UInt64) in Int64(bitPattern: bits) })
        case .uint64: return .uint64(Self.load(raw, count: count) { (bits: UInt64) in bits })
        case .bool: return .bool(raw.map { $0 != 0 })
        default: return try decodeBytes(raw, count: count)
        }
    }

    /// Decodes the byte-sized and sub-byte types from packed bytes (raw_data, or int32_data
    /// converted to bytes).
    private func decodeBytes(_ bytes: [UInt8], count: Int) throws(DiagnosticError) -> ONNXTensorValues {
        switch dataType {
        case .float8e4m3fn: return .float(Self.lookUp(bytes, SmallFloatFormats.float8e4m3fnTable))
        case .float8e4m3fnuz: return .float(Self.lookUp(bytes, SmallFloatFormats.float8e4m3fnuzTable))
        case .float8e5m2: return .float(Self.lookUp(bytes, SmallFloatFormats.float8e5m2Table))
        case .float8e5m2fnuz: return .float(Self.lookUp(bytes, SmallFloatFormats.float8e5m2fnuzTable))
        case .float8e8m0: return .float(Self.lookUp(bytes, SmallFloatFormats.float8e8m0Table))
        case .float4e2m1: return .float(Self.lookUp(Self.unpack(bytes, count: count, bits: 4), SmallFloatFormats.float4e2m1Table))
        case .uint4: return .uint8(Self.unpack(bytes, count: count, bits: 4))
        case .int4: return .int8(Self.unpack(bytes, count: count, bits: 4).map { Int8(bitPattern: $0 << 4) >> 4 })
        case .uint2: return .uint8(Self.unpack(bytes, count: count, bits: 2))
        case .int2: return .int8(Self.unpack(bytes, count: count, bits: 2).map { Int8(bitPattern: $0 << 6) >> 6 })
        default: throw tensorError("\(dataType) tensors are not supported")
        }
    }

    /// Reads `count` little-endian `Bits` values from `raw` (whose size has been checked) and converts each.
    @inline(__always)
    private static func load<Bits: FixedWidthInteger, Element>(
        _ raw: [UInt8], count: Int, _ convert: (Bits) -> Element
    ) -> [Element] {
        let width = MemoryLayout<Bits>.size
        // The caller checked the size; this guard only keeps the loop in bounds if it did not.
        guard raw.count / width >= count else { return [] }
        return raw.withUnsafeBytes { source in
            [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0 ..< count {
                    let bits = Bits(littleEndian: source.loadUnaligned(fromByteOffset: index * width, as: Bits.self))
                    (buffer.baseAddress! + index).initialize(to: convert(bits))
                }
                initialized = count
            }
        }
    }

    /// Maps each byte through a table with one entry per code.
    private static func lookUp(_ codes: [UInt8], _ table: [Float]) -> [Float] {
        codes.map { table[Int($0) & (table.count - 1)] }
    }

    /// Splits packed bytes into `count` codes of `bits` bits each, low bits first.
    private static func unpack(_ bytes: [UInt8], count: Int, bits: Int) -> [UInt8] {
        let perByte = 8 / bits
        let mask = UInt8((1 << bits) - 1)
        var codes = [UInt8]()
        codes.reserveCapacity(count)
        for index in 0 ..< count {
            let byteIndex = index / perByte
            guard byteIndex < bytes.count else { break }
            codes.append((bytes[byteIndex] >> UInt8((index % perByte) * bits)) & mask)
        }
        return codes
    }

    // MARK: - Typed repeated fields

    private func decodeTypedFields(count: Int) throws(DiagnosticError) -> ONNXTensorValues {
        switch dataType {
        case .float:
            try checkEntries(floatData.count, "float_data", expected: count)
            return .float(floatData)
        case .double:
            try checkEntries(doubleData.count, "double_data", expected: count)
            return .double(doubleData)
        case .int64:
            try checkEntries(int64Data.count, "int64_data", expected: count)
            return .int64(int64Data)
        case .uint64:
            try checkEntries(uint64Data.count, "uint64_data", expected: count)
            return .uint64(uint64Data)
        case .uint32:
            try checkEntries(uint64Data.count, "uint64_data", expected: count)
            return .uint32(try narrow(uint64Data.map { Int64(bitPattern: $0) }, field: "uint64_data", 0 ... Int64(UInt32.max))
                .map { UInt32(truncatingIfNeeded: $0) })
        case .int32:
            try checkEntries(int32Data.count, "int32_data", expected: count)
            return .int32(int32Data)
        case .int16:
            try checkEntries(int32Data.count, "int32_data", expected: count)
            return .int16(try narrowInt32(Int16.self))
        case .uint16:
            try checkEntries(int32Data.count, "int32_data", expected: count)
            return .uint16(try narrowInt32(UInt16.self))
        case .int8:
            try checkEntries(int32Data.count, "int32_data", expected: count)
            return .int8(try narrowInt32(Int8.self))
        case .uint8:
            try checkEntries(int32Data.count, "int32_data", expected: count)
            return .uint8(try narrowInt32(UInt8.self))
        case .bool:
            try checkEntries(int32Data.count, "int32_data", expected: count)
            return .bool(int32Data.map { $0 != 0 })
        case .float16, .bfloat16:
            // One 16-bit pattern per entry.
            try checkEntries(int32Data.count, "int32_data", expected: count)
            let patterns = try narrow(int32Data.map { Int64($0) }, field: "int32_data", -32768 ... 65535)
                .map { UInt16(truncatingIfNeeded: $0) }
            return .float(dataType == .float16
                ? patterns.map(SmallFloatFormats.float16) : patterns.map(SmallFloatFormats.bfloat16))
        default:
            // 8-bit formats: one pattern per entry; 4-bit / 2-bit formats: one packed byte per entry.
            let expected = try rawByteCount()
            try checkEntries(int32Data.count, "int32_data", expected: expected)
            let bytes = try narrow(int32Data.map { Int64($0) }, field: "int32_data", -128 ... 255)
                .map { UInt8(truncatingIfNeeded: $0) }
            return try decodeBytes(bytes, count: count)
        }
    }

    private func checkEntries(_ actual: Int, _ field: String, expected: Int) throws(DiagnosticError) {
        guard actual == expected else {
            if actual == 0 {
                throw tensorError("a \(dataType) tensor of shape \(dims) has no data (neither raw_data nor \(field))")
            }
            throw tensorError("\(field) has \(actual) entries, a \(dataType) tensor of shape \(dims) needs \(expected)")
        }
    }

    private func narrowInt32<Narrow: FixedWidthInteger>(_ type: Narrow.Type) throws(DiagnosticError) -> [Narrow] {
        try narrow(int32Data.map { Int64($0) }, field: "int32_data", Int64(Narrow.min) ... Int64(Narrow.max))
            .map { Narrow(truncatingIfNeeded: $0) }
    }

    private func narrow(_ values: [Int64], field: String, _ range: ClosedRange<Int64>) throws(DiagnosticError) -> [Int64] {
        if let bad = values.firstIndex(where: { !range.contains($0) }) {
            throw tensorError("\(field)[\(bad)] = \(values[bad]) is out of range for a \(dataType) tensor")
        }
        return values
    }

    /// An error about this tensor, located at `tensor 'NAME'`.
    func tensorError(_ message: String) -> DiagnosticError {
        DiagnosticError(Diagnostic(.error, message, at: SourceLocation(place: "tensor '\(name)'")))
    }
}
