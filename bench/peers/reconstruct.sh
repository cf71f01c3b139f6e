#!/usr/bin/env bash
# Side by side with relion_reconstruct (RELION 3.1; 'sudo apt-get install relion'): the same STAR file of 10,000
# simulated ribosome particles (CTF with defocus 1-3 µm, SNR 0.1) at box 64 and box 128. Prints both programs'
# gold-standard resolution (FSC 0.143 of their half maps), their maps' resolution against the ground truth
# (FSC 0.5), and the wall times: RELION for the full map alone, CryoSharp for both half maps and the full map.
# Usage: bench/peers/reconstruct.sh [work-folder]      N=10000 by default.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v relion_reconstruct >/dev/null || { echo "relion_reconstruct not found: sudo apt-get install relion" >&2; exit 1; }
data="$root/../shared/data/relion/ribosome_box64.mrc"
[ -f "$data" ] || { echo "$data not found" >&2; exit 1; }
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
cs="$root/cryosharp"
"$cs" --help >/dev/null 2>&1 # build once, outside the timings
now() { date +%s.%N; }
res() { "$cs" fsc "$1" "$2" --json | sed -n "s/.*\"$3\": \([0-9.]*\).*/\1/p"; }
printf '%-4s %6s %12s %12s %12s %12s %10s %10s %7s\n' box N relion_gs_A cs_gs_A relion_vs_gt cs_vs_gt relion_s cs_s ratio
for spec in "64 3" "128 1.5"; do
  set -- $spec; box=$1; pixel=$2; dir="$work/box$box"; n=${N:-10000}
  "$cs" simulate --volume "$data" --box "$box" --pixel-size "$pixel" --count "$n" --snr 0.1 --ctf --defocus-min 10000 --defocus-max 30000 --shift-sigma 3 --out "$dir" >/dev/null 2>&1
  cd "$dir"
  t0=$(now); relion_reconstruct --i particles.star --o relion_map.mrc --ctf >/dev/null 2>&1; t1=$(now)
  relion_reconstruct --i particles.star --o relion_half1.mrc --ctf --subset 1 >/dev/null 2>&1
  relion_reconstruct --i particles.star --o relion_half2.mrc --ctf --subset 2 >/dev/null 2>&1
  t2=$(now); "$cs" reconstruct --particles particles.star --ctf --out cryosharp >/dev/null 2>&1; t3=$(now)
  rg=$(res relion_half1.mrc relion_half2.mrc resolution0143); cg=$(res cryosharp/half1.mrc cryosharp/half2.mrc resolution0143)
  rt=$(res relion_map.mrc ground_truth.mrc resolution05); ct=$(res cryosharp/map.mrc ground_truth.mrc resolution05)
  awk -v b="$box" -v n="$n" -v rg="$rg" -v cg="$cg" -v rt="$rt" -v ct="$ct" -v r="$(echo "$t1 - $t0" | bc)" -v c="$(echo "$t3 - $t2" | bc)" \
    'BEGIN { printf "%-4s %6s %12.2f %12.2f %12.2f %12.2f %10.2f %10.2f %6.1fx\n", b, n, rg, cg, rt, ct, r, c, r / c }'
  cd - >/dev/null
done
echo "(gs: gold-standard FSC 0.143 of the half maps; vs_gt: FSC 0.5 of the map against the ground truth; ratio = relion / cryosharp time; $(nproc) cores)"
