#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Failure handling: broken or untrusted configuration denies the session, on_error = ignore
# leaves the login untouched, users' symlinks in sources and targets are refused.
# shellcheck disable=SC2119 # sb_use_module takes optional module arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"

# expect_denied WHAT: the session of alice must not open, through pamtester and runuser -l,
# and the login's command must not run.
expect_denied() {
	sb_use_module
	if sb_pamtester mntns-test alice open_session close_session; then
		fail "$1: pamtester open_session succeeded: $(sb_pamtester_out)"
	fi
	if sb_as alice "touch $SB_FLAGS/ran" >/dev/null; then
		fail "$1: runuser -l alice succeeded"
	fi
	[ ! -e "$SB_FLAGS/ran" ] || fail "$1: the login's command ran although the session was denied"
}

# expect_untouched WHAT: the session of alice opens and stays in the caller's namespace.
expect_untouched() {
	sb_use_module
	sb_pamtester mntns-test alice open_session close_session ||
		fail "$1: pamtester open_session failed: $(sb_pamtester_out)"
	local out
	out=$(sb_as alice "readlink /proc/self/ns/mnt; $SB_BIN/sb-mnt /tmp") ||
		fail "$1: runuser -l alice failed: $(sb_last_err)"
	expect_eq "$(sed -n 1p <<<"$out")" "$SB_NS" "$1: namespace of the login"
	[[ $(sed -n 2p <<<"$out") != *pam_mntns* ]] || fail "$1: the login got a pam_mntns /tmp anyway"
}

# expect_applied WHAT: control for expect_untouched: alice's login gets a pam_mntns /tmp.
expect_applied() {
	sb_use_module
	local out
	out=$(sb_as alice "readlink /proc/self/ns/mnt; $SB_BIN/sb-mnt /tmp") ||
		fail "control ($1): runuser -l alice failed: $(sb_last_err)"
	expect_ne "$(sed -n 1p <<<"$out")" "$SB_NS" "control ($1): namespace of the login"
	expect_match "$(sed -n 2p <<<"$out")" '^tmpfs pam_mntns ' "control ($1): /tmp of the login"
}

# A config the module accepts, to show the module works before breaking it.
expect_accepted() {
	sb_use_module
	sb_pamtester mntns-test alice open_session close_session ||
		fail "control: valid config was refused: $(sb_pamtester_out)"
}

case_syntax_error() {
	sb_config <<EOF
[global
users = * !root

[tmp]
type = tmpfs
target = /tmp
EOF
	expect_denied "unterminated section header"
}

case_missing_target() {
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = tmpfs
options = mode=1777
EOF
	expect_denied "rule without target"
}

case_unknown_key() {
	sb_config_tmp
	expect_accepted
	sb_config_tmp
	sb_config_add <<EOF
colour = blue
EOF
	expect_denied "unknown key in a rule"
}

case_unknown_global_key() {
	sb_config <<EOF
[global]
users = * !root
colour = blue

[tmp]
type = tmpfs
target = /tmp
EOF
	expect_denied "unknown key in [global]"
}

case_unknown_type() {
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = overlay
target = /tmp
EOF
	expect_denied "unknown type value"
}

case_duplicate_key() {
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = tmpfs
target = /tmp
target = /tmp
EOF
	expect_denied "key given twice in one section"
}

case_missing_config() {
	rm -f /etc/security/mntns.conf
	expect_denied "no /etc/security/mntns.conf"
}

# ignore_config: [global] with on_error = ignore and a tmpfs on /tmp.
ignore_config() {
	sb_config <<EOF
[global]
users = * !root
on_error = ignore

[tmp]
type = tmpfs
target = /tmp
EOF
}

case_ignore_config_error() {
	ignore_config
	expect_applied "same config without the broken rule"
	sb_config_add <<EOF

[broken]
type = no-such-type
target = /srv
EOF
	expect_untouched "on_error = ignore with a broken rule"
}

case_ignore_mount_error() {
	# The tmpfs on /tmp is applied first, then the bind fails: the login must end up back in
	# the caller's namespace, not in a half-built one.
	mkdir -m 0755 "$SB_DATA/target"
	ignore_config
	expect_applied "same config without the failing rule"
	sb_config_add <<EOF

[broken]
type = bind
source = $SB_DATA/no-such-source
target = $SB_DATA/target
EOF
	expect_untouched "on_error = ignore with a failing bind after /tmp was mounted"
}

case_fail_mount_error() {
	sb_config_failing
	expect_denied "bind with a missing source (on_error = fail)"
}

case_world_writable() {
	sb_config_tmp
	expect_accepted
	chmod 0666 /etc/security/mntns.conf
	expect_denied "mntns.conf mode 0666"
}

case_untrusted_config() {
	sb_config_tmp
	chmod 0664 /etc/security/mntns.conf
	expect_denied "mntns.conf mode 0664 (group-writable)"
	chmod 0644 /etc/security/mntns.conf
	chown alice /etc/security/mntns.conf
	expect_denied "mntns.conf owned by alice"
	chown root /etc/security/mntns.conf
	ignore_config
	chmod 0666 /etc/security/mntns.conf
	expect_denied "mntns.conf mode 0666 that says on_error = ignore"
}

case_untrusted_dropin() {
	sb_config_tmp
	mkdir -m 0755 "$SB_DATA/x"
	sb_dropin 10-x.conf <<EOF
[x]
type = tmpfs
target = $SB_DATA/x
EOF
	expect_accepted
	chmod 0666 /etc/security/mntns.d/10-x.conf
	expect_denied "drop-in mode 0666"
	chmod 0644 /etc/security/mntns.d/10-x.conf
	chmod 0777 /etc/security/mntns.d
	expect_denied "drop-in directory mode 0777"
}

case_config_symlink() {
	sb_config_tmp
	mv /etc/security/mntns.conf /etc/security/mntns-real.conf
	ln -s mntns-real.conf /etc/security/mntns.conf
	# A link of a user's (one of root's, where only root can write, is followed:
	# 66-symlinks.sh).
	chown -h alice:alice /etc/security/mntns.conf
	expect_denied "mntns.conf is a symlink"
}

case_symlink_source() {
	install -d -m 0755 -o alice -g alice "$SB_DATA/src" "$SB_DATA/dst"
	sb_config_bind "$SB_DATA/src" "$SB_DATA/dst"
	expect_accepted
	mv "$SB_DATA/src" "$SB_DATA/src.real"
	ln -s src.real "$SB_DATA/src"
	chown -h alice:alice "$SB_DATA/src" # root's own would be followed (66-symlinks.sh)
	expect_denied "bind source swapped for a symlink"
}

case_symlink_target() {
	install -d -m 0755 -o alice -g alice "$SB_DATA/src" "$SB_DATA/dst"
	sb_config_bind "$SB_DATA/src" "$SB_DATA/dst"
	expect_accepted
	mv "$SB_DATA/dst" "$SB_DATA/dst.real"
	ln -s dst.real "$SB_DATA/dst"
	chown -h alice:alice "$SB_DATA/dst"
	expect_denied "bind target swapped for a symlink"
	[ -z "$(ls -A "$SB_DATA/dst.real")" ] || fail "something appeared in the symlink's target"
}

case_symlink_parent() {
	install -d -m 0755 -o alice -g alice "$SB_DATA/p" "$SB_DATA/p/src" "$SB_DATA/q" "$SB_DATA/q/dst"
	sb_config_bind "$SB_DATA/p/src" "$SB_DATA/q/dst"
	expect_accepted
	mv "$SB_DATA/p" "$SB_DATA/p.real"
	ln -s p.real "$SB_DATA/p"
	chown -h alice:alice "$SB_DATA/p"
	expect_denied "parent of the bind source swapped for a symlink"
	rm "$SB_DATA/p"
	mv "$SB_DATA/p.real" "$SB_DATA/p"
	mv "$SB_DATA/q" "$SB_DATA/q.real"
	ln -s q.real "$SB_DATA/q"
	chown -h alice:alice "$SB_DATA/q"
	expect_denied "parent of the bind target swapped for a symlink"
}

case_symlink_create() {
	# alice controls a directory she owns; a symlink in place of her per-user source must not
	# be followed even though where it points would pass the ownership check.
	mkdir -m 0755 /var/lib/mntns-test
	install -d -m 0700 -o alice -g alice /home/alice/elsewhere /home/alice/data
	sb_config_bind /var/lib/mntns-test/%u %h/data 0700
	ln -s /home/alice/elsewhere /var/lib/mntns-test/alice
	expect_denied "per-user bind source (create = 0700) is a symlink"
	[ -L /var/lib/mntns-test/alice ] || fail "the symlink was replaced"
}

t_case "broken config (syntax error) denies the session" case_syntax_error
t_case "broken config (rule without target) denies the session" case_missing_target
t_case "unknown key in a rule denies the session" case_unknown_key
t_case "unknown key in [global] denies the session" case_unknown_global_key
t_case "unknown rule type denies the session" case_unknown_type
t_case "duplicate key denies the session" case_duplicate_key
t_case "missing main config denies the session" case_missing_config
t_case "on_error = ignore with a broken rule opens the session unchanged" case_ignore_config_error
t_case "on_error = ignore with a failing mount returns to the caller's namespace" case_ignore_mount_error
t_case "failing mount denies the session with on_error = fail" case_fail_mount_error
t_case "world-writable mntns.conf (0666) is refused" case_world_writable
t_case "group-writable or non-root-owned mntns.conf is refused, even with on_error = ignore" case_untrusted_config
t_case "world-writable drop-in or drop-in directory is refused" case_untrusted_dropin
t_case "mntns.conf that is a symlink is refused" case_config_symlink
t_case "bind source swapped for a symlink is refused" case_symlink_source
t_case "bind target swapped for a symlink is refused" case_symlink_target
t_case "symlink in a parent of the bind source or target is refused" case_symlink_parent
t_case "per-user source created with create = 0700 is not followed through a symlink" case_symlink_create
t_done
