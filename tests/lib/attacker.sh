# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# shellcheck shell=bash
# Helpers of the attacker suites (tests/integration/60-attacker.sh, 65-planted.sh), sourced
# after tests/lib/sandbox.sh: the attacker's shell, a PAM client in this very process, and
# what a refused, a working and a skipped login must look like. Scripts start with
# attacker_begin and set BEFORE=$(snapshot) before each expect_refused.

# attacker_begin "$@": sb_begin, then what every attacker suite stands on: Debian 12's
# protected_* sysctls, an overlay on /etc (traps point there), the pam-client in CLIENT and
# the sticky world-writable directory SHARED that stands for /tmp.
attacker_begin() {
	sb_begin "$@"
	sb_debian_sysctls
	sb_protect_etc
	sb_build_client pam-client
	CLIENT=$SB_ROOT/build/pam-client
	SHARED=/var/lib/mntns-test
}

# as USER CMD...: run CMD as USER without a login session (the attacker's shell).
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}

# snapshot: what must never change, whatever the trap pointed at.
snapshot() {
	stat -c '%n %u %g %a %F %i' /etc /root /home /home/alice /home/bob /etc/security \
		/etc/passwd /etc/shadow 2>&1
	sha256sum /etc/shadow /etc/passwd
	find /etc /root /home/bob -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort
}

# client USER: pam-client open_session as USER (service mntns-test) in this process;
# report in $SB_CASE_DIR/client.out, conversation and syslog lines in client.err.
client() {
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CLIENT" mntns-test "$1" \
		>"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
}
client_rc() { sed -n 's/^rc=//p' "$SB_CASE_DIR/client.out"; }
client_log() { _sb_oneline "$(grep '^SYSLOG:' "$SB_CASE_DIR/client.err")"; }

# expect_ok WHAT: control: alice's session opens (pamtester and pam-client) in a new namespace.
expect_ok() {
	sb_use_module
	sb_pamtester mntns-test alice || fail "control ($1): pamtester failed: $(sb_pamtester_out)"
	client alice || fail "control ($1): pam-client failed (status $?): $(sb_oneline_file client.err)"
	expect_eq "$(client_rc)" 0 "control ($1): pam_open_session result (log: $(client_log))"
	grep -qx 'ns_changed=yes' "$SB_CASE_DIR/client.out" ||
		fail "control ($1): the session did not get a new namespace"
}

sb_oneline_file() { _sb_oneline "$(cat "$SB_CASE_DIR/$1" 2>/dev/null)"; }

# expect_refused WHAT REGEX [USER]: the session is refused within the time limit (no hang),
# pam-client stays in its namespace, the module's syslog line matches REGEX, the login's
# command never runs, and the snapshot taken by the caller (before) is unchanged.
expect_refused() {
	local what=$1 re=$2 user=${3:-alice} rc
	sb_use_module
	sb_pamtester mntns-test "$user"
	rc=$?
	[ "$rc" -ne 0 ] || fail "$what: pamtester open_session succeeded: $(sb_pamtester_out)"
	[ "$rc" -lt 124 ] || fail "$what: pamtester hung or crashed (status $rc): $(sb_pamtester_out)"
	client "$user"
	rc=$?
	[ "$rc" -lt 124 ] || fail "$what: pam-client hung or crashed (status $rc)"
	[ "$rc" -eq 0 ] || fail "$what: pam-client crashed or failed (status $rc): $(sb_oneline_file client.err)"
	expect_ne "$(client_rc)" 0 "$what: pam_open_session result"
	grep -qx 'ns_changed=no' "$SB_CASE_DIR/client.out" ||
		fail "$what: refused session left the caller in another namespace"
	grep -qx 'new_mounts=' "$SB_CASE_DIR/client.out" ||
		fail "$what: refused session left mounts: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	echo "refused ($what): $(client_log)"
	expect_match "$(client_log)" "$re" "$what: syslog message"
	if [ "$user" = alice ]; then
		if sb_as alice "touch $SB_FLAGS/ran" >/dev/null; then
			fail "$what: runuser -l alice succeeded"
		fi
		[ ! -e "$SB_FLAGS/ran" ] || fail "$what: the login's command ran although refused"
	fi
	local now
	now=$(snapshot)
	[ "$now" = "$BEFORE" ] || fail "$what: something outside changed: $(diff <(echo "$BEFORE") <(echo "$now") | head -5)"
}

# students_join USER...: make USERs members of the sandbox's group students for this case.
students_join() {
	if [ ! -f "$SB_CASE_DIR/group.orig" ]; then
		cp /etc/group "$SB_CASE_DIR/group.orig"
		sb_defer "cat '$SB_CASE_DIR/group.orig' >/etc/group"
	fi
	local who
	who=$(IFS=,; echo "$*")
	sed "s/^\(students:.*\)$/\1,$who/" "$SB_CASE_DIR/group.orig" >/etc/group
}

# expect_skipped WHAT TARGET REGEX [USER]: the session opens in a new namespace, nothing is
# mounted on TARGET (the optional rule was skipped) and a warning matching REGEX was logged.
expect_skipped() {
	local what=$1 target=$2 re=$3 user=${4:-alice} rc
	sb_use_module
	client "$user"
	rc=$?
	[ "$rc" -lt 124 ] || fail "$what: pam-client hung or crashed (status $rc)"
	expect_eq "$(client_rc)" 0 "$what: pam_open_session result (log: $(client_log))"
	grep -qx 'ns_changed=yes' "$SB_CASE_DIR/client.out" ||
		fail "$what: the session did not get a new namespace"
	if grep -qE "^new_mounts=(.* )?$target " "$SB_CASE_DIR/client.out"; then
		fail "$what: $target was mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	fi
	expect_match "$(client_log)" "$re" "$what: warning"
}
