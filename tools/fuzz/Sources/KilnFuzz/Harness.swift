import Foundation

/// One fuzz harness: feeds libFuzzer's bytes to one of Kiln's readers.
///
/// A harness must never trap on any input: every problem in the input has to come back as a
/// thrown diagnostic, which the harness swallows. A trap is a bug libFuzzer reports as a crash.
protocol Harness: Sendable {
    /// The name given in `KILN_FUZZ_HARNESS`.
    var name: String { get }
    /// What the harness reads, for `KILN_FUZZ_HARNESS=list`.
    var summary: String { get }
    /// Runs one input.
    func run(_ bytes: [UInt8])
}

/// Every harness, in the order `tools/fuzz/run.sh` runs them.
let harnesses: [any Harness] = [
    ONNXHarness(),
    TFLiteHarness(),
    NumPyHarness(),
    JSONHarness(),
    TargetHarness(),
    KilnModelHarness(),
    ScaleSimTopologyHarness(),
    ScaleSimConfigHarness(),
    SweepShardHarness(),
    CompileCostHarness(),
]

/// The harness named by `KILN_FUZZ_HARNESS`; exits with the list of names if it is unknown.
let selectedHarness: any Harness = {
    let name = ProcessInfo.processInfo.environment["KILN_FUZZ_HARNESS"] ?? ""
    if let harness = harnesses.first(where: { $0.name == name }) { return harness }
    let list = harnesses.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n")
    FileHandle.standardError.write(Data("set KILN_FUZZ_HARNESS to one of:\n\(list)\n".utf8))
    exit(name == "list" ? 0 : 2)
}()

/// libFuzzer's per-input entry point (also what `main.swift` hands to the driver): runs one
/// input through the selected harness.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedHarness.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
