#!/usr/bin/env bash
# Approximate EM on simulated micrographs: relative error (up to rotation) and time against micrograph size and SNR.
#   bench/mtd2d-sweep.sh OUT "1000 2000 4000" "2 0.5" [L] [K] [iterations]
# Prints one line per (size, SNR): size, SNR, patches, error, γ̂, γ, iterations, seconds per iteration, patches/s.
set -euo pipefail
out="${1:?output folder}"; sizes="${2:-1000 2000 4000}"; snrs="${3:-2 0.5}"; l="${4:-9}"; k="${5:-16}"; iterations="${6:-40}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$out"
printf '%-7s %-6s %-9s %-8s %-8s %-8s %-5s %-9s %s\n' size snr patches error gamma_hat gamma iter s/iter patches/s
for snr in $snrs; do
  for size in $sizes; do
    data="$out/data-$size-$snr"; run="$out/em-$size-$snr"
    "$root/cryosharp" micrograph simulate --size "$size" --target-size "$l" --density 0.1 --snr "$snr" --seed 3 --out "$data" --json > /dev/null 2>&1
    "$root/cryosharp" mtd2d solve --micrograph "$data/micrograph.mrc" --truth "$data/target.mrc" --rotations "$k" --max-iterations "$iterations" \
      --out "$run" --json 2> /dev/null > "$run.json"
    python3 - "$run.json" "$size" "$snr" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
per = sum(h["seconds"] for h in r["history"]) / max(1, len(r["history"]))
print(f'{sys.argv[2]:<7} {sys.argv[3]:<6} {r["patches"]:<9} {r["relativeError"]:<8.4f} {r["gamma"]:<8.4f} {r["gammaTrue"]:<8.4f} {r["iterations"]:<5} {per:<9.2f} {r["patchesPerSecond"]:.0f}')
PY
  done
done
