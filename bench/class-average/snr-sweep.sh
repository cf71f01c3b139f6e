#!/usr/bin/env bash
# Neighbour accuracy of RID, VDM and MFVDM against SNR: n projections (uniform views, CTF) of a map at box 64, then
# class-average --ctf on each set, with the fraction of neighbours within 10° and the median angle per method, and the
# class averages' correlation with the truth's projections; sweep.csv and sweep.svg (the plot) in the work folder.
#   Usage: bench/class-average/snr-sweep.sh MAP.mrc PIXEL_A [work-folder]     N=10000, SNRS="0.2 0.05 0.02 0.01" by default.
#   e.g. bench/class-average/snr-sweep.sh ../shared/data/ribosome70S_65.mrc 4 /tmp/ca-sweep
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
map="$(realpath "$1")"; pixel="$2"
work="$(realpath -m "${3:-$(mktemp -d)}")"; mkdir -p "$work"; cd "$work"
n=${N:-10000}; snrs=${SNRS:-0.2 0.05 0.02 0.01}
"$root/cryosharp" --help >/dev/null 2>&1 # build once
cli=(dotnet "${CLI:-$root/artifacts/cli/CryoSharp.Cli.dll}")
printf '%-6s %-7s %22s %22s %22s %8s %8s\n' snr n "rid (≤10°, median)" "vdm" "mfvdm" "cc" seconds
echo "snr,method,within10,median" > sweep.csv
for snr in $snrs; do
  sim="sim-$snr"; out="ca-$snr"
  [ -f "$sim/particles.star" ] || "${cli[@]}" simulate --volume "$map" --pixel-size "$pixel" --box 64 --count "$n" --snr "$snr" --apply-ctf --out "$sim" >/dev/null 2>"$sim.log"
  "${cli[@]}" class-average --particles "$sim/particles.star" --out "$out" --ctf --averages 100 --truth "$sim/ground_truth.mrc" --json >"$out.json" 2>"$out.log"
  python3 - "$snr" "$n" "$out.json" <<'PY'
import json, sys
snr, n, path = sys.argv[1:]
r = json.load(open(path))
acc = {a["method"]: a for a in r["accuracy"]}
cell = lambda m: f'{100 * acc[m]["fractionWithin10Deg"]:5.1f} %, {acc[m]["medianAngleDeg"]:5.1f}°'
with open("sweep.csv", "a") as f:
    for m in ("rid", "vdm", "mfvdm"):
        f.write(f'{snr},{m},{acc[m]["fractionWithin10Deg"]},{acc[m]["medianAngleDeg"]}\n')
print(f'{snr:<6} {n:<7} {cell("rid"):>22} {cell("vdm"):>22} {cell("mfvdm"):>22} {r["meanCorrelationWithTruth"]:8.3f} {sum(r["seconds"].values()):8.1f}')
PY
done
python3 "$root/bench/class-average/plot-sweep.py" sweep.csv sweep.svg && echo "plot: $work/sweep.svg"
