import KilnDiagnostics

/// The contents of a `.npy` header dict, checked: element type and byte order, shape, and the
/// number of elements and data bytes the shape needs (both computed without overflow).
struct NumPyHeader: Sendable, Hashable {
    /// The element type and byte order of the data.
    var descriptor: NumPyTypeDescriptor
    /// The dimensions, each at least 0.
    var shape: [Int]
    /// The product of the dimensions.
    var elementCount: Int
    /// `elementCount` times the element size.
    var dataByteCount: Int

    /// Parses and checks the header text of a `.npy` file.
    /// - Parameters:
    ///   - bytes: the header bytes, from just after the header length field to the data.
    ///   - baseOffset: the file offset of `bytes[0]`, for error locations.
    ///   - isUTF8: whether strings are UTF-8 (format 3.0) rather than Latin-1 (1.0 and 2.0).
    ///   - file: the file name for error locations.
    static func parse(_ bytes: [UInt8], baseOffset: Int, isUTF8: Bool,
                      file: String?) throws(DiagnosticError) -> NumPyHeader {
        var parser = NumPyHeaderParser(bytes: bytes, baseOffset: baseOffset, isUTF8: isUTF8, file: file)
        let fields = try parser.parseDict()
        let headerEnd = baseOffset + bytes.count

        func fail(_ message: String, _ place: String) -> DiagnosticError {
            DiagnosticError(Diagnostic(.error, message, at: SourceLocation(file: file, place: place)))
        }
        let missing = ["descr", "fortran_order", "shape"].filter { key in
            switch key {
            case "descr": fields.descr == nil
            case "fortran_order": fields.fortranOrder == nil
            default: fields.shape == nil
            }
        }
        guard let descr = fields.descr, let fortranOrder = fields.fortranOrder, let shape = fields.shape else {
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw DiagnosticError(Diagnostic(.error, "the header dict lacks the key\(missing.count > 1 ? "s" : "") \(list);"
                                             + " a .npy header has 'descr', 'fortran_order' and 'shape'",
                                             at: SourceLocation(file: file, place: "header", byteOffset: headerEnd)))
        }

        let descriptor: NumPyTypeDescriptor
        switch NumPyTypeDescriptor.parse(descr) {
        case .success(let parsed): descriptor = parsed
        case .failure(let unsupported): throw fail(unsupported.message, "header.descr")
        }

        for (axis, dimension) in shape.enumerated() where dimension < 0 {
            throw fail("dimension \(axis) of the shape \(NumPyArray.describe(shape)) is negative", "header.shape[\(axis)]")
        }
        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw fail("the shape \(NumPyArray.describe(shape)) has more elements than fit in a 64-bit count",
                           "header.shape")
            }
            elementCount = product
        }
        let (dataByteCount, overflow) = elementCount.multipliedReportingOverflow(by: descriptor.dtype.itemSize)
        guard !overflow else {
            throw fail("the shape \(NumPyArray.describe(shape)) of \(descr) elements needs more bytes than fit"
                       + " in a 64-bit size", "header.shape")
        }

        if fortranOrder && shape.count >= 2 {
            throw fail("the array is stored in Fortran (column-major) order, which Kiln does not read;"
                       + " save it in C order with np.save(path, np.ascontiguousarray(a))", "header.fortran_order")
        }
        return NumPyHeader(descriptor: descriptor, shape: shape, elementCount: elementCount,
                           dataByteCount: dataByteCount)
    }
}
