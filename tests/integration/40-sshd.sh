#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# The module under a real sshd (UsePAM yes, public key login) on 127.0.0.1 in the sandbox;
# with scope = user, a tmux server started in one ssh login is reached from the next.
# shellcheck disable=SC2119 # sb_use_module takes optional module arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_sshd_prepare

case_ssh_login() {
	sb_config_tmp
	sb_use_module
	sb_sshd_start alice
	local out
	out=$(sb_ssh alice 'findmnt -n -o FSTYPE /tmp | tail -n 1') ||
		fail "ssh alice failed (status $?): $(sb_last_err); sshd: $(_sb_oneline "$(tail -n 5 "$SB_CASE_DIR/sshd.log")")"
	expect_eq "$out" tmpfs "findmnt -n -o FSTYPE /tmp over ssh"
	out=$(sb_ssh alice "readlink /proc/self/ns/mnt; $SB_BIN/sb-mnt /tmp; echo from-ssh > /tmp/ssh-file") ||
		fail "ssh alice failed: $(sb_last_err)"
	expect_ne "$(sed -n 1p <<<"$out")" "$SB_NS" "namespace of the ssh login vs the sandbox's"
	expect_match "$(sed -n 2p <<<"$out")" '^tmpfs pam_mntns ' "mount on /tmp in the ssh login"
	[ ! -e /tmp/ssh-file ] || fail "file written to /tmp over ssh is visible in the sandbox"
}

case_ssh_excluded() {
	sb_config_tmp '* !bob'
	sb_use_module
	sb_sshd_start bob
	local out
	out=$(sb_ssh bob "readlink /proc/self/ns/mnt; $SB_BIN/sb-mnt /tmp") || fail "ssh bob failed: $(sb_last_err)"
	[[ $(sed -n 2p <<<"$out") != *pam_mntns* ]] || fail "excluded bob got a pam_mntns /tmp over ssh"
	expect_eq "$(sed -n 1p <<<"$out")" "$SB_NS" "namespace of excluded bob's ssh login (sshd's own)"
}

case_ssh_denied() {
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = tmpfs
EOF
	sb_use_module
	sb_sshd_start alice
	if sb_ssh alice "touch $SB_FLAGS/ran"; then
		fail "ssh login succeeded with a broken config"
	fi
	[ ! -e "$SB_FLAGS/ran" ] || fail "the ssh command ran although the session was denied"
}

# A refused session must not write to the client: sftp and scp read the remote end's stdout
# as their protocol, and "ssh host cmd" output is data. sshd's own error says it failed; the
# reason is in syslog (30-errors checks the module's message).
case_denied_quietly() {
	install -d -m 0755 "$SB_DATA/t"
	sb_config_bind "$SB_DATA/no-such-source" "$SB_DATA/t"
	sb_use_module
	sb_sshd_start alice
	echo ls | sb_sftp alice && fail "sftp succeeded against a refused session"
	[[ $(cat "$SB_CASE_DIR/sftp.out") != *"message too long"* ]] ||
		fail "sftp read the refusal as a protocol packet: $(sb_oneline_file sftp.out)"
	local out
	out=$(sb_ssh alice "echo ran") && fail "ssh alice cmd succeeded against a refused session"
	expect_eq "$out" "" "what ssh alice cmd printed on stdout"
	[[ $(sb_last_err) != *"mount namespace"* ]] || fail "the module wrote to the client: $(sb_last_err)"
	expect_match "$(_sb_oneline "$(cat "$SB_CASE_DIR/sshd.log")")" 'pam_open_session' \
		"sshd's own error in its log"
}

sb_oneline_file() { _sb_oneline "$(cat "$SB_CASE_DIR/$1" 2>/dev/null)"; }

case_tmux_across_ssh() {
	sb_config <<EOF
[global]
scope = user

[tmp]
type = tmpfs
target = /tmp
EOF
	sb_use_module
	sb_sshd_start alice
	command -v tmux >/dev/null || skip "tmux is not installed (tests/setup-deps.sh)"
	sb_ssh alice "tmux new-session -d -s work 'sleep 300'" || fail "tmux new-session: $(sb_last_err)"
	local server
	server=$(sb_ssh alice "tmux display-message -p '#{pid}'")
	[ -n "$server" ] && _sb_track "$server"
	expect_match "$(sb_ssh alice "tmux ls")" "^work: " "tmux ls from a second ssh login"
	sb_ssh alice "tmux kill-server"
}

t_case "ssh login (sshd, UsePAM yes) gets a tmpfs /tmp in its own namespace" case_ssh_login
t_case "ssh login of an excluded user keeps sshd's namespace" case_ssh_excluded
t_case "ssh login is refused when the config is broken" case_ssh_denied
t_case "scope = user: tmux started in one ssh login is listed from the next" case_tmux_across_ssh
t_case "a refused session writes nothing to sftp or ssh cmd; the reason is in syslog" case_denied_quietly
t_done
