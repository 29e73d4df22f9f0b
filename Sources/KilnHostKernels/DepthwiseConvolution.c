// One output plane of a depthwise convolution in wrapping int32 (include/KilnHostKernels.h),
// for AVX2 and AVX-512: sixteen (eight) output positions of a row per register, the window taps
// accumulated in the register. `vpmulld` keeps the low 32 bits of each product and `vpaddd`
// wraps, exactly the reference's `&*` / `&+`; wrapping addition is associative, so the tap
// order does not change the result.
#include "KilnHostKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define KILN_AVX512_ENTRY __attribute__((target("avx512f,avx512bw,avx512vnni"))) static
#define KILN_AVX2_ENTRY __attribute__((target("avx2"))) static

KILN_AVX512_ENTRY void kiln_depthwise512(const kiln_depthwise_plane_geometry *g, const int32_t *padded, const int32_t *filter,
                                         int32_t bias, int32_t *output) {
    __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m512i stride = _mm512_mullo_epi32(lane, _mm512_set1_epi32((int)g->stride_x));
    __m512i evens = _mm512_add_epi32(lane, lane);
    for (ptrdiff_t oy = 0; oy < g->output_height; oy++) {
        int32_t *row = output + oy * g->output_width;
        for (ptrdiff_t ox = 0; ox < g->output_width; ox += 16) {
            ptrdiff_t left = g->output_width - ox;
            __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            __m512i sum = _mm512_set1_epi32(bias);
            for (ptrdiff_t ky = 0; ky < g->kernel_height; ky++) {
                const int32_t *line = padded + (oy * g->stride_y + ky * g->dilation_y) * g->padded_width + ox * g->stride_x;
                for (ptrdiff_t kx = 0; kx < g->kernel_width; kx++) {
                    const int32_t *start = line + kx * g->dilation_x;
                    __m512i x;
                    if (g->stride_x == 1) {
                        x = _mm512_maskz_loadu_epi32(mask, start);
                    } else if (g->stride_x == 2) {
                        // The even elements of 32 consecutive ones: two loads and a two-register
                        // permutation instead of a gather; only the elements the live lanes read
                        // are loaded (2·left − 1 of them).
                        ptrdiff_t needed = 2 * (left >= 16 ? 16 : left) - 1;
                        __mmask16 low = needed >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << needed) - 1);
                        __mmask16 high = needed > 16 ? (__mmask16)((1u << (needed - 16)) - 1) : 0;
                        x = _mm512_permutex2var_epi32(_mm512_maskz_loadu_epi32(low, start), evens,
                                                      _mm512_maskz_loadu_epi32(high, start + 16));
                    } else {
                        x = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), mask, stride, start, 4);
                    }
                    __m512i w = _mm512_set1_epi32(filter[ky * g->kernel_width + kx]);
                    sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(w, x));
                }
            }
            _mm512_mask_storeu_epi32(row + ox, mask, sum);
        }
    }
}

KILN_AVX2_ENTRY void kiln_depthwise256(const kiln_depthwise_plane_geometry *g, const int32_t *padded, const int32_t *filter,
                                       int32_t bias, int32_t *output) {
    __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i stride = _mm256_mullo_epi32(lane, _mm256_set1_epi32((int)g->stride_x));
    for (ptrdiff_t oy = 0; oy < g->output_height; oy++) {
        int32_t *row = output + oy * g->output_width;
        for (ptrdiff_t ox = 0; ox < g->output_width; ox += 8) {
            ptrdiff_t left = g->output_width - ox;
            __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(left > 8 ? 8 : (int)left), lane);
            __m256i sum = _mm256_set1_epi32(bias);
            for (ptrdiff_t ky = 0; ky < g->kernel_height; ky++) {
                const int32_t *line = padded + (oy * g->stride_y + ky * g->dilation_y) * g->padded_width + ox * g->stride_x;
                for (ptrdiff_t kx = 0; kx < g->kernel_width; kx++) {
                    const int32_t *start = line + kx * g->dilation_x;
                    __m256i x = g->stride_x == 1 ? _mm256_maskload_epi32(start, mask)
                                                 : _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), start, stride, mask, 4);
                    __m256i w = _mm256_set1_epi32(filter[ky * g->kernel_width + kx]);
                    sum = _mm256_add_epi32(sum, _mm256_mullo_epi32(w, x));
                }
            }
            _mm256_maskstore_epi32(row + ox, mask, sum);
        }
    }
}

void kiln_depthwise_plane(kiln_pair_gemm_level level, const kiln_depthwise_plane_geometry *geometry, const int32_t *padded,
                          const int32_t *filter, int32_t bias, int32_t *output) {
    switch (level) {
    case KILN_PAIR_GEMM_AVX512_VNNI: kiln_depthwise512(geometry, padded, filter, bias, output); break;
    case KILN_PAIR_GEMM_AVX2: kiln_depthwise256(geometry, padded, filter, bias, output); break;
    case KILN_PAIR_GEMM_NONE: break;
    }
}

#else

void kiln_depthwise_plane(kiln_pair_gemm_level level, const kiln_depthwise_plane_geometry *geometry, const int32_t *padded,
                          const int32_t *filter, int32_t bias, int32_t *output) {
    (void)level; (void)geometry; (void)padded; (void)filter; (void)bias; (void)output;
}

#endif
