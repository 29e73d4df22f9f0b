import Foundation

// libFuzzer's driver, started from Swift: SwiftPM links an executable target's own entry point,
// so instead of libFuzzer's `main` the target calls `LLVMFuzzerRunDriver` (in compiler-rt's
// libFuzzer, linked by `-sanitize=fuzzer`) with the selected harness as the callback. Every
// libFuzzer flag (`-max_total_time=`, `-runs=`, corpus directories) works as usual.

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argumentCount = CommandLine.argc
var argumentVector: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
_ = selectedHarness
exit(runFuzzerDriver(&argumentCount, &argumentVector) { data, size in fuzzOneInput(data, size) })
