#!/usr/bin/env python3
"""Generates the .npy fixtures for KilnModelIOTests (NumPyArrayTests.swift).

Run from the repository root:  python3 tools/make_npy_fixtures.py
Writes Tests/Fixtures/npy/{read,write,bad}/. Needs numpy (2.x). The output is deterministic, so
running it again must leave `git status` clean.

  read/   arrays written by numpy that Kiln must read, with known values (see the tests)
  write/  np.save output for arrays the tests also build and write with Kiln: byte-identity
  bad/    files numpy writes that Kiln must reject with a clear error
"""
import os
import struct
import sys

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "npy")


def path(kind, name):
    folder = os.path.join(ROOT, kind)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, name)


def save(kind, name, array, version=None):
    with open(path(kind, name), "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=(array.dtype == object))


def save_raw(kind, name, header, data, major=1):
    """Writes a hand-made header (a Python dict literal) the way numpy frames it."""
    encoded = header.encode("utf8" if major == 3 else "latin1")
    prefix = 12 if major > 1 else 10
    pad = 64 - (prefix + len(encoded) + 1) % 64
    encoded += b" " * pad + b"\n"
    length = struct.pack("<H" if major == 1 else "<I", len(encoded))
    with open(path(kind, name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes([major, 0]) + length + encoded + data)


F4 = [0.0, 1.5, -0.0, np.nan, np.inf, -np.inf, np.finfo(np.float32).max, np.finfo(np.float32).smallest_subnormal]
F8 = [0.1, -2.5, -0.0, np.nan, np.inf, -np.inf, 1e300]
INTS = {
    "i1": [-128, -1, 0, 1, 127],
    "u1": [0, 1, 128, 255],
    "i2": [-32768, -1, 0, 1, 32767],
    "u2": [0, 1, 32768, 65535],
    "i4": [-2147483648, -1, 0, 1, 2147483647],
    "u4": [0, 1, 2147483647, 2147483648, 4294967295],
    "i8": [-9223372036854775808, -1, 0, 1, 9223372036854775807],
}


def make_read():
    for order, tag in (("<", "le"), (">", "be")):
        save("read", f"f4_{tag}.npy", np.array(F4, dtype=order + "f4"))
        save("read", f"f8_{tag}.npy", np.array(F8, dtype=order + "f8"))
        for code, values in INTS.items():
            if code[1] == "1":
                if tag == "le":
                    save("read", f"{code}.npy", np.array(values, dtype="|" + code))
            else:
                save("read", f"{code}_{tag}.npy", np.array(values, dtype=order + code))
    save("read", "b1.npy", np.array([True, False, True, True]))
    save("read", "scalar_f4.npy", np.array(3.25, dtype="<f4"))
    save("read", "shape_2x3x1x2_i1.npy", np.arange(-6, 6, dtype="|i1").reshape(2, 3, 1, 2))
    save("read", "empty_0x3_f4.npy", np.zeros((0, 3), dtype="<f4"))
    save("read", "v2_i4_2x2.npy", np.array([[1, -2], [3, -4]], dtype="<i4"), version=(2, 0))
    save("read", "v3_u1_3.npy", np.array([7, 8, 9], dtype="|u1"), version=(3, 0))
    # numpy never writes '=' or reordered keys, but other writers may and np.load accepts them.
    save_raw("read", "native_order_f4.npy", "{'descr': '=f4', 'fortran_order': False, 'shape': (2,), }",
             np.array([1.0, -2.0], dtype="=f4").tobytes())
    save_raw("read", "reordered_keys_i2.npy", '{"shape": (3,),"fortran_order":False, "descr":"<i2"}',
             np.array([5, -6, 7], dtype="<i2").tobytes())


def make_write():
    save("write", "f4_2x3.npy", np.array([[0.0, 1.5, -0.0], [np.nan, np.inf, -np.inf]], dtype="<f4"))
    save("write", "f8_3.npy", np.array([0.1, -2.5, 1e300], dtype="<f8"))
    save("write", "i1_5.npy", np.array(INTS["i1"], dtype="|i1"))
    save("write", "u1_4.npy", np.array(INTS["u1"], dtype="|u1"))
    save("write", "i2_5.npy", np.array(INTS["i2"], dtype="<i2"))
    save("write", "u2_4.npy", np.array(INTS["u2"], dtype="<u2"))
    save("write", "i4_5.npy", np.array(INTS["i4"], dtype="<i4"))
    save("write", "u4_5.npy", np.array(INTS["u4"], dtype="<u4"))
    save("write", "i8_5.npy", np.array(INTS["i8"], dtype="<i8"))
    save("write", "b1_4.npy", np.array([True, False, True, True]))
    save("write", "scalar_f4.npy", np.array(3.25, dtype="<f4"))
    save("write", "empty_0_i4.npy", np.zeros((0,), dtype="<i4"))
    save("write", "i1_2x3x1x2.npy", np.arange(-6, 6, dtype="|i1").reshape(2, 3, 1, 2))
    # A first dimension with many digits: the growth padding shrinks, the alignment must still hold.
    save("write", "u1_big_first_dim.npy", np.zeros((123456789012, 0), dtype="|u1"))


def make_bad():
    save("bad", "complex_c8.npy", np.array([1 + 2j], dtype="<c8"))
    save("bad", "object.npy", np.array([1, "a"], dtype=object))
    save("bad", "unicode_U5.npy", np.array(["hello"], dtype="<U5"))
    save("bad", "structured.npy", np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))
    save("bad", "fortran_2x3_f4.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    np.savez(path("bad", "archive.npz"), a=np.zeros(2, dtype="<f4"))
    with open(path("bad", "truncated_data_f4.npy"), "wb") as f:
        blob = open(path("read", "f4_le.npy"), "rb").read()
        f.write(blob[:-5])
    with open(path("bad", "trailing_bytes_f4.npy"), "wb") as f:
        blob = open(path("read", "f4_le.npy"), "rb").read()
        f.write(blob + b"junk")


if __name__ == "__main__":
    if not np.__version__.startswith("2."):
        sys.exit(f"needs numpy 2.x, found {np.__version__}")
    make_read()
    make_write()
    make_bad()
