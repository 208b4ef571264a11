#!/usr/bin/env bash
# Run each fuzz target for SECONDS (default 300) with seeds from the repository's own inputs.
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On a stable toolchain RUSTC_BOOTSTRAP=1 lets
# cargo-fuzz pass its -Z flags; the sanitizer is off (`-s none`): we look for panics, aborts,
# hangs and runaway memory, not memory errors (the crate has no unsafe code).
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_PER_TARGET="${1:-300}"
export RUSTC_BOOTSTRAP=1
seed() { # target, files...
    local dir="corpus/$1"; shift
    mkdir -p "$dir"
    for f in "$@"; do head -c 4096 "$f" > "$dir/seed_$(basename "$f")"; done
}
seed config ../config/default.toml ../config/examples/*.toml ../tests/bad_inputs/*.toml
seed flux_table ../fluxes/*.dat ../tests/bad_inputs/*.dat
seed detector ../detectors/*.toml ../tests/bad_inputs/detector_*.toml
for t in config flux_table detector; do
    cargo fuzz run -s none "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1
done
