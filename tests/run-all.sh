#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# The README's test command: installs what is missing, builds, runs every layer of tests and
# ends with one line "N passed, N failed" (exit status non-zero if anything failed).
#
# Layers: build with -Werror, cmocka unit tests, cppcheck, man pages, root integration tests
# with real PAM clients (pamtester, runuser/su, sshd) in sandbox namespaces, the Debian package
# on a Debian 12 booted with systemd in a container (tests/system/run.sh), fuzz regression
# inputs, make distcheck, then the unit and integration tests again under AddressSanitizer +
# UBSan and under valgrind memcheck.
#
# Environment: MNTNS_SKIP_DEPS=1 (do not apt-get), MNTNS_QUICK=1 (skip distcheck, sanitizer
# and valgrind passes), CI=true (a skipped test is a failure).
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
out=${MNTNS_TEST_OUT:-$repo/test-out}
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0

# Counts the TAP lines of a log ("ok ..."/"not ok ..."); a step that printed none counts as
# one test, passed when its exit status was 0. A non-zero exit without any "not ok" line is
# one more failure, so a crashing runner is never read as success.
count() {
	local name=$1 rc=$2 log=$3 ok nok
	ok=$(grep -cE '^ok [0-9]+' "$log")
	nok=$(grep -cE '^not ok [0-9]+' "$log")
	if [ $((ok + nok)) -eq 0 ]; then
		if [ "$rc" -eq 0 ]; then ok=1; else nok=1; fi
	elif [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		nok=1
		echo "not ok - $name exited with status $rc"
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	printf '%s %s: %d passed, %d failed\n' "==" "$name" "$ok" "$nok"
}

# step NAME COMMAND...: runs COMMAND, shows its output (a runner's own summary line is
# indented so that the last "N passed, N failed" line is this script's), counts it.
step() {
	local name=$1 rc
	shift
	echo "== $name"
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	sed -E 's/^([0-9]+ passed, [0-9]+ failed)/  \1/' "$out/$name.log"
	count "$name" "$rc" "$out/$name.log"
}

# Unit tests through automake's harness; the cmocka TAP lines are in the per-test logs.
unit_tests() {
	local dir=$1 rc
	shift
	make -C "$dir" check "$@" >"$dir/check.out" 2>&1
	rc=$?
	cat "$dir"/tests/unit/*.log 2>/dev/null | grep -vE '^(PASS|FAIL|SKIP|ERROR):'
	grep -E '^# (PASS|FAIL|ERROR|SKIP)' "$dir/check.out"
	return $rc
}

lint() {
	cppcheck -q --error-exitcode=1 --enable=warning,style,performance,portability \
		--inline-suppr --std=c11 -I pam_module -DMNTNS_CONFIG_FILE='"x"' \
		-DMNTNS_CONFIG_DIR='"y"' -DPACKAGE_NAME='"p"' -DPACKAGE_VERSION='"1"' \
		pam_module tests/unit
}

man_pages() {
	local n=0 page warn
	for page in man/*.[578]; do
		n=$((n + 1))
		warn=$(groff -ww -z -man "$page" 2>&1)
		if [ -z "$warn" ]; then echo "ok $n - groff -ww $page"; else
			echo "not ok $n - groff -ww $page: $warn"
		fi
	done
}

integration() {
	PAM_MNTNS_SO=$1/pam_module/.libs/pam_mntns.so PAM_MNTNS_PLAN=$1/pam_module/mntns-plan \
		bash tests/integration/run.sh
}

if [ "${MNTNS_SKIP_DEPS:-}" != 1 ]; then
	step deps bash tests/setup-deps.sh
fi
step build bash tests/build.sh "$out/build"
step unit unit_tests "$out/build"
step cppcheck lint
step man man_pages
step integration integration "$out/build"
step system bash tests/system/run.sh "$out/build"
if [ -f tests/fuzz/run.sh ]; then
	step fuzz-regressions bash tests/fuzz/run.sh --regressions
fi
if [ "${MNTNS_QUICK:-}" != 1 ]; then
	step distcheck make -C "$out/build" distcheck
	step build-sanitizers bash tests/build.sh "$out/build-asan" --enable-sanitizers
	step unit-sanitizers unit_tests "$out/build-asan"
	if [ -f tests/lib/sanitize.sh ]; then
		step integration-sanitizers bash tests/lib/sanitize.sh asan "$out/build-asan"
		step integration-valgrind bash tests/lib/sanitize.sh valgrind "$out/build"
	fi
	step unit-valgrind unit_tests "$out/build" \
		LOG_COMPILER="$repo/tests/valgrind.sh"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
