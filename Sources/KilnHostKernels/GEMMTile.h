// Shared by the AVX-512 GEMM kernels (PairGEMM.c, QuadGEMM.c): the target attributes and the
// store of a register tile of accumulators at any output strides.
#ifndef KILN_GEMM_TILE_H
#define KILN_GEMM_TILE_H

#include "KilnHostKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define KILN_AVX512 __attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline)) static inline
#define KILN_AVX512_ENTRY __attribute__((target("avx512f,avx512bw,avx512vnni"))) static
#define KILN_AVX2 __attribute__((target("avx2"), always_inline)) static inline
#define KILN_AVX2_ENTRY __attribute__((target("avx2"))) static

/// Writes a row's 16-lane block `values` (`width` valid columns) at `out` (the element of the
/// block's first column) with the output's column stride.
static inline void kiln_scatter16(const int32_t *values, ptrdiff_t width, int32_t *out, ptrdiff_t columnStride) {
    for (ptrdiff_t j = 0; j < width; j++) out[j * columnStride] = values[j];
}

/// Stores `rowCount` (1 or 4) rows × `blockCount` (1 or 2) 16-column blocks of accumulators;
/// `out` is element (first row, first column). Row-major output takes masked vector stores;
/// channel-major output (row stride 1) of four rows transposes each 4 × 4 square of a 128-bit
/// lane (columns 4L … 4L+3) and stores each column's four consecutive rows at once.
KILN_AVX512 void kiln_store512(int rowCount, int blockCount, __m512i sum[4][2], const __mmask16 *mask, const ptrdiff_t *width,
                               int32_t *out, ptrdiff_t rowStride, ptrdiff_t columnStride) {
    if (columnStride == 1) {
        for (int r = 0; r < rowCount; r++)
            for (int b = 0; b < blockCount; b++) _mm512_mask_storeu_epi32(out + r * rowStride + b * 16, mask[b], sum[r][b]);
    } else if (rowCount == 4 && rowStride == 1) {
        for (int b = 0; b < blockCount; b++) {
            __m512i t0 = _mm512_unpacklo_epi32(sum[0][b], sum[1][b]), t1 = _mm512_unpackhi_epi32(sum[0][b], sum[1][b]);
            __m512i t2 = _mm512_unpacklo_epi32(sum[2][b], sum[3][b]), t3 = _mm512_unpackhi_epi32(sum[2][b], sum[3][b]);
            __m512i column[4] = {_mm512_unpacklo_epi64(t0, t2), _mm512_unpackhi_epi64(t0, t2),
                                 _mm512_unpacklo_epi64(t1, t3), _mm512_unpackhi_epi64(t1, t3)};
            int32_t *base = out + b * 16 * columnStride;
            for (int i = 0; i < 4; i++) {
                __m128i lane[4] = {_mm512_extracti32x4_epi32(column[i], 0), _mm512_extracti32x4_epi32(column[i], 1),
                                   _mm512_extracti32x4_epi32(column[i], 2), _mm512_extracti32x4_epi32(column[i], 3)};
                for (int l = 0; l < 4; l++) {
                    ptrdiff_t n = 4 * l + i;
                    if (n < width[b]) _mm_storeu_si128((__m128i *)(base + n * columnStride), lane[l]);
                }
            }
        }
    } else {
        for (int r = 0; r < rowCount; r++)
            for (int b = 0; b < blockCount; b++) {
                int32_t lanes[16];
                _mm512_storeu_si512((void *)lanes, sum[r][b]);
                kiln_scatter16(lanes, width[b], out + r * rowStride + b * 16 * columnStride, columnStride);
            }
    }
}

/// The 16-column blocks `block` and `block + 1` (when below `endBlock`): how many there are,
/// their masks, widths and column constants.
KILN_AVX512 int kiln_blocks512(ptrdiff_t block, ptrdiff_t endBlock, ptrdiff_t columns, const int32_t *constants,
                               __mmask16 *mask, ptrdiff_t *width, __m512i *constant) {
    int blockCount = block + 1 < endBlock ? 2 : 1;
    for (int b = 0; b < blockCount; b++) {
        width[b] = columns - (block + b) * 16;
        if (width[b] > 16) width[b] = 16;
        mask[b] = width[b] >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width[b]) - 1);
        constant[b] = _mm512_maskz_loadu_epi32(mask[b], constants + (block + b) * 16);
    }
    return blockCount;
}

#endif
#endif
