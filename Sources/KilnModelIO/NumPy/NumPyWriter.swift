import Foundation
import KilnDiagnostics

/// Writes ``NumPyArray`` values as NumPy `.npy` files, byte for byte as `np.save` writes them.
///
/// The output is format 1.0 (2.0 only if the header exceeds 65535 bytes, as NumPy decides),
/// little-endian, C order. The header is NumPy's dict literal with keys in sorted order, the
/// same spare spaces NumPy leaves for growing the first dimension, and space padding ending in
/// `\n` so that the data starts at a multiple of 64 bytes.
public enum NumPyWriter {
    /// The alignment of the data start, as NumPy's `ARRAY_ALIGN`.
    static let alignment = 64
    /// NumPy's `GROWTH_AXIS_MAX_DIGITS`: room left in the header for the first dimension to grow.
    static let growthAxisMaxDigits = 21

    /// The bytes of the `.npy` file for `array`.
    public static func encode(_ array: NumPyArray) -> Data {
        var data = header(dtype: array.dtype, shape: array.shape)
        data.reserveCapacity(data.count + array.count * array.dtype.itemSize)
        switch array.storage {
        case .bool(let values): data.append(contentsOf: values.map { $0 ? 1 : 0 })
        case .int8(let values): appendLittleEndian(values, to: &data)
        case .uint8(let values): data.append(contentsOf: values)
        case .int16(let values): appendLittleEndian(values, to: &data)
        case .uint16(let values): appendLittleEndian(values, to: &data)
        case .int32(let values): appendLittleEndian(values, to: &data)
        case .uint32(let values): appendLittleEndian(values, to: &data)
        case .int64(let values): appendLittleEndian(values, to: &data)
        case .float32(let values):
            if NumPyTypeDescriptor.hostIsLittleEndian {
                values.withUnsafeBytes { data.append(contentsOf: $0) }
            } else {
                appendLittleEndian(values.map(\.bitPattern), to: &data)
            }
        case .float64(let values):
            if NumPyTypeDescriptor.hostIsLittleEndian {
                values.withUnsafeBytes { data.append(contentsOf: $0) }
            } else {
                appendLittleEndian(values.map(\.bitPattern), to: &data)
            }
        }
        return data
    }

    /// Writes `array` to a `.npy` file, replacing any file there.
    /// - Parameter path: the file, as the user named it; errors name it the same way.
    /// - Throws: a ``DiagnosticError`` naming the file if it cannot be written.
    public static func write(_ array: NumPyArray, to path: String) throws(DiagnosticError) {
        do {
            try encode(array).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DiagnosticError(.error("cannot write the file: \(error.localizedDescription)", file: path))
        }
    }

    /// The magic string, version, header length and padded header, as NumPy frames them.
    static func header(dtype: NumPyDType, shape: [Int]) -> Data {
        var text = "{'descr': '\(dtype.littleEndianDescriptor)', 'fortran_order': False,"
            + " 'shape': \(NumPyArray.describe(shape)), }"
        if let first = shape.first {
            text += String(repeating: " ", count: max(0, growthAxisMaxDigits - String(first).count))
        }
        let body = Array(text.utf8)
        for (major, lengthFieldSize) in [(UInt8(1), 2), (UInt8(2), 4)] {
            let unpadded = NumPyReader.magic.count + 2 + lengthFieldSize + body.count + 1
            let padding = alignment - unpadded % alignment
            let headerLength = body.count + padding + 1
            if lengthFieldSize == 2 && headerLength > Int(UInt16.max) { continue }
            var data = Data(NumPyReader.magic + [major, 0])
            for index in 0..<lengthFieldSize {
                data.append(UInt8(truncatingIfNeeded: headerLength >> (8 * index)))
            }
            data.append(contentsOf: body)
            data.append(contentsOf: [UInt8](repeating: 0x20, count: padding))
            data.append(0x0A)
            return data
        }
        preconditionFailure("a .npy header length always fits in 32 bits for an array that fits in memory")
    }

    /// Appends integers in little-endian byte order: one bulk copy on a little-endian host.
    private static func appendLittleEndian<T: FixedWidthInteger>(_ values: [T], to data: inout Data) {
        if NumPyTypeDescriptor.hostIsLittleEndian {
            values.withUnsafeBytes { data.append(contentsOf: $0) }
        } else {
            values.map(\.littleEndian).withUnsafeBytes { data.append(contentsOf: $0) }
        }
    }
}
