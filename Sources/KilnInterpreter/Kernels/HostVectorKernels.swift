import KilnHostKernels

/// The x86 vector kernels of `KilnHostKernels` (C with per-function target attributes) that
/// this CPU can run, from CPUID and XGETBV, checked once per process. Kernels that have a host
/// route fall back to their Swift loops when ``level`` is `KILN_PAIR_GEMM_NONE` (non-x86 hosts,
/// x86 CPUs without AVX2); the routes compute the same bits (docs/performance.md).
public enum HostVectorKernels {
    /// The widest instruction-set level this CPU supports.
    public static let level = kiln_pair_gemm_host_level()

    /// Every level this CPU supports, widest first (tests run each).
    public static var levels: [kiln_pair_gemm_level] {
        [KILN_PAIR_GEMM_AVX512_VNNI, KILN_PAIR_GEMM_AVX2].filter { $0.rawValue <= level.rawValue }
    }
}
