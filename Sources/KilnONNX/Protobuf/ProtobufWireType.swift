/// The wire type of a protobuf field: the low three bits of its tag, which say how the
/// field's value is laid out in the byte stream.
public enum ProtobufWireType: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// A base-128 varint (int32, int64, uint64, bool, enum).
    case varint = 0
    /// Eight little-endian bytes (fixed64, double).
    case fixed64 = 1
    /// A varint byte count followed by that many bytes (bytes, string, message, packed repeated).
    case lengthDelimited = 2
    /// The start of a proto2 group (deprecated; ONNX never uses groups).
    case startGroup = 3
    /// The end of a proto2 group (deprecated; ONNX never uses groups).
    case endGroup = 4
    /// Four little-endian bytes (fixed32, float).
    case fixed32 = 5

    /// The name used in error messages, for example `length-delimited`.
    public var description: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .lengthDelimited: "length-delimited"
        case .startGroup: "start-group"
        case .endGroup: "end-group"
        case .fixed32: "fixed32"
        }
    }
}
