import KilnCompiler
import KilnTargets

/// Cycles of the systolic-array kernels from Kiln's reproduction of SCALE-Sim v3
/// (``SystolicArrayModel``): each GEMM unit is costed as SCALE-Sim costs a GEMM layer of the
/// same M, N, K on the target's array (rows, columns, dataflow, SRAM sizes, bandwidth mode);
/// grouped convolutions run their groups one after another, as SCALE-Sim runs depthwise layers.
/// Other kernels use the roofline.
struct SystolicCycleModel: CycleModel {
    let target: TargetDescription
    let model: SystolicArrayModel?
    let roofline: RooflineCycleModel

    init(target: TargetDescription) {
        self.target = target
        model = target.section(SystolicSection.self).map { SystolicArrayModel(configuration: SystolicArrayConfiguration($0)) }
        roofline = RooflineCycleModel(target: target)
    }

    /// SCALE-Sim's cycles for a GEMM unit: compute = total − stalls, stalls, and the prefetch
    /// before the first fold as overhead.
    func cost(of kernel: any TargetKernel, counts: ActionCounts) -> KernelCost {
        guard let unit = kernel as? SystolicGEMMUnit, let model else { return roofline.cost(of: kernel, counts: counts) }
        let tiling = unit.tiling
        guard let estimate = try? model.estimate(.gemm(name: unit.name, m: tiling.m, n: tiling.n, k: tiling.k)) else {
            return roofline.cost(of: kernel, counts: counts)
        }
        let groups = Double(unit.groups)
        let stall = Double(estimate.stallCycles) * groups
        let compute = Double(estimate.totalCycles - estimate.stallCycles) * groups
        let prefetch = Double(estimate.totalCyclesIncludingPrefetch - estimate.totalCycles) * groups
        return KernelCost(computeCycles: compute, memoryStallCycles: stall, overheadCycles: prefetch,
                          bound: stall > compute ? .memory : .compute)
    }
}
