#!/usr/bin/env bash
# Side by side with RELION 3.1's gold-standard auto-refine ('apt-get install relion', CPU) on the same simulated
# particles, scored by the same commands against the ground truth.
#   Data: relion_project of ribosome_box64.mrc (box 64, 3 Å/px) at N uniform views (our simulator draws the views,
#   origins N(0, 3 Å), defoci 1–2.5 µm and the half sets into a STAR file), with CTF and white noise at SNR 0.05 over
#   the box; the refinement input has no angles or origins.
#   Settings (both programs): reference = the truth low-passed to 30 Å, HEALPix order 2 (7.5° after oversampling),
#   local searches from order 3, offsets ±3 px in 2 px steps, oversampling 1, CTF, particle diameter 170 Å,
#   2 cores (RELION: mpirun -np 3 relion_refine_mpi --j 1, a leader and two followers; CryoSharp: --threads 2).
#   Also runs CryoSharp's projection matching (--algorithm cc) on the same loop.
# Prints each program's time, map-vs-truth FSC 0.5, half-map FSC 0.143, and the rotation errors against the truth.
# Usage: bench/peers/refine3d.sh [work-folder]      N=2000, THREADS=2, RELION_NP=3 by default; RELION=0 skips RELION;
#   ALGORITHMS="ml" skips projection matching. One core: taskset -c 0 env THREADS=1 bench/peers/refine3d.sh DIR
#   (RELION needs 3 MPI processes to split the halves; on one core its two followers take turns).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
map="$root/../shared/data/relion/ribosome_box64.mrc"
[ -f "$map" ] || { echo "$map not found" >&2; exit 1; }
run_relion=${RELION:-1}
if [ "$run_relion" = 1 ]; then
  command -v relion_refine_mpi >/dev/null || { echo "relion_refine_mpi not found: apt-get install relion (or RELION=0)" >&2; exit 1; }
fi
work="$(realpath -m "${1:-$(mktemp -d)}")"; mkdir -p "$work"; cd "$work"
n=${N:-2000}; j=${THREADS:-2}; np=${RELION_NP:-3}; algorithms=${ALGORITHMS:-ml cc}
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
truthfsc() { "$cs" fsc "$1" "$map" --json 2>/dev/null | awk '/"resolution05"/ { gsub(/[ ,]/, ""); split($0, a, ":"); print a[2] }'; }
halffsc() { "$cs" fsc "$1" "$2" --json 2>/dev/null | awk '/"resolution0143"/ { gsub(/[ ,]/, ""); split($0, a, ":"); print a[2] }'; }
poses() { "$cs" score-poses --particles "$1" --truth noisy.star --json 2>/dev/null |
  awk '/"medianDeg"/ { gsub(/[ ,]/, ""); split($0, a, ":"); m = a[2] } /"meanDeg"/ { gsub(/[ ,]/, ""); split($0, a, ":"); e = a[2] }
       /"within5Deg"/ { gsub(/[ ,]/, ""); split($0, a, ":"); w = a[2] } /"beyond20Deg"/ { gsub(/[ ,]/, ""); split($0, a, ":"); b = a[2] }
       END { printf "%.2f %.1f %.1f %.1f", m, e, 100 * w, 100 * b }'; }
rows=()
if [ "$run_relion" = 1 ]; then
  rm -rf relion; mkdir -p relion
  relion_image_handler --i "$map" --o relion/ref.mrc --lowpass 30 >/dev/null 2>&1
  t0=$(now)
  mpirun --allow-run-as-root --oversubscribe -np "$np" relion_refine_mpi --i input.star --o relion/run --ref relion/ref.mrc --ini_high 30 \
    --auto_refine --split_random_halves --particle_diameter 170 --ctf --flatten_solvent --zero_mask --oversampling 1 --healpix_order 2 \
    --auto_local_healpix_order 3 --offset_range 3 --offset_step 2 --sym C1 --low_resol_join_halves 40 --norm --scale --j 1 --pool 30 \
    --dont_combine_weights_via_disc --random_seed 1 >relion/log.txt 2>&1 || true
  t1=$(now)
  # RELION's map and half maps are the same size and pixel size as ours.
  rows+=("RELION-3.1-auto-refine $(echo "$t1 - $t0" | bc) $(truthfsc relion/run_class001.mrc) $(halffsc relion/run_half1_class001_unfil.mrc relion/run_half2_class001_unfil.mrc) $(poses relion/run_data.star)")
fi
settings=(--particles input.star --reference "$map" --initial-lowpass 30 --particle-diameter 170 --ctf --healpix-order 2 --local-from-order 3
  --offset-range 3 --offset-step 2 --oversampling 1 --threads "$j")
for algorithm in $algorithms; do
  rm -rf "cryosharp-$algorithm"
  t0=$(now)
  "$cs" refine3d "${settings[@]}" --algorithm "$algorithm" --out "cryosharp-$algorithm" >/dev/null 2>"cryosharp-$algorithm.log"
  t1=$(now)
  rows+=("CryoSharp-$algorithm $(echo "$t1 - $t0" | bc) $(truthfsc "cryosharp-$algorithm/map.mrc") $(halffsc "cryosharp-$algorithm/half1.mrc" "cryosharp-$algorithm/half2.mrc") $(poses "cryosharp-$algorithm/particles.star")")
done
printf '%-26s %9s %10s %11s %10s %8s %8s %8s\n' program seconds truth_0.5 halves_0.143 median_deg mean_deg '<=5°_%' '>20°_%'
for r in "${rows[@]}"; do
  read -r a b c d e f g h <<<"$r"
  printf '%-26s %9.1f %10.2f %11.2f %10s %8s %8s %8s\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h"
done
