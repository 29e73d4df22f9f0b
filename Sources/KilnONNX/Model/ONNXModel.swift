import Foundation
import KilnDiagnostics

/// A decoded ONNX model file (`ModelProto`).
///
/// Only the wire format is decoded here: the structs mirror ONNX's messages with Swift
/// types. Checking the graph's semantics and converting it to Kiln's IR happen later.
public struct ONNXModel: Sendable, Equatable, ProtobufDecodable {
    /// The oldest IR version Kiln reads (IR 3 introduced `opset_import`).
    public static let minimumIRVersion: Int64 = 3

    /// The ONNX IR version the file follows.
    public var irVersion: Int64
    /// The operator sets the model imports.
    public var opsetImports: [ONNXOperatorSetID]
    /// The tool that wrote the file.
    public var producerName: String
    /// The version of that tool.
    public var producerVersion: String
    /// The model's domain (a reverse domain name).
    public var domain: String
    /// The model's version.
    public var modelVersion: Int64
    /// Human-readable documentation.
    public var docString: String
    /// The main graph.
    public var graph: ONNXGraph
    /// Named metadata values.
    public var metadataProps: [ONNXStringStringEntry]

    /// Creates a model from its parts.
    public init(
        irVersion: Int64, opsetImports: [ONNXOperatorSetID], producerName: String = "",
        producerVersion: String = "", domain: String = "", modelVersion: Int64 = 0,
        docString: String = "", graph: ONNXGraph, metadataProps: [ONNXStringStringEntry] = []
    ) {
        self.irVersion = irVersion
        self.opsetImports = opsetImports
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.domain = domain
        self.modelVersion = modelVersion
        self.docString = docString
        self.graph = graph
        self.metadataProps = metadataProps
    }

    /// Reads and decodes an `.onnx` file, loading tensors stored in external data files.
    ///
    /// - Parameters:
    ///   - url: the model file.
    ///   - loadExternalData: whether to read external tensor data (from files in the model's
    ///     directory) into ``ONNXTensor/rawData``.
    public init(contentsOf url: URL, loadExternalData: Bool = true) throws(DiagnosticError) {
        let fileName = url.relativePath
        let bytes = try readFileBytes(url, fileName: fileName)
        try self.init(bytes: bytes, fileName: fileName,
                      externalDataDirectory: loadExternalData ? url.deletingLastPathComponent() : nil)
    }

    /// Decodes a serialized `ModelProto`.
    ///
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - fileName: the file's name as the user gave it, for error locations.
    ///   - externalDataDirectory: the directory external data files are read from; if `nil`,
    ///     external tensors are left unloaded and ``ONNXTensor/values()`` reports them.
    public init(bytes: [UInt8], fileName: String? = nil, externalDataDirectory: URL? = nil) throws(DiagnosticError) {
        var reader = ProtobufReader(bytes: bytes, fileName: fileName)
        try self.init(protobuf: &reader)
        if let externalDataDirectory {
            do {
                try graph.loadExternalData(relativeTo: externalDataDirectory)
            } catch {
                throw fileName.map { error.inFile($0) } ?? error
            }
        }
    }

    /// Decodes a `ModelProto`, rejecting IR versions before 3 and models without a graph.
    public init(protobuf reader: inout ProtobufReader) throws(DiagnosticError) {
        var irVersion: Int64?
        var opsetImports: [ONNXOperatorSetID] = []
        var producerName = "", producerVersion = "", domain = "", docString = ""
        var modelVersion: Int64 = 0
        var graph: ONNXGraph?
        var metadataProps: [ONNXStringStringEntry] = []
        while let tag = try reader.readTag(in: "ModelProto") {
            switch tag.fieldNumber {
            case 1: irVersion = try reader.readInt64(tag, field: "ModelProto.ir_version")
            case 8:
                let opset: ONNXOperatorSetID = try withinPlace("opset_import[\(opsetImports.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "ModelProto.opset_import")
                }
                opsetImports.append(opset)
            case 2: producerName = try reader.readString(tag, field: "ModelProto.producer_name")
            case 3: producerVersion = try reader.readString(tag, field: "ModelProto.producer_version")
            case 4: domain = try reader.readString(tag, field: "ModelProto.domain")
            case 5: modelVersion = try reader.readInt64(tag, field: "ModelProto.model_version")
            case 6: docString = try reader.readString(tag, field: "ModelProto.doc_string")
            case 7:
                graph = try withinPlace("graph") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "ModelProto.graph")
                }
            case 14:
                let entry: ONNXStringStringEntry = try withinPlace("metadata_props[\(metadataProps.count)]") { () throws(DiagnosticError) in
                    try reader.readMessage(tag, field: "ModelProto.metadata_props")
                }
                metadataProps.append(entry)
            default:
                // training_info (20), functions (25), configuration (26) and future fields.
                try reader.skipField(tag, in: "ModelProto")
            }
        }
        guard let irVersion else {
            throw reader.error("the model has no ir_version (is this an ONNX model file?)", at: 0)
        }
        guard irVersion >= Self.minimumIRVersion else {
            throw reader.error("ONNX IR version \(irVersion) is not supported (Kiln reads IR version \(Self.minimumIRVersion) and later)", at: 0)
        }
        guard let graph else {
            throw reader.error("the model has no graph", at: 0)
        }
        self.init(irVersion: irVersion, opsetImports: opsetImports, producerName: producerName,
                  producerVersion: producerVersion, domain: domain, modelVersion: modelVersion,
                  docString: docString, graph: graph, metadataProps: metadataProps)
    }

    /// The version of the operator set imported for `domain` (`""` and `ai.onnx` are the same
    /// domain), or `nil` if the model does not import it.
    public func opsetVersion(for domain: String) -> Int64? {
        let wanted = domain == "ai.onnx" ? "" : domain
        return opsetImports.last { ($0.domain == "ai.onnx" ? "" : $0.domain) == wanted }?.version
    }
}
