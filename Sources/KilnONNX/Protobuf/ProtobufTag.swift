/// The key in front of every protobuf field: its field number and wire type.
public struct ProtobufTag: Sendable, Hashable {
    /// The field number from the `.proto` definition (1 ... 2^29 - 1).
    public var fieldNumber: Int
    /// How the field's value is encoded.
    public var wireType: ProtobufWireType
    /// The byte offset of the tag's first byte in the buffer being read.
    public var offset: Int

    /// Creates a tag.
    public init(fieldNumber: Int, wireType: ProtobufWireType, offset: Int) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
        self.offset = offset
    }
}
