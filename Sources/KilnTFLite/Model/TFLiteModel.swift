import Foundation
import KilnDiagnostics

/// A decoded `.tflite` file: the part of TensorFlow Lite's schema
/// (`tensorflow/compiler/mlir/lite/schema/schema.fbs`) that Kiln imports.
///
/// Decoding checks every offset (see `FlatBufferReader`) and refuses models with more than one
/// subgraph (control flow and multi-signature models), which Kiln's graphs cannot express.
public struct TFLiteModel: Sendable {
    /// The schema version (3 for every current converter).
    public var version: UInt32
    /// The operator of every `opcode_index`.
    public var operatorCodes: [TFLiteOperatorCode]
    /// The only subgraph.
    public var subgraph: TFLiteSubgraph
    /// The bytes of every buffer, by buffer index (empty for buffer 0 and for tensors without data).
    public var buffers: [[UInt8]]

    /// Decodes a model from the bytes of a `.tflite` file.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - fileName: the file, for error locations.
    /// - Throws: ``DiagnosticError`` naming the file and the byte offset of the first problem.
    public init(bytes: [UInt8], fileName: String? = nil) throws(DiagnosticError) {
        let reader = FlatBufferReader(bytes: bytes, fileName: fileName)
        guard bytes.count >= 8 else { throw reader.error("a TFLite file has at least 8 bytes, this one has \(bytes.count)", at: 0) }
        if Array(bytes[4..<8]) != Array("TFL3".utf8) {
            throw reader.error("the file identifier is not 'TFL3': not a TensorFlow Lite model", at: 4)
        }
        let model = try reader.rootTable("Model")
        version = UInt32(try model.unsigned(0, "version", width: 4))
        operatorCodes = try model.tables(1, "operator_codes", of: "OperatorCode").map { table throws(DiagnosticError) in
            try TFLiteOperatorCode(table)
        }
        let subgraphCount = try model.count(2, "subgraphs")
        guard subgraphCount == 1 else {
            throw reader.error("the model has \(subgraphCount) subgraphs; Kiln imports models with exactly one (no control flow or multiple signatures)", at: model.position)
        }
        subgraph = try TFLiteSubgraph(try model.tables(2, "subgraphs", of: "SubGraph")[0])
        buffers = try model.tables(4, "buffers", of: "Buffer").map { table throws(DiagnosticError) -> [UInt8] in
            if let range = try table.byteRange(0, "data") { return Array(bytes[range]) }
            let offset = try table.unsigned(1, "offset", width: 8), size = try table.unsigned(2, "size", width: 8)
            guard offset > 1 else { return [] }
            guard offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
                throw reader.error("Buffer data at offset \(offset) with size \(size) lies outside the file (\(bytes.count) bytes)", at: table.position)
            }
            try reader.charge(Int(size), at: table.position, for: "Buffer")
            return Array(bytes[Int(offset) ..< Int(offset + size)])
        }
    }

    /// Reads and decodes a `.tflite` file.
    /// - Parameters:
    ///   - url: the file.
    ///   - fileName: the file as the user named it, for error locations (default: the URL's path).
    /// - Throws: ``DiagnosticError`` naming the file (and the byte offset of a decoding problem).
    public init(contentsOf url: URL, fileName: String? = nil) throws(DiagnosticError) {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url, options: .mappedIfSafe)) } catch {
            throw DiagnosticError(Diagnostic(.error, "cannot read file: \(error.localizedDescription)", at: SourceLocation(file: fileName ?? url.path)))
        }
        try self.init(bytes: bytes, fileName: fileName ?? url.path)
    }
}

/// One entry of the model's operator table.
public struct TFLiteOperatorCode: Sendable, Hashable {
    /// The builtin operator (`BuiltinOperator` in the schema), or nil for a custom operator.
    public var builtin: TFLiteBuiltinOperator?
    /// The name of a custom operator.
    public var customName: String?
    /// The operator's version.
    public var version: Int

    init(_ table: FlatBufferTable) throws(DiagnosticError) {
        let deprecated = try table.signed(0, "deprecated_builtin_code", width: 1)
        let code = try table.signed(3, "builtin_code", width: 4)
        customName = try table.string(1, "custom_code")
        version = Int(try table.signed(2, "version", width: 4, default: 1))
        // Codes above 127 live in builtin_code; older files only set deprecated_builtin_code.
        let resolved = max(deprecated, code)
        builtin = resolved == 32 && customName != nil ? nil : TFLiteBuiltinOperator(code: Int32(clamping: resolved))
    }

    /// The operator's name for messages (`CONV_2D`, or the custom operator's name).
    public var name: String { builtin?.name ?? customName ?? "CUSTOM" }
}

/// A tensor of the subgraph.
public struct TFLiteTensor: Sendable, Hashable {
    /// The dimensions.
    public var shape: [Int]
    /// The element type (`TensorType` in the schema).
    public var type: TFLiteTensorType
    /// The index of the buffer holding constant data (0: none).
    public var buffer: Int
    /// The tensor's name.
    public var name: String
    /// Affine quantization parameters, or nil.
    public var quantization: TFLiteQuantization?
    /// The byte offset of the tensor's table, for error locations.
    public var offset: Int

    init(_ table: FlatBufferTable) throws(DiagnosticError) {
        offset = table.position
        let dimensions = try table.integers(0, "shape", width: 4, signed: true)
        guard dimensions.allSatisfy({ $0 >= 0 }) else {
            throw table.reader.error("Tensor.shape \(dimensions) has a negative (dynamic) dimension; Kiln needs static shapes", at: table.position)
        }
        shape = dimensions.map { Int($0) }
        let code = try table.signed(1, "type", width: 1)
        guard let type = TFLiteTensorType(rawValue: Int8(code)) else {
            throw table.reader.error("Tensor.type \(code) is not a TensorType Kiln knows", at: table.position)
        }
        self.type = type
        buffer = Int(try table.unsigned(2, "buffer", width: 4))
        name = try table.string(3, "name") ?? ""
        quantization = try table.table(4, "quantization", of: "QuantizationParameters").flatMap { table throws(DiagnosticError) in
            try TFLiteQuantization(table)
        }
    }
}

/// Affine quantization parameters: `real = scale · (code − zeroPoint)`, per tensor or along
/// `quantizedDimension`.
public struct TFLiteQuantization: Sendable, Hashable {
    /// One scale, or one per slice along ``quantizedDimension``.
    public var scales: [Float]
    /// As many zero points as scales (or none, meaning 0).
    public var zeroPoints: [Int64]
    /// The axis of per-channel parameters.
    public var quantizedDimension: Int

    /// Nil when the table carries no scale (min/max only: an unquantized tensor).
    init?(_ table: FlatBufferTable) throws(DiagnosticError) {
        scales = try table.floats(2, "scale")
        zeroPoints = try table.integers(3, "zero_point", width: 8, signed: true)
        quantizedDimension = Int(try table.signed(6, "quantized_dimension", width: 4))
        if try table.unsigned(4, "details_type", width: 1) != 0 {
            throw table.reader.error("custom quantization details are not supported", at: table.position)
        }
        if scales.isEmpty { return nil }
    }
}

/// One operator of the subgraph.
public struct TFLiteOperator: Sendable, Hashable {
    /// The index into the model's operator codes.
    public var opcodeIndex: Int
    /// Tensor indices read (−1 for an absent optional input).
    public var inputs: [Int]
    /// Tensor indices written.
    public var outputs: [Int]
    /// The builtin options the operator's type has (defaults when absent).
    public var options: TFLiteOptions
    /// The byte offset of the operator's table, for error locations.
    public var offset: Int
}

/// The model's only subgraph.
public struct TFLiteSubgraph: Sendable, Hashable {
    /// Every tensor, by index.
    public var tensors: [TFLiteTensor]
    /// Tensor indices of the inputs.
    public var inputs: [Int]
    /// Tensor indices of the outputs.
    public var outputs: [Int]
    /// The operators in execution order.
    public var operators: [TFLiteOperator]
    /// The subgraph's name.
    public var name: String

    init(_ table: FlatBufferTable) throws(DiagnosticError) {
        tensors = try table.tables(0, "tensors", of: "Tensor").map { table throws(DiagnosticError) in try TFLiteTensor(table) }
        inputs = try table.integers(1, "inputs", width: 4, signed: true).map { Int($0) }
        outputs = try table.integers(2, "outputs", width: 4, signed: true).map { Int($0) }
        name = try table.string(4, "name") ?? ""
        operators = try table.tables(3, "operators", of: "Operator").map { table throws(DiagnosticError) in
            let optionsType = try table.unsigned(3, "builtin_options_type", width: 1)
            let options = try table.table(4, "builtin_options", of: "BuiltinOptions")
            return TFLiteOperator(opcodeIndex: Int(try table.unsigned(0, "opcode_index", width: 4)),
                                  inputs: try table.integers(1, "inputs", width: 4, signed: true).map { Int($0) },
                                  outputs: try table.integers(2, "outputs", width: 4, signed: true).map { Int($0) },
                                  options: try TFLiteOptions(type: Int(optionsType), table: options), offset: table.position)
        }
    }
}
