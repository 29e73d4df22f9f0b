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

/// Where the rows of a GEMM's left operand are: depth pair p of tap t of row m is the int16 pair
/// at `a + row_offset(m) + tap_offsets[t] + 2p` (p < `tap_depth / 2`), where `row_offset(m)` is
/// `row_offsets[m]`, or `m · row_stride` when `row_offsets` is NULL. Explicit (im2col) rows are
/// one tap (`taps` 1, `tap_offsets` NULL meaning offset 0, `tap_depth` the row length); a
/// convolution read in place from a padded NHWC buffer has one tap per kernel position, each
/// `tap_depth` = the group's channels long.
typedef struct {
    const int16_t *a;
    const ptrdiff_t *row_offsets;
    ptrdiff_t row_stride;
    const ptrdiff_t *tap_offsets;
    ptrdiff_t taps;
    /// Elements per tap, even (pairs never straddle two taps).
    ptrdiff_t tap_depth;
} kiln_gemm_rows;

/// Where a GEMM writes: element (m, n) at `values[m · row_stride + n · column_stride]`
/// (row-major: `row_stride` = columns, `column_stride` 1; channel-major NCHW planes:
/// `row_stride` 1, `column_stride` = the plane size).
typedef struct {
    int32_t *values;
    ptrdiff_t row_stride;
    ptrdiff_t column_stride;
} kiln_gemm_output;

/// `output(m, n) = constants[n] + Σ_p pair(m, n, p)` for the column blocks
/// `first_block ..< end_block` (16 columns each) of every row m < `rows`, where
/// `pair(m, n, p) = a(m)[2p]·w[n][2p] + a(m)[2p+1]·w[n][2p+1]` over the `taps · tap_depth / 2`
/// pairs of `a` (taps in order) is the exact int32 sum of the two int16 products, or that sum
/// clamped to −32768…32767 when `saturating` is nonzero, and the accumulation wraps modulo 2³².
/// - packed: weights `[block][packed_depth / 2][16 columns][2]` (columns past `columns` are
///   zero); pairs past `taps · tap_depth / 2` are not read from `a` and must be zero weights.
/// The caller guarantees every product pair fits in int32 (both operands within ±32767, or one
/// of them 8-bit), which is what makes `vpmaddwd` exact. `level` must not exceed the host level.
void kiln_pair_gemm(kiln_pair_gemm_level level, ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed,
                    ptrdiff_t packed_depth, ptrdiff_t columns, const int32_t *constants, ptrdiff_t first_block,
                    ptrdiff_t end_block, int saturating, const kiln_gemm_output *output);

/// The rows of a byte GEMM's left operand, as ``kiln_gemm_rows`` with unsigned bytes:
/// quad q of tap t of row m is the four bytes at `a + row_offset(m) + tap_offsets[t] + 4q`.
typedef struct {
    const uint8_t *a;
    const ptrdiff_t *row_offsets;
    ptrdiff_t row_stride;
    const ptrdiff_t *tap_offsets;
    ptrdiff_t taps;
    /// Bytes per tap, a multiple of 4 (quads never straddle two taps).
    ptrdiff_t tap_depth;
} kiln_gemm_byte_rows;

/// `output(m, n) = constants[n] + Σ_k a(m)[k] · w[n][k]` over the `taps · tap_depth` bytes of
/// `a` (unsigned) and the weights (signed), in wrapping int32, for the column blocks
/// `first_block ..< end_block` of every row, with `vpdpbusd` (AVX-512 VNNI only: on any other
/// CPU it writes nothing, so callers check `kiln_pair_gemm_host_level()` first).
/// - packed: weights `[block][packed_depth / 4][16 columns][4]` as signed bytes (columns past
///   `columns` zero); quads past `taps · tap_depth / 4` are not read and must be zero weights.
void kiln_quad_gemm(ptrdiff_t rows, const kiln_gemm_byte_rows *a, const int8_t *packed, ptrdiff_t packed_depth, ptrdiff_t columns,
                    const int32_t *constants, ptrdiff_t first_block, ptrdiff_t end_block, const kiln_gemm_output *output);

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

/// As ``kiln_nchw_to_padded_nhwc16`` into unsigned bytes (`(uint8_t)(source + offset)`), for
/// ``kiln_quad_gemm``.
void kiln_nchw_to_padded_nhwc8(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const int32_t *source, int32_t offset,
                               ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t padded_height, ptrdiff_t padded_width,
                               uint8_t fill, uint8_t *destination);

/// NCHW int32 codes of one sample to NHWC int16 with a border: the buffer is
/// `padded_height × padded_width × channels`; position (y + pad_top, x + pad_left, c) holds
/// `(int16_t)(source[(c · height + y) · width + x] + offset)` (wrapping), every other position
/// `fill`. The caller guarantees `padded_height ≥ pad_top + height` and the same for the width.
/// Plain C on every host.
void kiln_nchw_to_padded_nhwc16(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const int32_t *source, int32_t offset,
                                ptrdiff_t pad_top, ptrdiff_t pad_left, ptrdiff_t padded_height, ptrdiff_t padded_width,
                                int16_t fill, int16_t *destination);

#endif
