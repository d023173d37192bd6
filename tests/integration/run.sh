#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Run every integration script (tests/integration/[0-9]*.sh) and summarize their TAP output.
# The last line is `N passed, N failed`; exit status is non-zero if anything failed.
# A script that dies, or whose plan does not match its test lines, counts as a failure.
# Usage: bash tests/integration/run.sh [SCRIPT...]
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ $# -gt 0 ]; then
	scripts=("$@")
else
	scripts=("$dir"/[0-9]*.sh)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0 failed=0 skipped=0
for script in "${scripts[@]}"; do
	name=$(basename "$script")
	echo "# $name"
	bash "$script" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	out=$(cat "$log")
	p=$(grep -Ec '^ok ' <<<"$out")
	s=$(grep -Eic '^ok [0-9]+ .*# SKIP' <<<"$out")
	f=$(grep -Ec '^not ok ' <<<"$out")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' <<<"$out" | tail -n 1)
	passed=$((passed + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
	if [ -z "$plan" ] || [ "$plan" -ne $((p + f)) ]; then
		echo "not ok - $name: plan '${plan:-missing}' does not match $((p + f)) test lines (script died?)"
		failed=$((failed + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name: exited with status $rc without a failing test"
		failed=$((failed + 1))
	fi
done

[ "$skipped" -eq 0 ] || echo "# $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
