#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Builds pam_mntns out of tree: tests/build.sh DIR [configure options...]
# The source tree stays clean, so several builds (plain, sanitizers) can live side by side.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
[ -x "$repo/configure" ] || (cd "$repo" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
if [ ! -f Makefile ] || [ "$repo/configure" -nt Makefile ]; then
	"$repo/configure" --prefix=/usr --sysconfdir=/etc "$@" >configure.out 2>&1 ||
		{ cat configure.out; exit 1; }
fi
make -j"$(nproc)" >make.out 2>&1 || { cat make.out; exit 1; }
