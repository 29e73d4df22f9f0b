import KilnDiagnostics
import KilnTargets

/// The cost of one inference of a program: per step and in total.
public struct ProgramCost: Sendable {
    /// The resource a step occupies for its time: the accelerator, the host CPU, or the host
    /// link between them. A kernel's ``TargetProgram/Placement`` (where legalization put it, and
    /// why) decides between the first two; a ``TargetProgram/Transfer`` occupies the link.
    public enum Resource: String, Sendable, Hashable {
        /// A kernel on the accelerator.
        case accelerator
        /// A kernel on the host (a fallback).
        case host
        /// A transfer over the host link.
        case link
    }

    /// The cost of one step.
    public struct Step: Sendable {
        /// The graph nodes of the step (or the value moved, for a transfer).
        public var layer: String
        /// The kernel name, or `transfer`.
        public var kernel: String
        /// The resource it occupies.
        public var resource: Resource
        /// The actions it performs.
        public var counts: ActionCounts
        /// Its cycles on the machine that runs it (the host's cycles for host steps).
        public var cost: KernelCost
        /// Its time in seconds.
        public var seconds: Double
        /// Its energy (without static power, which is charged to the whole run).
        public var energy: EnergyBreakdown
    }

    /// The steps, in program order.
    public var steps: [Step]
    /// How the accelerator's kernel cycles combine.
    public var acceleratorTiming: ProgramTiming
    /// Seconds for one inference: accelerator latency plus host steps plus transfers, plus the
    /// selected stack's run call (``runSeconds``).
    public var latencySeconds: Double
    /// Inferences per second in steady state, end to end: the accelerator's interval plus every
    /// host step and host-link transfer of an inference (which do not overlap the accelerator).
    public var inferencesPerSecond: Double
    /// Inferences per second of the accelerator alone in steady state: its clock over its
    /// interval cycles, without host steps or transfers; nil when no kernel runs on it.
    public var acceleratorInferencesPerSecond: Double?
    /// The whole run's energy, with static power over the latency.
    public var energy: EnergyBreakdown
    /// Useful operations on the accelerator over its peak operations in the accelerator's time.
    public var utilization: Double
    /// What dominates the latency.
    public var bound: PerformanceBound
    /// Seconds of the selected software stack's run call outside every step
    /// (``SoftwareStack/runCycles``), included in the latency; 0 when the stack does not model it.
    public var runSeconds: Double = 0
}

/// Turns a program's action counts into cycles, seconds and joules with the family's cycle model,
/// the target's energy table, the host target's models for host steps (``HostCycleModel`` from its
/// `hostCompute` rates, else its family's model), and the host link for transfers. A target that
/// runs its own software stack (no host link) adds the selected stack's fixed cycles per node
/// (``SoftwareStack/fixedCycles(of:float:)`` of ``TargetDescription/stack``, else `hostCompute`'s
/// `operatorDispatchCycles`) to every kernel, and the stack's run call once per inference
/// (``SoftwareStack/runCycles``).
public struct CostEstimator: Sendable {
    /// The compiler (for the backends' cycle models).
    public let compiler: Compiler
    /// The catalog in which host targets are looked up.
    public let catalog: TargetCatalog

    /// Creates an estimator.
    public init(compiler: Compiler, catalog: TargetCatalog) {
        self.compiler = compiler
        self.catalog = catalog
    }

    /// Estimates one inference.
    /// - Parameter stepCounts: counts measured by the functional simulator, one per step; nil
    ///   uses the kernels' cost-only counts (the two must agree).
    public func estimate(_ program: TargetProgram, stepCounts: [ActionCounts]? = nil) throws(DiagnosticError) -> ProgramCost {
        let target = program.target
        let model = try compiler.backend(for: target).cycleModel(for: target, plan: program.plan)
        let host = target.host.flatMap { catalog.target(named: $0.target) } ?? target
        let hostModel = try compiler.backend(for: host).cycleModel(for: host)
        let hostCompute = HostCycleModel(target: host)
        // A target that runs its own stack (no host link) pays the stack's fixed cycles per kernel
        // (dispatch plus its operator's set-up): the selected stack's, else the dispatch its
        // `hostCompute` gives.
        func fixedCycles(_ kernel: any TargetKernel) -> Double {
            guard target.host == nil else { return 0 }
            if let stack = target.stack { return stack.fixedCycles(of: kernel.nodes.first?.operation.kind, float: false) }
            return target.hostCompute?.operatorDispatchCycles?.value ?? 0
        }
        let acceleratorHertz = target.clockMegahertz.value * 1e6
        let hostHertz = host.clockMegahertz.value * 1e6
        let energyModel = EnergyModel(target: target)
        let hostEnergyModel = EnergyModel(target: host)

        var steps: [ProgramCost.Step] = []
        var acceleratorCosts: [KernelCost] = []
        var offAcceleratorSeconds = 0.0
        var hostSeconds = 0.0
        var usefulOperations = 0.0
        for (index, step) in program.steps.enumerated() {
            switch step {
            case .transfer(let transfer):
                var counts = stepCounts?[index] ?? ActionCounts()
                counts.hostLinkBytes = transfer.bytes
                let link = target.host
                let seconds = (link?.latencyMicroseconds.value ?? 0) * 1e-6
                    + Double(transfer.bytes) / max((link?.bandwidthMegabytesPerSecond.value ?? .infinity) * 1e6, 1e-9)
                offAcceleratorSeconds += seconds
                steps.append(.init(layer: transfer.value, kernel: "transfer", resource: .link, counts: counts,
                                   cost: KernelCost(computeCycles: 0, memoryStallCycles: 0, overheadCycles: seconds * acceleratorHertz, bound: .hostLink),
                                   seconds: seconds, energy: energyModel.energy(of: counts, seconds: 0)))
            case .kernel(let kernelStep):
                let counts = stepCounts?[index] ?? kernelStep.kernel.countActions()
                let layer = kernelStep.kernel.nodes.map(\.name).joined(separator: "+")
                if kernelStep.placement == .accelerator {
                    var cost = model.cost(of: kernelStep.kernel, counts: counts)
                    cost.overheadCycles += fixedCycles(kernelStep.kernel)
                    acceleratorCosts.append(cost)
                    usefulOperations += counts.operations
                    steps.append(.init(layer: layer, kernel: kernelStep.kernel.name, resource: .accelerator, counts: counts, cost: cost,
                                       seconds: cost.totalCycles / acceleratorHertz, energy: energyModel.energy(of: counts, seconds: 0)))
                } else {
                    var cost: KernelCost
                    if let hostCompute, let hostKernel = kernelStep.kernel as? HostKernel {
                        cost = hostCompute.cost(of: hostKernel, counts: counts)
                    } else {
                        cost = hostModel.cost(of: kernelStep.kernel, counts: counts)
                    }
                    cost.bound = .host
                    let seconds = cost.totalCycles / hostHertz
                    offAcceleratorSeconds += seconds
                    hostSeconds += seconds
                    steps.append(.init(layer: layer, kernel: kernelStep.kernel.name, resource: .host, counts: counts, cost: cost,
                                       seconds: seconds, energy: hostEnergyModel.energy(of: counts, seconds: 0)))
                }
            }
        }
        let timing = model.timing(of: acceleratorCosts)
        let runSeconds = target.host == nil ? (target.stack?.runCycles?.value ?? 0) / acceleratorHertz : 0
        let latency = timing.latencyCycles / acceleratorHertz + offAcceleratorSeconds + runSeconds
        let interval = max(timing.intervalCycles / acceleratorHertz + offAcceleratorSeconds + runSeconds, 1e-12)
        var energy = EnergyBreakdown()
        for step in steps { energy.add(step.energy) }
        energy.staticEnergy = target.energy.staticPowerMilliwatts.value * 1e-3 * latency
        // A separate host draws its own static power while it runs the ops the target cannot.
        if let link = target.host, !link.sameDevice, host.name != target.name {
            energy.staticEnergy += host.energy.staticPowerMilliwatts.value * 1e-3 * hostSeconds
        }
        let peak = target.familyDetails.peakOperationsPerCycle * Double(target.cores.value)
        let acceleratorCycles = acceleratorCosts.reduce(0) { $0 + $1.totalCycles }
        let utilization = acceleratorCycles > 0 && peak > 0 ? min(1, usefulOperations / (peak * acceleratorCycles)) : 0

        var secondsByBound: [PerformanceBound: Double] = [:]
        for step in steps {
            let parts: [(PerformanceBound, Double)]
            if step.resource == .accelerator {
                parts = [(PerformanceBound.compute, step.cost.computeCycles / acceleratorHertz),
                         (PerformanceBound.memory, step.cost.memoryStallCycles / acceleratorHertz),
                         (PerformanceBound.overhead, step.cost.overheadCycles / acceleratorHertz)]
            } else {
                parts = [(step.cost.bound, step.seconds)]
            }
            for (bound, seconds) in parts { secondsByBound[bound, default: 0] += seconds }
        }
        secondsByBound[.overhead, default: 0] += runSeconds
        let bound = PerformanceBound.allCases.max { (secondsByBound[$0] ?? 0) < (secondsByBound[$1] ?? 0) } ?? .compute
        let acceleratorRate = timing.intervalCycles > 0 ? acceleratorHertz / timing.intervalCycles : nil
        return ProgramCost(steps: steps, acceleratorTiming: timing, latencySeconds: latency, inferencesPerSecond: 1 / interval,
                           acceleratorInferencesPerSecond: acceleratorRate,
                           energy: energy, utilization: utilization, bound: bound, runSeconds: runSeconds)
    }
}
