/// TensorFlow Lite's element types (`TensorType` in the schema), by code.
public enum TFLiteTensorType: Int8, Sendable, Hashable, CaseIterable {
    case float32 = 0, float16 = 1, int32 = 2, uint8 = 3, int64 = 4, string = 5, bool = 6, int16 = 7
    case complex64 = 8, int8 = 9, float64 = 10, complex128 = 11, uint64 = 12, resource = 13, variant = 14
    case uint32 = 15, uint16 = 16, int4 = 17, bfloat16 = 18, int2 = 19, uint4 = 20, float8E4M3FN = 21, float8E5M2 = 22

    /// The schema's name (`INT8`).
    public var name: String {
        switch self {
        case .float8E4M3FN: "FLOAT8_E4M3FN"
        case .float8E5M2: "FLOAT8_E5M2"
        default: String(describing: self).uppercased()
        }
    }
}
