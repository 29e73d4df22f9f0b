extension Graph {
    /// The multiply-accumulates a node performs (0 for ops that do not multiply and accumulate).
    ///
    /// conv2d: `N · O · OH · OW · (C / groups) · KH · KW`; dense: `rows · K · N`;
    /// matmul: `batch · M · K · N`. Saturates at `Int.max` rather than overflowing.
    public func macCount(of node: Node) -> Int {
        guard OperatorKind.multiplyAccumulate.contains(node.kind),
              let output = node.outputs.first.flatMap({ types[$0] }),
              let weightName = node.input(1), let weight = types[weightName],
              let x = node.input(0).flatMap({ types[$0] }) else { return 0 }
        let reduction: Int
        switch node.operation {
        case .conv2d:
            guard weight.shape.count == 4 else { return 0 }
            reduction = weight.shape[1] * weight.shape[2] * weight.shape[3]
        case .dense:
            reduction = weight.shape.first ?? 0
        default:
            reduction = x.shape.last ?? 0
        }
        let (product, overflow) = (Shape.elementCount(output.shape) ?? Int.max).multipliedReportingOverflow(by: reduction)
        return overflow ? Int.max : product
    }

    /// The total multiply-accumulates of all nodes.
    public var totalMACCount: Int {
        nodes.reduce(0) { total, node in
            let (sum, overflow) = total.addingReportingOverflow(macCount(of: node))
            return overflow ? Int.max : sum
        }
    }

    /// The number of weight elements (constants read by conv2d / dense / matmul as weights).
    public var weightElementCount: Int {
        var names = Set<String>()
        for node in nodes where OperatorKind.multiplyAccumulate.contains(node.kind) {
            if let weight = node.input(1), constants[weight] != nil { names.insert(weight) }
        }
        return names.reduce(0) { $0 + (constants[$1]?.count ?? 0) }
    }
}
