import KilnCompiler
import KilnIR
import KilnTargets

/// The NPU cycles of every pass with buffered weights charged as Vela charges them, and which
/// passes stage their weights in the default core (``EthosUWeightBuffering``), keyed by the name of
/// each NPU kernel's root node. Computed once per compilation from the kernels the lowering will
/// make, in graph order, because each pass's charge depends on the slack the pass before it leaves.
struct EthosUPlan: Sendable {
    let charges: [String: [EthosUWeightBuffering.Charge]]

    init(graph: Graph, target: TargetDescription) {
        guard let section = target.section(EthosUSection.self),
              let arena = target.memory.first(where: { $0.name == section.arena.memory }),
              let constants = target.memory.first(where: { $0.name == section.constants.memory }) else {
            charges = [:]
            return
        }
        let model = EthosUPerformance(section: section, arenaBytesPerCycle: arena.readBytesPerCycle.value,
                                      constantBytesPerCycle: constants.readBytesPerCycle.value)
        let context = LoweringContext(graph: graph, target: target)
        var fused = Set<String>()
        var order: [(root: String, count: Int)] = []
        var passes: [EthosUPass?] = []
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            if fused.contains(node.name) || EthosUKernel.passThrough.contains(node.kind) { continue }
            guard let kernel = try? EthosUKernel(nodeAt: index, in: context) else {
                passes.append(nil)  // on the host: the next NPU pass starts without slack
                continue
            }
            for covered in kernel.nodes.dropFirst() { fused.insert(covered.name) }
            order.append((node.name, kernel.passes.count))
            passes += kernel.passes
        }
        let charged = EthosUWeightBuffering(model: model, stagingLimitBytes: arena.sizeBytes.value).charges(passes).compactMap { $0 }
        var result: [String: [EthosUWeightBuffering.Charge]] = [:], next = 0
        for (root, count) in order {
            result[root] = Array(charged[next..<next + count])
            next += count
        }
        charges = result
    }
}
