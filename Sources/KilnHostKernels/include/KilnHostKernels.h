// Kiln's host-specific kernels: int16 pair GEMM micro-kernels written with x86 vector
// intrinsics, each compiled for its instruction set with a function target attribute and chosen
// at run time from CPUID, so a default build (baseline x86-64) still runs AVX-512 VNNI code on a
// CPU that has it (docs/performance.md, "The host's vector width").
#ifndef KILN_HOST_KERNELS_H
#define KILN_HOST_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The instruction sets `kiln_pair_gemm` can use on this CPU (checked once with CPUID and XGETBV).
typedef enum {
    /// None: the caller runs its portable kernel (also on every non-x86 host).
    KILN_PAIR_GEMM_NONE = 0,
    /// AVX2: `vpmaddwd` on 256-bit registers.
    KILN_PAIR_GEMM_AVX2 = 1,
    /// AVX-512 BW with VNNI: `vpdpwssd` / `vpmaddwd` on 512-bit registers.
    KILN_PAIR_GEMM_AVX512_VNNI = 2,
} kiln_pair_gemm_level;

/// The best level this CPU and operating system support.
kiln_pair_gemm_level kiln_pair_gemm_host_level(void);

/// `output[m * columns + n] = constants[n] + Σ_p pair(m, n, p)` for the column blocks
/// `first_block ..< end_block` (16 columns each) of every row m < `rows`, where
/// `pair(m, n, p) = a[m][2p]·w[n][2p] + a[m][2p+1]·w[n][2p+1]` is the exact int32 sum of the two
/// int16 products, or that sum clamped to −32768…32767 when `saturating` is nonzero, and the
/// accumulation wraps modulo 2³².
/// - a: `rows` rows of `depth` int16 values (`depth` even).
/// - packed: weights `[block][depth / 2][16 columns][2]` (columns past `columns` are zero).
/// The caller guarantees every product pair fits in int32 (both operands within ±32767, or one
/// of them 8-bit), which is what makes `vpmaddwd` exact. `level` must not exceed the host level.
void kiln_pair_gemm(kiln_pair_gemm_level level, ptrdiff_t rows, const int16_t *a, ptrdiff_t depth,
                    const int16_t *packed, ptrdiff_t columns, const int32_t *constants,
                    ptrdiff_t first_block, ptrdiff_t end_block, int saturating, int32_t *output);

/// ONNX Runtime's float-scale requantization of `count` contiguous int32 accumulators:
/// `destination[i] = clamp(round_half_even(float(source[i]) · multiplier), lowest, highest) + zero_point`
/// in float32 (`lowest` and `highest` are the output code range minus the zero point, so the
/// clamp before rounding equals the clamp of the rounded value). `source` and `destination` may
/// be the same memory. `level` must be AVX2 or AVX-512 VNNI and not exceed the host level.
void kiln_requantize_float_scale(kiln_pair_gemm_level level, ptrdiff_t count, const int32_t *source, int32_t *destination,
                                 float multiplier, float lowest, float highest, int32_t zero_point);

/// The geometry of one depthwise output plane over its zero-padded input plane.
typedef struct {
    /// Elements per row of the padded input plane.
    ptrdiff_t padded_width;
    ptrdiff_t kernel_height, kernel_width;
    ptrdiff_t stride_y, stride_x, dilation_y, dilation_x;
    ptrdiff_t output_height, output_width;
} kiln_depthwise_plane_geometry;

/// `output[oy][ox] = bias + Σ_{ky,kx} filter[ky][kx] · padded[oy·sy + ky·dy][ox·sx + kx·dx]` in
/// wrapping int32 for one output plane (row-major `output_height × output_width`). The padded
/// plane must cover every tap. `level` must be AVX2 or AVX-512 VNNI and not exceed the host level.
void kiln_depthwise_plane(kiln_pair_gemm_level level, const kiln_depthwise_plane_geometry *geometry, const int32_t *padded,
                          const int32_t *filter, int32_t bias, int32_t *output);

#endif
