/// A parsed `.npy` dtype descriptor such as `<f4` or `>i2`: an element type and the byte order
/// of the data in the file.
struct NumPyTypeDescriptor: Sendable, Hashable {
    /// The element type.
    var dtype: NumPyDType
    /// Whether the file's elements are big-endian (and so must be swapped on a little-endian host,
    /// or vice versa). Always false for one-byte types.
    var isBigEndian: Bool

    /// Whether this machine stores numbers little-endian.
    static let hostIsLittleEndian = 1.littleEndian == 1

    /// Whether elements must be byte-swapped to be read on this machine.
    var needsByteSwap: Bool {
        dtype.itemSize > 1 && isBigEndian == NumPyTypeDescriptor.hostIsLittleEndian
    }

    /// Parses a descriptor the way `np.dtype` reads the ones `.npy` files hold: an optional byte
    /// order character (`<` little, `>` big, `=` or `|` native) and a kind-and-size code (`f4`),
    /// or `?` for bool.
    /// - Returns: the descriptor, or a message saying why it is not supported.
    static func parse(_ descr: String) -> Result<NumPyTypeDescriptor, NumPyUnsupportedType> {
        var code = Substring(descr)
        var bigEndian = !hostIsLittleEndian
        switch code.first {
        case "<": bigEndian = false; code = code.dropFirst()
        case ">": bigEndian = true; code = code.dropFirst()
        case "=", "|": code = code.dropFirst()
        default: break
        }
        if code == "?" { code = "b1" }
        guard let dtype = NumPyDType.allCases.first(where: { $0.typeCode == code }) else {
            return .failure(NumPyUnsupportedType(descriptor: descr, what: describeUnsupported(code)))
        }
        return .success(NumPyTypeDescriptor(dtype: dtype, isBigEndian: dtype.itemSize > 1 && bigEndian))
    }

    /// Names what an unsupported type code stands for, so the user knows what they saved.
    private static func describeUnsupported(_ code: Substring) -> String {
        guard let kind = code.first else { return "an empty type code" }
        let size = code.dropFirst()
        switch kind {
        case "c": return "complex numbers"
        case "O": return "Python objects, stored pickled"
        case "U": return "Unicode strings"
        case "S", "a": return "byte strings"
        case "V": return "raw void data"
        case "M": return "datetimes"
        case "m": return "time deltas"
        case "f": return "a \(size.isEmpty ? "" : "\(size)-byte ")floating-point type"
        case "u": return "an unsigned integer of \(size.isEmpty ? "unknown" : String(size)) bytes"
        case "i": return "a signed integer of \(size.isEmpty ? "unknown" : String(size)) bytes"
        case "b": return "a bool of \(size.isEmpty ? "unknown" : String(size)) bytes"
        default: return "an unknown type code"
        }
    }
}

/// Why a dtype descriptor cannot be read: the descriptor and what it stands for.
struct NumPyUnsupportedType: Error, Sendable, Hashable {
    /// The descriptor as the file spells it, e.g. `<c8`.
    var descriptor: String
    /// What it stands for, e.g. `complex numbers`.
    var what: String

    /// The full message, listing the supported descriptors.
    var message: String {
        "unsupported dtype '\(descriptor)' (\(what)); Kiln reads \(NumPyDType.supportedDescriptorList)"
            + " in any byte order ('<', '>', '='); convert with a.astype(np.float32) or similar before np.save"
    }
}
