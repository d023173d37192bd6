#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# scope = user with real clients: logins of one user share one namespace (su -l, runuser -l,
# ssh + tmux, cron-like concurrent first logins), which lives while a session is open or a
# process runs in it and is gone, freed by the kernel, once neither holds (also when the PAM
# caller was SIGKILLed); users stay apart; /run/mntns is root's alone; Debian's cron. And
# nested logins, for both scopes: su - bob and sudo -i -u bob inside alice's session get
# exactly a fresh login's view, su - and sudo to root land in the outer view (unless
# unselected = keep), a view the module did not make is never left, and a multithreaded
# caller can join. (tmux across ssh logins: 40-sshd.sh.)
# Under a memory checker the su and sudo run inside a session cannot carry it (su -l and
# sudo clear the environment that loads it), so there the nested logins are made by the
# test client, started in the session's namespace with nsenter.
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_build_client pam-client
sb_build_client leaderless
CLIENT=$SB_ROOT/build/pam-client
F=$SB_FLAGS

# user_config [SCOPE] [EXTRA GLOBAL LINE]: a private /tmp for everyone but root.
user_config() {
	sb_config <<EOF
[global]
users = * !root
scope = ${1:-user}
${2:-}

[tmp]
type = tmpfs
target = /tmp
EOF
	sb_use_module
}

# bg_su NAME USER CMD: su -l USER -c CMD in the background (output in NAME.out); sets BG.
bg_su() {
	local name=$1 user=$2
	shift 2
	timeout -k 3 "$SB_CASE_TIMEOUT" "${SB_SU_WRAP[@]}" su -l "$user" -c "$*" >"$SB_CASE_DIR/$name.out" \
		2>"$SB_CASE_DIR/$name.err" &
	BG=$!
	_sb_track "$BG"
}

# hold NAME USER: a session of USER that stays open (su -l, sleeping until $F/NAME.go);
# writes its namespace to $F/NAME.ns. Sets BG.
hold() {
	bg_su "$1" "$2" "readlink /proc/self/ns/mnt >$F/$1.ns.tmp && mv $F/$1.ns.tmp $F/$1.ns; \
		$SB_BIN/sb-wait $F/$1.go 80"
	sb_wait_file "$F/$1.ns" "$BG" || fail "$1: the session of $2 did not start: $(cat "$SB_CASE_DIR/$1.err")"
}
release() {
	touch "$F/$1.go"
	sb_wait_pid "$2" || fail "$1: the session did not end cleanly: $(cat "$SB_CASE_DIR/$1.err")"
}

# gone PID: wait (up to 10 s) until process PID, not a child of this shell, has ended.
gone() {
	local n=0
	while kill -0 "$1" 2>/dev/null && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	! kill -0 "$1" 2>/dev/null || fail "process $1 did not end"
}

# client_in NSPID USER [OPTIONS]: the test client for USER, run by root in the mount namespace
# of process NSPID (nested when that is a session's); report in client.out.
client_in() {
	local pid=$1 user=$2
	shift 2
	timeout -k 3 "$SB_CMD_TIMEOUT" nsenter -t "$pid" -m -- "${SB_WRAP[@]}" "$CLIENT" "$@" \
		mntns-test "$user" >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
}

# session_pid NAME: a process of the held session NAME (its shell's child, sb-wait).
session_pid() {
	local pid
	pid=$(pgrep -f "^/bin/sh $SB_BIN/sb-wait $F/$1.go" | head -n 1)
	[ -n "$pid" ] || fail "no process of session $1"
	echo "$pid"
}

# live_ns USER: the namespace of USER's live view as mntns-plan reports it ("mnt:[N]"), or
# nothing when there is none (no process runs in it any more: the kernel has freed it).
live_ns() { "$PAM_MNTNS_PLAN" "$1" 2>/dev/null | sed -n 's/^live: live namespace \(mnt:\[[0-9]*\]\).*/\1/p'; }

# view_of: the mount points and filesystem types of the caller's view, one per line, sorted.
VIEW='awk "{ i = 7; while (\$i != \"-\") i++; print \$5, \$(i + 1) }" /proc/self/mountinfo | sort'

case_su_share() {
	user_config
	hold s1 alice
	sb_su alice "readlink /proc/self/ns/mnt; echo two >/tmp/two; ls /tmp" >"$SB_CASE_DIR/s2.out" ||
		fail "second login: $(sb_last_err)"
	local ns1 ns2
	ns1=$(cat "$F/s1.ns")
	ns2=$(head -n 1 "$SB_CASE_DIR/s2.out")
	expect_eq "$ns2" "$ns1" "the second su -l login's namespace"
	expect_eq "$(live_ns alice)" "$ns1" "the live namespace mntns-plan reports"
	[ "$(stat -c %a /run/mntns)" = 700 ] || fail "/run/mntns has mode $(stat -c %a /run/mntns)"
	sb_su alice "cat /tmp/two" >"$SB_CASE_DIR/s3.out"
	expect_eq "$(cat "$SB_CASE_DIR/s3.out")" two "a third login reads what the second wrote in /tmp"
	release s1 "$BG"
	[ -z "$(live_ns alice)" ] || fail "the namespace outlived the last logout with nothing running"
	expect_eq "$(sb_su alice "ls -A /tmp")" "" "/tmp of the next login"
}

case_six_first_logins() {
	user_config
	# The test holds alice's lock: her six first logins wait for it, bob's does not.
	mkdir -m 0700 /run/mntns
	touch "/run/mntns/${SB_UID[alice]}.lock"
	flock "/run/mntns/${SB_UID[alice]}.lock" "$SB_BIN/sb-wait" "$F/unlock" 60 &
	_sb_track "$!"
	local i pids=()
	for i in 1 2 3 4 5 6; do
		timeout -k 3 60 "${SB_WRAP[@]}" runuser -l alice -c "readlink /proc/self/ns/mnt >$F/ns.$i.tmp && \
			mv $F/ns.$i.tmp $F/ns.$i; $SB_BIN/sb-wait $F/go 50" 2>"$SB_CASE_DIR/l$i.err" &
		pids+=($!)
		_sb_track "$!"
	done
	sb_su bob "true" || fail "bob's login while alice's logins wait: $(sb_last_err)"
	sleep 0.5
	[ -z "$(ls "$F"/ns.? 2>/dev/null)" ] || fail "a login of alice went on while her lock was held"
	touch "$F/unlock"
	for i in 1 2 3 4 5 6; do
		sb_wait_file "$F/ns.$i" "${pids[i - 1]}" 30 || fail "login $i: $(cat "$SB_CASE_DIR/l$i.err")"
	done
	local distinct
	distinct=$(cat "$F"/ns.? | sort -u)
	expect_eq "$(wc -l <<<"$distinct")" 1 "distinct namespaces of six simultaneous first logins ($distinct)"
	expect_eq "$(live_ns alice)" "$distinct" "the live namespace"
	touch "$F/go"
	for i in 1 2 3 4 5 6; do sb_wait_pid "${pids[i - 1]}" || fail "login $i did not end"; done
	# Under a memory checker, exiting clients briefly start helper processes of its own
	# (LeakSanitizer's tracer) in the namespace, which end with them.
	[ -z "$(live_ns alice)" ] || [ ${#SB_WRAP[@]} -gt 0 ] || fail "the namespace outlived the last of six logouts"
}

case_process_keeps() {
	user_config
	sb_su alice "echo kept >/tmp/kept; setsid sleep 300 </dev/null >/dev/null 2>&1 & echo \$! >$F/keeper" ||
		fail "login: $(sb_last_err)"
	local keeper old
	keeper=$(cat "$F/keeper")
	_sb_track "$keeper"
	old=$(live_ns alice)
	[ -n "$old" ] || fail "a process left running at logout: the namespace is not found"
	expect_eq "$(sb_su alice "cat /tmp/kept")" kept "the next login, while the process runs"
	expect_eq "$(live_ns alice)" "$old" "the live namespace"
	kill "$keeper"
	gone "$keeper"
	local now
	now=$(sb_su alice "ls -A /tmp; readlink /proc/self/ns/mnt") || fail "login: $(sb_last_err)"
	[[ $now == mnt:* ]] || fail "once the process ended, /tmp of the next login is not empty: $now"
	[ -z "$(live_ns alice)" ] || fail "the namespace outlived the last logout"
}

# A process whose main thread has exited has no /proc/PID/ns/mnt; its other thread keeps
# the namespace all the same.
case_leaderless_keeps() {
	user_config
	cp "$SB_ROOT/build/leaderless" "$SB_BIN/"
	sb_su alice "echo kept >/tmp/kept; setsid $SB_BIN/leaderless 300 </dev/null >/dev/null 2>&1 & echo \$! >$F/keeper" ||
		fail "login: $(sb_last_err)"
	local keeper
	keeper=$(cat "$F/keeper")
	_sb_track "$keeper"
	[ -n "$(live_ns alice)" ] || fail "a process left running at logout: the namespace is not found"
	expect_eq "$(sb_su alice "cat /tmp/kept")" kept "the next login, while only a thread runs"
	kill "$keeper"
	gone "$keeper"
}

case_sigkill() {
	user_config
	timeout -k 3 60 "${SB_WRAP[@]}" "$CLIENT" -s 60 mntns-test alice >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err" &
	local pid=$! n=0
	_sb_track "$pid"
	while ! grep -q '^holding=' "$SB_CASE_DIR/client.out" && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
	grep -q '^rc=0$' "$SB_CASE_DIR/client.out" || fail "the held session: $(cat "$SB_CASE_DIR/client.out" "$SB_CASE_DIR/client.err")"
	expect_eq "$(live_ns alice)" "$(sed -n 's/^ns_after=//p' "$SB_CASE_DIR/client.out")" "the live namespace of the held session"
	sb_su alice "echo old >/tmp/old" || fail "a login that joins: $(sb_last_err)"
	# No pam_close_session: the registry still names the PAM caller's thread.
	kill -KILL "$(sed -n 's/^holding=//p' "$SB_CASE_DIR/client.out")"
	gone "$(sed -n 's/^holding=//p' "$SB_CASE_DIR/client.out")"
	expect_eq "$(sb_su alice "ls -A /tmp")" "" "/tmp after the PAM caller was SIGKILLed"
	[ -z "$(live_ns alice)" ] || fail "the namespace outlived the last logout"
}

case_users_apart() {
	user_config
	hold a alice
	local pa=$BG
	hold b bob
	expect_ne "$(cat "$F/a.ns")" "$(cat "$F/b.ns")" "alice's and bob's namespaces"
	sb_su alice "echo alice >/tmp/mine" || fail "alice: $(sb_last_err)"
	expect_eq "$(sb_su bob "ls -A /tmp")" "" "bob's /tmp while alice has a file in hers"
	# Neither can look at or change the locks and registries.
	local what
	for what in "ls /run/mntns" "cat /run/mntns/${SB_UID[alice]}.lock" "touch /run/mntns/x" \
		"rm -f /run/mntns/${SB_UID[bob]}"; do
		sb_plain alice "$what" 2>/dev/null && fail "alice, outside a session: '$what' worked"
		sb_su alice "$what" 2>/dev/null && fail "alice, in her session: '$what' worked"
	done
	expect_eq "$(stat -c '%U %a' /run/mntns)" "root 700" "/run/mntns"
	release a "$pa"
	touch "$F/b.go"
}

# nested SCOPE: su - bob and sudo -i -u bob inside alice's session see what a fresh login of
# bob sees; none of alice's mounts.
nested() {
	user_config "$1"
	hold a alice
	sb_su alice "echo mark >/tmp/alice-mark" || fail "alice: $(sb_last_err)"
	local fresh via
	if [ ${#SB_WRAP[@]} -gt 0 ]; then
		client_in "$(session_pid a)" bob
		expect_eq "$(sb_field rc)" 0 "bob's nested login ($(cat "$SB_CASE_DIR/client.err"))"
		expect_ne "$(sb_field ns_after)" "$(cat "$F/a.ns")" "bob's namespace"
		touch "$F/a.go"
		return
	fi
	fresh=$(sb_su bob "$VIEW") || fail "fresh login of bob: $(sb_last_err)"
	printf '#!/bin/sh\n%s\nls -A /tmp >&2\n' "$VIEW" >"$SB_BIN/view"
	chmod 0755 "$SB_BIN/view"
	for via in "su - bob -c" "sudo -i -u bob"; do
		sb_su alice "$via $SB_BIN/view" >"$SB_CASE_DIR/nested.out" 2>"$SB_CASE_DIR/nested.err" ||
			fail "$via in alice's session: $(cat "$SB_CASE_DIR/nested.err")"
		grep -q alice-mark "$SB_CASE_DIR/nested.err" && fail "$via: bob sees alice's /tmp"
		[ "$(cat "$SB_CASE_DIR/nested.out")" = "$fresh" ] ||
			fail "$via: bob's view differs from a fresh login's: $(diff <(echo "$fresh") "$SB_CASE_DIR/nested.out" | _sb_oneline "$(cat)")"
	done
	touch "$F/a.go"
}
case_nested_user() { nested user; }
case_nested_session() { nested session; }

# sudo from alice's private /tmp/build: root must not end up in bob's /tmp/build of the
# outer view (the same path, another directory). And a record that cannot be read refuses
# root's login rather than leave root in alice's view, unless the list of the module's views
# says whose view it is.
case_nested_root_cwd() {
	user_config
	install -d -o bob -g bob /tmp/build # the outer view's, bob's
	hold a alice
	sb_su alice "mkdir /tmp/build" || fail "alice: $(sb_last_err)"
	local pid
	pid=$(session_pid a)
	client_in "$pid" root -c /tmp/build
	expect_eq "$(sb_field rc)" 0 "root's login from alice's /tmp/build ($(cat "$SB_CASE_DIR/client.err"))"
	expect_eq "$(sb_field cwd_after)" / "root's working directory in the outer view"
	if [ ${#SB_WRAP[@]} -eq 0 ]; then
		expect_eq "$(sb_su alice "cd /tmp/build && sudo sh -c 'pwd; stat -c %U .'" | tr '\n' ' ')" "/ root " \
			"sudo from alice's /tmp/build"
	fi
	# A record nobody can read any more (root mounts over it in alice's view): the view is
	# still known for alice's from the list in /run/mntns/views, so root goes back out.
	nsenter -t "$pid" -m -- sh -c "mount -t tmpfs -o mode=0700 forged /run/mntns &&
		echo garbage >/run/mntns/view && chmod 0400 /run/mntns/view" || fail "cannot replace the record"
	client_in "$pid" root
	expect_eq "$(sb_field rc)" 0 "root's login where the record cannot be read but the view is listed"
	expect_eq "$(sb_field ns_after)" "$(readlink /proc/1/ns/mnt)" "root's namespace then"
	# And where neither can tell, the login is refused.
	rm -rf /run/mntns/views
	client_in "$pid" root
	expect_eq "$(sb_field rc)" 14 "root's login where the record cannot be read (PAM_SESSION_ERR)"
	expect_eq "$(sb_field ns_changed)" no "root's refused login: namespace"
	grep -q "cannot be read" "$SB_CASE_DIR/client.err" || fail "no log line: $(cat "$SB_CASE_DIR/client.err")"
	touch "$F/a.go"
}

# to_root [EXTRA GLOBAL LINE]: su -, sudo -i and sudo inside alice's session.
to_root() {
	user_config user "${1:-}"
	hold a alice
	local via
	if [ ${#SB_WRAP[@]} -gt 0 ]; then
		client_in "$(session_pid a)" root
		echo "$(sb_field ns_after) pam-client (rc $(sb_field rc): $(cat "$SB_CASE_DIR/client.err"))"
		touch "$F/a.go"
		return
	fi
	for via in "su - -c" "sudo -i sh -c" "sudo sh -c"; do
		echo "$(sb_su alice "$via 'readlink /proc/self/ns/mnt'") $via"
	done
	touch "$F/a.go"
}
case_nested_root() {
	local outer line
	outer=$(readlink /proc/1/ns/mnt)
	to_root >"$SB_CASE_DIR/root.out"
	while read -r line; do
		[ "${line%% *}" = "$outer" ] || fail "${line#* }: root is not in the outer view: $line"
	done <"$SB_CASE_DIR/root.out"
	[ "$(wc -l <"$SB_CASE_DIR/root.out")" = 3 ] || [ ${#SB_WRAP[@]} -gt 0 ] ||
		fail "$(cat "$SB_CASE_DIR/root.out")"
}
case_nested_root_keep() {
	to_root "unselected = keep" >"$SB_CASE_DIR/root.out"
	local alice line
	alice=$(cat "$F/a.ns")
	while read -r line; do
		[ "${line%% *}" = "$alice" ] || fail "${line#* }: root left alice's view: $line"
	done <"$SB_CASE_DIR/root.out"
}

case_threads_join() {
	user_config
	hold a alice
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CLIENT" -t mntns-test alice >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	grep -q '^rc=0$' "$SB_CASE_DIR/client.out" || fail "multithreaded join: $(cat "$SB_CASE_DIR/client.out" "$SB_CASE_DIR/client.err")"
	expect_eq "$(sed -n 's/^ns_after=//p' "$SB_CASE_DIR/client.out")" "$(cat "$F/a.ns")" "the multithreaded caller's namespace"
	touch "$F/a.go"
}

case_plan_reports() {
	user_config
	"${SB_WRAP[@]}" "$PAM_MNTNS_PLAN" alice >"$SB_CASE_DIR/plan.out" 2>&1
	grep -q "no live namespace" "$SB_CASE_DIR/plan.out" || fail "before any login: $(cat "$SB_CASE_DIR/plan.out")"
	hold a alice
	"${SB_WRAP[@]}" "$PAM_MNTNS_PLAN" alice >"$SB_CASE_DIR/plan.out" 2>&1
	grep -qF "live namespace $(cat "$F/a.ns")" "$SB_CASE_DIR/plan.out" || fail "during a session: $(cat "$SB_CASE_DIR/plan.out")"
	grep -q "1 session" "$SB_CASE_DIR/plan.out" || fail "sessions: $(cat "$SB_CASE_DIR/plan.out")"
	# The administrator's way in, as mntns-plan prints it.
	local enter
	enter=$(sed -n 's/.*enter it with \(nsenter -t [0-9]* -m\)$/\1/p' "$SB_CASE_DIR/plan.out")
	[ -n "$enter" ] || fail "no nsenter command: $(cat "$SB_CASE_DIR/plan.out")"
	expect_eq "$($enter readlink /proc/self/ns/mnt)" "$(cat "$F/a.ns")" "$enter"
	touch "$F/a.go"
}

# A view the module did not make (unshare -m here; a service systemd sandboxed, on a real
# host): never left. A selected user gets a view built on it, of their own even with
# scope = user (logged); an unselected one stays; and in a view made from such a view the
# outer view cannot be reached, so root stays in the caller's view (logged).
case_foreign_view() {
	user_config
	timeout -k 3 "$SB_CMD_TIMEOUT" unshare -m -- "${SB_WRAP[@]}" "$CLIENT" mntns-test alice >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	grep -q '^rc=0$' "$SB_CASE_DIR/client.out" || fail "alice in a foreign view: $(cat "$SB_CASE_DIR/client.out" "$SB_CASE_DIR/client.err")"
	grep -q '^new_mounts=/tmp *$' "$SB_CASE_DIR/client.out" || fail "alice in a foreign view: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	grep -q "scope = user needs the outer view" "$SB_CASE_DIR/client.err" || fail "no warning: $(cat "$SB_CASE_DIR/client.err")"
	[ -z "$(live_ns alice)" ] || fail "a view built on a foreign one became alice's shared view"
	# Built on it, not on the outer view: a mount only the foreign view has is seen.
	expect_eq "$(timeout -k 3 "$SB_CMD_TIMEOUT" unshare -m -- sh -c "mount -t tmpfs foreign $SB_MNT &&
		touch $SB_MNT/only-here && ${SB_SU_WRAP[*]} su -l alice -c 'ls $SB_MNT'" 2>"$SB_CASE_DIR/su.err")" \
		only-here "alice's login in a foreign view sees that view's mounts ($(cat "$SB_CASE_DIR/su.err"))"
	timeout -k 3 "$SB_CMD_TIMEOUT" unshare -m -- "${SB_WRAP[@]}" "$CLIENT" mntns-test root >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	grep -q '^ns_changed=no$' "$SB_CASE_DIR/client.out" || fail "root left a foreign view: $(cat "$SB_CASE_DIR/client.out")"
	# alice's view, made from the foreign one, and root's login inside it. (Such a view gets
	# its record only where /run/mntns exists already; without one it is foreign, with one
	# "lost": root stays either way.)
	mkdir -p -m 0700 /run/mntns
	timeout -k 3 60 unshare -m -- "${SB_WRAP[@]}" "$CLIENT" -s 30 mntns-test alice \
		>"$SB_CASE_DIR/held.out" 2>"$SB_CASE_DIR/held.err" &
	_sb_track "$!"
	local n=0 pid
	while ! grep -q '^holding=' "$SB_CASE_DIR/held.out" && [ $n -lt 400 ]; do sleep 0.05; n=$((n + 1)); done
	pid=$(sed -n 's/^holding=//p' "$SB_CASE_DIR/held.out")
	[ -n "$pid" ] || fail "alice's session in a foreign view: $(cat "$SB_CASE_DIR/held.out" "$SB_CASE_DIR/held.err")"
	client_in "$pid" root
	expect_eq "$(sb_field ns_changed)" no "root in a view whose outer view cannot be reached"
	grep -q "stays in the caller's view" "$SB_CASE_DIR/client.err" || fail "no warning: $(cat "$SB_CASE_DIR/client.err")"
}

# Debian's cron, for real: two jobs of alice start in the same minute; they share /tmp, so
# only one of them gets `flock -n /tmp/job.lock`. Up to a minute of waiting.
case_cron_share() {
	user_config
	[ -x /usr/sbin/cron ] || skip "cron is not installed (tests/setup-deps.sh)"
	local d=$SB_ROOT/cron
	mkdir -p "$d/cron.d" "$d/crontabs"
	: >"$d/crontab"
	local job='flock -n /tmp/job.lock -c "echo ran \$(readlink /proc/self/ns/mnt) >>F/cron.out; sleep 8" || echo busy >>F/cron.out'
	{
		echo "* * * * * alice ${job//F/$F}"
		echo "* * * * * alice sleep 1; ${job//F/$F}"
	} >"$d/cron.d/mntns-test"
	chmod 0644 "$d/cron.d/mntns-test" "$d/crontab"
	# The host's crontabs must not run here.
	mount --bind "$d/crontab" /etc/crontab && sb_defer umount /etc/crontab
	mount --bind "$d/cron.d" /etc/cron.d && sb_defer umount /etc/cron.d
	if [ -d /var/spool/cron/crontabs ]; then
		mount --bind "$d/crontabs" /var/spool/cron/crontabs && sb_defer umount /var/spool/cron/crontabs
	fi
	"${SB_WRAP[@]}" /usr/sbin/cron -f >"$SB_CASE_DIR/cron.log" 2>&1 &
	_sb_track "$!"
	local n=0
	while [ "$(cat "$F/cron.out" 2>/dev/null | wc -l)" -lt 2 ] && [ $n -lt 1500 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ -s "$F/cron.out" ] || fail "no cron job ran within 75 s: $(_sb_oneline "$(cat "$SB_CASE_DIR/cron.log")")"
	expect_eq "$(sort "$F/cron.out" | sed 's/ mnt:.*//' | tr '\n' ' ')" "busy ran " \
		"two overlapping jobs and one lock in /tmp ($(cat "$F/cron.out"))"
}

t_case "scope = user: two su -l logins share /tmp and one namespace" case_su_share
t_case "scope = user: six simultaneous first logins end in one namespace; bob's does not wait" case_six_first_logins
t_case "scope = user: a process left running keeps the namespace; once it ends, fresh" case_process_keeps
t_case "scope = user: a process whose main thread exited keeps the namespace" case_leaderless_keeps
t_case "scope = user: a SIGKILLed PAM caller does not keep the namespace" case_sigkill
t_case "scope = user: users stay apart and cannot touch /run/mntns" case_users_apart
t_case "nested, scope = user: su - bob and sudo -i -u bob get a fresh login's view" case_nested_user
t_case "nested, scope = session: su - bob and sudo -i -u bob get a fresh login's view" case_nested_session
t_case "nested: su -, sudo -i and sudo to root land in the outer view" case_nested_root
t_case "nested: root's working directory is never another one of the same path; no record, no login" case_nested_root_cwd
t_case "nested: unselected = keep leaves root in the caller's view" case_nested_root_keep
t_case "scope = user: a multithreaded caller joins" case_threads_join
t_case "a view the module did not make is never left" case_foreign_view
t_case "scope = user: two cron jobs of one user share /tmp" case_cron_share
t_case "mntns-plan reports the live namespace and how to enter it" case_plan_reports
t_done
