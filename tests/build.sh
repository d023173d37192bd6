#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Builds pam_mntns out of tree: tests/build.sh DIR [configure options...]
# The source tree stays clean, so several builds (plain, sanitizers) can live side by side.
# A source tree that was configured in place (./configure && make there, as for the Debian
# package) cannot be the source of another build (automake refuses: "source directory
# already configured"); its own build is left alone, and DIR is built from a copy of its
# source files in DIR/src: the files a git checkout tracks (git add a new one), as they are in
# the working tree, or a release tarball's files as listed in its .dist-files. Not the
# untracked ones: a build product of the tree's own build, copied, would be taken for built.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
dir=$1
shift
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)

# source_files: the files of the source tree (paths relative to it, NUL-terminated).
source_files() {
	if [ "$(git -C "$repo" rev-parse --show-toplevel 2>/dev/null)" = "$repo" ]; then
		git -C "$repo" ls-files -z
	elif [ -f "$repo/.dist-files" ]; then
		tr '\n' '\0' <"$repo/.dist-files"
	else
		echo "build.sh: $repo is configured (config.status), and is neither a git checkout" \
			"nor a release tarball (no .dist-files): run \"make distclean\" there first" >&2
		return 1
	fi
}

# copy_source: brings DIR/src up to date with the source tree. Times are kept, so make
# rebuilds only what changed; a file the source no longer has is removed from the copy.
copy_source() {
	local list=$dir/src.files old=$dir/src.files.old f
	mkdir -p "$dir/src"
	[ ! -f "$list" ] || mv "$list" "$old"
	source_files | while IFS= read -r -d '' f; do
		# Deleted from the working tree but still in git's index.
		[ -e "$repo/$f" ] || [ -L "$repo/$f" ] || continue
		printf '%s\0' "$f"
	done | LC_ALL=C sort -z >"$list"
	if [ -f "$old" ]; then
		LC_ALL=C comm -z -23 "$old" "$list" | (cd "$dir/src" && xargs -0 -r rm -f --)
		rm -f "$old"
	fi
	(cd "$repo" && tar --null --no-recursion -T "$list" -cf -) | tar -C "$dir/src" -xf -
}

src=$repo
if [ -f "$repo/config.status" ]; then
	copy_source
	src=$dir/src
fi
if [ ! -x "$src/configure" ]; then
	(cd "$src" && ./autogen.sh) >"$dir/autogen.out" 2>&1 || { cat "$dir/autogen.out"; exit 1; }
fi
cd "$dir"
# Configured again when configure changed, or the build's source did (the tree was
# configured or cleaned since the last build).
if [ ! -f Makefile ] || [ "$src/configure" -nt Makefile ] ||
	! grep -qxF "srcdir='$src'" config.status 2>/dev/null; then
	"$src/configure" --prefix=/usr --sysconfdir=/etc "$@" >configure.out 2>&1 ||
		{ cat configure.out; exit 1; }
fi
make -j"$(nproc)" >make.out 2>&1 || { cat make.out; exit 1; }
