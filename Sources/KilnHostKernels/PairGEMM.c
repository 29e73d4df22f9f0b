// The int16 pair GEMM of include/KilnHostKernels.h for AVX2 and AVX-512 VNNI.
//
// Why C: Swift has no per-function target attributes, and LLVM does not turn Swift's SIMD
// arithmetic into `vpmaddwd` / `vpdpwssd` (it emits `vpmulld` or `vpmullw` plus shifts;
// docs/performance.md). Here each kernel carries `__attribute__((target(...)))`, so the package
// needs no compiler flags (it stays usable as a path dependency) and one binary runs the widest
// kernel the CPU has, picked at run time from CPUID.
//
// Exactness: `vpmaddwd` multiplies int16 pairs into int32 and adds the two products of a pair
// (exact while the products fit, which the caller guarantees); `vpdpwssd` is the same pair sum
// added to the accumulator with wrapping int32 addition (Intel SDM, VPDPWSSD: "no saturation").
// Wrapping addition is associative, so the order of pair sums does not change the result.
#include "KilnHostKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <string.h>
#include "GEMMTile.h"

static uint64_t kiln_xgetbv0(void) {
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}

kiln_pair_gemm_level kiln_pair_gemm_host_level(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return KILN_PAIR_GEMM_NONE;
    // OSXSAVE (bit 27) and AVX (bit 28), then the OS saves the XMM and YMM state (XCR0 bits 1, 2).
    if ((ecx & (1u << 27)) == 0 || (ecx & (1u << 28)) == 0) return KILN_PAIR_GEMM_NONE;
    uint64_t xcr0 = kiln_xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return KILN_PAIR_GEMM_NONE;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return KILN_PAIR_GEMM_NONE;
    int avx2 = (ebx >> 5) & 1;
    // AVX512F (EBX 16), AVX512BW (EBX 30), AVX512_VNNI (ECX 11); opmask and ZMM state saved (XCR0 5–7).
    int avx512 = ((ebx >> 16) & 1) && ((ebx >> 30) & 1) && ((ecx >> 11) & 1) && (xcr0 & 0xE0) == 0xE0;
    if (avx512) return KILN_PAIR_GEMM_AVX512_VNNI;
    return avx2 ? KILN_PAIR_GEMM_AVX2 : KILN_PAIR_GEMM_NONE;
}

static inline int32_t kiln_pair_at(const int16_t *row, ptrdiff_t pair) {
    int32_t value;
    memcpy(&value, row + 2 * pair, sizeof value);
    return value;
}

// MARK: AVX-512 VNNI: one 16-column block is one zmm register per depth pair.

KILN_AVX512 __m512i kiln_step512(__m512i sum, __m512i x, __m512i w, int saturating) {
    if (!saturating) return _mm512_dpwssd_epi32(sum, x, w);
    __m512i pairs = _mm512_madd_epi16(x, w);
    pairs = _mm512_min_epi32(_mm512_max_epi32(pairs, _mm512_set1_epi32(-32768)), _mm512_set1_epi32(32767));
    return _mm512_add_epi32(sum, pairs);
}

/// The start of row m of `a`.
static inline const int16_t *kiln_row(const kiln_gemm_rows *a, ptrdiff_t m) {
    return a->a + (a->row_offsets ? a->row_offsets[m] : m * a->row_stride);
}

/// The offset of tap t of every row.
static inline ptrdiff_t kiln_tap(const kiln_gemm_rows *a, ptrdiff_t t) {
    return a->tap_offsets ? a->tap_offsets[t] : 0;
}

/// `rowCount` (1 or 4) rows × `blockCount` (1 or 2) blocks; the constant arguments make the
/// compiler keep the accumulators in registers. `out` is element (m, first column of the block).
KILN_AVX512 void kiln_tile512(int rowCount, int blockCount, int saturating, const kiln_gemm_rows *a, ptrdiff_t m,
                              const int16_t *w, ptrdiff_t blockStride, const __m512i *constant,
                              const __mmask16 *mask, const ptrdiff_t *width, int32_t *out, ptrdiff_t rowStride,
                              ptrdiff_t columnStride) {
    __m512i sum[4][2];
    const int16_t *row[4];
    for (int r = 0; r < rowCount; r++) {
        row[r] = kiln_row(a, m + r);
        for (int b = 0; b < blockCount; b++) sum[r][b] = constant[b];
    }
    ptrdiff_t pairs = a->tap_depth / 2;
    for (ptrdiff_t t = 0; t < a->taps; t++) {
        ptrdiff_t tap = kiln_tap(a, t);
        const int16_t *wt = w + t * pairs * 32;
        for (ptrdiff_t p = 0; p < pairs; p++) {
            __m512i weight[2];
            for (int b = 0; b < blockCount; b++) weight[b] = _mm512_loadu_si512((const void *)(wt + b * blockStride + p * 32));
            for (int r = 0; r < rowCount; r++) {
                __m512i x = _mm512_set1_epi32(kiln_pair_at(row[r] + tap, p));
                for (int b = 0; b < blockCount; b++) sum[r][b] = kiln_step512(sum[r][b], x, weight[b], saturating);
            }
        }
    }
    kiln_store512(rowCount, blockCount, sum, mask, width, out, rowStride, columnStride);
}

KILN_AVX512 void kiln_gemm512(int saturating, ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed, ptrdiff_t depth,
                              ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                              const kiln_gemm_output *output) {
    ptrdiff_t blockStride = depth * 16, rs = output->row_stride, cs = output->column_stride;
    for (ptrdiff_t block = firstBlock; block < endBlock; block += 2) {
        __mmask16 mask[2] = {0, 0};
        ptrdiff_t width[2] = {0, 0};
        __m512i constant[2];
        int blockCount = kiln_blocks512(block, endBlock, columns, constants, mask, width, constant);
        const int16_t *w = packed + block * blockStride;
        int32_t *out = output->values + block * 16 * cs;
        ptrdiff_t m = 0;
        if (blockCount == 2) {
            for (; m + 4 <= rows; m += 4) kiln_tile512(4, 2, saturating, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
            for (; m < rows; m++) kiln_tile512(1, 2, saturating, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
        } else {
            for (; m + 4 <= rows; m += 4) kiln_tile512(4, 1, saturating, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
            for (; m < rows; m++) kiln_tile512(1, 1, saturating, a, m, w, blockStride, constant, mask, width, out + m * rs, rs, cs);
        }
    }
}

KILN_AVX512_ENTRY void kiln_gemm512_exact(ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed, ptrdiff_t depth,
                                          ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                                          const kiln_gemm_output *output) {
    kiln_gemm512(0, rows, a, packed, depth, columns, constants, firstBlock, endBlock, output);
}

KILN_AVX512_ENTRY void kiln_gemm512_saturating(ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed, ptrdiff_t depth,
                                               ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                                               const kiln_gemm_output *output) {
    kiln_gemm512(1, rows, a, packed, depth, columns, constants, firstBlock, endBlock, output);
}

// MARK: AVX2: one 16-column block is two ymm registers per depth pair.

KILN_AVX2 __m256i kiln_step256(__m256i sum, __m256i x, __m256i w, int saturating) {
    __m256i pairs = _mm256_madd_epi16(x, w);
    if (saturating) pairs = _mm256_min_epi32(_mm256_max_epi32(pairs, _mm256_set1_epi32(-32768)), _mm256_set1_epi32(32767));
    return _mm256_add_epi32(sum, pairs);
}

KILN_AVX2 void kiln_tile256(int rowCount, int saturating, const kiln_gemm_rows *a, ptrdiff_t m, const int16_t *w,
                            __m256i constantLow, __m256i constantHigh, ptrdiff_t width, int32_t *out, ptrdiff_t rowStride,
                            ptrdiff_t columnStride) {
    __m256i sum[4][2];
    const int16_t *row[4];
    for (int r = 0; r < rowCount; r++) { row[r] = kiln_row(a, m + r); sum[r][0] = constantLow; sum[r][1] = constantHigh; }
    ptrdiff_t pairs = a->tap_depth / 2;
    for (ptrdiff_t t = 0; t < a->taps; t++) {
        ptrdiff_t tap = kiln_tap(a, t);
        const int16_t *wt = w + t * pairs * 32;
        for (ptrdiff_t p = 0; p < pairs; p++) {
            __m256i low = _mm256_loadu_si256((const __m256i *)(wt + p * 32));
            __m256i high = _mm256_loadu_si256((const __m256i *)(wt + p * 32 + 16));
            for (int r = 0; r < rowCount; r++) {
                __m256i x = _mm256_set1_epi32(kiln_pair_at(row[r] + tap, p));
                sum[r][0] = kiln_step256(sum[r][0], x, low, saturating);
                sum[r][1] = kiln_step256(sum[r][1], x, high, saturating);
            }
        }
    }
    for (int r = 0; r < rowCount; r++) {
        if (width == 16 && columnStride == 1) {
            _mm256_storeu_si256((__m256i *)(out + r * rowStride), sum[r][0]);
            _mm256_storeu_si256((__m256i *)(out + r * rowStride + 8), sum[r][1]);
        } else {
            int32_t lanes[16];
            _mm256_storeu_si256((__m256i *)lanes, sum[r][0]);
            _mm256_storeu_si256((__m256i *)(lanes + 8), sum[r][1]);
            kiln_scatter16(lanes, width, out + r * rowStride, columnStride);
        }
    }
}

KILN_AVX2 void kiln_gemm256(int saturating, ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed, ptrdiff_t depth,
                            ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                            const kiln_gemm_output *output) {
    ptrdiff_t rs = output->row_stride, cs = output->column_stride;
    for (ptrdiff_t block = firstBlock; block < endBlock; block++) {
        ptrdiff_t width = columns - block * 16;
        if (width > 16) width = 16;
        int32_t lanes[16] = {0};
        memcpy(lanes, constants + block * 16, (size_t)width * sizeof(int32_t));
        __m256i constantLow = _mm256_loadu_si256((const __m256i *)lanes), constantHigh = _mm256_loadu_si256((const __m256i *)(lanes + 8));
        const int16_t *w = packed + block * depth * 16;
        int32_t *out = output->values + block * 16 * cs;
        ptrdiff_t m = 0;
        for (; m + 4 <= rows; m += 4) kiln_tile256(4, saturating, a, m, w, constantLow, constantHigh, width, out + m * rs, rs, cs);
        for (; m < rows; m++) kiln_tile256(1, saturating, a, m, w, constantLow, constantHigh, width, out + m * rs, rs, cs);
    }
}

KILN_AVX2_ENTRY void kiln_gemm256_exact(ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed, ptrdiff_t depth,
                                        ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                                        const kiln_gemm_output *output) {
    kiln_gemm256(0, rows, a, packed, depth, columns, constants, firstBlock, endBlock, output);
}

KILN_AVX2_ENTRY void kiln_gemm256_saturating(ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed, ptrdiff_t depth,
                                             ptrdiff_t columns, const int32_t *constants, ptrdiff_t firstBlock, ptrdiff_t endBlock,
                                             const kiln_gemm_output *output) {
    kiln_gemm256(1, rows, a, packed, depth, columns, constants, firstBlock, endBlock, output);
}

// MARK: Requantization. `vcvtdq2ps` and `vcvtps2dq` round to nearest even under the default MXCSR,
// which is what Swift's `Float(Int32)` and `.rounded(.toNearestOrEven)` do; the float32 product is
// the same IEEE multiplication.

KILN_AVX512_ENTRY void kiln_requantize512(ptrdiff_t count, const int32_t *source, int32_t *destination, float multiplier,
                                          float lowest, float highest, int32_t zeroPoint) {
    __m512 scale = _mm512_set1_ps(multiplier), low = _mm512_set1_ps(lowest), high = _mm512_set1_ps(highest);
    __m512i zero = _mm512_set1_epi32(zeroPoint);
    for (ptrdiff_t i = 0; i < count; i += 16) {
        __mmask16 mask = count - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (count - i)) - 1);
        __m512 value = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(mask, source + i)), scale);
        value = _mm512_min_ps(_mm512_max_ps(value, low), high);
        _mm512_mask_storeu_epi32(destination + i, mask, _mm512_add_epi32(_mm512_cvtps_epi32(value), zero));
    }
}

KILN_AVX2_ENTRY void kiln_requantize256(ptrdiff_t count, const int32_t *source, int32_t *destination, float multiplier,
                                        float lowest, float highest, int32_t zeroPoint) {
    __m256 scale = _mm256_set1_ps(multiplier), low = _mm256_set1_ps(lowest), high = _mm256_set1_ps(highest);
    __m256i zero = _mm256_set1_epi32(zeroPoint);
    for (ptrdiff_t i = 0; i < count; i += 8) {
        ptrdiff_t left = count - i;
        __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left > 8 ? 8 : (int)left), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 value = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_maskload_epi32(source + i, mask)), scale);
        value = _mm256_min_ps(_mm256_max_ps(value, low), high);
        _mm256_maskstore_epi32(destination + i, mask, _mm256_add_epi32(_mm256_cvtps_epi32(value), zero));
    }
}

void kiln_requantize_float_scale(kiln_pair_gemm_level level, ptrdiff_t count, const int32_t *source, int32_t *destination,
                                 float multiplier, float lowest, float highest, int32_t zero_point) {
    switch (level) {
    case KILN_PAIR_GEMM_AVX512_VNNI: kiln_requantize512(count, source, destination, multiplier, lowest, highest, zero_point); break;
    case KILN_PAIR_GEMM_AVX2: kiln_requantize256(count, source, destination, multiplier, lowest, highest, zero_point); break;
    case KILN_PAIR_GEMM_NONE: break;
    }
}

void kiln_pair_gemm(kiln_pair_gemm_level level, ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed,
                    ptrdiff_t packed_depth, ptrdiff_t columns, const int32_t *constants, ptrdiff_t first_block,
                    ptrdiff_t end_block, int saturating, const kiln_gemm_output *output) {
    switch (level) {
    case KILN_PAIR_GEMM_AVX512_VNNI:
        if (saturating) kiln_gemm512_saturating(rows, a, packed, packed_depth, columns, constants, first_block, end_block, output);
        else kiln_gemm512_exact(rows, a, packed, packed_depth, columns, constants, first_block, end_block, output);
        break;
    case KILN_PAIR_GEMM_AVX2:
        if (saturating) kiln_gemm256_saturating(rows, a, packed, packed_depth, columns, constants, first_block, end_block, output);
        else kiln_gemm256_exact(rows, a, packed, packed_depth, columns, constants, first_block, end_block, output);
        break;
    case KILN_PAIR_GEMM_NONE:
        break;
    }
}

#else

kiln_pair_gemm_level kiln_pair_gemm_host_level(void) { return KILN_PAIR_GEMM_NONE; }

void kiln_requantize_float_scale(kiln_pair_gemm_level level, ptrdiff_t count, const int32_t *source, int32_t *destination,
                                 float multiplier, float lowest, float highest, int32_t zero_point) {
    (void)level; (void)count; (void)source; (void)destination; (void)multiplier; (void)lowest; (void)highest; (void)zero_point;
}

void kiln_pair_gemm(kiln_pair_gemm_level level, ptrdiff_t rows, const kiln_gemm_rows *a, const int16_t *packed,
                    ptrdiff_t packed_depth, ptrdiff_t columns, const int32_t *constants, ptrdiff_t first_block,
                    ptrdiff_t end_block, int saturating, const kiln_gemm_output *output) {
    (void)level; (void)rows; (void)a; (void)packed; (void)packed_depth; (void)columns; (void)constants;
    (void)first_block; (void)end_block; (void)saturating; (void)output;
}

#endif
