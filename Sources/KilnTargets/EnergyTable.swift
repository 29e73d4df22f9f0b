import KilnJSON
import KilnNumerics

/// Energy per action for a target's compute (memory levels carry their own access energy).
///
/// Simulators count actions per component; energy is counts × this table.
public struct EnergyTable: Sendable, Hashable {
    /// The energy of one multiply-accumulate at one operand format.
    public struct MultiplyAccumulate: Sendable, Hashable {
        /// The operand format.
        public let format: ElementType
        /// Energy of one MAC in picojoules.
        public let picojoules: Sourced<Double>

        /// Creates an entry.
        public init(format: ElementType, picojoules: Sourced<Double>) {
            self.format = format
            self.picojoules = picojoules
        }
    }

    /// The energy of one action of a kind a family declares (``ActionKind``).
    public struct Action: Sendable, Hashable {
        /// The action's name (``ActionKind/name``).
        public let action: String
        /// Energy of one action in picojoules.
        public let picojoules: Sourced<Double>

        /// Creates an entry.
        public init(action: String, picojoules: Sourced<Double>) {
            self.action = action
            self.picojoules = picojoules
        }
    }

    /// MAC energy by operand format.
    public let multiplyAccumulate: [MultiplyAccumulate]
    /// Energy of the families' own actions, by name.
    public let actions: [Action]
    /// Energy of one ALU operation (add, compare, shift), in picojoules.
    public let aluOperationPicojoules: Sourced<Double>
    /// Energy of one register-file access, in picojoules.
    public let registerAccessPicojoules: Sourced<Double>
    /// Static (leakage and idle) power in milliwatts, charged for the duration of a run.
    public let staticPowerMilliwatts: Sourced<Double>

    /// The MAC energy for `format`, if listed.
    public func picojoulesPerMultiplyAccumulate(_ format: ElementType) -> Double? {
        multiplyAccumulate.first { $0.format == format }?.picojoules.value
    }

    /// The energy of one action named `name`, if listed.
    public func picojoules(forAction name: String) -> Double? {
        actions.first { $0.action == name }?.picojoules.value
    }

    /// The schema of the `energy` object.
    public static let schema = TargetSchemaSection(path: "energy", fields: [
        TargetField("multiplyAccumulate", "array of objects", "MAC energy by operand format (see `energy.multiplyAccumulate[]`)."),
        .optional("actions", "array of objects", "Energy of actions a family counts besides MACs and ALU operations (see `energy.actions[]`)."),
        .cost("aluOperationPicojoules", "sourced number ≥ 0", "Energy of one ALU operation (add, compare, shift), in pJ.").plausible(0...1e6),
        .cost("registerAccessPicojoules", "sourced number ≥ 0", "Energy of one register-file access, in pJ.").plausible(0...1e6),
        .cost("staticPowerMilliwatts", "sourced number ≥ 0", "Static power in mW, charged for the duration of a run.").plausible(0...1e7),
    ])

    /// The schema of one `energy.multiplyAccumulate[]` element.
    public static let multiplyAccumulateSchema = TargetSchemaSection(path: "energy.multiplyAccumulate[]", fields: [
        TargetField("format", "element-type name", "Operand format; must be in `numerics.storageFormats`."),
        .cost("picojoules", "sourced number ≥ 0", "Energy of one multiply-accumulate at this format, in pJ.").plausible(0...1e6),
    ])

    /// The schema of one `energy.actions[]` element.
    public static let actionSchema = TargetSchemaSection(path: "energy.actions[]", fields: [
        TargetField("action", "string", "The action's name, as a registered family declares it (its `actionKinds`)."),
        .cost("picojoules", "sourced number ≥ 0", "Energy of one such action, in pJ.").plausible(0...1e6),
    ])

    /// Creates a table from its parts.
    public init(multiplyAccumulate: [MultiplyAccumulate], actions: [Action] = [],
                aluOperationPicojoules: Sourced<Double>, registerAccessPicojoules: Sourced<Double>,
                staticPowerMilliwatts: Sourced<Double>) {
        self.multiplyAccumulate = multiplyAccumulate
        self.actions = actions
        self.aluOperationPicojoules = aluOperationPicojoules
        self.registerAccessPicojoules = registerAccessPicojoules
        self.staticPowerMilliwatts = staticPowerMilliwatts
    }

    /// Decodes the `energy` object, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let entries = reader.sections("multiplyAccumulate", EnergyTable.multiplyAccumulateSchema, allowEmpty: false)
        var macs: [MultiplyAccumulate] = []
        var macsOK = entries != nil
        for entry in entries ?? [] {
            let name = entry.string("format")
            let energy = entry.sourcedNumber("picojoules", .nonNegative)
            guard let name, let energy else { macsOK = false; continue }
            guard let format = ElementType(name: name) else {
                entry.error("unknown element type '\(name)'", at: "format")
                macsOK = false
                continue
            }
            if macs.contains(where: { $0.format == format }) {
                entry.error("format '\(name)' is listed twice in energy.multiplyAccumulate", at: "format")
                macsOK = false
            }
            macs.append(MultiplyAccumulate(format: format, picojoules: energy))
        }
        var actions: [Action] = []
        let actionEntries = reader.sections("actions", EnergyTable.actionSchema, allowEmpty: false)
        var actionsOK = actionEntries != nil || !reader.contains("actions")
        for entry in actionEntries ?? [] {
            guard let name = entry.string("action"), let energy = entry.sourcedNumber("picojoules", .nonNegative) else {
                actionsOK = false
                continue
            }
            if actions.contains(where: { $0.action == name }) {
                entry.error("action '\(name)' is listed twice in energy.actions", at: "action")
                actionsOK = false
            }
            actions.append(Action(action: name, picojoules: energy))
        }
        let alu = reader.sourcedNumber("aluOperationPicojoules", .nonNegative)
        let register = reader.sourcedNumber("registerAccessPicojoules", .nonNegative)
        let power = reader.sourcedNumber("staticPowerMilliwatts", .nonNegative)
        guard macsOK, actionsOK, let alu, let register, let power else { return nil }
        self.init(multiplyAccumulate: macs, actions: actions, aluOperationPicojoules: alu,
                  registerAccessPicojoules: register, staticPowerMilliwatts: power)
    }
}
