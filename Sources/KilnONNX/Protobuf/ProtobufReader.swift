import KilnDiagnostics

/// A bounds-checked reader of the protobuf wire format over a byte array.
///
/// The reader never traps on hostile input: every length is checked against the bytes that
/// are left before anything is sliced, varints longer than 10 bytes or wider than 64 bits are
/// rejected, group wire types (which ONNX never uses) are rejected, and nested messages are
/// limited to ``maximumDepth`` levels. Every error is a `DiagnosticError` whose location has
/// the byte offset where reading failed and whose message names the field being read, for
/// example `truncated length-delimited field 'NodeProto.attribute' (needs 500 bytes, 20 left)`.
///
/// A reader covers a window `offset ..< end` of a shared byte array; ``readMessage(_:field:)``
/// returns a reader over a nested message without copying.
public struct ProtobufReader: Sendable {
    /// The deepest nesting of messages a reader accepts (a top-level message is depth 0).
    public static let maximumDepth = 64

    /// The whole buffer being read (shared, never copied by the reader).
    public let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int
    /// One past the last byte of the current message.
    public let end: Int
    /// How deeply the current message is nested (0 for the top-level message).
    public let depth: Int
    /// The file the bytes came from, as the user named it, for error locations.
    public let fileName: String?

    /// Creates a reader over all of `bytes`.
    /// - Parameters:
    ///   - bytes: the serialized message.
    ///   - fileName: the file the bytes came from, used in error locations.
    public init(bytes: [UInt8], fileName: String? = nil) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
        self.depth = 0
        self.fileName = fileName
    }

    /// A reader over `range` of the same buffer, one level deeper. `range` must lie inside the buffer.
    private init(parent: ProtobufReader, range: Range<Int>) {
        self.bytes = parent.bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
        self.depth = parent.depth + 1
        self.fileName = parent.fileName
    }

    /// Whether every byte of the current message has been read.
    public var isAtEnd: Bool { offset >= end }

    /// The number of bytes of the current message not read yet.
    public var remainingCount: Int { end - offset }

    /// An error at a byte offset of this reader's file.
    /// - Parameters:
    ///   - message: what is wrong.
    ///   - offset: the byte offset where it is wrong.
    public func error(_ message: String, at offset: Int) -> DiagnosticError {
        DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: fileName, byteOffset: offset)))
    }

    // MARK: - Primitive reads

    /// Reads the next field's tag, or returns `nil` at the end of the current message.
    /// - Parameter message: the message being read (`NodeProto`), for error messages.
    public mutating func readTag(in message: String) throws(DiagnosticError) -> ProtobufTag? {
        if offset >= end { return nil }
        let start = offset
        let key = try readVarint(field: "\(message) (field tag)")
        let fieldNumber = key >> 3
        guard fieldNumber >= 1, fieldNumber <= 0x1FFF_FFFF else {
            throw error("invalid field number \(fieldNumber) in \(message)", at: start)
        }
        guard let wireType = ProtobufWireType(rawValue: UInt8(key & 7)) else {
            throw error("invalid wire type \(key & 7) for field \(fieldNumber) in \(message)", at: start)
        }
        return ProtobufTag(fieldNumber: Int(fieldNumber), wireType: wireType, offset: start)
    }

    /// Reads a base-128 varint of at most 10 bytes that fits in 64 bits.
    /// - Parameter field: the field being read (`TensorProto.dims`), for error messages.
    public mutating func readVarint(field: String) throws(DiagnosticError) -> UInt64 {
        let start = offset
        var index = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < end else {
                throw error("truncated varint in field '\(field)' (\(index - start) bytes, then end of data)", at: start)
            }
            let byte = bytes[index]
            index += 1
            if shift == 63 && byte > 1 {
                throw error(byte >= 0x80
                    ? "varint in field '\(field)' is longer than 10 bytes"
                    : "varint in field '\(field)' overflows 64 bits", at: start)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                offset = index
                return result
            }
            shift += 7
        }
    }

    /// Reads four little-endian bytes.
    /// - Parameter field: the field being read, for error messages.
    public mutating func readFixed32(field: String) throws(DiagnosticError) -> UInt32 {
        guard end - offset >= 4 else {
            throw error("truncated fixed32 field '\(field)' (needs 4 bytes, \(end - offset) left)", at: offset)
        }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        offset += 4
        return UInt32(littleEndian: value)
    }

    /// Reads eight little-endian bytes.
    /// - Parameter field: the field being read, for error messages.
    public mutating func readFixed64(field: String) throws(DiagnosticError) -> UInt64 {
        guard end - offset >= 8 else {
            throw error("truncated fixed64 field '\(field)' (needs 8 bytes, \(end - offset) left)", at: offset)
        }
        let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        offset += 8
        return UInt64(littleEndian: value)
    }

    /// Reads the length prefix of a length-delimited field and skips its payload.
    /// - Parameter field: the field being read (`NodeProto.attribute`), for error messages.
    /// - Returns: the byte range of the payload inside ``bytes``; it is checked to lie
    ///   inside the current message.
    public mutating func readLengthDelimited(field: String) throws(DiagnosticError) -> Range<Int> {
        let start = offset
        let length = try readVarint(field: field)
        let left = end - offset
        guard length <= UInt64(left) else {
            throw error("truncated length-delimited field '\(field)' (needs \(length) bytes, \(left) left)", at: start)
        }
        let range = offset ..< offset + Int(length)
        offset = range.upperBound
        return range
    }

    /// Reads a length-delimited field as a copy of its bytes.
    /// - Parameter field: the field being read, for error messages.
    public mutating func readBytes(field: String) throws(DiagnosticError) -> [UInt8] {
        let range = try readLengthDelimited(field: field)
        return Array(bytes[range])
    }

    /// Reads a length-delimited field as UTF-8 text; invalid UTF-8 is an error.
    /// - Parameter field: the field being read, for error messages.
    public mutating func readString(field: String) throws(DiagnosticError) -> String {
        let start = offset
        let range = try readLengthDelimited(field: field)
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw error("field '\(field)' is not valid UTF-8", at: start)
        }
        return text
    }

    /// Reads a length-delimited field as a nested message, one level deeper.
    /// - Parameter field: the field being read, for error messages.
    /// - Returns: a reader over exactly the nested message's bytes.
    public mutating func readMessage(field: String) throws(DiagnosticError) -> ProtobufReader {
        let start = offset
        let range = try readLengthDelimited(field: field)
        guard depth < Self.maximumDepth else {
            throw error("messages are nested more than \(Self.maximumDepth) levels deep at field '\(field)'", at: start)
        }
        return ProtobufReader(parent: self, range: range)
    }

    /// Reads a nested message of type `Message`, checking the wire type first.
    /// - Parameters:
    ///   - tag: the tag just read.
    ///   - field: the field being read, for error messages.
    public mutating func readMessage<Message: ProtobufDecodable>(
        _ tag: ProtobufTag, field: String
    ) throws(DiagnosticError) -> Message {
        try expect(tag, .lengthDelimited, field: field)
        var nested = try readMessage(field: field)
        return try Message(protobuf: &nested)
    }

    /// Skips the value of a field this reader's caller does not know.
    ///
    /// Varint, fixed and length-delimited values are skipped after a bounds check. Group wire
    /// types are rejected: ONNX never uses them and skipping them safely needs matching tags.
    /// - Parameters:
    ///   - tag: the tag just read.
    ///   - message: the message being read, for error messages.
    public mutating func skipField(_ tag: ProtobufTag, in message: String) throws(DiagnosticError) {
        let field = "\(message).\(tag.fieldNumber)"
        switch tag.wireType {
        case .varint: _ = try readVarint(field: field)
        case .fixed32: _ = try readFixed32(field: field)
        case .fixed64: _ = try readFixed64(field: field)
        case .lengthDelimited: _ = try readLengthDelimited(field: field)
        case .startGroup, .endGroup:
            throw error("unsupported group wire type in field \(tag.fieldNumber) of \(message) (ONNX does not use groups)", at: tag.offset)
        }
    }

    /// Throws unless `tag` has the wire type `expected`.
    /// - Parameters:
    ///   - tag: the tag just read.
    ///   - expected: the wire type the field is declared with.
    ///   - field: the field being read, for error messages.
    public func expect(_ tag: ProtobufTag, _ expected: ProtobufWireType, field: String) throws(DiagnosticError) {
        guard tag.wireType == expected else {
            throw error("field '\(field)' has wire type \(tag.wireType), expected \(expected)", at: tag.offset)
        }
    }

    // MARK: - Typed scalar fields

    /// Reads an `int64` / `uint64` / `int32` / `enum` varint field after checking its wire type.
    public mutating func readVarintField(_ tag: ProtobufTag, field: String) throws(DiagnosticError) -> UInt64 {
        try expect(tag, .varint, field: field)
        return try readVarint(field: field)
    }

    /// Reads an `int64` field (a varint, two's complement).
    public mutating func readInt64(_ tag: ProtobufTag, field: String) throws(DiagnosticError) -> Int64 {
        Int64(bitPattern: try readVarintField(tag, field: field))
    }

    /// Reads an `int32` or enum field (a varint; like protobuf, the low 32 bits are kept).
    public mutating func readInt32(_ tag: ProtobufTag, field: String) throws(DiagnosticError) -> Int32 {
        Int32(truncatingIfNeeded: try readVarintField(tag, field: field))
    }

    /// Reads a `float` field (fixed32).
    public mutating func readFloat(_ tag: ProtobufTag, field: String) throws(DiagnosticError) -> Float {
        try expect(tag, .fixed32, field: field)
        return Float(bitPattern: try readFixed32(field: field))
    }

    /// Reads a `string` field after checking its wire type.
    public mutating func readString(_ tag: ProtobufTag, field: String) throws(DiagnosticError) -> String {
        try expect(tag, .lengthDelimited, field: field)
        return try readString(field: field)
    }

    /// Reads a `bytes` field after checking its wire type.
    public mutating func readBytes(_ tag: ProtobufTag, field: String) throws(DiagnosticError) -> [UInt8] {
        try expect(tag, .lengthDelimited, field: field)
        return try readBytes(field: field)
    }

    // MARK: - Repeated scalar fields (packed or not)

    /// Appends one element (unpacked encoding) or a packed run of varints to `values`.
    ///
    /// Both encodings may appear for the same field, even mixed; protobuf parsers must accept both.
    public mutating func appendVarints<Element>(
        _ tag: ProtobufTag, field: String, to values: inout [Element],
        _ convert: (UInt64) -> Element
    ) throws(DiagnosticError) {
        switch tag.wireType {
        case .varint:
            values.append(convert(try readVarint(field: field)))
        case .lengthDelimited:
            let range = try readLengthDelimited(field: field)
            // Every varint takes at least one byte, so the count is bounded by the length.
            var packed = ProtobufReader(parent: self, range: range)
            while !packed.isAtEnd {
                values.append(convert(try packed.readVarint(field: field)))
            }
        default:
            throw error("field '\(field)' has wire type \(tag.wireType), expected varint or packed varints", at: tag.offset)
        }
    }

    /// Appends a repeated `int64` field (packed or unpacked) to `values`.
    public mutating func appendInt64s(_ tag: ProtobufTag, field: String, to values: inout [Int64]) throws(DiagnosticError) {
        try appendVarints(tag, field: field, to: &values) { Int64(bitPattern: $0) }
    }

    /// Appends a repeated `uint64` field (packed or unpacked) to `values`.
    public mutating func appendUInt64s(_ tag: ProtobufTag, field: String, to values: inout [UInt64]) throws(DiagnosticError) {
        try appendVarints(tag, field: field, to: &values) { $0 }
    }

    /// Appends a repeated `int32` field (packed or unpacked) to `values`; like protobuf, the
    /// low 32 bits of each varint are kept.
    public mutating func appendInt32s(_ tag: ProtobufTag, field: String, to values: inout [Int32]) throws(DiagnosticError) {
        try appendVarints(tag, field: field, to: &values) { Int32(truncatingIfNeeded: $0) }
    }

    /// Appends a repeated `float` field (packed or unpacked fixed32) to `values`.
    public mutating func appendFloats(_ tag: ProtobufTag, field: String, to values: inout [Float]) throws(DiagnosticError) {
        switch tag.wireType {
        case .fixed32:
            values.append(Float(bitPattern: try readFixed32(field: field)))
        case .lengthDelimited:
            let range = try readPackedFixed(width: 4, field: field)
            values.reserveCapacity(values.count + range.count / 4)
            bytes.withUnsafeBytes { raw in
                for position in stride(from: range.lowerBound, to: range.upperBound, by: 4) {
                    values.append(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self))))
                }
            }
        default:
            throw error("field '\(field)' has wire type \(tag.wireType), expected fixed32 or packed fixed32", at: tag.offset)
        }
    }

    /// Appends a repeated `double` field (packed or unpacked fixed64) to `values`.
    public mutating func appendDoubles(_ tag: ProtobufTag, field: String, to values: inout [Double]) throws(DiagnosticError) {
        switch tag.wireType {
        case .fixed64:
            values.append(Double(bitPattern: try readFixed64(field: field)))
        case .lengthDelimited:
            let range = try readPackedFixed(width: 8, field: field)
            values.reserveCapacity(values.count + range.count / 8)
            bytes.withUnsafeBytes { raw in
                for position in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
                    values.append(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self))))
                }
            }
        default:
            throw error("field '\(field)' has wire type \(tag.wireType), expected fixed64 or packed fixed64", at: tag.offset)
        }
    }

    /// Reads the payload range of a packed fixed-width field, checking it holds whole elements.
    private mutating func readPackedFixed(width: Int, field: String) throws(DiagnosticError) -> Range<Int> {
        let start = offset
        let range = try readLengthDelimited(field: field)
        guard range.count % width == 0 else {
            throw error("packed field '\(field)' has \(range.count) bytes, not a multiple of \(width)", at: start)
        }
        return range
    }
}
