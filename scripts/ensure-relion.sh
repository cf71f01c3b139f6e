#!/usr/bin/env bash
# Installs RELION 3.1 (Debian package relion, CPU) and Open MPI's mpirun (openmpi-bin, which RELION's MPI programs
# use too) when missing, through sudo when not root, so that the RELION interoperability tests and the 2-rank MPI
# tests run instead of being skipped. Quiet when both are there. Only CI calls it: the tests skip (with the reason)
# where they are absent.
set -euo pipefail
command -v relion_star_handler >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 && exit 0
echo "installing RELION and Open MPI (apt-get install relion openmpi-bin) for the interoperability and MPI tests..." >&2
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "RELION 3.1 and Open MPI to run the interoperability and MPI tests" relion openmpi-bin
command -v relion_star_handler >/dev/null 2>&1 || { echo "error: relion_star_handler still not found after installing relion." >&2; exit 1; }
command -v mpirun >/dev/null 2>&1 || { echo "error: mpirun still not found after installing openmpi-bin." >&2; exit 1; }
