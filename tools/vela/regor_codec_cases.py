#!/usr/bin/env python3
"""Encodes synthetic weight streams with the weight encoder of Vela 5.2's default core.

The fixture models exercise the encoder on real layers; these streams reach the corners they may
miss: all zeros, one repeated value, every value in a small palette, values spread over the
whole −255…255 range, zeros frequent but never in runs, zeros exactly 5× the next value, a
palette covering exactly half of the values, long zero runs, runs of 30 zeros and of none by
turns, segments switching
between kinds (many Golomb–Rice parameter changes, zero-run slices ending inside weight slices),
slices longer than 32,767 values and streams longer than the 128 Ki values of one section.

Each stream is defined by a formula on a 64-bit linear congruential generator (Knuth's MMIX
constants), so Kiln's test rebuilds it without storing the values:

    state = state * 6364136223846793005 + 1442695040888963407  (mod 2^64), r = state >> 33
    sparse:    0 if r % 8 < 6 else (r >> 3) % 15 - 7
    zeros:     0
    constant:  5
    uniform:   r % 511 - 255
    palette:   (-3, 0, 7, 12, -40)[r % 5]
    isolated:  0 at odd positions, else r % 5 + 1
    runs:      (r >> 10) % 255 + 1 if r % 1000 < 3 else 0
    segments:  the kind of position i is (sparse, uniform, palette, runs)[(i // 700) % 4]
    fivefold:  3 if i % 6 == 0 else 0 (zeros exactly 5x the other value: no zero runs)
    half:      (i // 2) % 32 + 1 at even positions, else ±(40 + r % 200), minus if (r >> 8) & 1
               (32 values cover half of the stream: the default core's palette threshold)
    runswitch: r % 100 + 1 where (i // 2000) % 2 == 1 or i % 31 == 0, else 0 (runs of 30 zeros
               and of none by turns: the zero-run parameter over both)

(the state starts at the seed and advances once per value, for every kind). The encoder is
`ml_encode_ethosu_stream` of the installed `ethosu/regor.cpython-*.so`, called as
tools/vela/regor_weight_streams.py calls it. Writes Tests/Fixtures/vela/weights/synthetic.regor.csv:

    kind,seed,count,bytes,crc32

Requires `pip install ethos-u-vela==5.2.0 tensorflow-cpu`.
Usage: python3 tools/vela/regor_codec_cases.py
"""
import os
import zlib

import numpy as np

from regor_weight_streams import OUT, regor_encode

MASK = (1 << 64) - 1
KINDS = ["sparse", "zeros", "constant", "uniform", "palette", "isolated", "runs", "segments", "fivefold", "half", "runswitch"]
COUNTS = [1, 2, 7, 100, 1000, 5000, 40000, 140000]


def value(kind, i, r):
    if kind == "segments":
        kind = ("sparse", "uniform", "palette", "runs")[(i // 700) % 4]
    if kind == "sparse":
        return 0 if r % 8 < 6 else (r >> 3) % 15 - 7
    if kind == "zeros":
        return 0
    if kind == "constant":
        return 5
    if kind == "uniform":
        return r % 511 - 255
    if kind == "palette":
        return (-3, 0, 7, 12, -40)[r % 5]
    if kind == "isolated":
        return 0 if i % 2 else r % 5 + 1
    if kind == "runs":
        return (r >> 10) % 255 + 1 if r % 1000 < 3 else 0
    if kind == "fivefold":
        return 3 if i % 6 == 0 else 0
    if kind == "runswitch":
        return r % 100 + 1 if (i // 2000) % 2 == 1 or i % 31 == 0 else 0
    if kind == "half":
        return (i // 2) % 32 + 1 if i % 2 == 0 else (40 + r % 200) * (-1 if (r >> 8) & 1 else 1)
    raise ValueError(kind)


def stream(kind, seed, count):
    state, out = seed, np.zeros(count, dtype=np.int16)
    for i in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        out[i] = value(kind, i, state >> 33)
    return out


def main():
    rows = []
    for kind in KINDS:
        for index, count in enumerate(COUNTS):
            seed = 1 + index
            encoded = regor_encode(stream(kind, seed, count))
            rows.append(f"{kind},{seed},{count},{len(encoded)},{zlib.crc32(encoded)}")
    with open(os.path.join(OUT, "synthetic.regor.csv"), "w") as out:
        out.write("kind,seed,count,bytes,crc32\n")
        out.write("\n".join(rows) + "\n")
    print(len(rows), "streams")


if __name__ == "__main__":
    main()
