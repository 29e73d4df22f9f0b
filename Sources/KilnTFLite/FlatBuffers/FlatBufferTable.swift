import KilnDiagnostics

/// One table of a FlatBuffers file: typed, bounds-checked access to its fields by field id.
///
/// A field whose vtable entry is absent or 0 takes its schema default. Offsets of present
/// fields must lie inside the table's inline size.
struct FlatBufferTable {
    let reader: FlatBufferReader
    /// The byte offset of the table (where its vtable offset is stored).
    let position: Int
    /// The byte offset of its vtable.
    let vtable: Int
    /// The number of field slots the vtable lists.
    let fieldCount: Int
    /// The table's inline size in bytes.
    let size: Int
    /// The schema's name of the table (`Tensor`), for error messages.
    let name: String

    /// The absolute position of field `id`, or nil when absent.
    private func fieldPosition(_ id: Int, width: Int, _ field: String) throws(DiagnosticError) -> Int? {
        guard id < fieldCount else { return nil }
        let entry = vtable + 4 + 2 * id
        let relative = Int(try reader.unsigned(at: entry, width: 2, for: "\(name).\(field) (vtable entry)"))
        guard relative != 0 else { return nil }
        guard relative >= 4, relative + width <= size else {
            throw reader.error("\(name).\(field) lies at offset \(relative) outside its table of \(size) bytes", at: entry)
        }
        return position + relative
    }

    /// An unsigned integer field of `width` bytes.
    func unsigned(_ id: Int, _ field: String, width: Int, default value: UInt64 = 0) throws(DiagnosticError) -> UInt64 {
        guard let at = try fieldPosition(id, width: width, field) else { return value }
        return try reader.unsigned(at: at, width: width, for: "\(name).\(field)")
    }

    /// A signed integer field of `width` bytes, sign-extended.
    func signed(_ id: Int, _ field: String, width: Int, default value: Int64 = 0) throws(DiagnosticError) -> Int64 {
        guard let at = try fieldPosition(id, width: width, field) else { return value }
        let raw = try reader.unsigned(at: at, width: width, for: "\(name).\(field)")
        let shift = UInt64(64 - 8 * width)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    /// A 32-bit float field.
    func float(_ id: Int, _ field: String, default value: Float = 0) throws(DiagnosticError) -> Float {
        guard let at = try fieldPosition(id, width: 4, field) else { return value }
        return Float(bitPattern: UInt32(try reader.unsigned(at: at, width: 4, for: "\(name).\(field)")))
    }

    /// A boolean field.
    func bool(_ id: Int, _ field: String) throws(DiagnosticError) -> Bool {
        try unsigned(id, field, width: 1) != 0
    }

    /// A sub-table field, or nil when absent.
    func table(_ id: Int, _ field: String, of type: String) throws(DiagnosticError) -> FlatBufferTable? {
        guard let at = try fieldPosition(id, width: 4, field) else { return nil }
        return try reader.table(at: try reader.follow(at: at, for: "\(name).\(field)"), name: type)
    }

    /// A string field, or nil when absent; the bytes must be UTF-8 (a terminating 0 is not required).
    func string(_ id: Int, _ field: String) throws(DiagnosticError) -> String? {
        guard let at = try fieldPosition(id, width: 4, field) else { return nil }
        let (start, count) = try reader.vector(at: at, elementSize: 1, for: "\(name).\(field)")
        guard let text = String(validating: reader.bytes[start ..< start + count], as: UTF8.self) else {
            throw reader.error("\(name).\(field) is not valid UTF-8", at: start)
        }
        return text
    }

    /// A vector of little-endian integers of `width` bytes (sign-extended when `signed`); empty when absent.
    func integers(_ id: Int, _ field: String, width: Int, signed: Bool) throws(DiagnosticError) -> [Int64] {
        guard let at = try fieldPosition(id, width: 4, field) else { return [] }
        let (start, count) = try reader.vector(at: at, elementSize: width, for: "\(name).\(field)")
        let shift = UInt64(64 - 8 * width)
        var result = [Int64]()
        result.reserveCapacity(count)
        for index in 0..<count {
            let raw = try reader.unsigned(at: start + index * width, width: width, for: "\(name).\(field)[\(index)]")
            result.append(signed ? Int64(bitPattern: raw << shift) >> Int64(shift) : Int64(bitPattern: raw))
        }
        return result
    }

    /// A vector of 32-bit floats; empty when absent.
    func floats(_ id: Int, _ field: String) throws(DiagnosticError) -> [Float] {
        try integers(id, field, width: 4, signed: false).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
    }

    /// The position and length of a byte vector field, or nil when absent.
    func byteRange(_ id: Int, _ field: String) throws(DiagnosticError) -> Range<Int>? {
        guard let at = try fieldPosition(id, width: 4, field) else { return nil }
        let (start, count) = try reader.vector(at: at, elementSize: 1, for: "\(name).\(field)")
        return start ..< start + count
    }

    /// A vector of tables; empty when absent.
    func tables(_ id: Int, _ field: String, of type: String) throws(DiagnosticError) -> [FlatBufferTable] {
        guard let at = try fieldPosition(id, width: 4, field) else { return [] }
        let (start, count) = try reader.vector(at: at, elementSize: 4, for: "\(name).\(field)")
        var result: [FlatBufferTable] = []
        for index in 0..<count {
            let element = start + 4 * index
            result.append(try reader.table(at: try reader.follow(at: element, for: "\(name).\(field)[\(index)]"), name: type))
        }
        return result
    }

    /// The number of elements of a vector field without reading them (0 when absent).
    func count(_ id: Int, _ field: String) throws(DiagnosticError) -> Int {
        guard let at = try fieldPosition(id, width: 4, field) else { return 0 }
        let position = try reader.follow(at: at, for: "\(name).\(field)")
        return Int(try reader.unsigned(at: position, width: 4, for: "\(name).\(field) (length)"))
    }
}
