#!/usr/bin/env python3
"""Encodes the weights of Kiln's fixture models with the weight encoder of Vela 5.2's default core.

Vela 5.2's default compiler core (the C++ "regor" core, what `vela MODEL` runs) has its own weight
encoder (`ethosu/regor/dependencies/mlw_codec`), which compresses many layers differently from the
Python core's `mlw_codec` (tools/vela/weight_streams.py). Its entry point `ml_encode_ethosu_stream`
is exported by the installed `ethosu/regor.cpython-*.so`; this script calls it through ctypes the
way `EthosU55WeightEncoder::EncodeWeights` does (a source callback, 128 Ki values of source
buffering, no flags). The weights go in already in the MAC array's order: Vela's own reorder
(`mlw_codec.reorder_encode` of the Python package, decoded back with `mlw_codec.decode`), which
is the traversal of regor's `EthosUWeightOrdering` as well. On a U65-512 each depth slice holds
one stream per core, core c taking output channels c, c + 2, ... with OFM blocks
(depth + 1 - c) // 2 deep (regor `WeightSourceCommon::SetSourceCommon`).

Two kinds of rows go to Tests/Fixtures/vela/weights/<model>.regor.csv:

    configuration,operator,kind,shape,ofm_start,ofm_end,block_depth,part_kernel,ofm_micro_depth,cores,core,bytes,crc32

- configuration "sweep": every convolution, depthwise convolution and fully connected layer at
  OFM block depths 16 and 32, both traversals (convolutions), the whole depth and a 16-channel
  depth slice with the rest, one core, micro-blocks 8 deep (the rows of weight_streams.py);
- configuration <name> (one per Kiln target, as run_vela.py names them): each weighted layer as
  Vela's default core compiles it for that configuration, from `vela --enable-debug-db`
  (`perf_debug_main`: OFM block depth and traversal; `perf_debug`: `ofm_depth_slices`), one row
  per depth slice and core.

and, per configuration, Vela's own total per layer to <model>.regor-layers.csv:

    configuration,operator,block_depth,part_kernel,depth_slices,weight_total_bytes,weight_max_range_bytes

(of the debug database: `weight_total_bytes`, the layer's encoded weight streams without scale
records; `weight_max_range_bytes`, its largest depth slice with every core's scale records and
stream). The script stops if the streams it encodes do not add up to that total on every layer,
so the rows are the streams in Vela's own output. <model>.regor.first.hex holds the whole bytes of
the first sweep stream of at most 8 KiB.

Requires `pip install ethos-u-vela==5.2.0 tensorflow-cpu`.
Usage: python3 tools/vela/regor_weight_streams.py
"""
import csv
import ctypes
import io
import os
import re
import subprocess
import tempfile
import zlib

import numpy as np
import ethosu
from ethosu import mlw_codec

from run_vela import CONFIGURATIONS, VELA_INI
from weight_streams import MODELS, OUT, REPO, layers

REGOR = ctypes.CDLL(next(os.path.join(ethosu.__path__[0], name) for name in os.listdir(ethosu.__path__[0])
                         if name.startswith("regor.") and name.endswith(".so")))


class EncodeParams(ctypes.Structure):  # ml_ethosu_encode_params_t
    _fields_ = [("source_buffering_hint", ctypes.c_int32), ("encoder_flags", ctypes.c_uint16),
                ("realloc_func", ctypes.c_void_p)]


class EncodeResult(ctypes.Structure):  # ml_encode_result_t
    _fields_ = [("encoded_data", ctypes.POINTER(ctypes.c_uint8)), ("encoded_length", ctypes.c_int32),
                ("source_length", ctypes.c_int32), ("section_info", ctypes.c_void_p), ("section_count", ctypes.c_int32)]


class SourceState(ctypes.Structure):  # ml_source_state_t
    _fields_ = [("new_dim_mask", ctypes.c_uint8), ("end_dim_mask", ctypes.c_uint8), ("eos", ctypes.c_bool)]


SOURCE = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_int32, ctypes.POINTER(SourceState), ctypes.POINTER(ctypes.c_int16),
                          ctypes.c_int32, ctypes.c_void_p)
REGOR.ml_encode_ethosu_stream.argtypes = [ctypes.POINTER(EncodeResult), ctypes.POINTER(EncodeParams), SOURCE,
                                          ctypes.c_void_p, ctypes.c_void_p]
REGOR.ml_encode_ethosu_stream.restype = ctypes.c_int32
REGOR.mle_free.argtypes = [ctypes.POINTER(EncodeResult)]


def regor_encode(values):
    """The default core's encoded stream of `values` (already in the MAC array's order)."""
    values = np.ascontiguousarray(values, dtype=np.int16)
    position = [0]

    def source(query, state, buffer, size, user):
        count = min(size, len(values) - position[0])
        ctypes.memmove(buffer, values[position[0]:].ctypes.data, 2 * count)
        position[0] += count
        state[0].eos = count < size
        return count

    callback = SOURCE(source)
    result = EncodeResult()
    params = EncodeParams(128 * 1024, 0, None)  # EthosU55WeightEncoder::EncodeWeights
    if REGOR.ml_encode_ethosu_stream(ctypes.byref(result), ctypes.byref(params), callback, None, None) < 0:
        raise RuntimeError("ml_encode_ethosu_stream failed")
    encoded = bytes(ctypes.cast(result.encoded_data, ctypes.POINTER(ctypes.c_uint8 * result.encoded_length)).contents)
    REGOR.mle_free(ctypes.byref(result))
    return encoded


def reordered(volume, block_depth, depthwise, part_kernel, ofm_micro_depth):
    """Vela's reorder of an OHWI volume into the MAC array's order (int8 feature maps, 8x8 sub-kernels)."""
    encoded, _ = mlw_codec.reorder_encode(8, ofm_micro_depth, np.ascontiguousarray(volume), block_depth, depthwise,
                                          part_kernel, 8, 8, 8)
    return np.array(mlw_codec.decode(bytearray(encoded)), dtype=np.int16)


def streams(ohwi, kind, start, end, block_depth, part_kernel, ofm_micro_depth, cores):
    """(core, encoded stream) of each core's stream of output channels start..<end."""
    out = []
    for core in range(cores):
        volume = ohwi[start:end][core::cores]
        if len(volume) == 0:
            continue
        core_block = (block_depth + cores - 1 - core) // cores
        out.append((core, regor_encode(reordered(volume, core_block, kind == "depthwise", part_kernel, ofm_micro_depth))))
    return out


def debug_tables(path):
    """The tables of a `vela --enable-debug-db` XML file, as lists of dicts."""
    text = open(path).read()
    return {match.group(1): list(csv.DictReader(io.StringIO(match.group(2).strip())))
            for match in re.finditer(r'<table name="(\w+)">\s*<!\[CDATA\[(.*?)\]\]>', text, re.S)}


def compiled_layers(model_path, configuration):
    """{TFLite operator index: (block depth, part-kernel, depth slices, weight_total_bytes,
    weight_max_range_bytes)} as Vela's default core compiles the model for `configuration`."""
    accelerator, system, mode = CONFIGURATIONS[configuration]
    stem = os.path.splitext(os.path.basename(model_path))[0]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["vela", model_path, "--accelerator-config", accelerator, "--config", VELA_INI,
                        "--system-config", system, "--memory-mode", mode, "--output-dir", tmp, "--enable-debug-db"],
                       check=True, capture_output=True)
        tables = debug_tables(os.path.join(tmp, f"{stem}_debug.xml"))
    operator_of_source = {row["id"]: int(row["ext_key"]) for row in tables["source"]}
    source_of = {row["id"]: row["source_id"] for row in tables["perf"]}
    main = {row["id"]: row for row in tables["perf_debug_main"]}
    out = {}
    for row in tables["perf_debug"]:
        if not row["weight_total_bytes"]:
            continue
        operator = operator_of_source[source_of[row["id"]]]
        assert operator not in out, f"{stem}: operator {operator} has two weighted NPU operations"
        out[operator] = (int(main[row["id"]]["ofm_block_c"]), main[row["id"]]["traversal"] == "PartKernel",
                         [int(x) for x in row["ofm_depth_slices"].split("|")], int(row["weight_total_bytes"]),
                         int(row["weight_max_range_bytes"]))
    return out


def row(configuration, index, kind, ohwi, start, end, block, part_kernel, micro, cores, core, encoded):
    return (f"{configuration},{index},{kind},{'x'.join(map(str, ohwi.shape))},{start},{end},{block},{int(part_kernel)},"
            f"{micro},{cores},{core},{len(encoded)},{zlib.crc32(encoded)}")


def main():
    os.makedirs(OUT, exist_ok=True)
    micro_depths = {name: 4 if name == "ethos-u55-32" else 8 for name in CONFIGURATIONS}  # Vela accelerator_configs
    core_counts = {name: 2 if name == "ethos-u65-512" else 1 for name in CONFIGURATIONS}
    for model, path in MODELS.items():
        weighted = list(layers(path))
        rows, totals, first = [], [], None
        for index, kind, ohwi in weighted:
            depth = ohwi.shape[0]
            slices = [(0, depth)] + ([(0, 16), (16, depth)] if depth > 16 else [])
            for start, end in slices:
                for block in (16, 32):
                    for part_kernel in ([False, True] if kind == "conv" else [False]):
                        for core, encoded in streams(ohwi, kind, start, end, block, part_kernel, 8, 1):
                            rows.append(row("sweep", index, kind, ohwi, start, end, block, part_kernel, 8, 1, core, encoded))
                            if first is None and len(encoded) <= 8192:
                                first = encoded
        for configuration in CONFIGURATIONS:
            compiled = compiled_layers(os.path.join(REPO, path), configuration)
            # Every weighted TFLite operator (Vela also gives MEAN a weight tensor of its own).
            assert {index for index, _, _ in weighted} <= set(compiled), f"{model} {configuration}: a layer without weights"
            for index, kind, ohwi in weighted:
                block, part_kernel, depth_slices, vela_total, vela_max_range = compiled[index]
                total = 0
                for start, end in zip(depth_slices, depth_slices[1:]):
                    for core, encoded in streams(ohwi, kind, start, end, block, part_kernel, micro_depths[configuration],
                                                 core_counts[configuration]):
                        rows.append(row(configuration, index, kind, ohwi, start, end, block, part_kernel,
                                        micro_depths[configuration], core_counts[configuration], core, encoded))
                        total += len(encoded)
                assert total == vela_total, f"{model} {configuration} operator {index}: {total} bytes, Vela {vela_total}"
                totals.append(f"{configuration},{index},{block},{int(part_kernel)},{'|'.join(map(str, depth_slices))},"
                              f"{vela_total},{vela_max_range}")
        with open(os.path.join(OUT, f"{model}.regor.csv"), "w") as out:
            out.write("configuration,operator,kind,shape,ofm_start,ofm_end,block_depth,part_kernel,ofm_micro_depth,cores,core,bytes,crc32\n")
            out.write("\n".join(rows) + "\n")
        with open(os.path.join(OUT, f"{model}.regor-layers.csv"), "w") as out:
            out.write("configuration,operator,block_depth,part_kernel,depth_slices,weight_total_bytes,weight_max_range_bytes\n")
            out.write("\n".join(totals) + "\n")
        with open(os.path.join(OUT, f"{model}.regor.first.hex"), "w") as out:
            out.write(first.hex() + "\n")
        print(model, len(rows), "streams,", len(totals), "layers equal to Vela's totals")


if __name__ == "__main__":
    main()
