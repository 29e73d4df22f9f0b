// NCHW int32 codes to a zero-point-padded NHWC int16 buffer (include/KilnHostKernels.h): the
// layout the SIMD convolution's GEMM reads in place, one tap per kernel position. Plain C for
// every host: the copy is a transposition, bounded by memory, not by vector width.
#include "KilnHostKernels.h"

/// Positions per block of the transposition: a block's NHWC destination (`block · channels`
/// int16) stays in the L1 cache while each channel's source run is read contiguously.
enum { KILN_NHWC_BLOCK = 32 };

/// One transposition per element type: `NAME(…, ELEMENT fill, ELEMENT *destination)`.
#define KILN_PADDED_NHWC(NAME, ELEMENT)                                                                                        \
    static void NAME##_fill(ELEMENT *destination, ptrdiff_t count, ELEMENT value) {                                           \
        for (ptrdiff_t i = 0; i < count; i++) destination[i] = value;                                                          \
    }                                                                                                                          \
    void NAME(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const int32_t *source, int32_t offset, ptrdiff_t pad_top, \
              ptrdiff_t pad_left, ptrdiff_t padded_height, ptrdiff_t padded_width, ELEMENT fill, ELEMENT *destination) {       \
        ptrdiff_t rowLength = padded_width * channels;                                                                         \
        for (ptrdiff_t y = 0; y < padded_height; y++) {                                                                        \
            ELEMENT *row = destination + y * rowLength;                                                                        \
            ptrdiff_t sourceY = y - pad_top;                                                                                   \
            if (sourceY < 0 || sourceY >= height) {                                                                            \
                NAME##_fill(row, rowLength, fill);                                                                             \
                continue;                                                                                                      \
            }                                                                                                                  \
            NAME##_fill(row, pad_left * channels, fill);                                                                       \
            NAME##_fill(row + (pad_left + width) * channels, (padded_width - pad_left - width) * channels, fill);              \
            for (ptrdiff_t x0 = 0; x0 < width; x0 += KILN_NHWC_BLOCK) {                                                        \
                ptrdiff_t x1 = x0 + KILN_NHWC_BLOCK < width ? x0 + KILN_NHWC_BLOCK : width;                                    \
                for (ptrdiff_t c = 0; c < channels; c++) {                                                                     \
                    const int32_t *line = source + (c * height + sourceY) * width;                                             \
                    ELEMENT *column = row + pad_left * channels + c;                                                           \
                    for (ptrdiff_t x = x0; x < x1; x++) column[x * channels] = (ELEMENT)(line[x] + (uint32_t)offset);          \
                }                                                                                                              \
            }                                                                                                                  \
        }                                                                                                                      \
    }

KILN_PADDED_NHWC(kiln_nchw_to_padded_nhwc16, int16_t)
KILN_PADDED_NHWC(kiln_nchw_to_padded_nhwc8, uint8_t)
