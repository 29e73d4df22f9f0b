/// A minimal protobuf writer for building test inputs by hand (tests only).
struct ProtobufWriter {
    var bytes: [UInt8] = []

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    mutating func tag(_ field: Int, _ wireType: UInt8) {
        bytes += Self.varint(UInt64(field) << 3 | UInt64(wireType))
    }

    mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, 0)
        bytes += Self.varint(value)
    }

    mutating func int(_ field: Int, _ value: Int64) {
        varint(field, UInt64(bitPattern: value))
    }

    mutating func fixed32(_ field: Int, _ value: UInt32) {
        tag(field, 5)
        bytes += withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, 1)
        bytes += withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    mutating func float(_ field: Int, _ value: Float) {
        fixed32(field, value.bitPattern)
    }

    mutating func bytes(_ field: Int, _ payload: [UInt8]) {
        tag(field, 2)
        bytes += Self.varint(UInt64(payload.count))
        bytes += payload
    }

    mutating func string(_ field: Int, _ text: String) {
        bytes(field, Array(text.utf8))
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        build(&nested)
        bytes(field, nested.bytes)
    }

    mutating func packedVarints(_ field: Int, _ values: [Int64]) {
        bytes(field, values.flatMap { Self.varint(UInt64(bitPattern: $0)) })
    }

    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        bytes(field, values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
    }
}
