#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tools/fuzz, a package that depends on Kiln by path) and runs
# each for SECONDS, one after another. See docs/reliability.md.
#
#   tools/fuzz/run.sh [SECONDS] [HARNESS ...]      default: 60 seconds, every harness
#   tools/fuzz/run.sh --runs N [HARNESS ...]       stop each harness after N executions instead
#   KILN_FUZZ_CONFIGURATION=release tools/fuzz/run.sh ...   optimized build, for long runs
#
# Each harness keeps its corpus in tools/fuzz/.build/corpus/NAME (seeded from the repository's
# fixtures on every run, so coverage grows across runs) and writes crashing inputs to
# tools/fuzz/.build/crashes/NAME/. The last line per harness is its summary: executions,
# edges covered ("cov") and features ("ft") as libFuzzer reports them. Exits 1 if any harness
# found a crash, and prints the input to reproduce it with.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fuzz="$root/tools/fuzz"

limit=(-max_total_time=60)
if [[ "${1:-}" == "--runs" ]]; then limit=(-runs="$2"); shift 2
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then limit=(-max_total_time="$1"); shift; fi
all=(onnx tflite npy json target kiln-model scalesim-topology scalesim-config sweep-shard compile-cost)
selected=("$@")
[[ ${#selected[@]} -eq 0 ]] && selected=("${all[@]}")

# The seed files of each harness: the repository's fixtures of that format.
seeds() {
    case "$1" in
        onnx) ls "$root"/Tests/Fixtures/onnx-node/*/model.onnx "$root"/Tests/Fixtures/qdq-cnn/*.onnx "$root"/examples/digits/*.onnx ;;
        tflite) ls "$root"/Tests/Fixtures/tflite/*/*.tflite ;;
        npy) ls "$root"/Tests/Fixtures/npy/*/*.npy "$root"/Tests/Fixtures/qdq-cnn/ort*.npy ;;
        json) ls "$root"/targets/*.json "$root"/examples/*.json "$root"/tools/fuzz/seeds/*/*.json ;;
        target | compile-cost) ls "$root"/targets/*.json "$root"/Tests/Fixtures/scalesim/targets/*.json ;;
        kiln-model) ls "$root"/examples/*.json "$root"/tools/fuzz/seeds/kiln-model/*.json ;;
        scalesim-topology) ls "$root"/Tests/Fixtures/scalesim/topologies/*.csv ;;
        scalesim-config) ls "$root"/Tests/Fixtures/scalesim/configs/*.cfg ;;
        sweep-shard) ls "$root"/tools/fuzz/seeds/sweep-shard/*.json ;;
        *) echo "unknown harness '$1'; harnesses: ${all[*]}" >&2; return 1 ;;
    esac
}

# Debug by default (quickest to build, for CI); KILN_FUZZ_CONFIGURATION=release runs several
# times more executions per second for long campaigns (testability keeps @testable imports working).
build=(swift build --package-path "$fuzz" -c "${KILN_FUZZ_CONFIGURATION:-debug}"
       -Xswiftc -sanitize=fuzzer -Xswiftc -enable-testing -Xswiftc -use-ld=lld)
"${build[@]}"
binary="$("${build[@]}" --show-bin-path)/kiln-fuzz"

# The compile-cost harness resolves host targets in the built-in catalog. libFuzzer reports
# crashes itself, so Swift's backtracer stays off (it could outlive a crashed child).
export KILN_TARGETS_DIR="$root/targets" SWIFT_BACKTRACE=enable=no
failed=0
for name in "${selected[@]}"; do
    corpus="$fuzz/.build/corpus/$name" crashes="$fuzz/.build/crashes/$name" log="$fuzz/.build/logs/$name.log"
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    for seed in $(seeds "$name"); do cp "$seed" "$corpus/seed-$(basename "$(dirname "$seed")")-$(basename "$seed")"; done
    status=0
    KILN_FUZZ_HARNESS="$name" "$binary" "${limit[@]}" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" > "$log" 2>&1 || status=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    coverage=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)
    if [[ $status -ne 0 ]]; then
        failed=1
        echo "$name: CRASH after $runs executions ($coverage); log: $log"
        grep -E '^(artifact_prefix|Test unit written to)|Fatal error|ERROR:' "$log" | head -5
    else
        echo "$name: $runs executions, $coverage, no crash"
    fi
done
exit $failed
