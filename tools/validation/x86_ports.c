/* Measures, on the machine it runs on, the core clock and the latency and throughput of the
 * vector instructions Kiln's x86 targets price (AVX-512 VNNI vpdpbusd, FMA vfmadd231ps, AVX2
 * vpmaddubsw) and the L1 data cache's 512-bit load and store bandwidth, for tools/validation/x86_ports.py, which writes tools/validation/x86_ports.json.
 *
 * Method. Time is the thread's CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID): time spent
 * waiting for a CPU on a shared machine is not counted); each figure is the best (minimum) of
 * `REPEATS` short blocks (well under a scheduler time slice), so a block that a context switch
 * or a steal interrupted is discarded. The core clock is the rate of a chain of
 * dependent 64-bit `add` instructions (one cycle of latency on every x86 core: AMD's Software
 * Optimization Guide for Family 19h and Intel's Optimization Reference Manual list simple ALU
 * ops at latency 1), so it counts the cycles the core actually runs, boost included, which a KVM
 * guest cannot read from /proc/cpuinfo (that shows the TSC rate). An instruction's latency is
 * the time of a chain through one accumulator in core cycles; its throughput is instructions per
 * cycle over 12 independent accumulators (enough to cover latency 6 on two pipes).
 *
 * Build: cc -O2 -mavx512f -mavx512vnni -mavx2 -o x86_ports x86_ports.c
 */
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#define ITERATIONS 50000L
#define REPEATS 400

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* 10 dependent adds per iteration. */
static double add_chain(void) {
    double best = 1e9;
    for (int r = 0; r < REPEATS; r++) {
        uint64_t x = 1;
        double start = now();
        for (long i = 0; i < ITERATIONS; i++) {
            __asm__ volatile("add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\t"
                             "add %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0\n\tadd %0, %0" : "+r"(x));
        }
        double t = (now() - start) / (ITERATIONS * 10.0);
        if (t < best) best = t;
    }
    return best; /* seconds per cycle */
}

#define CHAIN10(op) op "\n\t" op "\n\t" op "\n\t" op "\n\t" op "\n\t" op "\n\t" op "\n\t" op "\n\t" op "\n\t" op

/* Seconds per instruction of a 10-long dependent chain through %zmm0 / %ymm0. */
#define LATENCY(name, op) \
static double name(void) { \
    double best = 1e9; \
    for (int r = 0; r < REPEATS; r++) { \
        __asm__ volatile("vpxord %%zmm0, %%zmm0, %%zmm0\n\tvpxord %%zmm1, %%zmm1, %%zmm1\n\tvpxord %%zmm2, %%zmm2, %%zmm2" ::: "xmm0", "xmm1", "xmm2"); \
        double start = now(); \
        for (long i = 0; i < ITERATIONS; i++) __asm__ volatile(CHAIN10(op) ::: "xmm0"); \
        double t = (now() - start) / (ITERATIONS * 10.0); \
        if (t < best) best = t; \
    } \
    return best; \
}

/* Seconds per instruction with 12 independent accumulators zmm4..zmm15 (or their ymm halves). */
#define THROUGHPUT(name, r) \
static double name(void) { \
    double best = 1e9; \
    for (int k = 0; k < REPEATS; k++) { \
        double start = now(); \
        for (long i = 0; i < ITERATIONS; i++) __asm__ volatile( \
            r("4") r("5") r("6") r("7") r("8") r("9") r("10") r("11") r("12") r("13") r("14") r("15") \
            ::: "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"); \
        double t = (now() - start) / (ITERATIONS * 12.0); \
        if (t < best) best = t; \
    } \
    return best; \
}

LATENCY(vpdpbusd_zmm_latency, "vpdpbusd %%zmm1, %%zmm2, %%zmm0")
LATENCY(vpdpbusd_ymm_latency, "vpdpbusd %%ymm1, %%ymm2, %%ymm0")
LATENCY(vfmadd_zmm_latency, "vfmadd231ps %%zmm1, %%zmm2, %%zmm0")
LATENCY(vpmaddubsw_ymm_latency, "vpmaddubsw %%ymm0, %%ymm0, %%ymm0")
#define DPZ(n) "vpdpbusd %%zmm1, %%zmm2, %%zmm" n "\n\t"
#define DPY(n) "vpdpbusd %%ymm1, %%ymm2, %%ymm" n "\n\t"
#define FMZ(n) "vfmadd231ps %%zmm1, %%zmm2, %%zmm" n "\n\t"
#define FMY(n) "vfmadd231ps %%ymm1, %%ymm2, %%ymm" n "\n\t"
#define MBY(n) "vpmaddubsw %%ymm1, %%ymm2, %%ymm" n "\n\t"
THROUGHPUT(vpdpbusd_zmm_throughput, DPZ)
THROUGHPUT(vpdpbusd_ymm_throughput, DPY)
THROUGHPUT(vfmadd_zmm_throughput, FMZ)
THROUGHPUT(vfmadd_ymm_throughput, FMY)
THROUGHPUT(vpmaddubsw_ymm_throughput, MBY)

/* Bytes per cycle of 512-bit loads (12 per iteration into independent registers) or stores from a
 * 768-byte buffer that stays in the L1 data cache. */
static char buffer[768] __attribute__((aligned(64)));
#define LD(n) "vmovdqu64 " #n "*64(%0), %%zmm" #n "\n\t"
#define ST(n) "vmovdqu64 %%zmm" #n ", " #n "*64(%0)\n\t"
static double l1_bytes(int store) {
    double best = 1e9;
    for (int k = 0; k < REPEATS; k++) {
        double start = now();
        if (store) {
            for (long i = 0; i < ITERATIONS; i++) __asm__ volatile(
                ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7) ST(8) ST(9) ST(10) ST(11) :: "r"(buffer) : "memory");
        } else {
            for (long i = 0; i < ITERATIONS; i++) __asm__ volatile(
                LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7) LD(8) LD(9) LD(10) LD(11) :: "r"(buffer)
                : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11");
        }
        double t = (now() - start) / (ITERATIONS * 12.0 * 64);
        if (t < best) best = t;
    }
    return best; /* seconds per byte */
}

int main(void) {
    double cycle = add_chain();
    printf("{\"coreMegahertz\": %.1f,\n", 1e-6 / cycle);
    printf(" \"vpdpbusdZmmLatencyCycles\": %.3f,\n", vpdpbusd_zmm_latency() / cycle);
    printf(" \"vpdpbusdYmmLatencyCycles\": %.3f,\n", vpdpbusd_ymm_latency() / cycle);
    printf(" \"vfmadd231psZmmLatencyCycles\": %.3f,\n", vfmadd_zmm_latency() / cycle);
    printf(" \"vpmaddubswYmmLatencyCycles\": %.3f,\n", vpmaddubsw_ymm_latency() / cycle);
    printf(" \"vpdpbusdZmmPerCycle\": %.3f,\n", cycle / vpdpbusd_zmm_throughput());
    printf(" \"vpdpbusdYmmPerCycle\": %.3f,\n", cycle / vpdpbusd_ymm_throughput());
    printf(" \"vfmadd231psZmmPerCycle\": %.3f,\n", cycle / vfmadd_zmm_throughput());
    printf(" \"vfmadd231psYmmPerCycle\": %.3f,\n", cycle / vfmadd_ymm_throughput());
    printf(" \"vpmaddubswYmmPerCycle\": %.3f,\n", cycle / vpmaddubsw_ymm_throughput());
    printf(" \"l1LoadBytesPerCycle\": %.2f,\n", cycle / l1_bytes(0));
    printf(" \"l1StoreBytesPerCycle\": %.2f}\n", cycle / l1_bytes(1));
    return 0;
}
