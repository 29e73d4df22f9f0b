#!/usr/bin/env python3
"""Per-pass ground truth from Vela 5.2's Python performance model, for Kiln's exact tests.

For a fixed list of NPU passes (shapes from the MLPerf Tiny models and a few more) on each
accelerator, calls Vela's own functions (ethos-u-vela 5.2.0, legacy Python core):
`architecture_allocator.find_block_config`, `npu_performance.measure_cycle_cost` and
`npu_performance.measure_element_access`, with the vela.ini system Kiln's targets use, and
writes Tests/Fixtures/vela/passes.csv: the chosen OFM / IFM blocks, the traversal, the pass's
NPU cycles and its IFM, OFM and weight element accesses.

Usage: python3 tools/vela/pass_estimates.py
"""
import csv
import os

import ethosu.vela
from ethosu.vela import npu_performance as perf
from ethosu.vela.architecture_allocator import find_block_config
from ethosu.vela.architecture_features import ArchitectureFeatures, TensorFormat
from ethosu.vela.ethos_u55_regs.ethos_u55_regs import resampling_mode
from ethosu.vela.operation import Kernel, NpuBlockType, Op
from ethosu.vela.shape4d import Shape4D
from ethosu.vela.tensor import MemArea

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
INI = os.path.join(os.path.dirname(ethosu.vela.__file__), "..", "config_files", "Arm", "vela.ini")
SYSTEMS = {"ethos-u55-64": "Ethos_U55_High_End_Embedded", "ethos-u55-128": "Ethos_U55_High_End_Embedded",
           "ethos-u55-256": "Ethos_U55_High_End_Embedded", "ethos-u65-256": "Ethos_U65_High_End",
           "ethos-u65-512": "Ethos_U65_High_End"}

# kind, ifm HWC, ofm HWC, kernel HxW, stride, activation, formats (ifm, ofm), ifm2 HWC
PASSES = [
    ("convolution", (49, 10, 1), (25, 5, 64), (10, 4), 2, "relu", ("nhwc", "brick16"), None),
    ("convolution", (25, 5, 64), (25, 5, 64), (1, 1), 1, "relu", ("brick16", "brick16"), None),
    ("convolution", (96, 96, 3), (48, 48, 8), (3, 3), 2, "relu", ("nhwc", "brick16"), None),
    ("convolution", (12, 12, 64), (12, 12, 128), (1, 1), 1, "relu", ("brick16", "brick16"), None),
    ("convolution", (6, 6, 128), (6, 6, 256), (1, 1), 1, "relu", ("brick16", "brick16"), None),
    ("convolution", (32, 32, 16), (32, 32, 16), (3, 3), 1, "none", ("brick16", "brick16"), None),
    ("convolution", (16, 16, 32), (8, 8, 64), (3, 3), 2, "relu", ("brick16", "nhwc"), None),
    ("convolution", (8, 1, 40), (8, 1, 24), (1, 1), 1, "none", ("brick16", "brick16"), None),
    ("depthwise", (25, 5, 64), (25, 5, 64), (3, 3), 1, "relu", ("brick16", "brick16"), None),
    ("depthwise", (48, 48, 8), (48, 48, 8), (3, 3), 1, "relu", ("brick16", "brick16"), None),
    ("depthwise", (24, 24, 32), (12, 12, 32), (3, 3), 2, "relu", ("brick16", "brick16"), None),
    ("depthwise", (6, 6, 256), (6, 6, 256), (3, 3), 1, "relu", ("brick16", "brick16"), None),
    ("vectorProduct", (1, 1, 640), (1, 1, 128), (1, 1), 1, "relu", ("nhwc", "brick16"), None),
    ("vectorProduct", (1, 1, 64), (1, 1, 12), (1, 1), 1, "none", ("brick16", "nhwc"), None),
    ("vectorProduct", (1, 1, 128), (1, 1, 8), (1, 1), 1, "relu", ("brick16", "brick16"), None),
    ("averagePool", (25, 5, 64), (1, 1, 64), (25, 5), 1, "none", ("brick16", "brick16"), None),
    ("maxPool", (32, 32, 16), (16, 16, 16), (2, 2), 2, "none", ("brick16", "brick16"), None),
    ("add", (16, 16, 32), (16, 16, 32), (1, 1), 1, "relu", ("brick16", "brick16"), (16, 16, 32)),
    ("mul", (8, 8, 64), (8, 8, 64), (1, 1), 1, "none", ("brick16", "nhwc"), (8, 8, 64)),
    ("add", (1, 1, 12), (1, 1, 12), (1, 1), 1, "none", ("nhwc", "nhwc"), (1, 1, 1)),
]

BLOCK = {"convolution": NpuBlockType.ConvolutionMxN, "depthwise": NpuBlockType.ConvolutionDepthWise,
         "vectorProduct": NpuBlockType.VectorProduct, "averagePool": NpuBlockType.Pooling,
         "maxPool": NpuBlockType.Pooling, "add": NpuBlockType.ElementWise, "mul": NpuBlockType.ElementWise}
OP = {"convolution": Op.Conv2DBias, "depthwise": Op.DepthwiseConv2DBias, "vectorProduct": Op.FullyConnected,
      "averagePool": Op.AvgPool, "maxPool": Op.MaxPool, "add": Op.Add, "mul": Op.Mul}
FORMAT = {"nhwc": TensorFormat.NHWC, "brick16": TensorFormat.NHCWB16}


def main():
    rows = []
    for accel, system in SYSTEMS.items():
        arch = ArchitectureFeatures(vela_config_files=[INI], accelerator_config=accel, system_config=system,
                                    memory_mode="Shared_Sram", max_blockdep=3, verbose_config=False, arena_cache_size=None)
        for kind, ifm, ofm, kernel, stride, activation, formats, ifm2 in PASSES:
            block_type = BLOCK[kind]
            k = Kernel(kernel[1], kernel[0], stride, stride)
            ifm_shape, ofm_shape = Shape4D(1, *ifm), Shape4D(1, *ofm)
            ifm2_shape = Shape4D(1, *ifm2) if ifm2 else None
            scalar = ifm2 is not None and ifm2_shape.elements() == 1
            config = find_block_config(arch, block_type, ofm_shape, ifm_shape, ifm2_shape, scalar, 8, k, 0, False,
                                       resampling_mode.NONE)
            query = perf.PerformanceQuery(block_type)
            query.ifm_shape, query.ofm_shape, query.ifm2_shape = ifm_shape, ofm_shape, ifm2_shape
            query.ifm_bits = query.ofm_bits = 8
            query.ifm2_bits = 8 if ifm2 else 0
            query.ifm_format, query.ofm_format = FORMAT[formats[0]], FORMAT[formats[1]]
            query.ifm2_format = FORMAT[formats[0]]
            query.ifm_memory_area = query.ofm_memory_area = MemArea.Sram
            query.ifm2_memory_area = MemArea.Sram
            query.kernel, query.config = k, config
            if kind in ("convolution", "depthwise", "vectorProduct"):
                query.const_shape = Shape4D(1, 1, 1, ofm[2])
                # Buffered convolution weights are read from the SRAM buffer; fully connected from permanent storage.
                query.const_memory_area = MemArea.Sram if kind != "vectorProduct" else arch.permanent_storage_mem_area
            faf = Op.Relu if activation == "relu" else None
            cycles = perf.measure_cycle_cost(arch, OP[kind], faf, query)
            access = perf.measure_element_access(arch, query)
            rows.append([accel, kind, *ifm, *ofm, *kernel, stride, activation, *formats, *(ifm2 or (0, 0, 0)),
                         config.ofm_block.height, config.ofm_block.width, config.ofm_block.depth,
                         config.ifm_block.height, config.ifm_block.width, config.ifm_block.depth, int(config.is_partkernel),
                         cycles.op_cycles, access.ifm_read[0], access.ifm_read[1], access.ofm_write, access.const_read[0],
                         access.const_read[1]])
    with open(os.path.join(REPO, "Tests/Fixtures/vela/passes.csv"), "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["accelerator", "kind", "ifm_h", "ifm_w", "ifm_c", "ofm_h", "ofm_w", "ofm_c", "kernel_h", "kernel_w",
                         "stride", "activation", "ifm_format", "ofm_format", "ifm2_h", "ifm2_w", "ifm2_c",
                         "ofm_block_h", "ofm_block_w", "ofm_block_c", "ifm_block_h", "ifm_block_w", "ifm_block_c",
                         "part_kernel", "npu_cycles", "ifm_read", "ifm2_read", "ofm_write", "weight_read", "bias_read"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
