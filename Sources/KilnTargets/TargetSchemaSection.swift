/// The fields of one JSON object in the target schema, and where that object sits.
public struct TargetSchemaSection: Sendable, Hashable {
    /// The path pattern of the object, with `[]` for array elements: `""` for the root,
    /// `memory[]`, `FAMILY.nested[]`.
    public let path: String
    /// The object's fields in schema order.
    public let fields: [TargetField]

    /// Creates a section.
    public init(path: String, fields: [TargetField]) {
        self.path = path
        self.fields = fields
    }

    /// The legal keys of the object.
    public var keys: [String] { fields.map(\.key) }

    /// The full path pattern of each field (`memory[].sizeBytes`).
    public var fieldPaths: [String] {
        fields.map { path.isEmpty ? $0.key : "\(path).\($0.key)" }
    }

    /// The field with `key`, if declared.
    public func field(_ key: String) -> TargetField? {
        fields.first { $0.key == key }
    }
}
