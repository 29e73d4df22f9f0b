import KilnDiagnostics
import KilnIR
import KilnNumerics

/// Converters of the ops transformer encoders add around their matrix products: comparisons
/// and selections of the attention mask, reductions of pooling and normalization heads,
/// broadcasting, casts of computed values and elementwise powers. Each folds into a constant
/// when its inputs are constants (``ImportContext/emit(_:_:outputs:outputTypes:fold:)``).
enum TransformerConverters {
    /// `Equal`, `Less`, `LessOrEqual`, `Greater`, `GreaterOrEqual`.
    static func compare(_ comparison: Comparison) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            try context.emitResult(.compare(comparison), [try context.input(0, "A"), try context.input(1, "B")])
        }
    }

    /// `And`, `Or`, `Xor`.
    static func logical(_ operation: LogicalOperation) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            try context.emitResult(.logical(operation), [try context.input(0, "A"), try context.input(1, "B")])
        }
    }

    /// `Max` / `Min` with one or more inputs, as a chain of binary maximum / minimum.
    static func extremum(_ operation: Operator) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            var inputs: [String] = []
            for index in context.node.inputs.indices where context.optionalInput(index) != nil {
                inputs.append(try context.input(index, "data_\(index)"))
            }
            guard var result = inputs.first else { throw context.error("\(context.node.opType) needs at least one input") }
            if inputs.count == 1 {
                try context.emitResult(.reshape(shape: try context.shape(of: result)), [result])
                return
            }
            for (position, next) in inputs.dropFirst().enumerated() {
                let last = position == inputs.count - 2
                result = try context.emit(operation, [result, next], outputs: last ? [try context.output(0)] : nil)[0]
            }
        }
    }

    /// `Where`: condition, X, Y.
    static func select(_ context: inout ImportContext) throws(DiagnosticError) {
        let inputs = [try context.input(0, "condition"), try context.input(1, "X"), try context.input(2, "Y")]
        try context.emitResult(.where, inputs)
    }

    /// `Expand` with a constant shape.
    static func expand(_ context: inout ImportContext) throws(DiagnosticError) {
        let shape = try context.integers(try context.constantInput(1, "shape"), "shape")
        guard shape.allSatisfy({ $0 >= 0 }) else { throw context.error("shape \(shape) has a negative size") }
        try context.emitResult(.expand(shape: shape), [try context.input(0, "input")])
    }

    /// `Pow`: float32 base and exponent.
    static func power(_ context: inout ImportContext) throws(DiagnosticError) {
        let base = try context.input(0, "X")
        var exponent = try context.input(1, "Y")
        if let constant = context.known[exponent], !constant.type.elementType.isFloat {
            exponent = context.constantValue(Tensor(shape: constant.shape, floats: constant.doubles.map { Float($0) }), "exponent")
        }
        try context.emitResult(.power, [base, exponent])
    }

    /// `ReduceSum` / `ReduceMax` / `ReduceMin` / `ReduceL2` / `ReduceMean`: axes as an attribute
    /// (or, from ReduceSum-13 and the others' opset 18, as an input), `keepdims` (default 1) and
    /// `noop_with_empty_axes`.
    static func reduce(_ reduction: Reduction?, axesInputSince: Int) -> ONNXConverter {
        { (context: inout ImportContext) throws(DiagnosticError) in
            let x = try context.input(0, "data")
            let rank = try context.shape(of: x).count
            let requested: [Int]?
            if context.opset >= axesInputSince {
                requested = try context.optionalConstantInput(1, "axes").map { t throws(DiagnosticError) in try context.integers(t, "axes") }
            } else {
                requested = try context.ints("axes")
            }
            let keep = try context.int("keepdims", default: 1) != 0
            let noopWhenEmpty = try context.int("noop_with_empty_axes", default: 0) != 0
            if (requested ?? []).isEmpty && noopWhenEmpty {
                try context.emitResult(.reshape(shape: try context.shape(of: x)), [x])
                return
            }
            var axes: [Int] = []
            for axis in requested ?? Array(0..<rank) { axes.append(try context.axis(axis, rank: rank, "axes")) }
            axes = Array(Set(axes)).sorted()
            if axes.isEmpty { axes = Array(0..<rank) }
            guard let reduction else {
                try context.emitResult(.mean(axes: axes, keepDimensions: keep), [x])
                return
            }
            try context.emitResult(.reduce(reduction, axes: axes, keepDimensions: keep), [x])
        }
    }
}
