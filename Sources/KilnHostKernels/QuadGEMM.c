// The unsigned × signed byte GEMM of include/KilnHostKernels.h for AVX-512 VNNI: `vpdpbusd`
// multiplies four u8 activations by four s8 weights and adds the four products to each int32
// lane (Intel SDM, VPDPBUSD: the products and their sum are exact — |255 · −128| · 4 < 2³¹ —
// and the addition to the accumulator wraps, no saturation; VPDPBUSDS is the saturating form,
// not used). Wrapping addition is associative, so the result equals the pair GEMM's and the
// scalar definition's, in any order. Four products per lane per instruction: twice `vpdpwssd`'s
// work per instruction, on half the activation bytes.
#include "KilnHostKernels.h"

#if defined(__x86_64__)
#include <string.h>
#include "GEMMTile.h"

/// Four activation bytes of a row, for a 32-bit broadcast.
static inline int32_t kiln_quad_at(const uint8_t *row, ptrdiff_t quad) {
    int32_t value;
    memcpy(&value, row + 4 * quad, sizeof value);
    return value;
}

/// `rowCount` (1 or 4) rows × `blockCount` (1 or 2) blocks of 16 columns.
KILN_AVX512 void kiln_quad_tile512(int rowCount, int blockCount, const kiln_gemm_byte_rows *a, ptrdiff_t m, const int8_t *w,
                                   ptrdiff_t blockStride, const __m512i *constant, const __mmask16 *mask, const ptrdiff_t *width,
                                   int32_t *out, ptrdiff_t rowStride, ptrdiff_t columnStride) {
    __m512i sum[4][2];
    const uint8_t *row[4];
    for (int r = 0; r < rowCount; r++) {
        row[r] = a->a + (a->row_offsets ? a->row_offsets[m + r] : (m + r) * a->row_stride);
        for (int b = 0; b < blockCount; b++) sum[r][b] = constant[b];
    }
    ptrdiff_t quads = a->tap_depth / 4;
    for (ptrdiff_t t = 0; t < a->taps; t++) {
        ptrdiff_t tap = a->tap_offsets ? a->tap_offsets[t] : 0;
        const int8_t *wt = w + t * quads * 64;
        for (ptrdiff_t q = 0; q < quads; q++) {
            __m512i weight[2];
            for (int b = 0; b < blockCount; b++) weight[b] = _mm512_loadu_si512((const void *)(wt + b * blockStride + q * 64));
            for (int r = 0; r < rowCount; r++) {
                __m512i x = _mm512_set1_epi32(kiln_quad_at(row[r] + tap, q));
                for (int b = 0; b < blockCount; b++) sum[r][b] = _mm512_dpbusd_epi32(sum[r][b], x, weight[b]);
            }
        }
    }
    kiln_store512(rowCount, blockCount, sum, mask, width, out, rowStride, columnStride);
}

KILN_AVX512_ENTRY void kiln_quad_gemm512(ptrdiff_t rows, const kiln_gemm_byte_rows *a, const int8_t *packed, ptrdiff_t depth,
                                         ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                                         const kiln_gemm_output *output) {
    ptrdiff_t blockStride = depth * 16, rs = output->row_stride, cs = output->column_stride;
    for (ptrdiff_t block = firstBlock; block < endBlock; block += 2) {
        __mmask16 mask[2] = {0, 0};
        ptrdiff_t width[2] = {0, 0};
        __m512i constant[2];
        int blockCount = kiln_blocks512(block, endBlock, columns, constants, mask, width, constant);
        const int8_t *w = packed + block * blockStride;
        int32_t *out = output->values + block * 16 * cs;
        ptrdiff_t m = 0;
        if (blockCount == 2) {
            for (; m + 4 <= rows; m += 4) kiln_quad_tile512(4, 2, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
            for (; m < rows; m++) kiln_quad_tile512(1, 2, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
        } else {
            for (; m + 4 <= rows; m += 4) kiln_quad_tile512(4, 1, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
            for (; m < rows; m++) kiln_quad_tile512(1, 1, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
        }
    }
}

void kiln_quad_gemm(ptrdiff_t rows, const kiln_gemm_byte_rows *a, const int8_t *packed, ptrdiff_t packed_depth, ptrdiff_t columns,
                    const int32_t *constants, ptrdiff_t first_block, ptrdiff_t end_block, const kiln_gemm_output *output) {
    if (kiln_pair_gemm_host_level() != KILN_PAIR_GEMM_AVX512_VNNI) return;
    kiln_quad_gemm512(rows, a, packed, packed_depth, columns, constants, first_block, end_block, output);
}

#else

void kiln_quad_gemm(ptrdiff_t rows, const kiln_gemm_byte_rows *a, const int8_t *packed, ptrdiff_t packed_depth, ptrdiff_t columns,
                    const int32_t *constants, ptrdiff_t first_block, ptrdiff_t end_block, const kiln_gemm_output *output) {
    (void)rows; (void)a; (void)packed; (void)packed_depth; (void)columns; (void)constants; (void)first_block; (void)end_block;
    (void)output;
}

#endif
