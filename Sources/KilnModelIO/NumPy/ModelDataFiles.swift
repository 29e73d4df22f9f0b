import KilnDiagnostics
import KilnIR
import KilnNumerics

/// The `.npy` files a model is run on (`run`, `simulate`, `compare`, `sweep`): input data and
/// class labels, read and checked against the model so that every problem is a finding naming
/// the file, the tensor, what was expected and what was found.
public enum ModelDataFiles {
    /// Reads a data file: a tensor that is one sample, or a batch along the first dimension.
    /// - Throws: ``DiagnosticError`` naming the file if it cannot be read or holds no element.
    public static func readData(_ path: String) throws(DiagnosticError) -> Tensor {
        let data = try NumPyReader.read(contentsOf: path).tensor()
        guard data.count > 0 else {
            throw DiagnosticError(.error("the data is empty (shape \(data.shape)): give at least one sample", file: path))
        }
        return data
    }

    /// Reads a data file and checks it against graph input `name` of type `type` (see
    /// ``check(_:file:feeds:of:)``).
    public static func readData(_ path: String, feeds name: String, of type: TensorType) throws(DiagnosticError) -> Tensor {
        let data = try readData(path)
        try check(data, file: path, feeds: name, of: type)
        return data
    }

    /// Checks that data read from `file` can feed graph input `name` of type `type`: either
    /// exactly one sample of the input's shape or, when the input's first dimension is 1, a batch
    /// `[N, …]` of N ≥ 1 samples; float data for a float input, integer data for an integer one.
    /// - Throws: ``DiagnosticError`` at the file and tensor, with the expected and found shapes
    ///   or types (and a hint when the data is the input's layout permuted, NHWC for NCHW).
    public static func check(_ data: Tensor, file: String, feeds name: String, of type: TensorType) throws(DiagnosticError) {
        func fail(_ message: String) -> DiagnosticError {
            DiagnosticError(.error(message, file: file, place: "tensor '\(name)'"))
        }
        if data.type.elementType.isFloat != type.elementType.isFloat {
            throw fail("the model's input is \(type.elementType.name) but the file holds \(data.type.elementType.name) values; "
                       + "give \(type.elementType.isFloat ? "float" : "integer") data")
        }
        let sample = Array(type.shape.dropFirst())
        let batched = type.shape.first == 1 && data.shape.count == type.shape.count
        if data.shape == type.shape || (batched && Array(data.shape.dropFirst()) == sample) {
            guard data.shape.first != 0 else { throw fail("the batch is empty (shape \(data.shape)): give at least one sample") }
            return
        }
        let expected = type.shape.first == 1 ? "[N, \(sample.map(String.init).joined(separator: ", "))]" : "\(type.shape)"
        var message = "expected shape \(expected) for the model's input \(type), found \(data.shape)"
        if let hint = layoutHint(found: data.shape, expected: type.shape) { message += "; \(hint)" }
        throw fail(message)
    }

    /// Reads class labels: integers, one per sample (shape `[N]` or `[N, 1]`).
    /// - Parameters:
    ///   - samples: how many samples the data has.
    ///   - classes: how many classes the model outputs, if known (see ``check(labels:file:classes:)``).
    /// - Throws: ``DiagnosticError`` naming the labels file for float values, another shape,
    ///   another count or a label that is not a class.
    public static func readLabels(_ path: String, samples: Int, classes: Int? = nil) throws(DiagnosticError) -> [Int64] {
        let array = try NumPyReader.read(contentsOf: path)
        if array.dtype == .float32 || array.dtype == .float64 {
            throw DiagnosticError(.error("labels must be integer class indices; the file holds \(array.dtype.rawValue) values "
                                         + "(dtype '\(array.dtype.littleEndianDescriptor)')", file: path))
        }
        guard array.shape.count == 1 || (array.shape.count == 2 && array.shape[1] == 1) else {
            throw DiagnosticError(.error("expected labels of shape [\(samples)] (one class index per sample), found \(array.shape)", file: path))
        }
        guard array.shape[0] == samples else {
            throw DiagnosticError(.error("expected \(samples) labels (one per sample of the data), found \(array.shape[0])", file: path))
        }
        let labels = try array.int64Values()
        if let classes { try check(labels: labels, file: path, classes: classes) }
        return labels
    }

    /// Checks that every label is a class the model outputs: from 0 to `classes − 1`.
    /// - Throws: ``DiagnosticError`` naming the file and the first offending index.
    public static func check(labels: [Int64], file: String, classes: Int) throws(DiagnosticError) {
        guard let index = labels.firstIndex(where: { $0 < 0 || $0 >= Int64(classes) }) else { return }
        throw DiagnosticError(.error("label \(labels[index]) at index \(index) is not one of the model's \(classes) classes "
                                     + "(0 to \(classes - 1))", file: file))
    }

    /// A hint when `found` is `expected` with its dimensions after the first permuted: a
    /// channels-last file for a channels-first model (or the reverse), with the axes to transpose.
    static func layoutHint(found: [Int], expected: [Int]) -> String? {
        guard found.count == 4, expected.count == 4, found.dropFirst().sorted() == expected.dropFirst().sorted() else { return nil }
        if Array(found.dropFirst()) == [expected[2], expected[3], expected[1]] {
            return "the file looks NHWC (channels last) and the model takes NCHW: transpose the data with axes (0, 3, 1, 2)"
        }
        if Array(found.dropFirst()) == [expected[3], expected[1], expected[2]] {
            return "the file looks NCHW (channels first) and the model takes NHWC: transpose the data with axes (0, 2, 3, 1)"
        }
        return nil
    }
}
