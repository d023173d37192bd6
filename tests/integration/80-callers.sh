#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Callers the module must survive, and the hygiene of a live session: a multithreaded
# process (tests/clients/pam-client -t), a session that fails after a mount (the caller is
# back in its namespace with the same cwd), a caller without CAP_SYS_ADMIN (PAM_SESSION_ERR,
# no crash, a clear log line), and a session that leaves no extra descriptors, a working
# directory in the new view, and nothing that still reaches the original namespace.
# pam-client prints the module's pam_syslog lines (it interposes syslog), so the log
# messages are checked without a /dev/log.
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_build_client pam-client
CLIENT=$SB_ROOT/build/pam-client
PAM_SESSION_ERR=14

# client [OPTIONS...]: pam-client OPTIONS mntns-test alice; report in client.out.
client() {
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CLIENT" "$@" mntns-test alice \
		>"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
}
client_log() { _sb_oneline "$(grep '^SYSLOG:' "$SB_CASE_DIR/client.err")"; }
client_ok() {
	[ "$1" -eq 0 ] || fail "$2: pam-client died (status $1): $(_sb_oneline "$(cat "$SB_CASE_DIR/client.err")")"
}

# failing_config: sb_config_failing, with the module.
failing_config() {
	sb_config_failing
	sb_use_module
}

case_control() {
	sb_config_tmp
	sb_use_module
	client
	client_ok $? control
	expect_eq "$(sb_field rc)" 0 "control: pam_open_session (log: $(client_log))"
	expect_eq "$(sb_field ns_changed)" yes "control: new namespace"
	expect_eq "$(sb_field new_mounts)" /tmp "control: new mounts of the session"
}

case_threads() {
	sb_config_tmp
	sb_use_module
	client -t
	client_ok $? "multithreaded caller"
	expect_eq "$(sb_field threads)" 2 "threads of the caller"
	expect_eq "$(sb_field rc)" 0 "multithreaded caller: pam_open_session (log: $(client_log))"
	expect_eq "$(sb_field ns_changed)" yes "multithreaded caller: new namespace"
	expect_eq "$(sb_field new_mounts)" /tmp "multithreaded caller: new mounts"
}

# check_failed WHAT: the failing session left the caller where it was.
check_failed() {
	expect_eq "$(sb_field rc)" "$PAM_SESSION_ERR" "$1: pam_open_session result"
	expect_eq "$(sb_field ns_changed)" no "$1: namespace after the failure"
	expect_eq "$(sb_field cwd_after)" "$SB_DATA/cwd" "$1: working directory after the failure"
	expect_eq "$(sb_field cwd_dev_changed)" no "$1: working directory is the same directory"
	expect_eq "$(sb_field new_mounts)" "" "$1: mounts left behind"
	expect_eq "$(sb_field root_in_view)" yes "$1: root is in the caller's namespace"
	expect_eq "$(sb_field cwd_in_view)" yes "$1: cwd is in the caller's namespace"
	expect_eq "$(sb_field new_fds)" "" "$1: descriptors left open"
	expect_match "$(client_log)" 'no-such-source' "$1: syslog message"
}

case_failure_returns() {
	failing_config
	install -d -m 0755 "$SB_DATA/cwd"
	client -c "$SB_DATA/cwd"
	client_ok $? "single-threaded caller, failing session"
	check_failed "single-threaded caller, failing session"
	client -t -c "$SB_DATA/cwd"
	client_ok $? "multithreaded caller, failing session"
	check_failed "multithreaded caller, failing session"
}

# The session is opened from a worker thread while the main thread sits in another mount
# namespace: success moves only the worker; failure returns the worker to its own namespace
# (not to the main thread's).
case_worker_thread() {
	sb_config_tmp
	sb_use_module
	client -w
	client_ok $? "worker thread"
	expect_eq "$(sb_field rc)" 0 "worker thread: pam_open_session (log: $(client_log))"
	expect_eq "$(sb_field ns_changed)" yes "worker thread: new namespace"
	expect_eq "$(sb_field new_mounts)" /tmp "worker thread: new mounts"
	failing_config
	install -d -m 0755 "$SB_DATA/cwd"
	client -w -c "$SB_DATA/cwd"
	client_ok $? "worker thread, failing session"
	check_failed "worker thread, failing session"
}

case_no_cap_sys_admin() {
	command -v capsh >/dev/null || skip "capsh not installed (libcap2-bin)"
	sb_config_tmp
	sb_use_module
	# Control: with CAP_SYS_ADMIN the same command works.
	# shellcheck disable=SC2016 # $@ is expanded by capsh's shell
	capsh -- -c 'exec "$@"' pamtester "${SB_WRAP[@]}" pamtester mntns-test alice \
		open_session close_session >"$SB_CASE_DIR/ctl.out" 2>&1 ||
		fail "control: pamtester under capsh failed: $(_sb_oneline "$(cat "$SB_CASE_DIR/ctl.out")")"
	local capeff
	capeff=$(capsh --drop=cap_sys_admin -- -c 'sed -n "s/^CapEff:\t//p" /proc/self/status')
	(((16#$capeff >> 21 & 1) == 0)) || fail "capsh --drop did not drop CAP_SYS_ADMIN (CapEff=$capeff)"
	local rc
	# shellcheck disable=SC2016 # $@ is expanded by capsh's shell
	timeout -k 3 "$SB_CMD_TIMEOUT" capsh --drop=cap_sys_admin -- -c 'exec "$@"' pamtester \
		"${SB_WRAP[@]}" pamtester mntns-test alice open_session close_session \
		>"$SB_CASE_DIR/pt.out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] || fail "pamtester without CAP_SYS_ADMIN succeeded"
	[ "$rc" -lt 124 ] || fail "pamtester without CAP_SYS_ADMIN hung or crashed (status $rc)"
	# shellcheck disable=SC2016 # $@ is expanded by capsh's shell
	timeout -k 3 "$SB_CMD_TIMEOUT" capsh --drop=cap_sys_admin -- -c 'exec "$@"' pam-client \
		"${SB_WRAP[@]}" "$CLIENT" mntns-test alice >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	client_ok $? "pam-client without CAP_SYS_ADMIN"
	expect_eq "$(sb_field rc)" "$PAM_SESSION_ERR" "pam_open_session without CAP_SYS_ADMIN"
	expect_eq "$(sb_field ns_changed)" no "namespace without CAP_SYS_ADMIN"
	expect_match "$(client_log)" 'CAP_SYS_ADMIN' "syslog message without CAP_SYS_ADMIN"
	echo "log: $(client_log)"
}

case_hygiene() {
	sb_config_tmp
	sb_use_module
	echo old >/tmp/old-view-marker
	client -c /tmp
	client_ok $? "caller in /tmp"
	expect_eq "$(sb_field rc)" 0 "pam_open_session (log: $(client_log))"
	expect_eq "$(sb_field new_fds)" "" "descriptors the module left open"
	expect_eq "$(sb_field fds_outside)" "" "descriptors that reach the original namespace"
	expect_eq "$(sb_field cwd_after)" /tmp "working directory"
	expect_eq "$(sb_field cwd_dev_changed)" yes "working directory is the new /tmp"
	expect_eq "$(sb_field cwd_entries)" 0 "entries in the working directory (the new, empty tmpfs)"
	expect_eq "$(sb_field cwd_in_view)" yes "working directory is in the new namespace"
	expect_eq "$(sb_field root_in_view)" yes "root directory is in the new namespace"
	# The same for a multithreaded caller.
	client -t -c /tmp
	client_ok $? "multithreaded caller in /tmp"
	expect_eq "$(sb_field rc)" 0 "multithreaded: pam_open_session"
	expect_eq "$(sb_field new_fds)" "" "multithreaded: descriptors the module left open"
	expect_eq "$(sb_field cwd_entries)" 0 "multithreaded: entries in the working directory"
	expect_eq "$(sb_field cwd_in_view)" yes "multithreaded: working directory in the new namespace"
	expect_eq "$(sb_field root_in_view)" yes "multithreaded: root in the new namespace"
}

# fds of a login shell, normalized (pipe/socket numbers dropped).
shell_fds() {
	# shellcheck disable=SC2016 # expanded by the login shell
	sb_as alice 'for f in /proc/$$/fd/*; do echo "${f##*/} $(readlink "$f")"; done' |
		sed -E 's/(pipe|socket):\[[0-9]+\]/\1/'
}

case_shell_fds() {
	sb_config_tmp
	local without with
	without=$(shell_fds) || fail "login without the module failed: $(sb_last_err)"
	sb_use_module
	with=$(shell_fds) || fail "login with the module failed: $(sb_last_err)"
	[ -n "$without" ] || fail "no descriptors listed"
	expect_eq "$with" "$without" "descriptors of a login shell with the module vs without"
	local ns
	ns=$(sb_as alice 'readlink /proc/self/ns/mnt; readlink /proc/$$/cwd')
	expect_ne "$(sed -n 1p <<<"$ns")" "$SB_NS" "namespace of the login shell"
}

t_case "control: pam-client opens a session in a new namespace" case_control
t_case "multithreaded caller gets the session" case_threads
t_case "failing session returns single- and multithreaded callers to their namespace and cwd" case_failure_returns
t_case "session opened from a worker thread, the main thread in another namespace" case_worker_thread
t_case "caller without CAP_SYS_ADMIN gets PAM_SESSION_ERR and a clear log line" case_no_cap_sys_admin
t_case "live session: no extra fds, cwd /tmp shows the new view, nothing reaches the old namespace" case_hygiene
t_case "login shell has the same descriptors with and without the module" case_shell_fds
t_done
