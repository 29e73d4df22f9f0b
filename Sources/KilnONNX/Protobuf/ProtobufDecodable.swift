import KilnDiagnostics

/// A message that can decode itself from the protobuf wire format.
public protocol ProtobufDecodable {
    /// Decodes the message from every remaining byte of `reader`.
    /// - Parameter reader: a reader over exactly this message's bytes.
    init(protobuf reader: inout ProtobufReader) throws(DiagnosticError)
}
