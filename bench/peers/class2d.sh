#!/usr/bin/env bash
# Side by side with RELION 3.1's 2D classification (relion_refine without --ref; 'apt-get install relion', CPU) on the
# same simulated particles, scored by the same command against the ground truth.
#   Data: relion_project of ribosome_box64.mrc (box 64, 3 Å/px) at N uniform views (our simulator draws the views,
#   origins N(0, 3 Å) and defoci 1–2.5 µm into a STAR file), with CTF and white noise at SNR 0.05 over the box; the
#   classification input has no angles or origins.
#   Settings (both programs): K = 10, 10 iterations, T = 2, ψ step 10°, offsets ±5 px in 2 px steps, oversampling 1,
#   CTF, particle diameter 170 Å, class centring, 2 threads (THREADS).
# Prints each program's time, mean class/true-projection correlation (and weighted by size), and view coherence
# (mean angle between members' true viewing directions and their class mean; random labels give about 86°).
# Usage: bench/peers/class2d.sh [work-folder]      N=2000, K=10, ITER=10, THREADS=2, SEED=1 by default (SEED seeds both
# classifications; the data stay the same, so several seeds give each program's spread on one data set).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v relion_refine >/dev/null || { echo "relion_refine not found: apt-get install relion" >&2; exit 1; }
map="$root/../shared/data/relion/ribosome_box64.mrc"
[ -f "$map" ] || { echo "$map not found" >&2; exit 1; }
work="$(realpath -m "${1:-$(mktemp -d)}")"; mkdir -p "$work"; cd "$work"
n=${N:-2000}; k=${K:-10}; iter=${ITER:-10}; j=${THREADS:-2}; seed=${SEED:-1}
cs="$root/cryosharp"; "$cs" --help >/dev/null 2>&1 # build once, outside the timings
now() { date +%s.%N; }
if [ ! -f input.star ]; then
  "$cs" simulate --volume "$map" --count "$n" --snr inf --apply-ctf --defocus-min 10000 --defocus-max 25000 --shift-sigma 3 --out truth >/dev/null 2>&1
  relion_project --i "$map" --ang truth/particles.star --o clean --ctf >/dev/null 2>&1
  std=$("$cs" info clean.mrcs 2>/dev/null | sed -n 's|.*mean / std *[^ ]* / \([^ ]*\).*|\1|p')
  sigma=$(awk -v s="$std" 'BEGIN { printf "%.9g", s / sqrt(0.05) }')
  relion_project --i "$map" --ang truth/particles.star --o noisy --ctf --add_noise --white_noise "$sigma" >/dev/null 2>&1
  cp noisy.star input.star
  for c in rlnAngleRot rlnAngleTilt rlnAnglePsi rlnOriginXAngst rlnOriginYAngst; do
    relion_star_handler --i input.star --o input.tmp.star --remove_column "$c" >/dev/null 2>&1 && mv input.tmp.star input.star
  done
fi
score() { "$cs" score-classes --classes "$1" --particles "$2" --truth noisy.star --volume "$map" --particle-diameter 170 --json 2>/dev/null |
  awk '/"meanCorrelation"/ { gsub(/[ ,]/, ""); split($0, a, ":"); m = a[2] } /"weightedCorrelation"/ { gsub(/[ ,]/, ""); split($0, a, ":"); w = a[2] }
       /"viewCoherenceDeg"/ { gsub(/[ ,]/, ""); split($0, a, ":"); v = a[2] } END { printf "%.3f %.3f %.1f", m, w, v }'; }
settings=(--tau2_fudge 2 --particle_diameter 170 --psi_step 10 --offset_range 5 --offset_step 2 --oversampling 1 --ctf)
rm -rf relion cryosharp cryosharp-cc; mkdir -p relion
t0=$(now)
relion_refine --i input.star --o relion/run --K "$k" --iter "$iter" "${settings[@]}" --zero_mask --flatten_solvent --center_classes \
  --random_seed "$seed" --j "$j" --dont_combine_weights_via_disc --pool 30 >relion/log.txt 2>&1
t1=$(now)
"$cs" class2d --particles input.star --classes "$k" --iterations "$iter" --tau2-fudge 2 --particle-diameter 170 --psi-step 10 \
  --offset-range 5 --offset-step 2 --oversampling 1 --ctf --out cryosharp --threads "$j" --seed "$seed" >/dev/null 2>cryosharp.log
t2=$(now)
"$cs" class2d --particles input.star --classes "$k" --iterations "$iter" --tau2-fudge 2 --particle-diameter 170 --psi-step 10 \
  --offset-range 5 --offset-step 2 --oversampling 1 --ctf --algorithm cc --out cryosharp-cc --threads "$j" --seed "$seed" >/dev/null 2>cryosharp-cc.log
t3=$(now)
last=$(printf 'relion/run_it%03d' "$iter")
read -r rm rw rv <<<"$(score "${last}_classes.mrcs" "${last}_data.star")"
read -r cm cw cv <<<"$(score cryosharp/classes.mrcs cryosharp/particles.star)"
read -r tm tw tv <<<"$(score cryosharp-cc/classes.mrcs cryosharp-cc/particles.star)"
rt=$(echo "$t1 - $t0" | bc); ct=$(echo "$t2 - $t1" | bc); tt=$(echo "$t3 - $t2" | bc)
printf '%-22s %9s %8s %10s %14s\n' program seconds NCC NCC_sized coherence_deg
printf '%-22s %9.1f %8s %10s %14s\n' "RELION 3.1 (ML)" "$rt" "$rm" "$rw" "$rv"
printf '%-22s %9.1f %8s %10s %14s\n' "CryoSharp (ML)" "$ct" "$cm" "$cw" "$cv"
printf '%-22s %9.1f %8s %10s %14s\n' "CryoSharp (cc)" "$tt" "$tm" "$tw" "$tv"
awk -v r="$rt" -v c="$ct" -v j="$j" -v n="$n" 'BEGIN { printf "RELION / CryoSharp time: %.1fx (%s particles, %s threads, %s cores)\n", r / c, n, j, '"$(nproc)"' }'
