#!/usr/bin/env bash
# Multi-target detection in 2D on simulated micrographs: the autocorrelation fit and approximate EM started from it,
# relative error (up to rotation) and time against micrograph size and SNR.
#   bench/mtd2d-sweep.sh OUT "1000 2000 4000" "2 0.5" [L] [K] [iterations] [restarts]
# iterations 0 runs the autocorrelation fit alone. Prints one line per (size, SNR): size, SNR, the fit's error, γ̂ and
# σ̂/σ, its objective, pass and fit seconds, then EM's error, γ̂, iterations and seconds per iteration.
set -euo pipefail
out="${1:?output folder}"; sizes="${2:-1000 2000 4000}"; snrs="${3:-2 0.5}"; l="${4:-9}"; k="${5:-16}"; iterations="${6:-40}"; restarts="${7:-6}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$out"
printf '%-6s %-5s | %-7s %-7s %-6s %-9s %-6s %-6s | %-7s %-7s %-5s %s\n' size snr ac_err ac_gamma s/s obj pass_s fit_s em_err gamma iter s/iter
for snr in $snrs; do
  for size in $sizes; do
    data="$out/data-$size-$snr"; run="$out/run-$size-$snr"
    "$root/cryosharp" micrograph simulate --size "$size" --target-size "$l" --density 0.1 --snr "$snr" --seed 3 --out "$data" --json > /dev/null 2>&1
    sigma="$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sigma'])" "$data/truth.json")"
    # σ is left to the fit: the sweep shows how well it is estimated.
    mv "$data/truth.json" "$data/truth.hidden.json"
    if [ "$iterations" = 0 ]; then method=autocorrelation; else method=em; fi
    "$root/cryosharp" mtd2d solve --micrograph "$data/micrograph.mrc" --target-size "$l" --truth "$data/target.mrc" --method "$method" --restarts "$restarts" \
      --rotations "$k" --max-iterations "$iterations" --out "$run" --json 2> /dev/null > "$run.json"
    mv "$data/truth.hidden.json" "$data/truth.json"
    python3 - "$run.json" "$size" "$snr" "$sigma" "$data/truth.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); a = r["autocorrelation"]; gamma = json.load(open(sys.argv[5]))["gamma"]
line = f'{sys.argv[2]:<6} {sys.argv[3]:<5} | {a["relativeError"]:<7.4f} {a["gamma"]:<7.4f} {a["sigma"] / float(sys.argv[4]):<6.4f} {a["objective"]:<9.3e} {a["passSeconds"]:<6.1f} {a["fitSeconds"]:<6.1f} |'
if r["method"] == "em":
    per = sum(h["seconds"] for h in r["history"]) / max(1, len(r["history"]))
    line += f' {r["relativeError"]:<7.4f} {r["gamma"]:<7.4f} {r["iterations"]:<5} {per:.2f}'
print(line + f'   (γ = {gamma:.4f})')
PY
  done
done
