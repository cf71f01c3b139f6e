#!/usr/bin/env bash
# Side by side with relion_project (RELION 3.1; 'sudo apt-get install relion'): the same map and the same STAR
# file of orientations, origins and CTFs, at box 64, 128 and 256. Prints both wall times (CryoSharp with all
# threads and with one), the ratios, and how alike the two outputs are (worst per-image correlation).
# Usage: bench/peers/project.sh [work-folder]      Counts can be changed with COUNTS="64:5000 128:2000 256:500".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v relion_project >/dev/null || { echo "relion_project not found: sudo apt-get install relion" >&2; exit 1; }
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cs="$root/cryosharp"
"$cs" --help >/dev/null 2>&1 # build once, outside the timings
now() { date +%s.%N; }
printf '%-5s %7s %11s %13s %13s %9s %9s %10s\n' box count relion_s cryosharp_s cs_1thread_s ratio ratio_1t min_corr
for pair in ${COUNTS:-64:5000 128:2000 256:500}; do
  box="${pair%%:*}"; count="${pair##*:}"; dir="$work/box$box"
  "$cs" simulate --phantom blobs --box "$box" --pixel-size 2 --count "$count" --snr inf --ctf --shift-sigma 2 --out "$dir" >/dev/null 2>&1
  t0=$(now); relion_project --i "$dir/ground_truth.mrc" --ang "$dir/particles.star" --ctf --o "$dir/relion" >/dev/null 2>&1; t1=$(now)
  "$cs" project --volume "$dir/ground_truth.mrc" --angles "$dir/particles.star" --ctf --out "$dir/cryosharp.mrcs" >/dev/null 2>&1; t2=$(now)
  "$cs" project --threads 1 --volume "$dir/ground_truth.mrc" --angles "$dir/particles.star" --ctf --out "$dir/cryosharp1.mrcs" >/dev/null 2>&1; t3=$(now)
  corr=$("$cs" compare "$dir/relion.mrcs" "$dir/cryosharp.mrcs" --json | sed -n 's/.*"minCorrelation": \([-0-9.eE]*\).*/\1/p')
  awk -v b="$box" -v n="$count" -v r="$(echo "$t1 - $t0" | bc)" -v c="$(echo "$t2 - $t1" | bc)" -v c1="$(echo "$t3 - $t2" | bc)" -v k="$corr" \
    'BEGIN { printf "%-5s %7s %11.2f %13.2f %13.2f %8.1fx %8.1fx %10.5f\n", b, n, r, c, c1, r / c, r / c1, k }'
done
echo "(ratio = relion time / cryosharp time; $(nproc) cores; relion_project is single-threaded)"
