#!/usr/bin/env bash
# Installs Debian packages with apt-get, through sudo when not root: scripts/apt-install.sh WHAT PACKAGE...
# (WHAT names what is needed, for the message when apt-get is missing).
# Shared by the ensure-*.sh scripts, which first check whether what they need is already there.
set -euo pipefail
what="$1"; shift
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: apt-get not found; install $what with your package manager." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq "$@" >&2
