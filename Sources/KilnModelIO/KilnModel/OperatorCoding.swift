import KilnIR
import KilnJSON

/// How each operator's attributes are written to and read from a Kiln model file.
///
/// One row per operator kind: the attribute keys it has, how to write them, and how to read
/// them back (recording findings at their JSON paths).
struct OperatorCoding {
    /// The keys of the `attributes` object.
    let keys: [String]
    /// Writes the operator's attributes.
    let encode: (Operator) -> [(String, JSONValue)]
    /// Reads the operator from its `attributes` object (nil after recording a finding).
    let decode: (JSONObjectReader) -> Operator?

    /// The coding of every operator kind.
    static func coding(for kind: OperatorKind) -> OperatorCoding {
        switch kind {
        case .conv2d:
            return OperatorCoding(keys: ["strides", "dilations", "pads", "groups"], encode: { operation in
                guard case .conv2d(let a) = operation else { return [] }
                return [("strides", ints(a.strides)), ("dilations", ints(a.dilations)), ("pads", ints(a.pads)),
                        ("groups", .integer(Int64(a.groups)))]
            }, decode: { reader in
                guard let strides = intList(reader, "strides", count: 2, minimum: 1),
                      let dilations = intList(reader, "dilations", count: 2, minimum: 1),
                      let pads = intList(reader, "pads", count: 4, minimum: 0),
                      let groups = reader.integer("groups", in: 1...Int64(Int32.max)) else { return nil }
                return .conv2d(Convolution(strides: strides, dilations: dilations, pads: pads, groups: groups))
            })
        case .maxPool, .averagePool:
            let keys = ["kernel", "strides", "pads", "dilations", "ceilMode", "countIncludePad"]
            return OperatorCoding(keys: keys, encode: { operation in
                let a: Pooling
                switch operation {
                case .maxPool(let p), .averagePool(let p): a = p
                default: return []
                }
                return [("kernel", ints(a.kernel)), ("strides", ints(a.strides)), ("pads", ints(a.pads)),
                        ("dilations", ints(a.dilations)), ("ceilMode", .bool(a.ceilMode)), ("countIncludePad", .bool(a.countIncludePad))]
            }, decode: { reader in
                guard let kernel = intList(reader, "kernel", count: 2, minimum: 1),
                      let strides = intList(reader, "strides", count: 2, minimum: 1),
                      let pads = intList(reader, "pads", count: 4, minimum: 0),
                      let dilations = intList(reader, "dilations", count: 2, minimum: 1),
                      let ceilMode = reader.bool("ceilMode"), let countIncludePad = reader.bool("countIncludePad") else { return nil }
                let pooling = Pooling(kernel: kernel, strides: strides, pads: pads, dilations: dilations,
                                      ceilMode: ceilMode, countIncludePad: countIncludePad)
                return kind == .maxPool ? .maxPool(pooling) : .averagePool(pooling)
            })
        case .leakyRelu:
            return floatAttribute("alpha", { if case .leakyRelu(let alpha) = $0 { alpha } else { nil } }, { .leakyRelu(alpha: $0) })
        case .clip:
            return OperatorCoding(keys: ["minimum", "maximum"], encode: { operation in
                guard case .clip(let minimum, let maximum) = operation else { return [] }
                return [("minimum", minimum.map { .number(Double($0)) } ?? .null), ("maximum", maximum.map { .number(Double($0)) } ?? .null)]
            }, decode: { reader in
                let bounds = ["minimum", "maximum"].map { key -> Float?? in
                    guard let value = reader.required(key) else { return nil }
                    if value == .null { return .some(nil) }
                    return float(value, reader.path(of: key), reader.context).map { .some($0) }
                }
                guard let minimum = bounds[0], let maximum = bounds[1] else { return nil }
                return .clip(minimum: minimum, maximum: maximum)
            })
        case .hardSigmoid:
            return OperatorCoding(keys: ["alpha", "beta"], encode: { operation in
                guard case .hardSigmoid(let alpha, let beta) = operation else { return [] }
                return [("alpha", .number(Double(alpha))), ("beta", .number(Double(beta)))]
            }, decode: { reader in
                guard let alpha = reader.required("alpha", { float($0, $1, reader.context) }),
                      let beta = reader.required("beta", { float($0, $1, reader.context) }) else { return nil }
                return .hardSigmoid(alpha: alpha, beta: beta)
            })
        case .gelu:
            return OperatorCoding(keys: ["approximation"], encode: { operation in
                guard case .gelu(let approximation) = operation else { return [] }
                return [("approximation", .string(approximation.rawValue))]
            }, decode: { reader in
                reader.choice("approximation", as: GeluApproximation.self).map { .gelu(approximation: $0) }
            })
        case .reshape:
            return intsAttribute("shape", minimum: 0, { if case .reshape(let shape) = $0 { shape } else { nil } }, { .reshape(shape: $0) })
        case .flatten:
            return intAttribute("axis", minimum: 0, { if case .flatten(let axis) = $0 { axis } else { nil } }, { .flatten(axis: $0) })
        case .transpose:
            return intsAttribute("permutation", minimum: 0, { if case .transpose(let p) = $0 { p } else { nil } }, { .transpose(permutation: $0) })
        case .concat:
            return intAttribute("axis", minimum: 0, { if case .concat(let axis) = $0 { axis } else { nil } }, { .concat(axis: $0) })
        case .squeeze:
            return intsAttribute("axes", minimum: 0, { if case .squeeze(let axes) = $0 { axes } else { nil } }, { .squeeze(axes: $0) })
        case .unsqueeze:
            return intsAttribute("axes", minimum: 0, { if case .unsqueeze(let axes) = $0 { axes } else { nil } }, { .unsqueeze(axes: $0) })
        case .softmax:
            return intAttribute("axis", minimum: Int(Int32.min), { if case .softmax(let axis) = $0 { axis } else { nil } }, { .softmax(axis: $0) })
        case .pad:
            return OperatorCoding(keys: ["pads", "mode", "value"], encode: { operation in
                guard case .pad(let a) = operation else { return [] }
                return [("pads", ints(a.pads)), ("mode", .string(a.mode.rawValue)), ("value", .number(Double(a.value)))]
            }, decode: { reader in
                guard let pads = reader.array("pads", { reader.context.integer($0, at: $1, in: 0...Int64(Int32.max)) }),
                      let mode = reader.choice("mode", as: Padding.Mode.self),
                      let value = reader.required("value", { float($0, $1, reader.context) }) else { return nil }
                return .pad(Padding(pads: pads, mode: mode, value: value))
            })
        case .batchNorm:
            return floatAttribute("epsilon", { if case .batchNorm(let epsilon) = $0 { epsilon } else { nil } }, { .batchNorm(epsilon: $0) })
        case .layerNorm:
            return OperatorCoding(keys: ["axis", "epsilon"], encode: { operation in
                guard case .layerNorm(let axis, let epsilon) = operation else { return [] }
                return [("axis", .integer(Int64(axis))), ("epsilon", .number(Double(epsilon)))]
            }, decode: { reader in
                guard let axis = reader.integer("axis", in: Int64(Int32.min)...Int64(Int32.max)),
                      let epsilon = reader.required("epsilon", { float($0, $1, reader.context) }) else { return nil }
                return .layerNorm(axis: axis, epsilon: epsilon)
            })
        case .multiThreshold:
            return OperatorCoding(keys: ["offset", "channelAxis"], encode: { operation in
                guard case .multiThreshold(let a) = operation else { return [] }
                return [("offset", .integer(Int64(a.offset))), ("channelAxis", .integer(Int64(a.channelAxis)))]
            }, decode: { reader in
                guard let offset = reader.integer("offset", in: Int64(Int32.min)...Int64(Int32.max)),
                      let axis = reader.integer("channelAxis", in: 0...64) else { return nil }
                return .multiThreshold(MultiThreshold(offset: offset, channelAxis: axis))
            })
        case .mean:
            return OperatorCoding(keys: ["axes", "keepDimensions"], encode: { operation in
                guard case .mean(let axes, let keep) = operation else { return [] }
                return [("axes", ints(axes)), ("keepDimensions", .bool(keep))]
            }, decode: { reader in
                guard let axes = reader.array("axes", { reader.context.integer($0, at: $1, in: 0...64) }),
                      let keep = reader.bool("keepDimensions") else { return nil }
                return .mean(axes: axes, keepDimensions: keep)
            })
        case .slice:
            return OperatorCoding(keys: ["starts", "counts", "steps"], encode: { operation in
                guard case .slice(let a) = operation else { return [] }
                return [("starts", ints(a.starts)), ("counts", ints(a.counts)), ("steps", ints(a.steps))]
            }, decode: { reader in
                let integer = { (key: String) in reader.array(key, { reader.context.integer($0, at: $1, in: Int64(Int32.min)...Int64(Int32.max)) }) }
                guard let starts = integer("starts"), let counts = integer("counts"), let steps = integer("steps") else { return nil }
                return .slice(Slice(starts: starts, counts: counts, steps: steps))
            })
        case .gather:
            return OperatorCoding(keys: ["axis"], encode: { operation in
                guard case .gather(let axis) = operation else { return [] }
                return [("axis", .integer(Int64(axis)))]
            }, decode: { reader in reader.integer("axis", in: 0...64).map { .gather(axis: $0) } })
        case .resize:
            return OperatorCoding(keys: ["mode", "size", "alignCorners", "halfPixelCenters"], encode: { operation in
                guard case .resize(let a) = operation else { return [] }
                return [("mode", .string(a.mode.rawValue)), ("size", ints(a.size)), ("alignCorners", .bool(a.alignCorners)),
                        ("halfPixelCenters", .bool(a.halfPixelCenters))]
            }, decode: { reader in
                guard let mode = reader.choice("mode", as: Resize.Mode.self), let size = intList(reader, "size", count: 2, minimum: 1),
                      let align = reader.bool("alignCorners"), let half = reader.bool("halfPixelCenters") else { return nil }
                return .resize(Resize(mode: mode, size: size, alignCorners: align, halfPixelCenters: half))
            })
        case .expand:
            return intsAttribute("shape", minimum: 0, { if case .expand(let shape) = $0 { shape } else { nil } }, { .expand(shape: $0) })
        case .compare:
            return OperatorCoding(keys: ["comparison"], encode: { operation in
                guard case .compare(let comparison) = operation else { return [] }
                return [("comparison", .string(comparison.rawValue))]
            }, decode: { reader in reader.choice("comparison", as: Comparison.self).map { .compare($0) } })
        case .logical:
            return OperatorCoding(keys: ["operation"], encode: { operation in
                guard case .logical(let logical) = operation else { return [] }
                return [("operation", .string(logical.rawValue))]
            }, decode: { reader in reader.choice("operation", as: LogicalOperation.self).map { .logical($0) } })
        case .reduceSum, .reduceMax, .reduceMin, .reduceL2:
            let reduction = Reduction.allCases.first { $0.kind == kind } ?? .sum
            return OperatorCoding(keys: ["axes", "keepDimensions"], encode: { operation in
                guard case .reduce(_, let axes, let keep) = operation else { return [] }
                return [("axes", ints(axes)), ("keepDimensions", .bool(keep))]
            }, decode: { reader in
                guard let axes = reader.array("axes", { reader.context.integer($0, at: $1, in: 0...64) }),
                      let keep = reader.bool("keepDimensions") else { return nil }
                return .reduce(reduction, axes: axes, keepDimensions: keep)
            })
        case .dense, .matmul, .add, .sub, .mul, .div, .relu, .sigmoid, .tanh, .hardSwish, .erf,
             .globalAveragePool, .globalMaxPool, .quantize, .dequantize, .requantize, .dynamicQuantize, .sign, .squaredDifference, .rsqrt,
             .cast, .where, .maximum, .minimum, .power, .sqrt, .round:
            let bare: Operator
            switch kind {
            case .dense: bare = .dense
            case .matmul: bare = .matmul
            case .add: bare = .add
            case .sub: bare = .sub
            case .mul: bare = .mul
            case .div: bare = .div
            case .relu: bare = .relu
            case .sigmoid: bare = .sigmoid
            case .tanh: bare = .tanh
            case .hardSwish: bare = .hardSwish
            case .erf: bare = .erf
            case .globalAveragePool: bare = .globalAveragePool
            case .globalMaxPool: bare = .globalMaxPool
            case .quantize: bare = .quantize
            case .dequantize: bare = .dequantize
            case .requantize: bare = .requantize
            case .dynamicQuantize: bare = .dynamicQuantize
            case .squaredDifference: bare = .squaredDifference
            case .rsqrt: bare = .rsqrt
            case .cast: bare = .cast
            case .where: bare = .where
            case .maximum: bare = .maximum
            case .minimum: bare = .minimum
            case .power: bare = .power
            case .sqrt: bare = .sqrt
            case .round: bare = .round
            default: bare = .sign
            }
            return OperatorCoding(keys: [], encode: { _ in [] }, decode: { _ in bare })
        }
    }

    private static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }

    private static func intList(_ reader: JSONObjectReader, _ key: String, count: Int, minimum: Int64) -> [Int]? {
        guard let values = reader.array(key, { reader.context.integer($0, at: $1, in: minimum...Int64(Int32.max)) }) else { return nil }
        guard values.count == count else {
            reader.context.error("expected \(count) integers ≥ \(minimum), got \(values.count) valid", at: reader.path(of: key))
            return nil
        }
        return values
    }

    private static func float(_ value: JSONValue, _ path: JSONPath, _ context: JSONDecodingContext) -> Float? {
        guard let number = context.number(value, at: path) else { return nil }
        let single = Float(number)
        guard single.isFinite else {
            context.error("\(number) is outside the float32 range", at: path)
            return nil
        }
        return single
    }

    private static func floatAttribute(_ key: String, _ get: @escaping (Operator) -> Float?, _ make: @escaping (Float) -> Operator) -> OperatorCoding {
        OperatorCoding(keys: [key], encode: { get($0).map { [(key, .number(Double($0)))] } ?? [] },
                       decode: { reader in reader.required(key, { float($0, $1, reader.context) }).map(make) })
    }

    private static func intAttribute(_ key: String, minimum: Int, _ get: @escaping (Operator) -> Int?, _ make: @escaping (Int) -> Operator) -> OperatorCoding {
        OperatorCoding(keys: [key], encode: { get($0).map { [(key, .integer(Int64($0)))] } ?? [] },
                       decode: { reader in reader.integer(key, in: Int64(minimum)...Int64(Int32.max)).map(make) })
    }

    private static func intsAttribute(_ key: String, minimum: Int64, _ get: @escaping (Operator) -> [Int]?, _ make: @escaping ([Int]) -> Operator) -> OperatorCoding {
        OperatorCoding(keys: [key], encode: { get($0).map { [(key, ints($0))] } ?? [] },
                       decode: { reader in reader.array(key, { reader.context.integer($0, at: $1, in: minimum...Int64(Int32.max)) }).map(make) })
    }
}
