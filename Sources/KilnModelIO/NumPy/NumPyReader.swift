import Foundation
import KilnDiagnostics

/// Reads NumPy `.npy` files (format versions 1.0, 2.0 and 3.0) into ``NumPyArray`` values.
///
/// The reader is strict: every problem is a ``DiagnosticError`` whose location names the file,
/// the place (`magic`, `version`, `header`, `header.descr`, `header.fortran_order`,
/// `header.shape`, `header.shape[i]`, `data`) and, where known, the byte offset. It never traps
/// on bad input: sizes from the file are checked with overflow-reporting arithmetic and against
/// the file length before anything is allocated.
///
/// Rules beyond NumPy's own: the data must be C order (Fortran order is accepted only for
/// arrays of rank 0 or 1, where the layouts agree); the file must end exactly where the data
/// ends (`np.load` ignores trailing bytes; Kiln reports them, since they usually mean a wrong
/// shape or two files joined); bool bytes must be 0 or 1.
///
/// Little-endian data on a little-endian host is copied in bulk; other byte orders are swapped
/// element by element.
public enum NumPyReader {
    /// The magic string every `.npy` file starts with.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads a `.npy` file.
    /// - Parameter path: the file, as the user named it; errors name it the same way.
    /// - Throws: a ``DiagnosticError`` if the file is missing, unreadable or not a valid,
    ///   supported `.npy` file.
    public static func read(contentsOf path: String) throws(DiagnosticError) -> NumPyArray {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiagnosticError(.error("no such file", file: path))
        }
        guard !isDirectory.boolValue else {
            throw DiagnosticError(.error("is a directory, not a .npy file", file: path))
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            // A pipe or FIFO (`/dev/stdin`) cannot be mapped or sized: read it to its end instead.
            guard let handle = FileHandle(forReadingAtPath: path), let streamed = try? handle.readToEnd() ?? Data() else {
                throw DiagnosticError(.error("cannot read the file: \(error.localizedDescription)", file: path))
            }
            data = streamed
        }
        return try decode(data, file: path)
    }

    /// Decodes the bytes of a `.npy` file.
    /// - Parameters:
    ///   - data: the whole file.
    ///   - file: the name to put in error locations.
    /// - Throws: a ``DiagnosticError`` if the bytes are not a valid, supported `.npy` file.
    public static func decode(_ data: Data, file: String? = nil) throws(DiagnosticError) -> NumPyArray {
        let result: Result<NumPyArray, DiagnosticError> = data.withUnsafeBytes { raw in
            do throws(DiagnosticError) {
                return .success(try decode(raw, file: file))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes a whole `.npy` file held in memory.
    static func decode(_ raw: UnsafeRawBufferPointer, file: String?) throws(DiagnosticError) -> NumPyArray {
        func fail(_ message: String, _ place: String, _ offset: Int) -> DiagnosticError {
            DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: place, byteOffset: offset)))
        }
        let size = raw.count

        // Magic string.
        guard size > 0 else {
            throw fail("the file is empty (0 bytes); a .npy file starts with the magic string \\x93NUMPY", "magic", 0)
        }
        let prefix = Array(raw.prefix(magic.count))
        guard prefix == magic else {
            if prefix.count < magic.count && Array(magic.prefix(prefix.count)) == prefix {
                throw fail("the file ends after \(size) bytes, inside the magic string \\x93NUMPY", "magic", size)
            }
            if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                throw fail("this is a zip archive (an .npz file?), not a .npy file; save each array with np.save",
                           "magic", 0)
            }
            let shown = prefix.map { String(format: "%02X", $0) }.joined(separator: " ")
            throw fail("not a .npy file: expected the magic string \\x93NUMPY (93 4E 55 4D 50 59), found \(shown)",
                       "magic", 0)
        }

        // Version.
        guard size >= 8 else {
            throw fail("the file ends after \(size) bytes, inside the format version", "version", size)
        }
        let major = raw[6], minor = raw[7]
        let lengthFieldSize: Int
        switch (major, minor) {
        case (1, 0): lengthFieldSize = 2
        case (2, 0), (3, 0): lengthFieldSize = 4
        default:
            throw fail("unsupported .npy format version \(major).\(minor); Kiln reads versions 1.0, 2.0 and 3.0",
                       "version", 6)
        }

        // Header length and header.
        let headerStart = 8 + lengthFieldSize
        guard size >= headerStart else {
            throw fail("the file ends after \(size) bytes, inside the \(lengthFieldSize)-byte header length",
                       "header", 8)
        }
        var headerLength = 0
        for index in 0..<lengthFieldSize {
            headerLength |= Int(raw[8 + index]) << (8 * index)
        }
        guard headerLength <= size - headerStart else {
            throw fail("truncated header: the header length field says \(headerLength) bytes, but only"
                       + " \(size - headerStart) bytes follow", "header", headerStart)
        }
        let header = try NumPyHeader.parse(Array(raw[headerStart..<headerStart + headerLength]),
                                           baseOffset: headerStart, isUTF8: major == 3, file: file)

        // Data.
        let dataStart = headerStart + headerLength
        let available = size - dataStart
        let dtype = header.descriptor.dtype
        let what = "the shape \(NumPyArray.describe(header.shape)) of \(dtype.littleEndianDescriptor.dropFirst())"
            + " (\(dtype.itemSize)-byte) elements"
        guard available >= header.dataByteCount else {
            throw fail("the data is too short: \(what) needs \(header.dataByteCount) bytes, but the file has only"
                       + " \(available) after the header", "data", dataStart)
        }
        guard available == header.dataByteCount else {
            throw fail("\(available - header.dataByteCount) unexpected bytes after the data: \(what) needs"
                       + " \(header.dataByteCount) bytes, and the file has \(available) after the header",
                       "data", dataStart + header.dataByteCount)
        }
        let body = UnsafeRawBufferPointer(rebasing: raw[dataStart..<size])
        let storage = try decodeElements(body, header.descriptor, count: header.elementCount,
                                         fail: { message, index in fail(message, "data", dataStart + index) })
        return NumPyArray(checkedShape: header.shape, storage: storage)
    }

    /// Converts the data bytes, which hold exactly `count` elements, to typed storage.
    private static func decodeElements(_ body: UnsafeRawBufferPointer, _ descriptor: NumPyTypeDescriptor,
                                       count: Int,
                                       fail: (String, Int) -> DiagnosticError) throws(DiagnosticError) -> NumPyStorage {
        let swap = descriptor.needsByteSwap
        switch descriptor.dtype {
        case .bool:
            if let bad = body.firstIndex(where: { $0 > 1 }) {
                throw fail("element \(bad) of the bool array is the byte \(body[bad]); bools must be 0 or 1", bad)
            }
            return .bool(body.map { $0 == 1 })
        case .int8: return .int8(copy(body, count: count))
        case .uint8: return .uint8(Array(body))
        case .int16: return .int16(integers(body, count: count, swap: swap))
        case .uint16: return .uint16(integers(body, count: count, swap: swap))
        case .int32: return .int32(integers(body, count: count, swap: swap))
        case .uint32: return .uint32(integers(body, count: count, swap: swap))
        case .int64: return .int64(integers(body, count: count, swap: swap))
        case .float32:
            let values: [Float] = copy(body, count: count)
            return .float32(swap ? values.map { Float(bitPattern: $0.bitPattern.byteSwapped) } : values)
        case .float64:
            let values: [Double] = copy(body, count: count)
            return .float64(swap ? values.map { Double(bitPattern: $0.bitPattern.byteSwapped) } : values)
        }
    }

    /// Integers from the data, swapped if the file's byte order differs from the host's.
    private static func integers<T: FixedWidthInteger & BitwiseCopyable>(_ body: UnsafeRawBufferPointer, count: Int,
                                                       swap: Bool) -> [T] {
        let values: [T] = copy(body, count: count)
        return swap ? values.map(\.byteSwapped) : values
    }

    /// Copies `count` elements of a trivial type out of `body`, which holds at least that many
    /// bytes, with one bulk copy (the source need not be aligned).
    private static func copy<T: BitwiseCopyable>(_ body: UnsafeRawBufferPointer, count: Int) -> [T] {
        guard count > 0, let source = body.baseAddress else { return [] }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
                from: UnsafeRawBufferPointer(start: source, count: count * MemoryLayout<T>.stride))
            initialized = count
        }
    }
}
