#!/usr/bin/env bash
# Installs FFTW3 single precision (libfftw3f.so.3, Debian package libfftw3-single3) when it is missing,
# through sudo when not root. Quiet when FFTW is already there.
set -euo pipefail

has_fftw() {
  { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libfftw3f\.so\.3' && return 0
  for dir in /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib64 /usr/lib /usr/local/lib; do
    [ -e "$dir/libfftw3f.so.3" ] && return 0
  done
  return 1
}

has_fftw && exit 0
echo "CryoSharp needs FFTW3 (single precision); installing libfftw3-single3 with apt-get..." >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: apt-get not found; install FFTW3 single precision (libfftw3f.so.3) with your package manager." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq libfftw3-single3 >&2
has_fftw || { echo "error: libfftw3f.so.3 still not found after installing libfftw3-single3." >&2; exit 1; }
