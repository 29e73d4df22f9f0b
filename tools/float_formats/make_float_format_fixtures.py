"""Writes the FP8 / FP16 / BF16 conversion fixtures of Tests/Fixtures/float-formats/.

The reference is ml_dtypes (float8_e4m3fn, float8_e5m2, bfloat16) and NumPy (float16):
  <format>_decoded.npy          float32 [2^bits]  every code decoded (code i at index i)
  <format>_inputs.npy           float32 [n]       float32 inputs: specials, subnormals, every
                                                  code's value, midpoints between neighbouring
                                                  codes (ties) and one float32 ulp either side,
                                                  values around the largest finite code, random
                                                  bit patterns and random values in range
  <format>_encoded.npy          uint8/uint16 [n]  inputs.astype(format): round to nearest even,
                                                  overflow to inf (E5M2, FP16, BF16) or NaN (E4M3)
  <format>_encoded_saturating.npy                  np.clip(inputs, -max, max).astype(format): the
                                                  OCP saturating mode (NaN stays NaN, ±inf → ±max)
Run: python3 tools/float_formats/make_float_format_fixtures.py  (deterministic, seed 20261206)
"""
import os
import numpy as np
import ml_dtypes

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures", "float-formats")
FORMATS = {
    "f8e4m3": (ml_dtypes.float8_e4m3fn, np.uint8),
    "f8e5m2": (ml_dtypes.float8_e5m2, np.uint8),
    "f16": (np.float16, np.uint16),
    "bf16": (ml_dtypes.bfloat16, np.uint16),
}
PAIR_SAMPLE = 4096   # neighbouring-code pairs sampled for the 16-bit formats (all pairs for 8-bit)
RANDOM_COUNT = 4096


def ulp_neighbours(values):
    values = values.astype(np.float32)
    up = np.nextafter(values, np.float32(np.inf))
    down = np.nextafter(values, np.float32(-np.inf))
    return np.concatenate([values, up, down])


def inputs_for(dtype, code_type, rng):
    bits = np.dtype(code_type).itemsize * 8
    codes = np.arange(2 ** bits, dtype=np.uint64).astype(code_type)
    decoded = codes.view(dtype).astype(np.float32)
    finite_positive = np.unique(decoded[np.isfinite(decoded) & (decoded >= 0)])
    low, high = finite_positive[:-1], finite_positive[1:]
    if len(low) > PAIR_SAMPLE:
        pick = rng.choice(len(low), PAIR_SAMPLE, replace=False)
        low, high = low[pick], high[pick]
    midpoints = (low.astype(np.float64) + high.astype(np.float64)) / 2
    midpoints = midpoints.astype(np.float32)
    assert np.all(midpoints.astype(np.float64) == (low.astype(np.float64) + high.astype(np.float64)) / 2)
    largest = np.float32(finite_positive[-1])
    around_max = np.array([largest, largest * 1.03125, largest * 1.0625, largest * 1.5, largest * 2,
                           np.float32(3.0e38)], dtype=np.float32)
    float32_subnormals = np.array([1e-45, 1e-40, 1e-39, 1.1754942e-38, 1.1754944e-38], dtype=np.float32)
    specials = np.array([0.0, np.inf, np.nan], dtype=np.float32)
    in_range = (rng.uniform(-1, 1, RANDOM_COUNT) * np.exp2(rng.uniform(np.log2(finite_positive[1]) - 2,
                                                                       np.log2(largest) + 1, RANDOM_COUNT)))
    random_bits = rng.integers(0, 2 ** 32, RANDOM_COUNT, dtype=np.uint64).astype(np.uint32).view(np.float32)
    random_bits = random_bits[~np.isnan(random_bits)]   # NaN payloads differ by library; canonical NaN is tested
    positive = np.concatenate([finite_positive, ulp_neighbours(midpoints), ulp_neighbours(around_max),
                               float32_subnormals, specials])
    values = np.concatenate([positive, -positive, in_range.astype(np.float32), random_bits]).astype(np.float32)
    return decoded, values


def main():
    rng = np.random.default_rng(20261206)
    os.makedirs(OUT, exist_ok=True)
    for name, (dtype, code_type) in FORMATS.items():
        decoded, inputs = inputs_for(dtype, code_type, rng)
        largest = np.float32(np.finfo(dtype).max)
        with np.errstate(over="ignore", invalid="ignore"):
            encoded = inputs.astype(dtype).view(code_type)
            saturating = np.clip(inputs, -largest, largest).astype(dtype).view(code_type)
        np.save(os.path.join(OUT, f"{name}_decoded.npy"), decoded)
        np.save(os.path.join(OUT, f"{name}_inputs.npy"), inputs)
        np.save(os.path.join(OUT, f"{name}_encoded.npy"), encoded)
        np.save(os.path.join(OUT, f"{name}_encoded_saturating.npy"), saturating)
        print(name, "codes", decoded.size, "inputs", inputs.size, "max", largest)


if __name__ == "__main__":
    main()
