/// The kind of value an attribute holds (`AttributeProto.AttributeType`), with ONNX's numbering.
public enum ONNXAttributeType: Int32, Sendable, Hashable, CaseIterable {
    /// No type: only valid for references to a function's attributes.
    case undefined = 0
    /// One float (`f`).
    case float = 1
    /// One integer (`i`).
    case int = 2
    /// One byte string (`s`).
    case string = 3
    /// One tensor (`t`).
    case tensor = 4
    /// One graph (`g`).
    case graph = 5
    /// A list of floats (`floats`).
    case floats = 6
    /// A list of integers (`ints`).
    case ints = 7
    /// A list of byte strings (`strings`).
    case strings = 8
    /// A list of tensors (`tensors`).
    case tensors = 9
    /// A list of graphs (`graphs`).
    case graphs = 10
    /// One sparse tensor (`sparse_tensor`); not supported by Kiln.
    case sparseTensor = 11
    /// A list of sparse tensors (`sparse_tensors`); not supported by Kiln.
    case sparseTensors = 12
    /// One type (`tp`).
    case typeProto = 13
    /// A list of types (`type_protos`).
    case typeProtos = 14
}
