/// The whole target description schema as data: every object's fields, for the field reference
/// in `docs/target-format.md` and for tools.
public enum TargetSchema {
    /// The common sections, in document order.
    public static let commonSections: [TargetSchemaSection] = [
        TargetDescription.schema, TargetNumerics.schema, MemoryLevel.schema, OperationSupport.schema,
        EnergyTable.schema, EnergyTable.multiplyAccumulateSchema, EnergyTable.actionSchema, HostLink.schema,
        HostCompute.schema, SoftwareStack.schema, SoftwareStack.operatorCyclesSchema,
    ]

    /// The common sections followed by each family's sections.
    /// - Parameter families: the registered families (a backend registry's `targetFamilies`).
    public static func sections(families: [any TargetFamilySchema]) -> [TargetSchemaSection] {
        commonSections + families.flatMap(\.sections)
    }

    /// Every field's path pattern (`memory[].sizeBytes`, `energy.actions[].picojoules`), in document order.
    public static func fieldPaths(families: [any TargetFamilySchema]) -> [String] {
        sections(families: families).flatMap(\.fieldPaths)
    }

    /// The path patterns of every cost field (those that built-in targets must source).
    public static func costFieldPaths(families: [any TargetFamilySchema]) -> [String] {
        sections(families: families).flatMap { section in
            section.fields.filter(\.isCost).map { section.path.isEmpty ? $0.key : "\(section.path).\($0.key)" }
        }
    }

    /// A Markdown table of one section's fields: `| Field | Type | Plausible | Required | Cost | Meaning |`.
    public static func markdownTable(_ section: TargetSchemaSection) -> String {
        var lines = ["| Field | Type | Plausible | Required | Cost | Meaning |", "|---|---|---|---|---|---|"]
        for (field, path) in zip(section.fields, section.fieldPaths) {
            lines.append("| `\(path)` | \(field.type) | \(field.plausibleRangeText) | \(field.isRequired ? "yes" : "no") | \(field.isCost ? "yes" : "no") | \(field.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
