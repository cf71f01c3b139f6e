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
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "FFTW3 single precision (libfftw3f.so.3)" libfftw3-single3
has_fftw || { echo "error: libfftw3f.so.3 still not found after installing libfftw3-single3." >&2; exit 1; }
