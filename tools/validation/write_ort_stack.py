#!/usr/bin/env python3
"""Write the onnxruntime-mlas stack of a target description from the fixed costs time_ort.py measured.

Python only produces files; Kiln never runs it.

Reads tools/validation/ort_measurements_<target>.json (written by
`python3 tools/validation/time_ort.py --fixed-costs-only`) and rewrites the first entry of the
target's `stacks` in targets/<target>.json: the dispatch, the run call, each operator's set-up
beyond the dispatch (ops whose node costs the dispatch or less get no entry: Relu, Clip, Flatten),
the per-output-channel figures, the generic path's im2col row and the symmetric path's
indirection per pixel and tap, each converted at the target's clockMegahertz and written with
the measurement it came from as its source.

`--borrow-into NAME` also gives target NAME (a part not measured here, running the same ONNX
Runtime code) the same cycle counts for the dispatch and the per-operator set-up, each source
marked "derived, not measured on this part".

Usage (from the repository root):
  python3 tools/validation/write_ort_stack.py [--target x86-avx512-zen4-epyc-kvm] [--borrow-into x86-amx-avx512-sapphire-rapids]
"""
import argparse
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="x86-avx512-zen4-epyc-kvm")
    parser.add_argument("--borrow-into", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    p = os.path.join(ROOT, "targets", f"{args.target}.json")
    t = json.load(open(p))
    results = f"tools/validation/ort_measurements_{args.target}.json"
    m = json.load(open(os.path.join(ROOT, results)))
    MHZ = t["clockMegahertz"]["value"]
    ns=lambda x: x*1e9
    load=m['fixedCostsLoadAverage'][0]
    src=("measured: tools/validation/time_ort.py --fixed-costs-only --repeats %d on this machine, ONNX Runtime %s one thread, %s, load average %.1f "
         "(%s): ") % (m['fixedCostsRepeats'], m['onnxruntime'], m['fixedCostsDate'], load, results)
    d=m['operatorDispatchSeconds']; N=m['nodeSeconds']
    stack=t['stacks'][0]
    stack['operatorDispatchCycles']={"value": round(d*1e9*MHZ/1000), "source": src+"a chain of 256 Add nodes on a 1-element tensor (graph optimization off) minus a 1-node run, minimum thread CPU time: %.0f ns per operator × %d MHz (operatorDispatchSeconds)" % (ns(d), MHZ)}
    stack['runCycles']={"value": round(m['runSeconds']*1e9*MHZ/1000), "source": src+"one session.run from Python of a 1-node Add model, minimum thread CPU time, less one dispatch: %.0f ns × %d MHz (runSeconds): binding the feed and fetches and preparing the executor, outside every operator; a C++ caller pays the C API part only" % (ns(m['runSeconds']), MHZ)}
    ch=m['outputChannelSeconds']
    perChannelWhat={
     "QGemm": "chains of 16 pairs of 16 → 256 → 16 channel Gemm nodes at M = 1, quantized by ORT static QDQ (QGemm), minus the same with 16 → 16 → 16, over 16 × 240 output channels, minimum thread CPU time: %.2f ns per output channel (outputChannelSeconds; includes the 240 extra columns' multiply-accumulates, ~1 %%) × %d MHz",
     "QLinearConv": "chains of 16 pairs of 16 → 256 → 16 channel 1×1 Conv nodes on a 1×1 image, quantized by ORT static QDQ (QLinearConv), minus the same with 16 → 16 → 16, over 16 × 240 output channels, minimum thread CPU time: %.2f ns per output channel (outputChannelSeconds) × %d MHz",
    }
    def entry(op, arith, label, what, perChannel=None):
        extra=N[label]-d
        e={"op":op,"arithmetic":arith,"cycles":{"value": round(max(extra,0)*1e9*MHZ/1000), "source": src+"%s minus a 1-node chain, minimum thread CPU time: %.0f ns per %s node (nodeSeconds) − %.0f ns dispatch = %.0f ns × %d MHz" % (what, ns(N[label]), label.replace(' u8',''), ns(d), ns(extra), MHZ)}}
        if perChannel:
            e["outputChannelCycles"]={"value": round(ch[perChannel]*1e9*MHZ/1000*10)/10, "source": src+perChannelWhat[perChannel] % (ns(ch[perChannel]), MHZ)}
        return e
    ops=[
     entry("conv2d","float","Conv","a chain of 129 one-channel 1×1 Conv nodes on a 1×1 tensor"),
     entry("conv2d","quantized","QLinearConv","a chain of 129 one-channel 1×1 Conv nodes on a 1×1 tensor quantized by ORT static QDQ (fused to QLinearConv)","QLinearConv"),
     entry("dense","float","Gemm","a chain of 129 one-channel 1×1 Gemm nodes on a 1×1 tensor"),
     entry("dense","quantized","QGemm","a chain of 129 one-channel 1×1 Gemm nodes on a 1×1 tensor quantized by ORT static QDQ (fused to QGemm)","QGemm"),
     entry("add","float","Add","a chain of 129 Add nodes (a constant second input) on a 1-element tensor"),
     entry("add","quantized","QLinearAdd","a chain of 129 Add nodes (a constant second input) on a 1-element tensor quantized by ORT static QDQ (fused to QLinearAdd)"),
     entry("maxPool","float","MaxPool","a chain of 129 1×1 MaxPool nodes on a 1-element tensor"),
     entry("maxPool","quantized","MaxPool u8","a chain of 129 1×1 MaxPool nodes on a 1-element tensor quantized by ORT static QDQ (MaxPool on the u8 tensor, its Q/DQ pairs dropped)"),
     entry("globalAveragePool","float","GlobalAveragePool","a chain of 129 GlobalAveragePool nodes on a 1-element tensor"),
     entry("globalAveragePool","quantized","QLinearGlobalAveragePool","a chain of 129 GlobalAveragePool nodes on a 1-element tensor quantized by ORT static QDQ (fused to QLinearGlobalAveragePool)"),
    ]
    pair=N['QuantizeLinear+DequantizeLinear']
    for op in ("quantize","dequantize"):
        extra=pair/2-d
        ops.append({"op":op,"arithmetic":"quantized","cycles":{"value": round(max(extra,0)*1e9*MHZ/1000), "source": src+"a chain of 129 QuantizeLinear → DequantizeLinear pairs on a 1-element tensor (graph optimization off) minus a 1-pair chain: %.0f ns per pair (nodeSeconds); half of it per node (assumed: the two MLAS kernels, MlasQuantizeLinear and MlasDequantizeLinear, cannot be timed apart in a chain) − %.0f ns dispatch = %.1f ns × %d MHz" % (ns(pair), ns(d), ns(extra), MHZ)}})
    stack['operatorCycles']=ops
    row=m['im2colRowSeconds']
    stack['im2colRowCycles']={"value": round(row*1e9*MHZ/1000*10)/10, "source": src+"a QDQ Conv of 3 to 16 channels on 32×32 (3 input channels fail MLAS's ConvSym alignment, so QLinearConv takes its generic im2col path) with a 7×3 kernel minus the same with a 3×3 kernel, over 1024 pixels × 4 kernel rows: %.2f ns × %d MHz (im2colRowSeconds; includes those rows' 144 MACs per pixel, also priced by the GEMM). Beyond its rows the generic path costs %.1f ns per pixel against the symmetric path (genericConvPixelSeconds, a 4-channel layer), so no per-pixel term is charged" % (ns(row), MHZ, ns(m['genericConvPixelSeconds']))}
    tap=m['indirectionTapSeconds']
    stack['indirectionTapCycles']={"value": round((tap*1e9*MHZ/1000-1)*100)/100, "source": src+"a QDQ Conv of 4 to 16 channels on 32×32 (4 input channels pass MLAS's ConvSym alignment: symmetric indirect path) with a 7×3 kernel minus the same with a 3×3 kernel, over 1024 pixels × 12 taps: %.2f ns × %d MHz (indirectionTapSeconds) = %.2f cycles, less 1 cycle for the taps' multiply-accumulates (one 4-deep step per tap: MlasConvSymKernelAvx512Vnni issues 6 vpdpbusd per 6 pixels per step, 1 per cycle by tools/validation/x86_ports.json), which the GEMM prices" % (ns(tap), MHZ, tap*1e9*MHZ/1000)}
    order=["name","description","version","kernels","operatorDispatchCycles","runCycles","operatorCycles","im2colRowCycles","indirectionTapCycles","multiplyAccumulatesPerThread"]
    t['stacks'][0]={k:stack[k] for k in order if k in stack}
    with open(p, 'w') as f:
        f.write(json.dumps(t, indent=2, ensure_ascii=False) + "\n")
    for name in args.borrow_into:
        borrow(t["stacks"][0], t["name"], name)


def borrow(measured, measured_name, name):
    """Copies `measured`'s dispatch and per-operator cycle counts into target `name`'s first stack."""
    prefix = (f"derived, not measured on this part: cycles measured on the {measured_name} target with tools/validation/time_ort.py, "
              "taken as the same cycle count on this core (the same ONNX Runtime code path; assumed, unverified): ")

    def derived(figure):
        source = figure["source"].removeprefix("measured: ").replace(" on this machine,", f" on the {measured_name} machine,")
        return {"value": figure["value"], "source": prefix + source}

    path = os.path.join(ROOT, "targets", f"{name}.json")
    target = json.load(open(path))
    stack = target["stacks"][0]
    stack["operatorDispatchCycles"] = derived(measured["operatorDispatchCycles"])
    stack["operatorCycles"] = [{**entry, **{key: derived(entry[key]) for key in ("cycles", "outputChannelCycles") if key in entry}}
                               for entry in measured["operatorCycles"]]
    with open(path, "w") as f:
        f.write(json.dumps(target, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
