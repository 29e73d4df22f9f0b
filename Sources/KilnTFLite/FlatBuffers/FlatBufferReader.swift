import KilnDiagnostics

/// A bounds-checked reader of the FlatBuffers binary format over a byte array.
///
/// FlatBuffers store tables as a signed 32-bit offset to a vtable (a list of 16-bit field
/// offsets) followed by the fields; tables, vectors and strings are referred to by unsigned
/// 32-bit offsets relative to where the offset is stored. The reader never traps on hostile
/// input: every offset is checked to land inside the buffer before it is followed, every
/// vtable and every vector's `length × element size` is checked against the bytes that are left
/// (in 64-bit arithmetic, so absurd lengths cannot overflow), and references must point
/// strictly forward (an unsigned offset of 0 is rejected), so a chain of references cannot
/// form a cycle. Because several offsets may legally share one table, decoding charges every
/// element it reads to a budget proportional to the file size; a file whose shared references
/// would make decoding blow up runs out of budget and is rejected.
///
/// Every error is a `DiagnosticError` whose location has the file and the byte offset where
/// reading failed, and whose message names what was being read (`Tensor.shape`).
final class FlatBufferReader {
    /// The whole file.
    let bytes: [UInt8]
    /// The file as the user named it, for error locations.
    let fileName: String?
    /// Elements that decoding may still read (see the type's documentation).
    private var budget: Int

    /// Creates a reader over `bytes`.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - fileName: the file, for error locations.
    init(bytes: [UInt8], fileName: String?) {
        self.bytes = bytes
        self.fileName = fileName
        self.budget = 16 * bytes.count + 4096
    }

    /// An error at a byte offset of the file.
    func error(_ message: String, at offset: Int) -> DiagnosticError {
        DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: fileName, byteOffset: offset)))
    }

    /// Checks that `count` bytes starting at `offset` lie inside the file.
    func require(_ count: Int, at offset: Int, for what: String) throws(DiagnosticError) {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw error("\(what) needs \(count) bytes at byte \(offset), but the file has \(bytes.count)", at: offset)
        }
    }

    /// Charges `count` decoded elements to the budget.
    func charge(_ count: Int, at offset: Int, for what: String) throws(DiagnosticError) {
        guard count <= budget else {
            throw error("\(what) makes the model refer to more data than a file of \(bytes.count) bytes can hold (shared or overlapping offsets)", at: offset)
        }
        budget -= count
    }

    /// A little-endian unsigned integer of `width` bytes (1, 2, 4 or 8) at `offset`, bounds-checked.
    func unsigned(at offset: Int, width: Int, for what: String) throws(DiagnosticError) -> UInt64 {
        try require(width, at: offset, for: what)
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        return value
    }

    /// Follows the unsigned 32-bit offset stored at `offset`; the target must lie strictly after it.
    func follow(at offset: Int, for what: String) throws(DiagnosticError) -> Int {
        let relative = Int(try unsigned(at: offset, width: 4, for: what))
        guard relative > 0 else { throw error("\(what) refers to itself (offset 0)", at: offset) }
        let target = offset + relative
        guard target < bytes.count else {
            throw error("\(what) points to byte \(target), past the end of the file (\(bytes.count) bytes)", at: offset)
        }
        return target
    }

    /// The root table (the file starts with the offset of its root table).
    func rootTable(_ name: String) throws(DiagnosticError) -> FlatBufferTable {
        try table(at: try follow(at: 0, for: "\(name) (root table offset)"), name: name)
    }

    /// The table starting at `position`: checks its vtable and its inline fields' extent.
    func table(at position: Int, name: String) throws(DiagnosticError) -> FlatBufferTable {
        let signed = Int(Int32(truncatingIfNeeded: try unsigned(at: position, width: 4, for: "\(name) (vtable offset)")))
        let vtable = position - signed
        try require(4, at: vtable, for: "\(name) vtable")
        let vtableSize = Int(try unsigned(at: vtable, width: 2, for: "\(name) vtable size"))
        let tableSize = Int(try unsigned(at: vtable + 2, width: 2, for: "\(name) table size"))
        guard vtableSize >= 4, vtableSize % 2 == 0 else {
            throw error("\(name) vtable size \(vtableSize) is not an even number ≥ 4", at: vtable)
        }
        try require(vtableSize, at: vtable, for: "\(name) vtable")
        guard tableSize >= 4 else { throw error("\(name) table size \(tableSize) is smaller than its vtable offset", at: vtable + 2) }
        try require(tableSize, at: position, for: name)
        try charge(1, at: position, for: name)
        return FlatBufferTable(reader: self, position: position, vtable: vtable, fieldCount: (vtableSize - 4) / 2,
                               size: tableSize, name: name)
    }

    /// The vector whose offset is stored at `offset`: its element count and the position of its
    /// first element, with `count × elementSize` bytes checked to be inside the file.
    func vector(at offset: Int, elementSize: Int, for what: String) throws(DiagnosticError) -> (start: Int, count: Int) {
        let position = try follow(at: offset, for: what)
        let count = Int(try unsigned(at: position, width: 4, for: "\(what) (length)"))
        let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, bytesNeeded <= bytes.count - position - 4 else {
            throw error("\(what) claims \(count) elements of \(elementSize) bytes, but only \(bytes.count - position - 4) bytes follow", at: position)
        }
        try charge(count, at: position, for: what)
        return (position + 4, count)
    }
}
