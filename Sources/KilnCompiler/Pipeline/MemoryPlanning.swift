import KilnDiagnostics
import KilnIR
import KilnTargets

/// Places the accelerator's values in its memory levels: all weights (at the size their kernels
/// store them, ``TargetKernel/storedConstantBytes``, with the constants the target adds,
/// ``TargetKernel/addedConstantBytes``) in the nearest level that holds weights and has room, activations
/// (at the size their writers store them, ``TargetKernel/storedOutputBytes``)
/// and each kernel's working buffers (``TargetKernel/workingBuffers``) in a liveness-based arena
/// (Vela's allocator, ``ArenaAllocation``, with the family's ``ArenaSearch``;
/// an output sharing an input's buffer, ``TargetKernel/outputBufferReuse``, takes that buffer) in
/// the nearest level that holds activations and has room for the arena's peak. On a target with
/// no host link (a CPU or MCU), the nodes that fall back run on it too and are planned with it.
///
/// Live ranges follow Vela's (`LiveRangeGraph::ExtractLiveRangesFromCascades`, regor
/// `live_range.cpp`): step *i* runs at time 2*i* and hands over at 2*i* + 1 (``WorkingBuffer``);
/// a step whose output is a view of its input moves nothing and takes no time; a value is live
/// from the first step touching it to the hand-over of the last, a network input from time 0, a
/// network output to the hand-over after the last step. The arena takes the values in the order
/// steps first touch them, each step's working buffers before its inputs and outputs (Vela's
/// live-range order, which decides ties in its allocator).
struct MemoryPlanning {
    let target: TargetDescription
    /// How the arena's offsets are searched for.
    var search: ArenaSearch = .orderedSwaps

    /// The bytes a value of this type occupies (sub-byte types packed).
    static func bytes(of type: TensorType) -> Int {
        let count = Shape.elementCount(type.shape) ?? Int.max
        let (bits, overflow) = count.multipliedReportingOverflow(by: type.elementType.bitWidth)
        return overflow ? Int.max : (bits + 7) / 8
    }

    /// Where everything went.
    struct Plan {
        var buffers: [TargetProgram.Buffer]
        var peakBytesPerLevel: [String: Int]
        var weightBytes: Int
        var peakActivationBytes: Int
    }

    func run(graph: Graph, steps: [TargetProgram.Step]) throws(DiagnosticError) -> Plan {
        // Values the accelerator touches, with the first and last times where they are live.
        var firstUse: [String: Int] = [:]
        var lastUse: [String: Int] = [:]
        var touched: [String] = []
        var weights = Set<String>()
        var stored: [String: Int] = [:]
        var working: [String: Int] = [:]
        var storedOutputs: [String: Int] = [:]
        var stepTimes: [Int] = []
        var time = 0
        for (index, step) in steps.enumerated() {
            stepTimes.append(time)
            // A target without a host runs its fallback nodes itself, in its own memory.
            guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator || target.host == nil else {
                time += 2
                continue
            }
            let kernel = kernelStep.kernel
            let isView = if case .view = kernel.outputBufferReuse { true } else { false }
            stored.merge(kernel.storedConstantBytes, uniquingKeysWith: max)
            for (name, bytes) in kernel.addedConstantBytes {
                weights.insert(name)
                stored[name] = bytes
            }
            storedOutputs.merge(kernel.storedOutputBytes, uniquingKeysWith: max)
            for (number, buffer) in kernel.workingBuffers.enumerated() where buffer.bytes > 0 {
                let name = "\(kernel.name) working buffer #\(index)" + (number > 0 ? ".\(number)" : "")
                working[name] = buffer.bytes
                firstUse[name] = max(time - (buffer.fillsDuringPreviousStep ? 1 : 0), 0)
                lastUse[name] = time + (buffer.heldThroughHandOver ? 1 : 0)
                touched.append(name)
            }
            for name in kernel.inputs + kernel.outputs {
                if graph.constants[name] != nil { weights.insert(name); continue }
                if !isView { touched.append(name) }
                firstUse[name] = min(firstUse[name] ?? time, time)
                lastUse[name] = max(lastUse[name] ?? time + 1, time + 1)
            }
            if !isView { time += 2 }
        }
        for name in graph.inputs where firstUse[name] != nil { firstUse[name] = 0 }
        for name in graph.outputs where lastUse[name] != nil { lastUse[name] = time + 1 }
        func activationSize(_ name: String) -> Int { working[name] ?? storedOutputs[name] ?? Self.bytes(of: graph.types[name]!) }
        let holders = sharedBuffers(steps: steps, times: stepTimes, size: activationSize, firstUse: &firstUse, lastUse: &lastUse)

        func weightSize(_ name: String) -> Int { stored[name] ?? Self.bytes(of: graph.types[name]!) }
        let weightBytes = weights.sorted().reduce(0) { $0 + weightSize($1) }
        // Arena for activations, allocated as Vela's tensor allocator does (``ArenaAllocation``), in
        // the order steps first touch them (values only views touch last, by name).
        var listed = Set<String>()
        var names = touched.map { holders[$0] ?? $0 }.filter { firstUse[$0] != nil && listed.insert($0).inserted }
        names += firstUse.keys.sorted().filter { listed.insert($0).inserted }
        let sizes = names.map(activationSize)
        // Every sum the allocator forms is at most the total of the sizes rounded up to its
        // alignment, so a total that fits in Int keeps it from overflowing.
        let padding = search.alignment - 1
        let (total, overflow) = sizes.reduce((0, false)) { sum, size in
            let (next, overflow) = sum.0.addingReportingOverflow(size)
            let (padded, paddingOverflow) = next.addingReportingOverflow(padding)
            return (padded, sum.1 || overflow || paddingOverflow)
        }
        guard !overflow else {
            throw doesNotFit("activations need more than \(Int.max) bytes", weightBytes: weightBytes, activationPeak: total)
        }
        let arena = ArenaAllocation.allocate(names.indices.map { ArenaAllocation.LiveRange(bytes: sizes[$0], first: firstUse[names[$0]]!, last: lastUse[names[$0]]!) },
                                             search: search)
        let placed = names.indices.map { (name: names[$0], offset: arena.offsets[$0], bytes: sizes[$0]) }
        let activationPeak = arena.end

        guard let weightLevel = target.memory.first(where: { $0.holdsWeights && $0.sizeBytes.value >= weightBytes }) else {
            throw doesNotFit("weights need \(weightBytes) bytes", weightBytes: weightBytes, activationPeak: activationPeak)
        }
        guard let activationLevel = target.memory.first(where: { level in
            level.holdsActivations && level.sizeBytes.value - (level.name == weightLevel.name ? weightBytes : 0) >= activationPeak
        }) else {
            throw doesNotFit("activations need \(activationPeak) bytes at their peak", weightBytes: weightBytes, activationPeak: activationPeak)
        }
        var buffers: [TargetProgram.Buffer] = []
        var weightOffset = 0
        for name in weights.sorted() {
            let size = weightSize(name)
            buffers.append(.init(value: name, level: weightLevel.name, offset: weightOffset, bytes: size, isConstant: true))
            weightOffset += size
        }
        let activationBase = activationLevel.name == weightLevel.name ? weightBytes : 0
        let sharing = Dictionary(grouping: holders.keys.sorted(), by: { holders[$0]! })
        for entry in placed.sorted(by: { ($0.offset, $0.name) < ($1.offset, $1.name) }) {
            for value in [entry.name] + (sharing[entry.name] ?? []) {
                buffers.append(.init(value: value, level: activationLevel.name, offset: activationBase + entry.offset,
                                     bytes: entry.bytes, isConstant: false))
            }
        }
        var peak: [String: Int] = [:]
        if weightBytes > 0 { peak[weightLevel.name, default: 0] += weightBytes }
        if activationPeak > 0 { peak[activationLevel.name, default: 0] += activationPeak }
        return Plan(buffers: buffers, peakBytesPerLevel: peak, weightBytes: weightBytes, peakActivationBytes: activationPeak)
    }

    /// Gives each kernel output that shares an input's buffer (``TargetKernel/outputBufferReuse``)
    /// to the value holding that buffer: the holder's live range grows to cover the output's, and
    /// the output leaves the arena's list. An in-place output takes an input only at the input's
    /// last read and at the output's size. `times`: each step's time. Returns each sharing value's holder.
    private func sharedBuffers(steps: [TargetProgram.Step], times: [Int], size: (String) -> Int,
                               firstUse: inout [String: Int], lastUse: inout [String: Int]) -> [String: String] {
        var holders: [String: String] = [:]
        for (index, step) in steps.enumerated() {
            guard case .kernel(let kernelStep) = step, kernelStep.placement == .accelerator || target.host == nil,
                  let reuse = kernelStep.kernel.outputBufferReuse, let output = kernelStep.kernel.outputs.first,
                  let outputFirst = firstUse[output], let outputLast = lastUse[output] else { continue }
            let candidates: [String]
            let overwrites: Bool
            switch reuse {
            case .view(let input): (candidates, overwrites) = ([input], false)
            case .inPlace(let inputs): (candidates, overwrites) = (inputs, true)
            }
            for input in candidates where firstUse[holders[input] ?? input] != nil {
                let holder = holders[input] ?? input
                guard size(holder) == size(output), let holderLast = lastUse[holder], !overwrites || holderLast == times[index] + 1 else { continue }
                holders[output] = holder
                firstUse[holder] = min(firstUse[holder]!, outputFirst)
                lastUse[holder] = max(holderLast, outputLast)
                firstUse[output] = nil
                lastUse[output] = nil
                break
            }
        }
        return holders
    }

    private func doesNotFit(_ what: String, weightBytes: Int, activationPeak: Int) -> DiagnosticError {
        let levels = target.memory.map { level -> String in
            var holds: [String] = []
            if level.holdsWeights { holds.append("weights") }
            if level.holdsActivations { holds.append("activations") }
            return "\(level.name) \(level.sizeBytes.value) bytes (\(holds.joined(separator: ", ")))"
        }
        return DiagnosticError(.error("the model does not fit on \(target.name): \(what) (weights \(weightBytes) bytes, activation peak \(activationPeak) bytes); memory levels: \(levels.joined(separator: "; "))",
                                      file: target.file))
    }
}
