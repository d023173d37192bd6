#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# mntnsctl, the administrator's tool, with real logins (su -l, scope = user). list: every live
# view with its sessions, processes, tmpfs bytes in use (they grow when a user writes into
# /tmp) and start, as text and as JSON; a user removed from /etc/passwd while a process of
# theirs runs is listed by uid. check: what a login would do, rule by rule, with the module's
# own texts and the same verdict as a real login (a clean plan, a create= directory of another
# uid, a planted source, a target below a hide), a home covered by a target, and nothing
# created. reset: without --yes nothing ends; with --yes every process of the view ends, the
# next login gets a fresh /tmp, a login started while reset runs lands in the new view, and a
# process of root's in the view refuses the reset unless --force.
# shellcheck disable=SC2119 # sb_use_module / sb_debian_sysctls take optional arguments
# shellcheck disable=SC2015 # "A && B || fail": either failing fails the case
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_debian_sysctls
sb_build_client pam-client
sb_fuse_prepare
CLIENT=$SB_ROOT/build/pam-client
CTL=${PAM_MNTNS_CTL:-}
F=$SB_FLAGS

# user_config [RULES]: scope = user, a private /tmp for everyone but root, then RULES.
user_config() {
	sb_config <<EOF
[global]
users = * !root
scope = user

[tmp]
type = tmpfs
target = /tmp
options = mode=1777
${1:-}
EOF
	sb_use_module
}

# ctl ARGS: mntnsctl (under the memory checker, if any); stdout in ctl.out, stderr in ctl.err.
ctl() {
	[ -x "$CTL" ] || fail "mntnsctl not built: $CTL"
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CTL" "$@" >"$SB_CASE_DIR/ctl.out" 2>"$SB_CASE_DIR/ctl.err"
}
ctl_log() { _sb_oneline "$(cat "$SB_CASE_DIR/ctl.out" "$SB_CASE_DIR/ctl.err")"; }

# keeper NAME USER [TRAP]: a process of USER left running in the view of held session NAME
# (setsid sleep, as a tmux server is); with TRAP, it ignores SIGTERM. Its pid in $F/NAME.keeper.
keeper() {
	local trap=${3:+trap \"\" TERM; }
	sb_as_in "$1" "$2" "setsid sh -c '${trap}exec sleep 300' </dev/null >/dev/null 2>&1 & echo \$! >$F/$1.keeper" ||
		fail "cannot start a process of $2: $(sb_last_err)"
	_sb_track "$(cat "$F/$1.keeper")"
}

# jf UID FIELD: FIELD of the entry of UID in the JSON of `mntnsctl list --json` (ctl.out).
jf() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
e = [x for x in d if x["uid"] == int(sys.argv[2])]
print(e[0][sys.argv[3]] if e else "-")' "$SB_CASE_DIR/ctl.out" "$1" "$2"
}

# gone PID: wait (up to 10 s) until process PID has ended; false if it has not.
gone() {
	local n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	! kill -0 "$1" 2>/dev/null
}

# login_log USER: a real login of USER with the test client; its report in client.out, the
# module's log lines in client.err. Under valgrind, whose 3.19 cannot mount, the login runs
# without it: it is what the check is compared with, not what is checked here.
login_log() {
	local wrap=("${SB_WRAP[@]}")
	[ "${wrap[0]:-}" != valgrind ] || wrap=()
	timeout -k 3 "$SB_CMD_TIMEOUT" "${wrap[@]}" "$CLIENT" mntns-test "$1" \
		>"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
}

# ------------------------------------------------------------ list

case_list() {
	user_config
	sb_hold a alice
	sb_hold a2 alice
	sb_hold b bob
	local ua=${SB_UID[alice]} ub=${SB_UID[bob]} before bob_before
	ctl list --json || fail "list --json: $(ctl_log)"
	python3 -m json.tool "$SB_CASE_DIR/ctl.out" >/dev/null 2>&1 || fail "not JSON: $(ctl_log)"
	expect_eq "$(jf "$ua" user)/$(jf "$ub" user)" "alice/bob" "the users listed"
	expect_eq "$(jf "$ua" namespace)" "$(cat "$F/a.ns")" "alice's namespace"
	expect_eq "$(jf "$ub" namespace)" "$(cat "$F/b.ns")" "bob's namespace"
	expect_eq "$(jf "$ua" sessions)/$(jf "$ub" sessions)" "2/1" "the sessions"
	# Each session: the su that opened it (root's) and the shell's sb-wait (sh and sleep).
	[ "$(jf "$ua" processes)" -ge 4 ] && [ "$(jf "$ub" processes)" -ge 2 ] ||
		fail "processes: alice $(jf "$ua" processes), bob $(jf "$ub" processes)"
	expect_match "$(jf "$ua" since)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{2}:[0-9]{2}$' "since"
	expect_eq "$(jf "$ua" tmpfs_unmeasured)" 0 "alice's unmeasured tmpfs mounts"
	before=$(jf "$ua" tmpfs_bytes)
	bob_before=$(jf "$ub" tmpfs_bytes)
	sb_as_in a alice "head -c 1048576 /dev/urandom >/tmp/blob" || fail "alice cannot write: $(sb_last_err)"
	ctl list --json || fail "list --json: $(ctl_log)"
	[ "$(jf "$ua" tmpfs_bytes)" -ge $((before + 1048576)) ] ||
		fail "alice's tmpfs bytes: $before before writing 1 MiB, $(jf "$ua" tmpfs_bytes) after"
	expect_eq "$(jf "$ub" tmpfs_bytes)" "$bob_before" "bob's tmpfs bytes"
	ctl list || fail "list: $(ctl_log)"
	grep -Eq "^alice +$ua +$(sed 's/[][]/\\&/g' "$F/a.ns") +2 " "$SB_CASE_DIR/ctl.out" ||
		fail "the text output: $(ctl_log)"
	head -n 1 "$SB_CASE_DIR/ctl.out" | grep -q '^USER .*SESSIONS.*PROCESSES.*TMPFS.*SINCE' ||
		fail "no header: $(ctl_log)"
	touch "$F/a.go" "$F/a2.go" "$F/b.go"
	gone "$HELD" || fail "bob's session did not end"
	sb_wait_pid "$(cat "$F/a.pid")" 2>/dev/null
	local n=0
	while ctl list --json && [ "$(jf "$ua" user)" != - ] && [ $n -lt 100 ]; do sleep 0.05; n=$((n + 1)); done
	expect_eq "$(jf "$ua" user)" - "alice's entry after her last logout"
}

# A user removed from /etc/passwd while a process of theirs runs in their view: listed by
# uid, and reset by uid.
case_list_gone_user() {
	user_config
	local passwd=$SB_ROOT/etc/passwd uid=$((SB_UID[alice] + 7))
	cp "$passwd" "$SB_CASE_DIR/passwd.saved"
	# In place: /etc/passwd is a bind mount of this very file.
	sb_defer "cat $SB_CASE_DIR/passwd.saved >$passwd"
	echo "dave:x:$uid:$uid:dave:/home/dave:/bin/bash" >>"$passwd"
	install -d -o "$uid" -g "$uid" /home/dave
	sb_hold d dave
	keeper d "$uid"
	touch "$F/d.go"
	gone "$HELD" || fail "dave's session did not end"
	grep -v '^dave:' "$SB_CASE_DIR/passwd.saved" >"$passwd"
	ctl list --json || fail "list --json: $(ctl_log)"
	python3 -m json.tool "$SB_CASE_DIR/ctl.out" >/dev/null 2>&1 || fail "not JSON: $(ctl_log)"
	expect_eq "$(jf "$uid" user)" None "the user of uid $uid in JSON"
	expect_eq "$(jf "$uid" namespace)" "$(cat "$F/d.ns")" "the namespace of uid $uid"
	expect_eq "$(jf "$uid" processes)/$(jf "$uid" sessions)" "1/0" "processes/sessions of uid $uid"
	ctl list || fail "list: $(ctl_log)"
	grep -q "^(uid $uid, not in NSS) *$uid " "$SB_CASE_DIR/ctl.out" || fail "the text output: $(ctl_log)"
	ctl reset "$uid" --yes || fail "reset by uid: $(ctl_log)"
	gone "$(cat "$F/d.keeper")" || fail "the process of uid $uid survived the reset"
}

# ------------------------------------------------------------ check

# check_agrees USER STATUS TEXT: mntnsctl check USER exits STATUS, and a real login of USER
# is refused with TEXT in its log (STATUS 1), or succeeds (0).
check_agrees() {
	ctl check "$1"
	expect_eq "$?" "$2" "exit status of check $1 ($(ctl_log))"
	login_log "$1"
	if [ "$2" = 1 ]; then
		expect_eq "$(sb_field rc)" 14 "a login of $1 ($(_sb_oneline "$(cat "$SB_CASE_DIR/client.err")"))"
		grep -qF -- "$3" "$SB_CASE_DIR/client.err" || fail "the login logs no '$3': $(cat "$SB_CASE_DIR/client.err")"
		grep -qF -- "$3" "$SB_CASE_DIR/ctl.out" || fail "check says no '$3': $(ctl_log)"
	else
		expect_eq "$(sb_field rc)" 0 "a login of $1 ($(_sb_oneline "$(cat "$SB_CASE_DIR/client.err")"))"
	fi
}

case_check_clean() {
	install -d -m 1777 /tmp/.X11-unix
	mkdir -p "$SB_DATA/vt"
	user_config "
[x11]
type = bind
source = /tmp/.X11-unix
target = /tmp/.X11-unix
optional = yes

[vartmp]
type = bind
source = $SB_DATA/vt/%u
target = $SB_MNT
create = 0700

[gone]
type = bind
source = /no/such/source
target = $SB_MNT
users = nobody-here
optional = yes"
	ctl check alice || fail "check of a clean plan: $(ctl_log)"
	grep -q '^ok \[tmp\]: tmpfs on /tmp' "$SB_CASE_DIR/ctl.out" || fail "[tmp]: $(ctl_log)"
	grep -q '^ok \[x11\]' "$SB_CASE_DIR/ctl.out" || fail "[x11]: $(ctl_log)"
	grep -q 'target /tmp/.X11-unix: created in the fresh tmpfs of \[tmp\]' "$SB_CASE_DIR/ctl.out" ||
		fail "no word of the target made in the fresh tmpfs: $(ctl_log)"
	grep -q "source $SB_DATA/vt/alice: created, owned by uid ${SB_UID[alice]} gid ${SB_UID[alice]}, mode 0700" \
		"$SB_CASE_DIR/ctl.out" || fail "no word of the source create= makes: $(ctl_log)"
	grep -q 'would succeed$' "$SB_CASE_DIR/ctl.out" || fail "no verdict: $(ctl_log)"
	[ ! -e "$SB_DATA/vt/alice" ] || fail "check created $SB_DATA/vt/alice"
	[ -z "$(ls -A "$SB_DATA/vt")" ] || fail "check left $(ls -A "$SB_DATA/vt")"
	check_agrees alice 0
	# A user [global] leaves out: nothing to check.
	ctl check root || fail "check of root: $(ctl_log)"
	grep -q 'root is not selected' "$SB_CASE_DIR/ctl.out" || fail "root: $(ctl_log)"
	ctl check no-such-user-here
	expect_eq "$?" 1 "check of an unknown user"
	ctl check
	expect_eq "$?" 2 "check without a user"
	ctl check alice --yes
	expect_eq "$?" 2 "check with --yes"
}

# The create= directory of an earlier account of the same name: another uid's.
case_check_create_foreign() {
	mkdir -p "$SB_DATA/vt"
	install -d -o 4999 -g 4999 -m 0700 "$SB_DATA/vt/alice"
	user_config "
[vartmp]
type = bind
source = $SB_DATA/vt/%u
target = $SB_MNT
create = 0700"
	check_agrees alice 1 "source $SB_DATA/vt/alice exists but is not a directory owned by uid ${SB_UID[alice]}"
	grep -q "^refused \[vartmp\]" "$SB_CASE_DIR/ctl.out" || fail "no refused line: $(ctl_log)"
	grep -q "$SB_DATA/vt/alice is owned by uid 4999, which NSS does not know" "$SB_CASE_DIR/ctl.out" ||
		fail "the owner is not named: $(ctl_log)"
	grep -q 'would be refused' "$SB_CASE_DIR/ctl.out" || fail "no verdict: $(ctl_log)"
}

# A source another user planted in /tmp: refused, or skipped when optional.
case_check_planted() {
	setpriv --reuid=bob --regid=bob --init-groups -- ln -s /root /tmp/.X11-unix-test || fail "bob cannot plant"
	install -d -m 0755 "$SB_DATA/t"
	user_config "
[x11]
type = bind
source = /tmp/.X11-unix-test
target = $SB_DATA/t"
	check_agrees alice 1 "/tmp/.X11-unix-test is a symbolic link in a directory that others can write to"
	grep -q '^refused \[x11\]' "$SB_CASE_DIR/ctl.out" || fail "no refused line: $(ctl_log)"
	echo "optional = yes" | sb_config_add
	check_agrees alice 0
	grep -q '^skipped \[x11\]' "$SB_CASE_DIR/ctl.out" || fail "no skipped line: $(ctl_log)"
	grep -q 'is a symbolic link in a directory that others can write to.*rule skipped (optional)' \
		"$SB_CASE_DIR/ctl.out" || fail "not the module's warning: $(ctl_log)"
}

# A target below a hide of the same plan: the login finds the fresh, empty hide there (the
# check attaches it in a namespace of its own to look).
case_check_below_hide() {
	install -d -m 0755 "$SB_DATA/secret/inner"
	user_config "
[secret]
type = hide
target = $SB_DATA/secret

[inner]
type = tmpfs
target = $SB_DATA/secret/inner"
	check_agrees alice 1 "[inner]: opening target $SB_DATA/secret/inner: No such file or directory"
	grep -q '^ok \[secret\]' "$SB_CASE_DIR/ctl.out" || fail "[secret]: $(ctl_log)"
}

# A member's FUSE mount (whose server never answers) on a group directory that a rule binds:
# the login looks beneath it, and so does the check, in a namespace of its own; neither waits
# on the server. A target inside a user's FUSE mount is refused by both.
case_check_fuse() {
	cp /etc/group "$SB_CASE_DIR/group.orig"
	sb_defer "cat '$SB_CASE_DIR/group.orig' >/etc/group"
	sed "s/^\(students:.*\)$/\1,alice,bob/" "$SB_CASE_DIR/group.orig" >/etc/group
	install -d -m 0755 "$SB_DATA/scratch" "$SB_DATA/t"
	install -d -m 2770 -o root -g students "$SB_DATA/scratch/students"
	user_config "
[scratch]
type = bind
source = $SB_DATA/scratch/students
target = $SB_DATA/t"
	sb_fuse_mount bob hang "$SB_DATA/scratch/students" allow_other || fail "$SB_FUSE_ERROR"
	check_agrees alice 0
	grep -q "^ok \[scratch\]" "$SB_CASE_DIR/ctl.out" || fail "[scratch]: $(ctl_log)"
	grep -q "1 FUSE mount(s) of users on the way left out" "$SB_CASE_DIR/ctl.out" ||
		fail "no word of bob's mount: $(ctl_log)"
	install -d -o bob -g bob "$SB_MNT/bobfuse"
	sb_fuse_mount bob hang "$SB_MNT/bobfuse" allow_other || fail "$SB_FUSE_ERROR"
	user_config "
[inside]
type = tmpfs
target = $SB_MNT/bobfuse/sub"
	check_agrees alice 1 "$SB_MNT/bobfuse is a fuse"
}

# A target that is the home directory or above it: the home is covered at login.
case_check_home() {
	user_config "
[home]
type = tmpfs
target = /home

[cache]
type = tmpfs
target = %h"
	ctl check alice || fail "check: $(ctl_log)"
	grep -q '^warning \[home\]: target /home is above the home directory /home/alice of alice' \
		"$SB_CASE_DIR/ctl.out" || fail "no warning for /home: $(ctl_log)"
	grep -q '^warning \[cache\]: target /home/alice is the home directory of alice' \
		"$SB_CASE_DIR/ctl.out" || fail "no warning for %h: $(ctl_log)"
}

# ------------------------------------------------------------ reset

case_reset_dry() {
	user_config
	sb_hold a alice
	keeper a alice
	ctl reset alice
	expect_eq "$?" 1 "reset without --yes ($(ctl_log))"
	grep -q "$(cat "$F/a.keeper") *alice .*sleep" "$SB_CASE_DIR/ctl.out" || fail "the process is not listed: $(ctl_log)"
	grep -q 'su *(opened a session of alice)' "$SB_CASE_DIR/ctl.out" || fail "the su is not listed: $(ctl_log)"
	grep -q 'with --yes' "$SB_CASE_DIR/ctl.out" || fail "no word of what it would do: $(ctl_log)"
	kill -0 "$(cat "$F/a.keeper")" && kill -0 "$HELD" || fail "reset without --yes ended a process"
	expect_eq "$(sb_as_in a alice 'readlink /proc/self/ns/mnt')" "$(cat "$F/a.ns")" "the view"
	touch "$F/a.go"
}

case_reset() {
	user_config
	sb_hold a alice
	local su=$HELD
	keeper a alice
	sb_as_in a alice "echo old >/tmp/old" || fail "alice cannot write: $(sb_last_err)"
	ctl reset alice --yes || fail "reset --yes: $(ctl_log)"
	grep -q 'the next login of alice builds a fresh view' "$SB_CASE_DIR/ctl.out" || fail "no word of the next login: $(ctl_log)"
	gone "$(cat "$F/a.keeper")" || fail "the process left running survived"
	gone "$su" || fail "the session survived"
	ctl list --json || fail "list: $(ctl_log)"
	expect_eq "$(jf "${SB_UID[alice]}" user)" - "alice's entry after the reset"
	# (The new namespace may get the inode number of the old one, which the kernel has freed.)
	expect_eq "$(sb_su alice "ls -A /tmp")" "" "/tmp of the login after the reset ($(sb_last_err))"
	ctl reset alice || fail "reset with nothing live: $(ctl_log)"
	grep -q 'no live view' "$SB_CASE_DIR/ctl.out" || fail "$(ctl_log)"
}

# A login of alice while reset runs (the lock held, a process that ignores SIGTERM keeping it
# busy) waits, and then builds the new view: it never joins the old one.
case_reset_concurrent() {
	user_config
	sb_hold a alice
	keeper a alice trap
	sb_as_in a alice "echo old >/tmp/old" || fail "alice cannot write: $(sb_last_err)"
	local old lock ino n=0
	old=$(cat "$F/a.ns")
	lock=/run/mntns/${SB_UID[alice]}.lock
	ino=$(stat -c %i "$lock")
	timeout -k 3 30 "${SB_WRAP[@]}" "$CTL" reset alice --yes >"$SB_CASE_DIR/ctl.out" 2>"$SB_CASE_DIR/ctl.err" &
	local reset=$!
	_sb_track "$reset"
	# Once reset holds the lock (it ends no process before), the login starts.
	while ! awk -v i=":$ino" '$2 == "FLOCK" && index($6, i) { f = 1 } END { exit !f }' /proc/locks &&
		kill -0 "$reset" 2>/dev/null && [ $n -lt 400 ]; do
		sleep 0.01
		n=$((n + 1))
	done
	[ $n -lt 400 ] && kill -0 "$reset" 2>/dev/null || fail "reset never held the lock: $(ctl_log)"
	# It holds the lock, so the old view still has the process that ignores SIGTERM and
	# /tmp/old; the new one has neither.
	kill -0 "$(cat "$F/a.keeper")" || fail "the process that ignores SIGTERM was gone before the login"
	sb_su alice "ls -A /tmp; readlink /proc/self/ns/mnt" >"$SB_CASE_DIR/late.out" || fail "the login during the reset: $(sb_last_err)"
	wait "$reset" || fail "reset: $(ctl_log)"
	expect_eq "$(head -n 1 "$SB_CASE_DIR/late.out")" "$(tail -n 1 "$SB_CASE_DIR/late.out")" \
		"/tmp of the login made during the reset (it holds nothing)"
	gone "$(cat "$F/a.keeper")" || fail "the process that ignores SIGTERM survived"
	grep -q 'ended the view' "$SB_CASE_DIR/ctl.out" || fail "reset: $(ctl_log)"
}

# A process of root's in alice's view: reset refuses and ends nothing, unless --force.
case_reset_root() {
	user_config
	sb_hold a alice
	local su=$HELD root
	keeper a alice
	nsenter -t "$(cat "$F/a.pid")" -m -- sleep 300 </dev/null >/dev/null 2>&1 &
	root=$!
	_sb_track "$root"
	local n=0
	while [ "$(readlink "/proc/$root/ns/mnt")" != "$(cat "$F/a.ns")" ] && [ $n -lt 200 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	ctl reset alice --yes
	expect_eq "$?" 1 "reset with a process of root's in the view ($(ctl_log))"
	grep -q "refused" "$SB_CASE_DIR/ctl.out" || fail "no refusal: $(ctl_log)"
	grep -q "$root *root .*not alice's" "$SB_CASE_DIR/ctl.out" || fail "root's process is not named: $(ctl_log)"
	kill -0 "$root" && kill -0 "$(cat "$F/a.keeper")" && kill -0 "$su" || fail "a refused reset ended a process"
	ctl reset alice --yes --force || fail "reset --force: $(ctl_log)"
	gone "$root" && gone "$(cat "$F/a.keeper")" && gone "$su" || fail "reset --force left a process"
}

t_case "list: two users' views, their sessions, processes and tmpfs bytes, as text and JSON" case_list
t_case "list: a user removed from passwd is listed by uid, and reset by uid" case_list_gone_user
t_case "check: a clean plan, what a login creates, nothing created; bad usage" case_check_clean
t_case "check: a create= directory of another uid is refused, as at login, and its owner named" case_check_create_foreign
t_case "check: a planted source is refused (skipped when optional), as at login" case_check_planted
t_case "check: a target below a hide of the plan is missing, as at login" case_check_below_hide
t_case "check: a user's FUSE mount on the way to a source is looked beneath, one on a target refused" case_check_fuse
t_case "check: a target that covers the home directory warns" case_check_home
t_case "reset: without --yes nothing ends" case_reset_dry
t_case "reset: every process ends, the next login gets a fresh /tmp" case_reset
t_case "reset: a login started while reset runs lands in the new view" case_reset_concurrent
t_case "reset: a process of root's in the view refuses it, unless --force" case_reset_root
t_done
