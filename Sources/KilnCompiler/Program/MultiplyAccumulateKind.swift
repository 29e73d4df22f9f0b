import KilnNumerics

/// The operand formats of a multiply-accumulate: the activation (left) and weight (right)
/// element types. Energy models price a MAC by these formats; a comparison's format column
/// shows them as ``label``.
public struct MultiplyAccumulateKind: Sendable, Hashable, Comparable {
    /// The left operand's element type (the activation).
    public let left: ElementType
    /// The right operand's element type (the weight).
    public let right: ElementType

    /// A MAC of `left` × `right` operands.
    public init(_ left: ElementType, _ right: ElementType) {
        self.left = left
        self.right = right
    }

    /// Both operand formats, left first.
    public var operands: [ElementType] { [left, right] }

    /// The formats as listings and comparisons show them (`u8×i8`).
    public var label: String { "\(left.name)×\(right.name)" }

    /// Orders kinds by ``label``, the order of listings and JSON.
    public static func < (a: Self, b: Self) -> Bool { a.label < b.label }
}
