import KilnIR
import KilnJSON
import KilnNumerics

/// A validated target description: the common part typed, and the family section kept both
/// as its validated JSON subtree and as the family's typed section.
public struct TargetDescription: Sendable {
    /// The file it was read from, as the user named it (or the built-in's `targets/NAME.json`).
    public let file: String
    /// The target's name, unique within a catalog (`stm32h743-cortex-m7`).
    public let name: String
    /// The family name: the name of a registered family (a backend's ``TargetFamilySchema``).
    public let family: String
    /// One sentence saying what the part is.
    public let description: String
    /// Core clock in MHz.
    public let clockMegahertz: Sourced<Double>
    /// Number of cores or accelerator instances that run in parallel.
    public let cores: Sourced<Int>
    /// Supported number formats and arithmetic.
    public let numerics: TargetNumerics
    /// The memory hierarchy, nearest level first.
    public let memory: [MemoryLevel]
    /// The ops that run on the accelerator, with their limits.
    public let operations: [OperationSupport]
    /// Energy per action and static power.
    public let energy: EnergyTable
    /// The link to the host that runs ops this target cannot, if any.
    public let host: HostLink?
    /// The rates at which this target's general-purpose core runs nodes through its stack's
    /// generic kernels (host fallback), if it is a core that can run them.
    public let hostCompute: HostCompute?
    /// The software stacks that run models on the part, default first (empty: the family's own
    /// kernels, no stack named).
    public let stacks: [SoftwareStack]
    /// The stack the cost model prices: the first of `stacks` unless ``selecting(stack:)`` chose
    /// another; nil when the target declares none.
    public internal(set) var stack: SoftwareStack?
    /// The whole validated file as JSON (for `kiln targets show --json`).
    public let document: JSONValue
    /// The family section as validated JSON (for plugin families).
    public var familySection: JSONValue { document.objectValue?[family] ?? .null }
    /// The family section, typed by its family's decoder.
    public let familyDetails: any TargetFamilySection

    /// The schema of the top-level object (the family section's key is added per family).
    public static let schema = TargetSchemaSection(path: "", fields: [
        TargetField("schemaVersion", "integer, `2`", "Version of this schema; this Kiln reads version 2.").plausible(1...1000),
        TargetField("name", "string", "Unique target name, used by `--target NAME` and by `host.target`; by convention the file name without `.json`."),
        TargetField("family", "string", "Accelerator family: the name of a family registered with the tool (a built-in backend or a plugin). The file must have a section with this key."),
        TargetField("description", "string", "One sentence naming the part."),
        .cost("clockMegahertz", "sourced number > 0", "Core (or fabric) clock in MHz.").plausible(0.001...100_000),
        .cost("cores", "sourced integer ≥ 1", "Cores or accelerator instances that run in parallel.").plausible(1...1_000_000),
        TargetField("numerics", "object", "Number formats and arithmetic (see `numerics`)."),
        TargetField("memory", "array of objects", "Memory hierarchy, nearest level first (see `memory[]`)."),
        TargetField("ops", "array of objects", "Op set: the IR ops that run on the accelerator, with limits (see `ops[]`)."),
        TargetField("energy", "object", "Energy per action and static power (see `energy`)."),
        .optional("host", "object", "Host link for ops that fall back (see `host`). Absent for a target that is itself a host."),
        .optional("hostCompute", "object", "Rates of the general-purpose core for nodes that fall back to it (see `hostCompute`). Given by a target that runs its own fallback nodes or is another target's host."),
        .optional("stacks", "array of objects", "Software stacks that run models on the part, the default first (see `stacks[]`); `--stack NAME` selects another."),
    ])

    /// Creates a description from validated parts.
    public init(file: String, name: String, family: String, description: String, clockMegahertz: Sourced<Double>,
                cores: Sourced<Int>, numerics: TargetNumerics, memory: [MemoryLevel], operations: [OperationSupport],
                energy: EnergyTable, host: HostLink?, hostCompute: HostCompute? = nil, stacks: [SoftwareStack] = [], document: JSONValue,
                familyDetails: any TargetFamilySection) {
        self.file = file
        self.name = name
        self.family = family
        self.description = description
        self.clockMegahertz = clockMegahertz
        self.cores = cores
        self.numerics = numerics
        self.memory = memory
        self.operations = operations
        self.energy = energy
        self.host = host
        self.hostCompute = hostCompute
        self.stacks = stacks
        self.stack = stacks.first
        self.document = document
        self.familyDetails = familyDetails
    }

    /// The family section typed as `type`, or nil if this target's family decodes to another
    /// type: how a family reads its own section (`target.section(MyFamilySection.self)`).
    public func section<Section: TargetFamilySection>(_ type: Section.Type) -> Section? {
        familyDetails as? Section
    }

    /// Peak operations per second over all cores (a MAC counts as two operations).
    public var peakOperationsPerSecond: Double {
        familyDetails.peakOperationsPerCycle * clockMegahertz.value * 1e6 * Double(cores.value)
    }

    /// The total size of on-chip memory levels in bytes (saturating at `Int.max`).
    public var onChipMemoryBytes: Int {
        memory.filter(\.onChip).reduce(0) { total, level in
            let (sum, overflow) = total.addingReportingOverflow(level.sizeBytes.value)
            return overflow ? Int.max : sum
        }
    }

    /// The op entry for `operation`, if the accelerator runs it.
    public func support(for operation: OperatorKind) -> OperationSupport? {
        operations.first { $0.operation == operation }
    }
}
