import KilnCompiler

/// Kiln's shared view kernel costs nothing on the XNOR array either.
extension ViewKernel: XNORCostedKernel {
    var workload: XNORWorkload { XNORWorkload(work: .none, weightBytes: 0, inputBytes: 0, outputBytes: 0) }
}
