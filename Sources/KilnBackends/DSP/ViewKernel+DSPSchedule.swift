import KilnCompiler

/// Kiln's shared view kernel reinterprets the buffer in place: no loops, no instructions.
extension ViewKernel: DSPScheduledKernel {
    func loops() -> [DSPLoop] { [] }
}
