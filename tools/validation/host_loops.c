/* The inner loops of a stack's generic (reference) kernels, as plain C: what a TensorFlow Lite
 * Micro reference kernel's innermost loop does per element, for deriving a core's hostCompute
 * rates with a compiler and llvm-mca (host_loops.py). Written for Kiln; not taken from any stack. */
#include <stdint.h>

/* Float conv / dense: one multiply-accumulate per input channel. */
float float_mac(const float *x, const float *w, int n, float acc) {
  for (int i = 0; i < n; ++i) acc += x[i] * w[i];
  return acc;
}

/* Float max pooling: one compare per window element. */
float float_max(const float *x, int n, float acc) {
  for (int i = 0; i < n; ++i) acc = x[i] > acc ? x[i] : acc;
  return acc;
}

/* Int8 conv / dense (reference kernel): (x + input offset) * w per input channel into int32. */
int32_t int8_mac(const int8_t *x, const int8_t *w, int n, int32_t offset, int32_t acc) {
  for (int i = 0; i < n; ++i) acc += (x[i] + offset) * w[i];
  return acc;
}

/* Int8 max pooling: one compare per window element. */
int32_t int8_max(const int8_t *x, int n, int32_t acc) {
  for (int i = 0; i < n; ++i) acc = x[i] > acc ? x[i] : acc;
  return acc;
}
