#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Builds the libFuzzer target over config loading and planning (fuzz_config.c), replays every
# input in tests/fuzz/regressions/, then fuzzes for FUZZ_SECONDS and keeps whatever it finds
# there. Needs clang with libFuzzer (Debian: clang, libclang-rt-dev); exits 77 without them.
#
#   bash tests/fuzz/run.sh                 build, replay, fuzz for FUZZ_SECONDS (default 60)
#   bash tests/fuzz/run.sh --regressions   build and replay only (quick; the test suite runs it)
#
# Environment: FUZZ_SECONDS, FUZZ_CC (a clang), FUZZ_SRC (module sources, default
# pam_module/ of this tree), FUZZ_ARGS (more libFuzzer flags).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
src=${FUZZ_SRC:-$top/pam_module}
build=$here/build
regressions=$here/regressions
seconds=${FUZZ_SECONDS:-60}
units=(config configfile err inicheck plan select strmap user vars path mounts)

replay_only=false
case "${1:-}" in
--regressions) replay_only=true ;;
"") ;;
*)
	echo "usage: $0 [--regressions]" >&2
	exit 2
	;;
esac

say() { printf 'fuzz: %s\n' "$*"; }
skip() {
	say "SKIP: $*"
	exit 77
}

# ---- toolchain ----
cc=${FUZZ_CC:-}
if [[ -z $cc ]]; then
	for c in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
		command -v "$c" >/dev/null && cc=$c && break
	done
fi
[[ -n $cc ]] || skip "clang not found (Debian: apt-get install clang libclang-rt-dev)"
mkdir -p "$build" || exit 1
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{\n\treturn d && n;\n}\n' \
	>"$build/probe.c"
"$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$build/probe" 2>"$build/probe.log" ||
	skip "$cc cannot link -fsanitize=fuzzer,address,undefined (Debian: apt-get install" \
		"libclang-rt-dev, or libclang-rt-14-dev for clang 14); see $build/probe.log"

ini_cflags=$(pkg-config --cflags iniparser 2>/dev/null) || ini_cflags=
ini_libs=$(pkg-config --libs iniparser 2>/dev/null) || ini_libs=-liniparser
if [[ -z $ini_cflags && -r /usr/include/iniparser/iniparser.h ]]; then
	ini_cflags=-I/usr/include/iniparser
fi

# ---- build (again only when a source, this script or the flags changed) ----
bin=$build/fuzz_config
sources=("$here/fuzz_config.c" "$top/tests/unit/inioracle.c")
for u in "${units[@]}"; do sources+=("$src/$u.c"); done
# What the autotools build defines (build-config.h, AM_CPPFLAGS) that these units use.
# shellcheck disable=SC2054,SC2206 # commas belong to -fsanitize; the pkg-config flags split
cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=all -Wall -Wextra
	-D_GNU_SOURCE -DMNTNS_CONFIG_FILE='"/etc/security/mntns.conf"'
	-DMNTNS_CONFIG_DIR='"/etc/security/mntns.d"' -I"$src" -I"$top/tests/unit" $ini_cflags)
stamp="$cc ${cflags[*]} $ini_libs $src"
rebuild=true
if [[ -x $bin && -f $build/stamp && $(cat "$build/stamp") == "$stamp" ]]; then
	rebuild=false
	for f in "${sources[@]}" "$src"/*.h "${BASH_SOURCE[0]}"; do
		[[ $f -nt $bin ]] && rebuild=true && break
	done
fi
if $rebuild; then
	say "building $bin with $cc"
	rm -f "$bin" "$build/stamp"
	# shellcheck disable=SC2086 # one or more flags
	if ! "$cc" "${cflags[@]}" "${sources[@]}" -o "$bin" $ini_libs 2>"$build/build.log"; then
		cat "$build/build.log" >&2
		say "FAIL: build"
		exit 1
	fi
	printf '%s' "$stamp" >"$build/stamp"
fi

# Names a libFuzzer artifact after what went wrong and where: kind-function-sha1prefix.
describe() { # LOG ARTIFACT
	local log=$1 art=$2 kind where sum
	kind=$(basename "$art" | sed 's/-.*//')
	if grep -q 'invariant failed' "$log"; then
		where=invariant
	elif grep -q 'ERROR: LeakSanitizer' "$log"; then
		where=leak
	else
		where=$(grep -o 'ERROR: AddressSanitizer: [a-z-]*' "$log" | head -1 | sed 's/.*: //')
		if [[ -z $where ]] && grep -q 'runtime error:' "$log"; then
			where=ubsan
		fi
	fi
	# The first frame with a source path of ours (not the sanitizer's or libc's), and the first
	# caller in another file: "find_slot-in-add_rule_op" says more than "find_slot".
	sum=$(grep -oE ' in [A-Za-z_][A-Za-z0-9_]* /[^ ]+\.c:[0-9]+' "$log" | head -12 |
		awk '{ f = $3; sub(/:.*/, "", f) }
		     NR == 1 { name = $2; file = f; next }
		     f != file { name = name "-in-" $2; exit }
		     END { print name }')
	where=${where:+$where-}${sum:-unknown}
	printf '%s-%s-%s' "$kind" "$where" "$(sha1sum <"$art" | cut -c1-12)"
}

# What went wrong and the frames of ours that led there, from a sanitizer or libFuzzer log.
summary() {
	grep -E 'ERROR: |runtime error|invariant failed|^ +#[0-9]+ .* in .* /[^ ]+\.c:[0-9]+' "$1" |
		head -14 | sed 's/^ */    /'
}

# ---- replay every input that ever failed ----
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
shopt -s nullglob
inputs=()
for f in "$regressions"/*; do
	[[ -f $f && $(basename "$f") != README* ]] && inputs+=("$f")
done
failed=0
for f in "${inputs[@]}"; do
	log=$build/replay-$(basename "$f").log
	if "$bin" -runs=1 "$f" >"$log" 2>&1; then
		rm -f "$log"
	else
		failed=$((failed + 1))
		say "FAIL: regressions/$(basename "$f") (log: $log)"
		summary "$log"
	fi
done
say "regressions: replayed ${#inputs[@]} inputs, $failed of them failing"
if $replay_only || ((failed)); then
	((failed)) && exit 1
	exit 0
fi

# ---- fuzz ----
corpus=$build/corpus
artifacts=$build/artifacts
mkdir -p "$corpus" "$artifacts"
cp -n "$here"/corpus/* "$corpus"/ 2>/dev/null
rm -f "$artifacts"/*
log=$build/fuzz.log
say "fuzzing for ${seconds}s (corpus $corpus, log $log)"
# shellcheck disable=SC2086
"$bin" "$corpus" -max_len=4096 -dict="$here/mntns.dict" -max_total_time="$seconds" \
	-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 \
	${FUZZ_ARGS:-} >"$log" 2>&1
rc=$?
grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1 | sed 's/^/fuzz: /'
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" |
	sed 's/^/fuzz: /'
found=0
for a in "$artifacts"/*; do
	name=$(describe "$log" "$a")
	cp "$a" "$regressions/$name"
	found=$((found + 1))
	say "FOUND: $(basename "$a") -> tests/fuzz/regressions/$name"
	cp "$log" "$build/$name.log"
	summary "$log"
	say "full log: $build/$name.log"
done
if ((rc != 0 || found)); then
	say "FAIL: the fuzzer stopped with status $rc and $found new input(s) in tests/fuzz/regressions/"
	exit 1
fi
say "no crash in ${seconds}s"
