/// One option a command accepts, as shown in its help and checked by the parser.
public struct OptionSpecification: Sendable, Hashable {
    /// What the option takes.
    public enum Arity: Sendable, Hashable {
        /// A switch with no value (`--all`).
        case flag
        /// Exactly one value (`--format json` or `--format=json`); given twice is a usage error.
        case single
        /// Any number of values, one per occurrence (`--vary A=1,2 --vary B=3`).
        case repeated
    }

    /// The long name including dashes (`--format`).
    public var name: String
    /// A one-letter alias including the dash (`-o`), if any.
    public var shortName: String?
    /// What the option takes.
    public var arity: Arity
    /// The placeholder shown in help (`FORMAT`).
    public var valueName: String
    /// The values allowed, if the option is a choice (`table`, `json`, `csv`).
    public var choices: [String]
    /// One line of help.
    public var help: String

    /// Creates an option specification.
    public init(_ name: String, short shortName: String? = nil, arity: Arity = .single, valueName: String = "VALUE",
                choices: [String] = [], help: String) {
        self.name = name
        self.shortName = shortName
        self.arity = arity
        self.valueName = valueName
        self.choices = choices
        self.help = help
    }

    /// A flag option.
    public static func flag(_ name: String, help: String) -> OptionSpecification {
        OptionSpecification(name, arity: .flag, help: help)
    }

    /// `--format` with the given choices.
    public static func format(_ choices: [String], help: String = "output format") -> OptionSpecification {
        OptionSpecification("--format", valueName: "FORMAT", choices: choices, help: "\(help): \(choices.joined(separator: ", ")) (default \(choices[0]))")
    }

    /// `--target-dir DIR`: a folder of extra target descriptions.
    public static let targetDirectory = OptionSpecification("--target-dir", arity: .repeated, valueName: "DIR",
                                                            help: "also load every *.json target description in DIR")

    /// `--override`: a target file may reuse a built-in target's name and replace it.
    public static let overrideBuiltIn = OptionSpecification.flag(
        "--override", help: "let a target file reuse a built-in target's name and replace it (an error otherwise)")

    /// `--calibration C.npy`: representative inputs (Kiln's one calibration policy, ``KilnEvaluation/EvaluationModel``).
    public static let calibration = OptionSpecification(
        "--calibration", valueName: "C.npy",
        help: "representative inputs: quantize a float MODEL and let narrow formats choose their ranges")

    /// `--folding FILE`: per-layer PE / SIMD / memory style for dataflow targets (FINN's folding configuration).
    public static let folding = OptionSpecification(
        "--folding", valueName: "FILE",
        help: "dataflow targets: per-layer PE, SIMD, ram_style, resType from a FINN folding-config JSON (default: Kiln's search)")
}
