#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# A rule's promise holds for the whole session, not only at login: no other user can cover or
# move a target later (a target below a directory they can mount on or rename in is refused),
# mounts made on the host after login do not show through a bind without its flags or despite
# norbind (the clone receives no mount events), and every tmpfs value mntns-plan accepts is one
# the kernel reads the same way, never "no limit" by accident.
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
# shellcheck source=../lib/attacker.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/attacker.sh"
attacker_begin "$@"

# project_dir MODE: $SB_DATA/g/proj with secret/ and tmp/ in it, g and proj root:students
# MODE; alice and bob are members (bob is the other member).
project_dir() {
	students_join alice bob
	install -d -m "$1" -o root -g students "$SB_DATA/g" "$SB_DATA/g/proj"
	install -d -m 0750 -o root -g students "$SB_DATA/g/proj/secret" "$SB_DATA/g/proj/tmp"
	sb_config <<EOF
[global]
users = * !root

[secret]
type = hide
target = $SB_DATA/g/proj/secret
optional = ${2:-no}

[ptmp]
type = tmpfs
target = $SB_DATA/g/proj/tmp
optional = ${2:-no}
EOF
}

case_target_coverable() {
	project_dir 0750
	expect_ok "project directories only root can write to"
	grep -qE "^new_mounts=.*$SB_DATA/g/proj/secret " "$SB_CASE_DIR/client.out" ||
		fail "control: nothing mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	project_dir 2770
	BEFORE=$(snapshot)
	expect_refused "targets below a 2770 group directory" \
		"$SB_DATA/g is writable by others \(owner uid 0, mode 2770\): another user could mount on it"
	project_dir 2770 yes
	expect_skipped "the same rules, optional" "$SB_DATA/g/proj/tmp" 'mount on it.*rule skipped'
	# The sticky bit lets nobody but an entry's owner rename it, and no user mount on it.
	project_dir 3770
	expect_ok "the same, sticky (3770)"
	# A directory of alice's own that her group may write to is shared with bob just the same.
	install -d -m 2770 -o alice -g students /home/alice/proj /home/alice/proj/tmp
	project_dir 0750
	printf '[htmp]\ntype = tmpfs\ntarget = %%h/proj/tmp\n' | sb_config_add
	BEFORE=$(snapshot)
	expect_refused "a target in alice's own 2770 directory of group students" \
		'/home/alice/proj is writable by others \(owner uid [0-9]+, mode 2770\)'
}

# bind_session OPTIONS: a session of alice with $SB_DATA/src bound on $SB_DATA/t (OPTIONS);
# once it runs, the host mounts a tmpfs on $SB_DATA/src/late; prints what the session sees at
# $SB_DATA/t/late ("none" when nothing) and whether it could write there, in alice.out.
bind_session() {
	install -d -m 0755 "$SB_DATA/src" "$SB_DATA/src/late" "$SB_DATA/t"
	sb_config_bind "$SB_DATA/src" "$SB_DATA/t"
	echo "options = $1" | sb_config_add
	sb_use_module
	sb_bg alice alice "touch $SB_FLAGS/started; $SB_BIN/sb-wait $SB_FLAGS/mounted 30 &&
		$SB_BIN/sb-mnt $SB_DATA/t/late; touch $SB_DATA/t/late/x 2>/dev/null && echo WROTE; true"
	local pid=$SB_BG_PID
	sb_wait_file "$SB_FLAGS/started" "$pid" ||
		fail "alice's session did not start: $(cat "$SB_CASE_DIR/alice.err")"
	mount -t tmpfs -o mode=1777 late-host-mount "$SB_DATA/src/late" || fail "host mount failed"
	sb_defer "umount -l '$SB_DATA/src/late' 2>/dev/null"
	touch "$SB_FLAGS/mounted"
	sb_wait_pid "$pid" || fail "alice's session failed: $(cat "$SB_CASE_DIR"/alice.*)"
}

case_bind_late_mount() {
	local out opts
	for opts in "ro,nosuid,nodev" "norbind" "ro,norbind"; do
		bind_session "$opts"
		out=$(cat "$SB_CASE_DIR/alice.out")
		expect_eq "$(head -n 1 <<<"$out")" none "mount made below the source after login, through a bind with $opts"
		[[ $out != *WROTE* ]] || fail "the session wrote to the host's late mount through a bind with $opts"
		umount -l "$SB_DATA/src/late"
		rm -f "$SB_FLAGS/started" "$SB_FLAGS/mounted"
	done
}

# What mntns-plan accepts mounts; what it refuses is refused at login with the same message.
case_tmpfs_values() {
	local v rc
	install -d -m 0755 "$SB_DATA/t"
	sb_use_module
	for v in size=1 size=100% size=4611686018427387904 nr_inodes=1 nr_inodes=1k \
		uid=4294967294 gid=4294967294 mode=000 size=1M; do
		printf '[global]\nusers = * !root\n[t]\ntype = tmpfs\ntarget = %s\noptions = %s\n' \
			"$SB_DATA/t" "$v" | sb_config
		"$SB_PLAN_TOOL" alice >/dev/null 2>"$SB_CASE_DIR/plan.err" ||
			fail "mntns-plan refused $v: $(cat "$SB_CASE_DIR/plan.err")"
		client alice
		expect_eq "$(client_rc)" 0 "login with $v (log: $(client_log))"
	done
	for v in size=16e size=16384p size=4503599627370496% size=0 nr_inodes=9999999999999999999 \
		uid=4294967295 uid=9999999999 size=010; do
		printf '[global]\nusers = * !root\n[t]\ntype = tmpfs\ntarget = %s\noptions = %s\n' \
			"$SB_DATA/t" "$v" | sb_config
		"$SB_PLAN_TOOL" alice >/dev/null 2>"$SB_CASE_DIR/plan.err"
		rc=$?
		expect_eq "$rc" 1 "mntns-plan exit status for $v"
		expect_match "$(cat "$SB_CASE_DIR/plan.err")" "invalid value .* for tmpfs option" "mntns-plan message for $v"
		client alice
		expect_ne "$(client_rc)" 0 "login with $v"
		[[ $(client_log) != *"e tmpfs"* ]] || fail "kernel log prefix in the message: $(client_log)"
	done
}

t_case "targets below a directory other users can mount on or rename in: refused or skipped" case_target_coverable
t_case "host mounts below a bind source after login never show through the bind" case_bind_late_mount
t_case "tmpfs values: what mntns-plan accepts mounts, the rest is refused by both" case_tmpfs_values
t_done
