import KilnDiagnostics
import KilnIR
import KilnJSON

/// The kernel library a software stack dispatches a model's layers to. The family's cost model
/// reads it to pick, per layer, the kernel that library runs (its fast paths and their inner
/// loops); a family prices the libraries it knows and keeps its own kernels for the others.
public enum KernelLibrary: String, Sendable, Hashable, CaseIterable {
    /// Arm's CMSIS-NN s8 kernels (`arm_convolve_wrapper_s8`, `arm_depthwise_conv_wrapper_s8`,
    /// `arm_fully_connected_s8`), as TFLite Micro's `cmsis_nn` kernels and microTVM call them.
    case cmsisNN
    /// CMSIS-NN's s8 kernels as of CMSIS_5 commit 1150e71e (May 2020), the version TensorFlow
    /// 2.3.1's TFLite Micro downloads for `TAGS=cmsis-nn`: the same kernel families, but no
    /// depthwise wrapper (depth multiplier 1 runs `arm_depthwise_conv_s8_opt`), a 1×1 fast path
    /// only for stride 1 and input channels a multiple of 4, a 16-tap fully connected loop, and
    /// the older requantization (`arm_nn_sat_doubling_high_mult` + `arm_nn_divide_by_power_of_two`).
    case cmsisNN2020
    /// TFLite Micro's portable reference kernels (`tensorflow/lite/kernels/internal/reference`):
    /// scalar C loops, one multiply-accumulate per input element.
    case tfliteMicroReference
    /// ONNX Runtime's CPU execution provider with its MLAS kernels.
    case mlas
}

/// A software stack that runs models on a target: the runtime, the kernel library it dispatches
/// layers to, and the version whose kernels are modelled (the same silicon runs 2–5× apart under
/// different stacks, so a published measurement names the stack and version it ran).
///
/// A target lists its stacks in `stacks`; the first is the default, and `--stack NAME` selects
/// another (``TargetDescription/selecting(stack:)``).
public struct SoftwareStack: Sendable, Hashable {
    /// The name `--stack` takes (`tflm-cmsis-nn`).
    public let name: String
    /// One sentence naming the runtime and kernel library.
    public let description: String
    /// The versions whose kernels are modelled (a release, tag or commit of each part).
    public let version: String
    /// The kernel library layers dispatch to.
    public let kernels: KernelLibrary
    /// Fixed cycles the runtime spends per operator outside its kernel (interpreter dispatch,
    /// tensor look-ups, parameter set-up); 0 for ahead-of-time generated code.
    public let operatorDispatchCycles: Sourced<Double>
    /// Fixed cycles per node of an operator that the runtime spends beyond
    /// `operatorDispatchCycles` (its kernel's set-up: packed-weight look-up, im2col or
    /// indirection buffers, requantization parameters), measured on a node with no arithmetic.
    public let operatorCycles: [OperatorCycles]
    /// Cycles the stack's generic convolution path spends per output pixel and kernel row copying
    /// its im2col buffer, charged to the layers the family's cost model sends down that path
    /// (ONNX Runtime's QLinearConv when MLAS's symmetric convolution does not take the layer);
    /// nil: not modelled.
    public let im2colRowCycles: Sourced<Double>?
    /// Cycles the stack's indirect convolution spends per output pixel and kernel tap beyond its
    /// multiply-accumulates (ONNX Runtime's indirection buffer, one pointer per pixel and tap, and
    /// the per-tap pointer set-up of MLAS's symmetric convolution kernel), charged to the layers
    /// the family's cost model sends down that path; nil: not modelled.
    public let indirectionTapCycles: Sourced<Double>?
    /// The multiply-accumulates of one GEMM that justify each further thread: a GEMM of `M·N·K`
    /// MACs runs on `min(cores, ⌊M·N·K ÷ this⌋ + 1)` threads (ONNX Runtime's MLAS,
    /// `MLAS_QGEMM_THREAD_COMPLEXITY`); nil: every GEMM splits over all the cores.
    public let multiplyAccumulatesPerThread: Sourced<Double>?
    /// Fixed cycles of one inference outside its operators (the runtime's run call: binding the
    /// inputs and outputs, preparing the executor), charged once per inference; nil: not modelled.
    public let runCycles: Sourced<Double>?

    /// The threads a GEMM of `multiplyAccumulates` runs on out of `cores`.
    public func gemmThreads(multiplyAccumulates: Int, cores: Int) -> Int {
        guard let perThread = multiplyAccumulatesPerThread?.value, perThread > 0 else { return cores }
        return max(1, min(cores, Int(min(Double(multiplyAccumulates) / perThread, Double(cores))) + 1))
    }

    /// The fixed cycles of one operator's node in one arithmetic (`stacks[].operatorCycles[]`).
    public struct OperatorCycles: Sendable, Hashable {
        /// The operator.
        public let op: OperatorKind
        /// True for the float kernel, false for the quantized one: a runtime runs them
        /// through different code (ONNX Runtime's Conv and QLinearConv).
        public let float: Bool
        /// Cycles per node beyond the stack's `operatorDispatchCycles`.
        public let cycles: Sourced<Double>
        /// Cycles per output channel of a node (per-channel set-up outside the inner loop, such
        /// as ONNX Runtime's per-column output scales and zero-point fix-ups); nil: not modelled.
        public var outputChannelCycles: Sourced<Double>? = nil
    }

    /// The schema of one `stacks[].operatorCycles[]` entry.
    public static let operatorCyclesSchema = TargetSchemaSection(path: "stacks[].operatorCycles[]", fields: [
        TargetField("op", "operation name", "The operator (`conv2d`, `dense`, …)."),
        TargetField("arithmetic", "one of `float`, `quantized`", "Which of the operator's kernels the figure is for (ONNX Runtime's Conv or QLinearConv)."),
        .cost("cycles", "sourced number ≥ 0", "Fixed cycles per node beyond `operatorDispatchCycles`.").plausible(0...1e9),
        .cost("outputChannelCycles", "sourced number ≥ 0", required: false, "Cycles per output channel of a node, outside the inner loop (absent: not modelled).").plausible(0...1e6),
    ])

    /// The fixed cycles a node of `op` costs in this stack: `operatorDispatchCycles` plus the
    /// operator's entry in `operatorCycles` for its arithmetic, if any.
    public func fixedCycles(of op: OperatorKind?, float: Bool) -> Double {
        let extra = operatorCycles.first { $0.op == op && $0.float == float }?.cycles.value ?? 0
        return operatorDispatchCycles.value + extra
    }

    /// The cycles a node of `op` spends per output channel outside its inner loop
    /// (`operatorCycles[].outputChannelCycles`; 0 when not modelled).
    public func outputChannelCycles(of op: OperatorKind?, float: Bool) -> Double {
        operatorCycles.first { $0.op == op && $0.float == float }?.outputChannelCycles?.value ?? 0
    }

    /// The schema of one `stacks[]` entry.
    public static let schema = TargetSchemaSection(path: "stacks[]", fields: [
        TargetField("name", "string", "Stack name, unique within the target, selected by `--stack NAME`; the first entry is the default."),
        TargetField("description", "string", "One sentence naming the runtime and the kernel library."),
        TargetField("version", "string", "The versions whose kernels are modelled (release, tag or commit of each part)."),
        TargetField("kernels", "one of \(KernelLibrary.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))",
                    "The kernel library layers dispatch to; the family's cost model picks that library's kernel per layer."),
        .cost("operatorDispatchCycles", "sourced number ≥ 0", "Cycles the runtime spends per operator outside its kernel (interpreter dispatch, parameter set-up); 0 for generated code.").plausible(0...1e9),
        .optional("operatorCycles", "array of objects", "Fixed cycles per node of an operator beyond `operatorDispatchCycles` (see `stacks[].operatorCycles[]`)."),
        .cost("im2colRowCycles", "sourced number ≥ 0", required: false, "Cycles the stack's generic convolution path spends per output pixel and kernel row copying its im2col buffer (absent: not modelled).").plausible(0...1e6),
        .cost("indirectionTapCycles", "sourced number ≥ 0", required: false, "Cycles the stack's indirect convolution spends per output pixel and kernel tap beyond its multiply-accumulates (absent: not modelled).").plausible(0...1e6),
        .cost("multiplyAccumulatesPerThread", "sourced number > 0", required: false, "MACs of one GEMM per thread it uses: a GEMM of M·N·K MACs runs on min(cores, ⌊M·N·K ÷ this⌋ + 1) threads (absent: every GEMM uses all the cores).").plausible(1...1e12),
        .cost("runCycles", "sourced number ≥ 0", required: false, "Fixed cycles of one inference outside its operators (the runtime's run call), once per inference (absent: not modelled).").plausible(0...1e9),
    ])

    /// Creates a stack.
    public init(name: String, description: String, version: String, kernels: KernelLibrary, operatorDispatchCycles: Sourced<Double>,
                operatorCycles: [OperatorCycles] = [], im2colRowCycles: Sourced<Double>? = nil, indirectionTapCycles: Sourced<Double>? = nil,
                multiplyAccumulatesPerThread: Sourced<Double>? = nil, runCycles: Sourced<Double>? = nil) {
        self.name = name
        self.description = description
        self.version = version
        self.kernels = kernels
        self.operatorDispatchCycles = operatorDispatchCycles
        self.operatorCycles = operatorCycles
        self.im2colRowCycles = im2colRowCycles
        self.indirectionTapCycles = indirectionTapCycles
        self.multiplyAccumulatesPerThread = multiplyAccumulatesPerThread
        self.runCycles = runCycles
    }

    /// Decodes one `stacks[]` entry, recording findings; nil if any part is invalid.
    public init?(_ reader: TargetSectionReader) {
        let name = reader.string("name")
        let description = reader.string("description")
        let version = reader.string("version")
        let kernels = reader.choice("kernels", as: KernelLibrary.self)
        let dispatch = reader.sourcedNumber("operatorDispatchCycles", .nonNegative)
        var operators: [OperatorCycles] = []
        var valid = true
        if reader.contains("operatorCycles") {
            let entries = reader.sections("operatorCycles", Self.operatorCyclesSchema, allowEmpty: false)
            valid = entries != nil
            for entry in entries ?? [] {
                let op = entry.choice("op", as: OperatorKind.self)
                let arithmetic = entry.choice("arithmetic", as: Arithmetic.self)
                let cycles = entry.sourcedNumber("cycles", .nonNegative)
                let perChannel = entry.contains("outputChannelCycles") ? entry.sourcedNumber("outputChannelCycles", .nonNegative) : nil
                guard let op, let arithmetic, let cycles, entry.contains("outputChannelCycles") == (perChannel != nil) else { valid = false; continue }
                operators.append(OperatorCycles(op: op, float: arithmetic == .float, cycles: cycles, outputChannelCycles: perChannel))
            }
        }
        let im2colRow = reader.contains("im2colRowCycles") ? reader.sourcedNumber("im2colRowCycles", .nonNegative) : nil
        let perThread = reader.contains("multiplyAccumulatesPerThread") ? reader.sourcedNumber("multiplyAccumulatesPerThread", .positive) : nil
        let run = reader.contains("runCycles") ? reader.sourcedNumber("runCycles", .nonNegative) : nil
        let tap = reader.contains("indirectionTapCycles") ? reader.sourcedNumber("indirectionTapCycles", .nonNegative) : nil
        guard let name, let description, let version, let kernels, let dispatch, valid,
              reader.contains("im2colRowCycles") == (im2colRow != nil),
              reader.contains("multiplyAccumulatesPerThread") == (perThread != nil),
              reader.contains("runCycles") == (run != nil),
              reader.contains("indirectionTapCycles") == (tap != nil) else { return nil }
        self.init(name: name, description: description, version: version, kernels: kernels, operatorDispatchCycles: dispatch,
                  operatorCycles: operators, im2colRowCycles: im2colRow, indirectionTapCycles: tap,
                  multiplyAccumulatesPerThread: perThread, runCycles: run)
    }
}

/// The `arithmetic` of an `operatorCycles` entry.
private enum Arithmetic: String, CaseIterable {
    case float, quantized
}

extension TargetDescription {
    /// The target running `stack` instead of its default stack.
    /// - Parameter stack: a name from the target's `stacks`.
    /// - Throws: ``DiagnosticError`` naming the target file and listing its stacks when it has no
    ///   stack of that name.
    public func selecting(stack name: String) throws(DiagnosticError) -> TargetDescription {
        guard let chosen = stacks.first(where: { $0.name == name }) else {
            let known = stacks.map(\.name)
            var message = "target '\(self.name)' has no software stack named '\(name)'"
            message += known.isEmpty ? "; it declares no stacks" : "; its stacks: \(known.joined(separator: ", "))"
            if let close = closestMatch(to: name, among: known) { message += " (did you mean '\(close)'?)" }
            throw DiagnosticError(.error(message, file: file, place: "stacks"))
        }
        var copy = self
        copy.stack = chosen
        return copy
    }
}
