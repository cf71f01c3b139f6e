#!/usr/bin/env bash
# Installs RELION 3.1 (Debian package relion, CPU) when it is missing, through sudo when not root, so that the
# RELION interoperability tests run instead of being skipped. Quiet when RELION is already there. Only CI calls it:
# the tests skip (with the reason) where RELION is absent.
set -euo pipefail
command -v relion_star_handler >/dev/null 2>&1 && exit 0
echo "installing RELION (apt-get install relion) for the interoperability tests..." >&2
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "RELION 3.1 to run the interoperability tests" relion
command -v relion_star_handler >/dev/null 2>&1 || { echo "error: relion_star_handler still not found after installing relion." >&2; exit 1; }
