import Foundation
import KilnDiagnostics
import KilnJSON

/// Reads and validates one target description file.
///
/// Every finding in the file is collected before the loader gives up, each naming the file and
/// the JSON path (`targets/m7.json: error: at memory[1].readBytesPerCycle: expected a positive
/// number, got -4`). Checks that need other targets (host chains) are done by ``TargetCatalog``.
public struct TargetLoader: Sendable {
    /// What the loader enforces beyond the schema.
    public struct Options: Sendable, Hashable {
        /// Whether every cost number must carry a source (on for built-in targets).
        public var requireSources: Bool

        /// Creates options.
        public init(requireSources: Bool = false) {
            self.requireSources = requireSources
        }
    }

    /// The schema version this loader reads.
    public static let schemaVersion = 2

    /// The families this loader accepts, by name.
    public let families: [any TargetFamilySchema]
    /// What the loader enforces.
    public let options: Options

    /// Creates a loader.
    /// - Parameters:
    ///   - families: the families to accept (a backend registry's `targetFamilies`).
    ///   - options: what to enforce.
    public init(families: [any TargetFamilySchema], options: Options = Options()) {
        self.families = families
        self.options = options
    }

    /// The family schema registered under `name`.
    public func family(named name: String) -> (any TargetFamilySchema)? {
        families.first { $0.name == name }
    }

    /// Reads a target file.
    /// - Parameters:
    ///   - url: the file.
    ///   - displayName: the name used in findings (defaults to the path as given).
    /// - Throws: ``DiagnosticError`` with every finding.
    public func load(contentsOf url: URL, displayName: String? = nil) throws(DiagnosticError) -> TargetDescription {
        let name = displayName ?? url.path
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DiagnosticError(Diagnostic(.error, "cannot read the file: \(error.localizedDescription)", at: SourceLocation(file: name)))
        }
        return try load(bytes: [UInt8](data), file: name)
    }

    /// Decodes and validates a target description from bytes.
    /// - Parameters:
    ///   - bytes: the file's contents.
    ///   - file: the file name used in findings.
    /// - Throws: ``DiagnosticError`` with every finding.
    public func load(bytes: [UInt8], file: String) throws(DiagnosticError) -> TargetDescription {
        let root = try JSONParser().parse(bytes, file: file)
        return try decode(root, file: file)
    }

    /// Validates a parsed document.
    /// - Throws: ``DiagnosticError`` with every finding.
    public func decode(_ root: JSONValue, file: String) throws(DiagnosticError) -> TargetDescription {
        let context = JSONDecodingContext(file: file)
        let result = decode(root, file: file, context: context)
        try context.throwIfErrors()
        guard let result else {
            throw DiagnosticError(Diagnostic(.error, "the target description is invalid", at: SourceLocation(file: file)))
        }
        return result
    }

    private func decode(_ root: JSONValue, file: String, context: JSONDecodingContext) -> TargetDescription? {
        guard let object = root.objectValue else {
            context.error("expected a target description object, got \(root.summary)", at: .root)
            return nil
        }
        // The family section's key depends on "family", so read that first.
        let familyName = object["family"]?.stringValue
        let familySchema = familyName.flatMap { self.family(named: $0) }
        var fields = TargetDescription.schema.fields
        if let familyName, !familyName.isEmpty {
            fields.append(TargetField(familyName, "object", "The family section."))
        }
        let rootSection = TargetSchemaSection(path: "", fields: fields)
        guard let reader = TargetSectionReader(root, at: .root, section: rootSection,
                                               requireSources: options.requireSources, context: context) else { return nil }

        if let version = reader.integer("schemaVersion", in: Int64.min...Int64.max), version != TargetLoader.schemaVersion {
            reader.error("unsupported schema version \(version); this Kiln reads version \(TargetLoader.schemaVersion)", at: "schemaVersion")
        }
        let name = reader.string("name")
        if let name, !TargetLoader.isValidName(name) {
            reader.error("target name '\(name)' must be lowercase letters, digits, '-', '_' or '.'", at: "name")
        }
        let family = reader.string("family")
        if let family, familySchema == nil {
            let known = families.map(\.name)
            var message = "unknown family '\(family)'; registered families: \(known.joined(separator: ", "))"
            if let close = closestMatch(to: family, among: known) { message += " (did you mean '\(close)'?)" }
            reader.error(message, at: "family")
        }
        let description = reader.string("description")
        let clock = reader.sourcedNumber("clockMegahertz", .positive)
        let cores = reader.sourcedInteger("cores", in: 1...1_000_000)
        let numerics = reader.section("numerics", TargetNumerics.schema).flatMap(TargetNumerics.init)
        let memory = decodeMemory(reader)
        let operations = decodeOperations(reader, numerics: numerics)
        let energy = decodeEnergy(reader, numerics: numerics, family: familySchema)
        let host = reader.section("host", HostLink.schema).flatMap(HostLink.init)
        let hostCompute = reader.section("hostCompute", HostCompute.schema).flatMap(HostCompute.init)
        let stacks = decodeStacks(reader)
        if let host, let name, host.target == name {
            reader.context.error("host target '\(name)' is this target itself; a host chain must not loop", at: reader.path(of: "host").appending(key: "target"))
        }

        var details: (any TargetFamilySection)?
        var familyValue: JSONValue?
        if let familyName, let familySchema {
            if let value = object[familyName] {
                familyValue = value
                let common = TargetCommonPart(numerics: numerics, memory: memory, clockMegahertz: clock?.value)
                if let sectionSchema = familySchema.sections.first,
                   let familyReader = TargetSectionReader(value, at: JSONPath.root.appending(key: familyName), section: sectionSchema,
                                                          requireSources: options.requireSources, context: context) {
                    details = familySchema.decode(familyReader, common: common)
                }
            } else {
                context.error("missing the '\(familyName)' section required by family '\(familyName)'", at: .root)
            }
        }

        guard !context.hasErrors, let name, let family, let description, let clock, let cores, let numerics, let memory,
              let operations, let energy, let details, familyValue != nil,
              reader.contains("host") == (host != nil), reader.contains("hostCompute") == (hostCompute != nil), let stacks else { return nil }
        return TargetDescription(file: file, name: name, family: family, description: description, clockMegahertz: clock,
                                 cores: cores, numerics: numerics, memory: memory, operations: operations, energy: energy,
                                 host: host, hostCompute: hostCompute, stacks: stacks, document: root, familyDetails: details)
    }

    /// The `stacks` array (empty when absent); nil if an entry is invalid or a name repeats.
    private func decodeStacks(_ reader: TargetSectionReader) -> [SoftwareStack]? {
        guard reader.contains("stacks") else { return [] }
        guard let entries = reader.sections("stacks", SoftwareStack.schema, allowEmpty: false) else { return nil }
        var stacks: [SoftwareStack] = []
        for entry in entries {
            guard let stack = SoftwareStack(entry) else { continue }
            if stacks.contains(where: { $0.name == stack.name }) {
                entry.error("stack name '\(stack.name)' is used twice", at: "name")
            }
            stacks.append(stack)
        }
        return stacks.count == entries.count ? stacks : nil
    }

    private func decodeMemory(_ reader: TargetSectionReader) -> [MemoryLevel]? {
        guard let entries = reader.sections("memory", MemoryLevel.schema, allowEmpty: false) else { return nil }
        var levels: [MemoryLevel] = []
        for entry in entries {
            guard let level = MemoryLevel(entry) else { continue }
            if levels.contains(where: { $0.name == level.name }) {
                entry.error("memory level name '\(level.name)' is used twice", at: "name")
            }
            levels.append(level)
        }
        guard levels.count == entries.count else { return nil }
        if !levels.contains(where: \.holdsWeights) {
            reader.error("no memory level holds weights; set holdsWeights on at least one", at: "memory")
        }
        if !levels.contains(where: \.holdsActivations) {
            reader.error("no memory level holds activations; set holdsActivations on at least one", at: "memory")
        }
        return levels
    }

    private func decodeOperations(_ reader: TargetSectionReader, numerics: TargetNumerics?) -> [OperationSupport]? {
        guard let entries = reader.sections("ops", OperationSupport.schema, allowEmpty: false) else { return nil }
        var operations: [OperationSupport] = []
        for entry in entries {
            guard let operation = OperationSupport(entry) else { continue }
            if operations.contains(where: { $0.operation == operation.operation }) {
                entry.error("op '\(operation.operation.rawValue)' is declared twice", at: "op")
            }
            if let storage = numerics?.storageFormats {
                for (index, format) in operation.formats.enumerated() where !storage.contains(format) {
                    reader.context.error("op '\(operation.operation.rawValue)' is declared at '\(format.name)', which numerics.storageFormats lacks (it has \(storage.map(\.name).joined(separator: ", ")))",
                                         at: entry.path(of: "formats").appending(index: index))
                }
            }
            operations.append(operation)
        }
        return operations.count == entries.count ? operations : nil
    }

    private func decodeEnergy(_ reader: TargetSectionReader, numerics: TargetNumerics?, family: (any TargetFamilySchema)?) -> EnergyTable? {
        guard let section = reader.section("energy", EnergyTable.schema), let table = EnergyTable(section) else { return nil }
        let declared = families.flatMap(\.actionKinds).map(\.name)
        for (index, entry) in table.actions.enumerated() where !declared.contains(entry.action) {
            var message = "no registered family counts an action '\(entry.action)'"
            if let close = closestMatch(to: entry.action, among: declared) { message += " (did you mean '\(close)'?)" }
            reader.context.error(message, at: section.path(of: "actions").appending(index: index).appending(key: "action"))
        }
        for kind in family?.actionKinds ?? [] where table.picojoules(forAction: kind.name) == nil {
            reader.context.error("family '\(family?.name ?? "")' counts '\(kind.name)' actions; energy.actions must give their energy",
                                 at: section.path)
        }
        if let storage = numerics?.storageFormats {
            for (index, entry) in table.multiplyAccumulate.enumerated() where !storage.contains(entry.format) {
                reader.context.error("MAC energy is given for '\(entry.format.name)', which numerics.storageFormats lacks",
                                     at: section.path(of: "multiplyAccumulate").appending(index: index).appending(key: "format"))
            }
        }
        return table
    }

    /// Whether `name` is a legal target name: non-empty, lowercase ASCII letters, digits, `-`, `_`, `.`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "."
        }
    }
}
