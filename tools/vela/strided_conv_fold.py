#!/usr/bin/env python3
"""Why Vela's full flow costs kws's first convolution below its own cycle function.

Vela 5.2's graph optimiser (`tflite_graph_optimiser.fixup_strided_conv`, legacy Python core)
rewrites the network's first Conv2D when its horizontal stride is > 1 and the input depth times
the stride is at most 8: the IFM's width is folded into its depth (kws: 49x10x1 -> 49x5x2), the
filter is zero-padded so SAME padding is unchanged (width 4 -> 6, `calc_filter_padding`) and
reshaped (10x6x1 -> 10x3x2), and the horizontal stride becomes 1. Vela's per-layer CSV then
counts 25*5*64 * 10*3*2 = 480,000 MACs (not the 320,000 of the TFLite layer).

This script calls Vela's own `find_block_config` and `measure_cycle_cost` on the layer before
and after the fold, on each accelerator, and prints both next to the op cycles Vela's full flow
reports (Tests/Fixtures/vela/<config>-legacy/kws_ref_model.layers.csv). Requires
`pip install ethos-u-vela==5.2.0`.

Usage: python3 tools/vela/strided_conv_fold.py
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import pass_estimates as pe  # noqa: E402  (Vela's ini path, systems and format names)
from ethosu.vela import npu_performance as perf  # noqa: E402
from ethosu.vela.architecture_allocator import find_block_config  # noqa: E402
from ethosu.vela.architecture_features import ArchitectureFeatures  # noqa: E402
from ethosu.vela.ethos_u55_regs.ethos_u55_regs import resampling_mode  # noqa: E402
from ethosu.vela.operation import Kernel, NpuBlockType, Op  # noqa: E402
from ethosu.vela.shape4d import Shape4D  # noqa: E402
from ethosu.vela.tensor import MemArea  # noqa: E402

# name -> (IFM HWC, kernel width, horizontal stride); kernel height 10, vertical stride 2, OFM 25x5x64.
SHAPES = {"as in the .tflite": ((49, 10, 1), 4, 2), "folded by Vela": ((49, 5, 2), 3, 1)}


def cycles(arch, ifm, kernel_width, stride_x):
    kernel = Kernel(kernel_width, 10, stride_x, 2)
    ifm_shape, ofm_shape = Shape4D(1, *ifm), Shape4D(1, 25, 5, 64)
    config = find_block_config(arch, NpuBlockType.ConvolutionMxN, ofm_shape, ifm_shape, None, False, 8, kernel, 0,
                               False, resampling_mode.NONE)
    query = perf.PerformanceQuery(NpuBlockType.ConvolutionMxN)
    query.ifm_shape, query.ofm_shape, query.ifm2_shape = ifm_shape, ofm_shape, None
    query.ifm_bits = query.ofm_bits = 8
    query.ifm2_bits = 0
    query.ifm_format, query.ofm_format = pe.FORMAT["nhwc"], pe.FORMAT["brick16"]
    query.ifm2_format = query.ifm_format
    query.ifm_memory_area = query.ofm_memory_area = query.ifm2_memory_area = MemArea.Sram
    query.kernel, query.config = kernel, config
    query.const_shape, query.const_memory_area = Shape4D(1, 1, 1, 64), MemArea.Sram
    return perf.measure_cycle_cost(arch, Op.Conv2DBias, Op.Relu, query).op_cycles


def main():
    print("accelerator,shape,npu_cycles,vela_full_flow_op_cycles")
    for accel, system in pe.SYSTEMS.items():
        arch = ArchitectureFeatures(vela_config_files=[pe.INI], accelerator_config=accel, system_config=system,
                                    memory_mode="Shared_Sram", max_blockdep=3, verbose_config=False,
                                    arena_cache_size=None)
        layers = os.path.join(pe.REPO, f"Tests/Fixtures/vela/{accel}-legacy/kws_ref_model.layers.csv")
        with open(layers) as handle:
            first = next(csv.DictReader(handle))
        for name, (ifm, kernel_width, stride_x) in SHAPES.items():
            print(f"{accel},{name},{cycles(arch, ifm, kernel_width, stride_x)},{first['Op Cycles']}")


if __name__ == "__main__":
    main()
