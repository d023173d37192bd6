#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Namespace basics through real PAM clients: each login gets its own mount namespace with a
# private tmpfs /tmp; host mounts propagate into a running session, session mounts never
# reach the host; users left out by [global] users keep the caller's namespace. An ordinary
# login and logout logs nothing; [global] debug = yes logs every step without the argument.
# shellcheck disable=SC2119 # sb_use_module takes optional module arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_build_client pam-client
CLIENT=$SB_ROOT/build/pam-client
F=$SB_FLAGS

# Prints the login's mount namespace and its top mount on /tmp, one per line.
PROBE="readlink /proc/self/ns/mnt; $SB_BIN/sb-mnt /tmp; stat -c %a /tmp"

check_login() { # check_login CLIENT(sb_as|sb_su) USER
	local out ns tmp
	out=$("$1" "$2" "$PROBE") || fail "$1 $2 failed (status $?): $(sb_last_err)"
	ns=$(sed -n 1p <<<"$out")
	tmp=$(sed -n 2p <<<"$out")
	expect_ne "$ns" "$SB_NS" "mount namespace of $2's login vs the caller's"
	expect_match "$tmp" '^tmpfs pam_mntns ' "mount on /tmp inside $2's login (fstype source options)"
	expect_match "$tmp" '(^| |,)nosuid(,| )' "options of /tmp inside the login"
	expect_match "$tmp" '(^| |,)nodev(,| )' "options of /tmp inside the login"
	expect_eq "$(sed -n 3p <<<"$out")" 1777 "mode of /tmp inside the login"
	local host
	host=$(sb_mnt /tmp)
	[[ $host != *pam_mntns* ]] || fail "the sandbox's own /tmp became '$host'"
}

case_runuser() {
	sb_config_tmp
	sb_use_module
	check_login sb_as alice
}

case_su() {
	sb_config_tmp
	sb_use_module
	check_login sb_su bob
}

case_findmnt() {
	sb_config_tmp
	sb_use_module
	local out
	out=$(sb_as alice "findmnt -n -r -o FSTYPE,SOURCE --mountpoint /tmp | tail -n 1") ||
		fail "runuser -l alice failed: $(sb_last_err)"
	expect_eq "$out" "tmpfs pam_mntns" "findmnt of /tmp inside the login"
}

case_pamtester() {
	sb_config_tmp
	sb_use_module
	sb_pamtester mntns-test alice open_session close_session ||
		fail "pamtester open_session close_session failed: $(sb_pamtester_out)"
}

case_tmp_private() {
	sb_config_tmp
	sb_use_module
	sb_bg alice alice "readlink /proc/self/ns/mnt; echo alice-data > /tmp/secret &&
		touch $SB_FLAGS/alice-ready && $SB_BIN/sb-wait $SB_FLAGS/done 30 && cat /tmp/secret"
	local apid=$SB_BG_PID out
	sb_wait_file "$SB_FLAGS/alice-ready" "$SB_BG_PID" ||
		fail "alice's session did not get ready: $(cat "$SB_CASE_DIR/alice.err")"
	[ ! -e /tmp/secret ] || fail "alice's /tmp/secret is visible in the sandbox's /tmp"
	out=$(sb_as bob "readlink /proc/self/ns/mnt; ls -A /tmp | tr '\n' ' '; echo") ||
		fail "bob's concurrent login failed: $(sb_last_err)"
	touch "$SB_FLAGS/done"
	sb_wait_pid "$apid" || fail "alice's session failed: $(cat "$SB_CASE_DIR/alice.err")"
	local ans bns
	ans=$(sed -n 1p "$SB_CASE_DIR/alice.out")
	bns=$(sed -n 1p <<<"$out")
	expect_ne "$ans" "$SB_NS" "alice's namespace vs the sandbox's"
	expect_ne "$bns" "$ans" "bob's concurrent login namespace vs alice's"
	expect_eq "$(sed -n 2p <<<"$out")" "" "contents of /tmp in bob's concurrent login"
	expect_eq "$(sed -n 2p "$SB_CASE_DIR/alice.out")" alice-data "alice reading back her /tmp/secret"
	[ ! -e /tmp/secret ] || fail "alice's /tmp/secret is visible in the sandbox after logout"
}

case_excluded_user() {
	sb_config_tmp '* !bob'
	sb_use_module
	local out
	out=$(sb_as bob "$PROBE") || fail "runuser -l bob failed: $(sb_last_err)"
	expect_eq "$(sed -n 1p <<<"$out")" "$SB_NS" "namespace of excluded bob's login"
	[[ $(sed -n 2p <<<"$out") != *pam_mntns* ]] || fail "excluded bob got a pam_mntns /tmp"
	sb_pamtester mntns-test bob || fail "pamtester for excluded bob failed: $(sb_pamtester_out)"
	out=$(sb_as alice "readlink /proc/self/ns/mnt") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_ne "$out" "$SB_NS" "namespace of alice's login (same config, not excluded)"
}

case_host_mount_propagates() {
	sb_config_tmp
	sb_use_module
	mkdir "$SB_MNT/late"
	local late=$SB_MNT/late
	sb_bg alice alice "touch $SB_FLAGS/started; $SB_BIN/sb-wait $SB_FLAGS/mounted 30 &&
		readlink /proc/self/ns/mnt && $SB_BIN/sb-mnt $late && cat $late/hello &&
		touch $SB_FLAGS/seen && $SB_BIN/sb-wait $SB_FLAGS/unmounted 30 && $SB_BIN/sb-mnt $late"
	local pid=$SB_BG_PID
	sb_wait_file "$SB_FLAGS/started" "$SB_BG_PID" ||
		fail "alice's session did not start: $(cat "$SB_CASE_DIR/alice.err")"
	mount -t tmpfs late-host-mount "$late" || fail "mount in the sandbox failed"
	sb_defer "umount -l '$late' 2>/dev/null"
	echo hello-from-host >"$late/hello"
	touch "$SB_FLAGS/mounted"
	sb_wait_file "$SB_FLAGS/seen" "$SB_BG_PID" ||
		fail "session did not see the late mount: $(_sb_oneline "$(cat "$SB_CASE_DIR"/alice.*)")"
	umount "$late" || fail "umount in the sandbox failed"
	touch "$SB_FLAGS/unmounted"
	sb_wait_pid "$pid" || fail "alice's session failed: $(cat "$SB_CASE_DIR/alice.err")"
	local out=$SB_CASE_DIR/alice.out
	expect_ne "$(sed -n 1p "$out")" "$SB_NS" "namespace of alice's login"
	expect_match "$(sed -n 2p "$out")" '^tmpfs late-host-mount ' "mount made by the host after login, seen in the session"
	expect_eq "$(sed -n 3p "$out")" hello-from-host "file on the late mount, read in the session"
	expect_eq "$(sed -n 4p "$out")" none "late mount after the host unmounted it, seen in the session"
}

case_private_propagation() {
	sb_config <<EOF
[global]
users = * !root
propagation = private

[tmp]
type = tmpfs
target = /tmp
EOF
	sb_use_module
	mkdir "$SB_MNT/late"
	local late=$SB_MNT/late
	sb_bg alice alice "touch $SB_FLAGS/started; $SB_BIN/sb-wait $SB_FLAGS/mounted 30 &&
		readlink /proc/self/ns/mnt && $SB_BIN/sb-mnt /tmp && $SB_BIN/sb-mnt $late"
	local pid=$SB_BG_PID
	sb_wait_file "$SB_FLAGS/started" "$SB_BG_PID" ||
		fail "alice's session did not start: $(cat "$SB_CASE_DIR/alice.err")"
	mount -t tmpfs late-host-mount "$late" || fail "mount in the sandbox failed"
	sb_defer "umount -l '$late' 2>/dev/null"
	touch "$SB_FLAGS/mounted"
	sb_wait_pid "$pid" || fail "alice's session failed: $(cat "$SB_CASE_DIR/alice.err")"
	local out=$SB_CASE_DIR/alice.out
	expect_ne "$(sed -n 1p "$out")" "$SB_NS" "namespace of alice's login"
	expect_match "$(sed -n 2p "$out")" '^tmpfs pam_mntns ' "/tmp of alice's login"
	expect_eq "$(sed -n 3p "$out")" none "host mount made after login, with propagation = private"
}

case_session_mounts_stay_inside() {
	sb_config_tmp '*'
	mkdir -m 0755 "$SB_DATA/hidden" "$SB_MNT/sess"
	sb_config_add <<EOF

[hidden]
type = hide
target = $SB_DATA/hidden
EOF
	sb_use_module
	local before during after
	before=$(sort /proc/self/mountinfo)
	# root is selected here, so the session itself can mount: neither the module's mounts nor
	# the session's own may propagate back (the module must make / a slave, not leave it shared).
	sb_bg root root "mount -t tmpfs made-in-session $SB_MNT/sess && $SB_BIN/sb-mnt $SB_MNT/sess &&
		touch $SB_FLAGS/ready && $SB_BIN/sb-wait $SB_FLAGS/done 30"
	local pid=$SB_BG_PID
	sb_wait_file "$SB_FLAGS/ready" "$SB_BG_PID" ||
		fail "root's session did not get ready: $(_sb_oneline "$(cat "$SB_CASE_DIR"/root.*)")"
	during=$(sort /proc/self/mountinfo)
	touch "$SB_FLAGS/done"
	sb_wait_pid "$pid" || fail "root's session failed: $(cat "$SB_CASE_DIR/root.err")"
	after=$(sort /proc/self/mountinfo)
	expect_match "$(cat "$SB_CASE_DIR/root.out")" '^tmpfs made-in-session ' "mount made inside the session"
	[ "$before" = "$during" ] ||
		fail "sandbox mounts changed while the session ran: $(_sb_oneline "$(diff <(echo "$before") <(echo "$during"))")"
	[ "$before" = "$after" ] ||
		fail "sandbox mounts changed after the session: $(_sb_oneline "$(diff <(echo "$before") <(echo "$after"))")"
}

# ---- what an ordinary login logs: nothing, unless debug is on ----

# client NAME [NSPID] SERVICE USER [OPTIONS]: the test client, run by root from /, in the
# mount namespace of process NSPID when it is not "-" (a login nested in that session);
# its report in NAME.out, its syslog lines ("SYSLOG: ...") in NAME.err.
client() {
	local name=$1 nspid=$2 svc=$3 user=$4 enter=()
	shift 4
	[ "$nspid" = - ] || enter=(nsenter -t "$nspid" -m --)
	timeout -k 3 "$SB_CMD_TIMEOUT" "${enter[@]}" "${SB_WRAP[@]}" "$CLIENT" -c / "$@" "$svc" "$user" \
		>"$SB_CASE_DIR/$name.out" 2>"$SB_CASE_DIR/$name.err"
}
syslog_of() { grep -h '^SYSLOG:' "${@/#/$SB_CASE_DIR/}" /dev/null; }

# ordinary_logins [GLOBAL LINE]: the shipped mntns.conf (scope = user: /tmp, a /var/tmp made at
# the first login, X11 sockets skipped as there are none) with GLOBAL LINE added to [global],
# and no module argument. alice's first login, held open; a second login of hers, which
# joins and logs out; in her session, from her /tmp/work, su - bob and sudo to root (root is
# not selected: back to the outer view), each made by the test client run in her view, as
# the module sees them; root's own login; then alice's last logout. With scope = session,
# one more login of alice. Reports in first, join, bob, sudo, root, session (.out, .err).
ordinary_logins() {
	local pid n=0
	# The sandbox (the test client with it) lives in /var/tmp: [vartmp] goes elsewhere.
	sed -e "/^\[global\]/a ${1:-# (nothing added)}" -e "s|^target *= /var/tmp\$|target = $SB_DATA/vartmp|" \
		"$SB_ROOT/build/mntns.conf" | sb_config
	grep -q '^scope = user$' /etc/security/mntns.conf || fail "the shipped mntns.conf has no scope = user"
	grep -q "^target = $SB_DATA/vartmp\$" /etc/security/mntns.conf || fail "the shipped mntns.conf has no [vartmp]"
	install -d -m 0755 /var/lib/mntns /var/lib/mntns/vartmp "$SB_DATA/vartmp"
	sb_use_module
	client first - mntns-test alice -H "$F/first.go" &
	pid=$!
	_sb_track "$pid"
	while ! grep -qs '^holding=' "$SB_CASE_DIR/first.out" && kill -0 "$pid" 2>/dev/null && [ $n -lt 400 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	expect_eq "$(sb_field rc first)" 0 "alice's first login ($(cat "$SB_CASE_DIR/first.err"))"
	client join - mntns-test alice
	expect_eq "$(sb_field rc join)/$(sb_field close_rc join)" 0/0 "alice's second login and logout"
	expect_eq "$(sb_field ns_after join)" "$(sb_field ns_after first)" "the second login joins the first's view"
	# Typed in alice's shell in her private /tmp, which the outer view does not show.
	nsenter -t "$(sb_field holding first)" -m -- setpriv --reuid=alice --regid=alice --init-groups -- \
		mkdir /tmp/work || fail "mkdir /tmp/work in alice's view"
	client bob "$(sb_field holding first)" su-l bob -c /tmp/work
	expect_eq "$(sb_field rc bob)/$(sb_field close_rc bob)" 0/0 "su - bob in alice's session ($(cat "$SB_CASE_DIR/bob.err"))"
	client sudo "$(sb_field holding first)" sudo root -c /tmp/work
	expect_eq "$(sb_field rc sudo)" 0 "sudo in alice's session"
	expect_eq "$(sb_field ns_after sudo)" "$(readlink /proc/1/ns/mnt)" "sudo in alice's session: root's view"
	expect_eq "$(sb_field cwd_after sudo)" / "sudo in alice's /tmp/work: root's working directory"
	client root - su-l root
	expect_eq "$(sb_field rc root)/$(sb_field ns_changed root)" 0/no "root's login"
	touch "$F/first.go"
	sb_wait_pid "$pid" || fail "alice's first login did not end cleanly: $(cat "$SB_CASE_DIR/first.err")"
	expect_eq "$(sb_field close_rc first)" 0 "alice's last logout"
	sed -i 's/^scope = user$/scope = session/' /etc/security/mntns.conf
	client session - mntns-test alice
	expect_eq "$(sb_field rc session)/$(sb_field close_rc session)" 0/0 "alice's login with scope = session"
}

case_ordinary_quiet() {
	ordinary_logins
	local lines
	lines=$(syslog_of first.err join.err bob.err sudo.err root.err session.err)
	[ -z "$lines" ] || fail "ordinary logins and logouts logged: $(_sb_oneline "$lines")"
}

case_config_debug() {
	ordinary_logins "debug = yes"
	"$PAM_MNTNS_PLAN" alice >"$SB_CASE_DIR/plan.out" 2>&1 ||
		fail "mntns-plan with debug = yes: $(cat "$SB_CASE_DIR/plan.out")"
	local name want
	for want in "first:built a new namespace for alice" "first:closed a session of uid ${SB_UID[alice]}" \
		"join:joined the live namespace of alice" "join:closed a session of uid ${SB_UID[alice]}" \
		"bob:plan for bob: " "bob:closed a session of uid ${SB_UID[bob]}" \
		"sudo:working directory /tmp/work is not in the new view; now /" \
		"sudo:user root is not selected: back in the outer view" \
		"root:user root is not selected by \[global\] users" "session:plan for alice: "; do
		name=${want%%:*}
		syslog_of "$name.err" | grep -q "${want#*:}" ||
			fail "$name: no debug line '${want#*:}': $(_sb_oneline "$(syslog_of "$name.err")")"
	done
	syslog_of first.err join.err bob.err sudo.err root.err session.err | grep -v '^SYSLOG: pam_mntns(' &&
		fail "a line not from pam_mntns"
	return 0
}

t_case "runuser -l: login gets its own mount namespace and a pam_mntns tmpfs on /tmp" case_runuser
t_case "su -l: login gets its own mount namespace and a pam_mntns tmpfs on /tmp" case_su
t_case "findmnt inside the login shows tmpfs pam_mntns on /tmp" case_findmnt
t_case "pamtester open_session close_session succeeds" case_pamtester
t_case "/tmp of a login is invisible to the host and to another user's concurrent login" case_tmp_private
t_case "user excluded by [global] users = * !bob keeps the caller's namespace" case_excluded_user
t_case "mount made by the host after login appears in the session (and its umount too)" case_host_mount_propagates
t_case "propagation = private: a later host mount does not reach the session" case_private_propagation
t_case "no mount of a session (the module's or its own) reaches the host" case_session_mounts_stay_inside
t_case "ordinary logins and logouts (scope = user and session, nested su and sudo) log nothing" case_ordinary_quiet
t_case "[global] debug = yes, without the module argument, logs every step" case_config_debug
t_done
