/// An instruction (or a hardware unit's operation) that a kernel issues, as instruction-level
/// cycle models count it. Each family declares the instructions its kernels issue as static
/// members in an extension (`Instruction.thresholdCompare`), or makes them from the mnemonics a
/// target file or an emitted loop names.
public struct Instruction: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The mnemonic or unit operation (`smlad`, `int8-unit.mac`), as listings and JSON show it.
    public let name: String

    /// The instruction called `name`.
    public init(_ name: String) {
        self.name = name
    }

    /// The name.
    public var description: String { name }

    /// Orders instructions by name, the order of listings and JSON.
    public static func < (a: Self, b: Self) -> Bool { a.name < b.name }
}
