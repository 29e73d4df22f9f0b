/// The value of a node attribute, by kind.
public enum ONNXAttributeValue: Sendable, Equatable {
    /// A float (`FLOAT`).
    case float(Float)
    /// An integer (`INT`).
    case int(Int64)
    /// A byte string (`STRING`), UTF-8 by convention.
    case string([UInt8])
    /// A tensor (`TENSOR`).
    case tensor(ONNXTensor)
    /// A subgraph (`GRAPH`), such as the branches of `If`.
    case graph(ONNXGraph)
    /// A list of floats (`FLOATS`).
    case floats([Float])
    /// A list of integers (`INTS`).
    case ints([Int64])
    /// A list of byte strings (`STRINGS`).
    case strings([[UInt8]])
    /// A list of tensors (`TENSORS`).
    case tensors([ONNXTensor])
    /// A list of subgraphs (`GRAPHS`).
    case graphs([ONNXGraph])
    /// A type (`TYPE_PROTO`).
    case type(ONNXType)
    /// A list of types (`TYPE_PROTOS`).
    case types([ONNXType])
    /// No value: the attribute refers to an attribute of the enclosing function (`ref_attr_name`).
    case reference
}
