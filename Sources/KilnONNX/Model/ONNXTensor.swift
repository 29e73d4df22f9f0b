import Foundation
import KilnDiagnostics

/// A tensor as stored in an ONNX file (`TensorProto`): an initializer, a constant attribute
/// or a standalone `.pb` test-data file.
///
/// The fields are the message's fields, undecoded: the payload is in ``rawData`` (little-endian)
/// or in one of the typed repeated fields, depending on the writer. ``values()`` turns either
/// form into a typed Swift array after checking sizes.
public struct ONNXTensor: Sendable, Equatable, ProtobufDecodable {
    /// Where a tensor's payload is stored (`TensorProto.DataLocation`).
    public enum DataLocation: Int32, Sendable, Hashable {
        /// In the message itself (`raw_data` or a typed field).
        case `default` = 0
        /// In a file named by ``ONNXTensor/externalData``.
        case external = 1
    }

    /// A chunk of a tensor split over several messages (`TensorProto.Segment`).
    public struct Segment: Sendable, Hashable {
        /// The first element index of this chunk.
        public var begin: Int64
        /// The element index one past this chunk.
        public var end: Int64

        /// Creates a segment.
        public init(begin: Int64, end: Int64) {
            self.begin = begin
            self.end = end
        }
    }

    /// The tensor's name (for initializers, the graph value it defines).
    public var name: String
    /// The shape; an empty array is a scalar.
    public var dims: [Int64]
    /// The element type.
    public var dataType: ONNXDataType
    /// The segment, if this message holds only part of a tensor.
    public var segment: Segment?
    /// `float_data`: float and complex64 payloads.
    public var floatData: [Float]
    /// `int32_data`: payloads of int32, int16, int8, uint16, uint8, bool, float16, bfloat16,
    /// float8 (one element per entry) and of 4-bit / 2-bit types (one packed byte per entry).
    public var int32Data: [Int32]
    /// `string_data`: string payloads.
    public var stringData: [[UInt8]]
    /// `int64_data`: int64 payloads.
    public var int64Data: [Int64]
    /// `raw_data`: the payload as little-endian bytes, if the field is present.
    public var rawData: [UInt8]?
    /// `double_data`: double and complex128 payloads.
    public var doubleData: [Double]
    /// `uint64_data`: uint32 and uint64 payloads.
    public var uint64Data: [UInt64]
    /// Human-readable documentation.
    public var docString: String
    /// Where the payload is stored.
    public var dataLocation: DataLocation
    /// For external tensors: `location`, `offset`, `length` (and possibly `checksum`).
    public var externalData: [ONNXStringStringEntry]

    /// Creates a tensor from its fields.
    public init(
        name: String = "", dims: [Int64] = [], dataType: ONNXDataType, segment: Segment? = nil,
        floatData: [Float] = [], int32Data: [Int32] = [], stringData: [[UInt8]] = [],
        int64Data: [Int64] = [], rawData: [UInt8]? = nil, doubleData: [Double] = [],
        uint64Data: [UInt64] = [], docString: String = "", dataLocation: DataLocation = .default,
        externalData: [ONNXStringStringEntry] = []
    ) {
        self.name = name
        self.dims = dims
        self.dataType = dataType
        self.segment = segment
        self.floatData = floatData
        self.int32Data = int32Data
        self.stringData = stringData
        self.int64Data = int64Data
        self.rawData = rawData
        self.doubleData = doubleData
        self.uint64Data = uint64Data
        self.docString = docString
        self.dataLocation = dataLocation
        self.externalData = externalData
    }

    /// Decodes a standalone serialized `TensorProto`, such as an ONNX test-data `input_0.pb`.
    /// - Parameters:
    ///   - bytes: the serialized message.
    ///   - fileName: the file the bytes came from, for error locations.
    public init(bytes: [UInt8], fileName: String? = nil) throws(DiagnosticError) {
        var reader = ProtobufReader(bytes: bytes, fileName: fileName)
        try self.init(protobuf: &reader)
    }

    /// Reads and decodes a standalone serialized `TensorProto` file.
    /// - Parameter url: the `.pb` file.
    public init(contentsOf url: URL) throws(DiagnosticError) {
        let fileName = url.relativePath
        try self.init(bytes: try readFileBytes(url, fileName: fileName), fileName: fileName)
    }

    /// Decodes a `TensorProto`.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        self.init(dataType: .undefined)
        var rawRange: Range<Int>?
        while let tag = try reader.readTag(in: "TensorProto") {
            switch tag.fieldNumber {
            case 1: try reader.appendInt64s(tag, field: "TensorProto.dims", to: &dims)
            case 2:
                let raw = try reader.readInt32(tag, field: "TensorProto.data_type")
                guard let type = ONNXDataType(rawValue: raw) else {
                    throw reader.error("unknown tensor data type \(raw) in 'TensorProto.data_type'", at: tag.offset)
                }
                dataType = type
            case 3:
                try reader.expect(tag, .lengthDelimited, field: "TensorProto.segment")
                var nested = try reader.readMessage(field: "TensorProto.segment")
                var segment = Segment(begin: 0, end: 0)
                while let inner = try nested.readTag(in: "TensorProto.Segment") {
                    switch inner.fieldNumber {
                    case 1: segment.begin = try nested.readInt64(inner, field: "TensorProto.Segment.begin")
                    case 2: segment.end = try nested.readInt64(inner, field: "TensorProto.Segment.end")
                    default: try nested.skipField(inner, in: "TensorProto.Segment")
                    }
                }
                self.segment = segment
            case 4: try reader.appendFloats(tag, field: "TensorProto.float_data", to: &floatData)
            case 5: try reader.appendInt32s(tag, field: "TensorProto.int32_data", to: &int32Data)
            case 6: stringData.append(try reader.readBytes(tag, field: "TensorProto.string_data"))
            case 7: try reader.appendInt64s(tag, field: "TensorProto.int64_data", to: &int64Data)
            case 8: name = try reader.readString(tag, field: "TensorProto.name")
            case 9:
                // Remember the range only: raw_data is copied once, after the last occurrence.
                try reader.expect(tag, .lengthDelimited, field: "TensorProto.raw_data")
                rawRange = try reader.readLengthDelimited(field: "TensorProto.raw_data")
            case 10: try reader.appendDoubles(tag, field: "TensorProto.double_data", to: &doubleData)
            case 11: try reader.appendUInt64s(tag, field: "TensorProto.uint64_data", to: &uint64Data)
            case 12: docString = try reader.readString(tag, field: "TensorProto.doc_string")
            case 13:
                let entry: ONNXStringStringEntry = try withinPlace("external_data[\(externalData.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "TensorProto.external_data")
                }
                externalData.append(entry)
            case 14:
                let raw = try reader.readInt32(tag, field: "TensorProto.data_location")
                guard let location = DataLocation(rawValue: raw) else {
                    throw reader.error("unknown data location \(raw) in 'TensorProto.data_location'", at: tag.offset)
                }
                dataLocation = location
            default: try reader.skipField(tag, in: "TensorProto")
            }
        }
        if let rawRange { rawData = Array(reader.bytes[rawRange]) }
    }
}
