#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# The harness itself: its checks that nothing changes the sandbox's mount table (after each
# case, in a case, and pam-client's after each refused login).  A sandbox is started inside
# this one, whose "host" is then ours, which this case may change: the mounts the inner
# sandbox got from that host must be allowed to go away when the host deletes their mount
# points (the kernel detaches a mount in every namespace when its mount point is deleted;
# issue 16 point 9: the mount of a system test below /var/tmp did so during 70-race.sh),
# while a mount the inner case unmounts, changes or adds itself must fail it, with the lines
# that changed.
# shellcheck disable=SC2119 # sb_use_module takes optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"

# The inner sandbox's script.  NEST_MNT holds host mounts h1..h5 and g1..gN of the outer case;
# the outer case deletes h1 while case 1 runs, h2 during case 2, and the g mounts one by one
# during case 7 (ready/go/done files in NEST_FLAGS).
inner_script() {
	cat <<'EOF'
#!/bin/bash
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_build_client pam-client
wait_host() {
	: >"$NEST_FLAGS/ready$1"
	"$SB_BIN/sb-wait" "$NEST_FLAGS/go$1" 30 || fail "no go$1 from the outer case"
}
case_host_gone() { wait_host 1; }
case_host_gone_checked() {
	wait_host 2
	sb_expect_mounts_unchanged "checked in the case"
}
case_umounted() { umount "$NEST_MNT/h3" || fail "umount failed"; }
case_made_private() { mount --make-private "$NEST_MNT/h4" || fail "make-private failed"; }
case_added() { mkdir "$SB_MNT/new" && mount -t tmpfs sbtest-new "$SB_MNT/new" || fail "mount failed"; }
case_umounted_checked() {
	umount "$NEST_MNT/h5" || fail "umount failed"
	sb_expect_mounts_unchanged "checked in the case"
}
# Logins that fail after unshare, while the host deletes mount points: pam-client must not
# take that for the module's doing.  Runs until the outer case is done (at most 40 rounds).
case_refused_logins() {
	local out n=0
	sb_config_failing
	sb_use_module
	: >"$NEST_FLAGS/ready7"
	while [ ! -e "$NEST_FLAGS/done7" ] && [ "$n" -lt 40 ]; do
		n=$((n + 1))
		out=$(timeout -k 3 60 "${SB_WRAP[@]}" "$SB_ROOT/build/pam-client" -n 20 mntns-test alice \
			2>"$SB_CASE_DIR/client.err")
		[ "$out" = "logins=20 ok=0 refused=20 bad=0" ] || fail "$(_sb_oneline "$out")"
	done
	[ -e "$NEST_FLAGS/done7" ] || fail "the outer case did not finish"
}
t_case "host deletes the mount point of a host mount" case_host_gone
t_case "host deletes the mount point of a host mount, checked in the case" case_host_gone_checked
t_case "case unmounts a host mount" case_umounted
t_case "case makes a host mount private" case_made_private
t_case "case adds a mount" case_added
t_case "case unmounts a host mount, checked in the case" case_umounted_checked
t_case "refused logins while the host deletes mount points" case_refused_logins
t_done
EOF
}

G=40 # host mounts deleted during the refused logins

case_mount_table_check() {
	local flags=$SB_CASE_DIR/flags nest=$SB_CASE_DIR/nest repo=$SB_CASE_DIR/repo out i pid
	mkdir -p "$flags" "$nest" "$repo/tests/lib" "$repo/tests/clients" "$repo/tests/integration" \
		"$repo/conf"
	# A copy of the repository's test files, for the inner sandbox.
	cp "$SB_ROOT/build/sandbox.sh" "$repo/tests/lib/"
	cp "$SB_ROOT/build/"*.c "$repo/tests/clients/"
	cp "$SB_ROOT/build/mntns.conf" "$repo/conf/"
	inner_script >"$repo/tests/integration/inner.sh"
	for i in h1 h2 h3 h4 h5 $(seq -f g%g "$G"); do
		{ mkdir "$SB_MNT/$i" && mount -t tmpfs "sbtest-$i" "$SB_MNT/$i"; } || fail "mount $i failed"
	done
	# Expanded when it runs; not a loop over i, the loop variable of what runs deferred commands.
	# shellcheck disable=SC2016
	sb_defer 'umount -l "$SB_MNT"/[hg]* 2>/dev/null'
	# The inner sandbox is a sandbox of its own: none of ours may leak into it.
	env -u SB_INNER -u SB_ROOT -u SB_HOST_NS -u SB_ONLY_CASES -u SB_VERBOSE \
		NEST_FLAGS="$flags" NEST_MNT="$SB_MNT" SB_TMPDIR="$nest" \
		timeout -k 3 150 bash "$repo/tests/integration/inner.sh" >"$SB_CASE_DIR/inner.out" 2>&1 &
	pid=$!
	_sb_track "$pid"
	for i in 1 2; do
		sb_wait_file "$flags/ready$i" "$pid" 60 ||
			fail "inner case $i did not start: $(_sb_oneline "$(cat "$SB_CASE_DIR/inner.out")")"
		# As the host does it: unmount, then delete the mount point.
		{ umount "$SB_MNT/h$i" && rmdir "$SB_MNT/h$i"; } || fail "removing h$i failed"
		: >"$flags/go$i"
	done
	sb_wait_file "$flags/ready7" "$pid" 60 ||
		fail "inner case 7 did not start: $(_sb_oneline "$(cat "$SB_CASE_DIR/inner.out")")"
	for i in $(seq -f g%g "$G"); do
		sleep 0.02
		{ umount "$SB_MNT/$i" && rmdir "$SB_MNT/$i"; } || fail "removing $i failed"
	done
	: >"$flags/done7"
	sb_wait_pid "$pid" 150
	out=$(cat "$SB_CASE_DIR/inner.out")
	cat "$SB_CASE_DIR/inner.out"
	grep -q '^1\.\.7$' <<<"$out" || fail "the inner script did not finish: $(_sb_oneline "$out")"
	grep -q "^ok 1 - " <<<"$out" || fail "a host mount whose mount point the host deleted failed a case: $(_sb_oneline "$(grep '^not ok 1 ' <<<"$out")")"
	grep -qF "not counted: host mount(s) gone from the sandbox because their mount point was deleted outside it: $SB_MNT/h1" <<<"$out" ||
		fail "no note on the host mount that went away"
	grep -q "^ok 2 - " <<<"$out" || fail "the same, checked in the case: $(_sb_oneline "$(grep '^not ok 2 ' <<<"$out")")"
	expect_match "$(grep '^not ok 3 ' <<<"$out")" "changed during the case: removed: $SB_MNT/h3\$" \
		"a host mount the case unmounted"
	expect_match "$(grep '^not ok 4 ' <<<"$out")" "changed during the case: changed: $SB_MNT/h4 \\(shared:[0-9]+ -> \\(no tags\\)\\)\$" \
		"a host mount the case made private"
	{ grep -q "^#   ~ [0-9]* .* $SB_MNT/h4 .* shared:[0-9]* - tmpfs sbtest-h4 " <<<"$out" &&
		grep -q "^#     [0-9]* .* $SB_MNT/h4 rw,relatime - tmpfs sbtest-h4 " <<<"$out"; } ||
		fail "the old and new lines of the changed mount are not in the case log"
	expect_match "$(grep '^not ok 5 ' <<<"$out")" "changed during the case: added: /.*/mnt/new\$" \
		"a mount the case added"
	expect_match "$(grep '^not ok 6 ' <<<"$out")" "checked in the case: the sandbox's mount table changed: removed: $SB_MNT/h5\$" \
		"a host mount the case unmounted, checked in the case"
	grep -q "^ok 7 - " <<<"$out" || fail "refused logins while the host deleted mount points: $(_sb_oneline "$(grep '^not ok 7 ' <<<"$out")")"
}

t_case "the mount table check: host mounts may go with their mount point, nothing else" case_mount_table_check
t_done
