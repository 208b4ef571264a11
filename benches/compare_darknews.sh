#!/usr/bin/env bash
# Time nuportal against the peer generator DarkNews 0.4.8 on the same model point (P1, the light-Z'
# benchmark of Bertuzzo et al.), the same experiment (miniboone_fhc) and about the same number of
# weighted events, in one run; print both times, events per second, their ratio and the predicted
# totals (which must agree within 2%).
#
#   benches/compare_darknews.sh [EVENTS] [THREADS]     (defaults: 500000 events, 2 threads)
#
# DarkNews is installed with pip into benches/.venv-darknews (git-ignored) on first use. Its event
# count follows from --neval (about 5.6 weighted events per neval point for P1, DarkNews README of
# shared/reference); nuportal is then asked for exactly as many events as DarkNews produced.
# nuportal runs in DarkNews' conventions (nu_mu only, flux from 1.05 x threshold, nucleon-count mass
# split of CH2) so that the totals are comparable, and without its detector stage (DarkNews writes
# truth only). Both write Parquet. The machine should be idle.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS="${1:-500000}"
THREADS="${2:-2}"
VENV=benches/.venv-darknews
if [ ! -x "$VENV/bin/dn_gen" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet darknews==0.4.8 pyarrow
fi
cargo build --release --quiet
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

NEVAL=$(( EVENTS * 10 / 56 ))
echo "DarkNews 0.4.8: dn_gen P1 at miniboone_fhc, --neval $NEVAL (single-threaded Python)"
T0=$(date +%s.%N)
"$VENV/bin/dn_gen" --m4 0.42 --mzprime 0.03 --Umu4 0.0009486833 --UD4 1 --alphaD 0.25 \
    --alpha_epsilon2 2e-10 --HNLtype dirac --experiment miniboone_fhc --neval "$NEVAL" \
    --parquet --seed 1 --path "$WORK/dn" --loglevel ERROR > "$WORK/dn.log" 2>&1
T1=$(date +%s.%N)
read -r DN_EVENTS DN_TOTAL < <("$VENV/bin/python" - "$WORK/dn" <<'PY'
import glob, sys
import pandas as pd
files = glob.glob(sys.argv[1] + "/**/*.parquet", recursive=True)
df = pd.read_parquet(files[0])
w = [c for c in df.columns if "w_event_rate" in str(c)][0]
print(len(df), df[w].sum())
PY
)

echo "nuportal: generate P1 at miniboone_fhc, $DN_EVENTS events, $THREADS threads"
T2=$(date +%s.%N)
target/release/nuportal generate --events "$DN_EVENTS" --threads "$THREADS" --quiet --force \
    --output "$WORK/nuportal.parquet" \
    --set 'process.nu_flavors=["nu_mu"]' --set process.threshold_factor=1.05 \
    --set 'experiment.mass_split="nucleon_count"' --set detector.enabled=false > "$WORK/np.log"
T3=$(date +%s.%N)
NP_TOTAL=$(awk '$1 == "TOTAL" {print $3}' "$WORK/np.log")

python3 - "$T0" "$T1" "$T2" "$T3" "$DN_EVENTS" "$DN_TOTAL" "$NP_TOTAL" "$THREADS" <<'PY'
import sys
t0, t1, t2, t3 = map(float, sys.argv[1:5])
n = int(sys.argv[5]); dn_total = float(sys.argv[6]); np_total = float(sys.argv[7]); threads = sys.argv[8]
dn, npt = t1 - t0, t3 - t2
print(f"{'':24}{'wall s':>10}{'events':>12}{'events/s':>14}{'predicted':>12}")
print(f"{'DarkNews 0.4.8 (1 core)':24}{dn:10.2f}{n:12d}{n / dn:14.4g}{dn_total:12.1f}")
print(f"{'nuportal (' + threads + ' threads)':24}{npt:10.2f}{n:12d}{n / npt:14.4g}{np_total:12.1f}")
ratio = dn / npt
diff = np_total / dn_total - 1
print(f"nuportal / DarkNews speed: {ratio:.0f}x; predicted totals differ by {100 * diff:+.2f}%"
      + (" (within 2%)" if abs(diff) < 0.02 else " (MORE THAN 2%: check the conventions)"))
PY
