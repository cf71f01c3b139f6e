#!/usr/bin/env bash
# Wall time of the MPI-distributed commands (reconstruct, class2d, abinitio, refine3d, mra solve, mtd solve) at 1, 2 and 4 ranks of one thread each (oversubscribed where the machine
# has fewer cores), on one particle set, with the time spent adding the ranks' sums where a command reports it.
#   Usage: bench/mpi/scaling.sh PARTICLES.star REFERENCE.mrc [work-folder]     RANKS="1 2 4", ITER=3 by default.
#   COMMANDS="abinitio mra" runs only those. The peer data of bench/peers/class2d.sh (input.star) and ribosome_box64.mrc are a good set.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v mpirun >/dev/null || { echo "mpirun not found: apt-get install openmpi-bin" >&2; exit 1; }
star="$(realpath "$1")"; reference="$(realpath "$2")"
work="$(realpath -m "${3:-$(mktemp -d)}")"; mkdir -p "$work"; cd "$work"
ranks=${RANKS:-1 2 4}; iter=${ITER:-3}
commands=" ${COMMANDS:-reconstruct class2d abinitio refine3d mra mtd} "
wants() { [[ "$commands" == *" $1 "* ]]; }
"$root/cryosharp" --help >/dev/null 2>&1 # build once, outside the timings
cli="$root/artifacts/cli/CryoSharp.Cli.dll"
now() { date +%s.%N; }
run() { # ranks name args...
  local n=$1 name=$2; shift 2
  local t0 t1; t0=$(now)
  mpirun --allow-run-as-root --oversubscribe -np "$n" dotnet "$cli" "$@" --out "$name-$n" --threads 1 >"$name-$n.json" 2>"$name-$n.log"
  t1=$(now)
  printf '%-12s %5s ranks %9.1f s\n' "$name" "$n" "$(echo "$t1 - $t0" | bc)"
}
wants reconstruct && for n in $ranks; do
  run "$n" reconstruct reconstruct --particles "$star" --ctf --json
  { grep -h '"reduceSeconds"' "reconstruct-$n.json" || true; } | sed 's/^ */             adding the ranks'"'"' sums: /'
done
wants class2d && for n in $ranks; do
  run "$n" class2d class2d --particles "$star" --classes 10 --iterations "$iter" --psi-step 10 --offset-range 5 --offset-step 2 --ctf --particle-diameter 170
done
wants abinitio && for n in $ranks; do
  run "$n" abinitio abinitio --particles "$star" --particle-diameter 170 --ctf --iterations "$((10 * iter))" --checkpoint-every 1000
  { grep -h "adding the" "abinitio-$n.log" || true; } | tail -1 | sed 's/^/             /'
done
wants refine3d && for n in $ranks; do
  run "$n" refine3d refine3d --particles "$star" --reference "$reference" --initial-lowpass 30 --particle-diameter 170 --ctf --healpix-order 2 \
    --offset-range 3 --offset-step 2 --max-iterations "$iter"
done
# The moment and detection solvers: no particles, a simulated measurement streamed chunk by chunk (bit-identical
# results for any number of ranks; compare the JSON files).
runplain() { # ranks name args...
  local n=$1 name=$2; shift 2
  local t0 t1; t0=$(now)
  mpirun --allow-run-as-root --oversubscribe -np "$n" dotnet "$cli" "$@" --threads 1 --json >"$name-$n.json" 2>"$name-$n.log"
  t1=$(now)
  printf '%-12s %5s ranks %9.1f s\n' "$name" "$n" "$(echo "$t1 - $t0" | bc)"
}
wants mra && for n in $ranks; do
  runplain "$n" mra-em mra solve --method em --count 1e6 --max-iterations 20
done
wants mtd && for n in $ranks; do
  runplain "$n" mtd-em mtd solve --method em --measurement-length 3e7 --max-iterations 20
done
true
