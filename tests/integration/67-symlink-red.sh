#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Red-team cases for the trust call's symbolic links (issue 19 point 1, branch h18-trust):
# a link of root's is followed only where nobody but root could have made or changed it.
# Each case is an attack a local user could try, or a place where the followed path must be
# the one the kernel would take. Cases named *_hole* demonstrated a hole when they were
# written (see the commit message); the others probe a plausible attack that is refused.
# Everything lives below /var/lib/mntns-test (root's 0755, private to the sandbox).
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
# shellcheck source=../lib/attacker.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/attacker.sh"
attacker_begin "$@"
sb_fuse_prepare

TOP=/var/lib/mntns-test

# top: TOP root's 0755 with alice's SRC (a marker in it) and root's DST.
top() {
	mkdir -m 0755 "$TOP"
	install -d -m 0755 -o alice -g alice "$TOP/src"
	echo marker >"$TOP/src/marker"
	chown alice:alice "$TOP/src/marker"
	install -d -m 0755 "$TOP/dst"
}

# rule_config TYPE TARGET [SOURCE] [EXTRA]: [global] users = * !root and one rule [r].
rule_config() {
	sb_config <<EOF
[global]
users = * !root

[r]
type = $1
target = $2
${3:+source = $3}
${4:-}
EOF
	sb_use_module
}

# client_in DIR USER: as client (attacker.sh), with pam-client's working directory DIR: where
# the user stood when they ran su or sudo.
client_in() {
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CLIENT" -c "$1" mntns-test "$2" \
		>"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
}

mounted_on() { grep -qE "^new_mounts=(.* )?$1 " "$SB_CASE_DIR/client.out"; }
new_mounts() { grep '^new_mounts=' "$SB_CASE_DIR/client.out"; }

# expect_mounted WHAT PATH: the login works and mounts on PATH.
expect_mounted() {
	client alice || fail "$1: pam-client failed (status $?): $(sb_oneline_file client.err)"
	expect_eq "$(client_rc)" 0 "$1: pam_open_session result (log: $(client_log))"
	mounted_on "$2" || fail "$1: nothing mounted on $2: $(new_mounts)"
}

# ---------------------------------------------------------------- holes

# /proc's links are root's, in directories of root's alone (/proc/PID of a process whose euid
# is root, as su's and sudo's are), yet what they lead to is the process's state: its working
# directory, its open files, its root. The user who runs su chooses su's working directory
# and file descriptors. A rule through /proc/self/cwd (or /dev/fd/N, /dev/stdin, both root's
# links into /proc/self/fd) then mounts where the user points it: here a tmpfs over /etc of
# the user's session, from `cd /etc; su -`. Such a link must be refused (it is not one that
# only root could have changed).
case_hole_proc_magic_link() {
	top
	rule_config tmpfs /proc/self/cwd "" "options = mode=1777"
	client_in /etc alice || fail "pam-client failed (status $?): $(sb_oneline_file client.err)"
	echo "result: rc=$(client_rc) $(new_mounts) log: $(client_log)"
	if mounted_on /etc; then
		fail "a tmpfs was mounted on /etc, the directory the caller stood in, through /proc/self/cwd"
	fi
	expect_ne "$(client_rc)" 0 "pam_open_session result (log: $(client_log))"
	# Every link of /proc is refused, /proc/self (whoever reads it) the first on the way.
	expect_match "$(client_log)" "/proc/self is a symbolic link of /proc" "syslog names the link"
	# A process's own link, named by its pid (this shell's, root's, in /proc/PID of root's).
	rule_config tmpfs "/proc/$$/cwd" "" "options = mode=1777"
	client_in /etc alice || fail "/proc/PID: pam-client failed (status $?): $(sb_oneline_file client.err)"
	echo "result (/proc/$$/cwd): rc=$(client_rc) $(new_mounts) log: $(client_log)"
	expect_ne "$(client_rc)" 0 "/proc/$$/cwd: pam_open_session result (log: $(client_log))"
	expect_match "$(client_log)" "/proc/[0-9a-z-]+/cwd .*symbolic link" "/proc/PID/cwd: syslog names the link"
	# The same through /dev/fd, a link of root's in /dev: the file descriptor is the caller's.
	rule_config bind "$TOP/dst" /dev/fd/7
	client_in / alice 7<"$TOP/src" ||
		fail "/dev/fd: pam-client failed (status $?): $(sb_oneline_file client.err)"
	echo "result (/dev/fd/7): rc=$(client_rc) $(new_mounts) log: $(client_log)"
	expect_ne "$(client_rc)" 0 "/dev/fd/7: pam_open_session result (log: $(client_log))"
	expect_match "$(client_log)" "/proc/self is a symbolic link of /proc.*in the target of root's link /dev/fd\\)" \
		"/dev/fd/7: syslog names the link of /proc and the link of /dev that led there"
}

# A bind onto a target whose last component is a link of root's with another name than the
# directory it leads to (TOP/tlink -> treal): the mount goes on TOP/treal, then uncover()
# (apply.c) looks the target's last name, "tlink", up in the mount's parent again, finds the
# link (not the mount) and detaches it: umount2 fails, and so does every login.
case_hole_bind_on_renamed_link() {
	top
	install -d -m 0755 "$TOP/treal"
	ln -s treal "$TOP/tlink"
	rule_config bind "$TOP/tlink" "$TOP/src"
	expect_mounted "bind on a link of root's named otherwise than its target" "$TOP/treal"
	out=$(sb_as alice "cat $TOP/tlink/marker") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_eq "$out" marker "the source seen through the link"
}

# ".." in a link's target, taken at a mount of "/" elsewhere (a bind of "/" of root's, as
# containers and backup tools make): the walk takes the mount's root for its own root,
# because it compares inodes only, and stays there, where the kernel goes up to the mount's
# parent. TOP/tb/l -> rootbind/../home: the kernel leads to TOP/tb/home, the walk to /home.
# The bind is made read-only and in a tmpfs of its own, so that nothing can remove through it.
case_hole_dotdot_at_bind_of_root() {
	mkdir -m 0755 "$TOP"
	mkdir -m 0755 "$TOP/tb"
	mount -t tmpfs -o mode=0755 redtb "$TOP/tb" || fail "cannot mount a tmpfs on $TOP/tb"
	sb_defer "umount -l '$TOP/tb'"
	mkdir -m 0755 "$TOP/tb/rootbind" "$TOP/tb/home" "$TOP/tb/home/x"
	mount --bind -o ro / "$TOP/tb/rootbind" || fail "cannot bind / on $TOP/tb/rootbind"
	mount -o remount,bind,ro "$TOP/tb/rootbind" || fail "cannot make the bind of / read-only"
	sb_defer "umount -l '$TOP/tb/rootbind'"
	install -d -m 0755 /home/x
	ln -s rootbind/../home "$TOP/tb/l"
	[ "$(readlink -f "$TOP/tb/l/x")" = "$TOP/tb/home/x" ] || fail "the kernel resolves $TOP/tb/l/x to $(readlink -f "$TOP/tb/l/x")"
	rule_config tmpfs "$TOP/tb/l/x"
	client alice || fail "pam-client failed (status $?): $(sb_oneline_file client.err)"
	echo "result: rc=$(client_rc) $(new_mounts) log: $(client_log)"
	if mounted_on /home/x; then
		fail "mounted on /home/x: the walk stayed at the bind of / for \"..\" (the kernel goes to $TOP/tb/home/x)"
	fi
	# The walk looks x up in the bind of / (rootbind/home/x, missing there): ENOENT.
	expect_eq "$(client_rc)" 0 "\"..\" at the bind of / went elsewhere than to $TOP/tb (log: $(client_log))"
	mounted_on "$TOP/tb/home/x" || fail "nothing mounted on $TOP/tb/home/x: $(new_mounts)"
}

# A refused ".." names the place where it was refused, but not the link whose target held
# it: with links in a chain (TOP/l1 -> l2, TOP/l2 -> src/sub/../../dst), the administrator
# cannot tell which one to fix; the log names the rule's target and alice's directory only.
case_hole_dotdot_verdict_names_link() {
	top
	install -d -m 0755 -o alice -g alice "$TOP/src/sub"
	ln -s l2 "$TOP/l1"
	ln -s src/sub/../../dst "$TOP/l2"
	rule_config tmpfs "$TOP/l1/x"
	BEFORE=$(snapshot)
	expect_refused "\"..\" out of alice's directory in a link's target" "\"\\.\\.\""
	expect_match "$(client_log)" "$TOP/l2" "the refusal names the link $TOP/l2, whose target holds the \"..\""
}

# Rules are applied parents before children by the depth of the target as written; through a
# link of root's a shallow-looking path may be deep and a deep-looking one shallow. [hide] on
# TOP/data/secret (5 components) comes first, then [ro], a read-only bind of TOP/data onto
# TOP/a/b/c/data (7 components), a link of root's to TOP/data (of the same name, which
# uncover() needs, see above): the bind, cloned from the view
# before any rule, covers the hide, and the secret is there to read in alice's session.
case_hole_order_by_written_depth() {
	top
	install -d -m 0755 "$TOP/data" "$TOP/data/secret" "$TOP/a" "$TOP/a/b" "$TOP/a/b/c"
	echo s3cret >"$TOP/data/secret/file"
	ln -s "$TOP/data" "$TOP/a/b/c/data"
	sb_config <<EOF
[global]
users = * !root

[hide]
type = hide
target = $TOP/data/secret

[ro]
type = bind
source = $TOP/data
target = $TOP/a/b/c/data
options = ro
EOF
	sb_use_module
	client alice || fail "pam-client failed (status $?): $(sb_oneline_file client.err)"
	echo "result: rc=$(client_rc) $(new_mounts) log: $(client_log)"
	# Refusing the plan is as good as applying it in the right order; mntnsctl check says so.
	if [ "$(client_rc)" != 0 ]; then
		timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$PAM_MNTNS_CTL" check alice \
			>"$SB_CASE_DIR/ctl.out" 2>&1
		expect_eq "$?" 1 "mntnsctl check alice: $(sb_oneline_file ctl.out)"
		grep -qF "[ro] would cover it" "$SB_CASE_DIR/ctl.out" ||
			fail "mntnsctl check does not say what the login says: $(sb_oneline_file ctl.out)"
		return 0
	fi
	out=$(sb_as alice "cat $TOP/data/secret/file 2>&1; ls -ld $TOP/data/secret") || true
	echo "alice sees: $out"
	if [[ $out == *s3cret* ]]; then
		fail "the hidden $TOP/data/secret is readable in alice's session: the bind through root's link, applied after the hide, covers it"
	fi
}

# ---------------------------------------------------------------- probes that are refused

# A link of root's in a directory of root's that its group may write to (root:root 0775, as
# "staff" directories are): any member could have put it there. As a source: as a target's
# parent the directory is refused before (another user could mount on it).
case_link_group_writable() {
	top
	install -d -m 0775 "$TOP/gw"
	chmod 0775 "$TOP/gw"
	ln -s "$TOP/src" "$TOP/gw/l"
	rule_config bind "$TOP/dst" "$TOP/gw/l"
	BEFORE=$(snapshot)
	expect_refused "a link of root's in a group-writable directory of root's" \
		"$TOP/gw/l is a symbolic link in a directory that others can write to"
}

# The same with the write permission given by a POSIX ACL (u:alice:rwx): the group bits are
# the ACL's mask.
case_link_acl_writable() {
	top
	install -d -m 0755 "$TOP/acl"
	setfacl -m u:alice:rwx "$TOP/acl" 2>"$SB_CASE_DIR/setfacl.err" ||
		skip "setfacl: $(sb_oneline_file setfacl.err)"
	ln -s "$TOP/src" "$TOP/acl/l"
	rule_config bind "$TOP/dst" "$TOP/acl/l"
	BEFORE=$(snapshot)
	expect_refused "a link of root's in a directory an ACL lets alice write to" \
		"$TOP/acl/l is a symbolic link in a directory that others can write to"
}

# A directory of root's alone inside a sticky world-writable one (as /tmp/.X11-unix is), a
# link of root's in it: who made the directory first (before root) owns it; refused as below
# ground others can write to.
case_link_below_sticky() {
	top
	install -d -m 1777 "$TOP/ww"
	chmod 1777 "$TOP/ww"
	install -d -m 0755 "$TOP/ww/rootdir"
	ln -s "$TOP/dst" "$TOP/ww/rootdir/l"
	rule_config tmpfs "$TOP/ww/rootdir/l"
	BEFORE=$(snapshot)
	expect_refused "a link of root's in root's directory in a sticky world-writable one" \
		"$TOP/ww/rootdir/l is a symbolic link below a directory that someone other than root can write to"
}

# A directory of root's in alice's home, a link of root's in it: alice can rename the
# directory away and put her own (with her own link of that name) in its place.
case_link_below_users_dir() {
	top
	install -d -m 0755 "$TOP/src/rootdir"
	ln -s /etc "$TOP/src/rootdir/l"
	rule_config bind "$TOP/dst" "$TOP/src/rootdir/l"
	BEFORE=$(snapshot)
	expect_refused "a link of root's in root's directory in alice's" \
		"$TOP/src/rootdir/l is a symbolic link below a directory that someone other than root can write to"
	# She renames it and puts her own there: her link is refused as well.
	as alice mv "$TOP/src/rootdir" "$TOP/src/old"
	as alice mkdir "$TOP/src/rootdir"
	as alice ln -s /etc "$TOP/src/rootdir/l"
	expect_refused "alice's own link in her directory in place of root's" \
		"$TOP/src/rootdir/l is a symbolic link in a directory that others can write to"
}

# A link of root's whose target passes through alice's directory, where she has put a link
# of hers: her link is judged where it is, as if the path had been written out.
case_link_target_through_user() {
	top
	as alice ln -s /etc "$TOP/src/evil"
	ln -s "$TOP/src/evil" "$TOP/l"
	rule_config bind "$TOP/dst" "$TOP/l"
	BEFORE=$(snapshot)
	expect_refused "a link of root's to alice's link" \
		"$TOP/src/evil is a symbolic link in a directory that others can write to"
	# ".." in root's link's target from alice's directory back into root's ground: alice
	# can move the directory, so its parent is wherever she put it.
	rm "$TOP/l"
	as alice mkdir "$TOP/src/d"
	ln -s "$TOP/src/d/../../dst" "$TOP/l"
	rule_config tmpfs "$TOP/l"
	expect_refused "\"..\" from alice's directory in root's link's target" \
		"is \"\\.\\.\" from or into a directory .*\\(in the target of root's link $TOP/l\\)"
}

# create=: a parent behind a link of root's is followed; the directory to create (the last
# component) being a link of root's is never followed, and nothing is made through it.
case_link_create() {
	top
	install -d -m 0755 "$TOP/real"
	ln -s real "$TOP/vt"
	rule_config bind "$TOP/dst" "$TOP/vt/%u" "create = 0700"
	expect_mounted "create= below a link of root's" "$TOP/dst"
	[ "$(stat -c '%U %a' "$TOP/real/alice")" = "alice 700" ] ||
		fail "$TOP/real/alice: $(stat -c '%U %a' "$TOP/real/alice")"
	rm -rf "$TOP/real/alice"
	install -d -m 0755 "$TOP/elsewhere"
	ln -s ../elsewhere "$TOP/real/alice"
	BEFORE=$(snapshot)
	sb_use_module
	client alice || fail "pam-client failed (status $?): $(sb_oneline_file client.err)"
	expect_ne "$(client_rc)" 0 "create= on a link of root's: pam_open_session result"
	expect_match "$(client_log)" "symbolic link" "create= on a link of root's: syslog"
	[ "$(stat -c '%U %a' "$TOP/elsewhere")" = "root 755" ] ||
		fail "$TOP/elsewhere was changed: $(stat -c '%U %a' "$TOP/elsewhere")"
	[ -z "$(ls -A "$TOP/elsewhere")" ] || fail "something was made in $TOP/elsewhere"
}

# The config through links: a drop-in that is a link of root's to a file in a directory its
# group may write to is refused (every login); one to a file in root's own ground is read.
case_link_config() {
	top
	rule_config tmpfs /tmp "" "options = mode=1777"
	install -d -m 0755 "$TOP/conf"
	printf '[d]\ntype = tmpfs\ntarget = %s\n' "$TOP/dst" >"$TOP/conf/d.conf"
	ln -s "$TOP/conf/d.conf" /etc/security/mntns.d/d.conf
	expect_mounted "a drop-in behind a link of root's" "$TOP/dst"
	chmod 0775 "$TOP/conf"
	BEFORE=$(snapshot)
	expect_refused "a drop-in behind root's link into a group-writable directory" \
		"$TOP/conf.* writable by group or others"
	chmod 0755 "$TOP/conf"
	rm /etc/security/mntns.d/d.conf
	ln -s "$TOP/src/d.conf" /etc/security/mntns.d/d.conf
	as alice cp "$TOP/conf/d.conf" "$TOP/src/d.conf"
	expect_refused "a drop-in behind root's link to alice's file" "$TOP/src"
}

# Link targets at the limits: one near PATH_MAX (the rest of the path no longer fits), one of
# many "." and "/" (as long, resolving to a directory of root's), and a link to "/" itself.
case_link_long_targets() {
	top
	local long dots
	long=$(printf 'a%.0s' $(seq 1 250))
	long=$(printf "$long/%.0s" $(seq 1 16))
	ln -s "$long" "$TOP/long"
	rule_config tmpfs "$TOP/long/x"
	BEFORE=$(snapshot)
	sb_use_module
	client alice || fail "long: pam-client failed (status $?): $(sb_oneline_file client.err)"
	expect_ne "$(client_rc)" 0 "a link target of 4016 bytes: pam_open_session result"
	expect_match "$(client_log)" "File name too long|No such file" "a link target of 4016 bytes: syslog"
	dots=$(printf './%.0s' $(seq 1 1900))
	ln -s "${dots}dst" "$TOP/dots"
	rule_config tmpfs "$TOP/dots"
	expect_mounted "a link target of 3800 bytes of ./" "$TOP/dst"
	# 4095 bytes, as long as a link's target can be, the last component of the path: followed
	# as the kernel follows it (no "/" after it is needed), and onto the directory it names.
	dots=$(printf './%.0s' $(seq 1 2046))
	ln -s "${dots}dst" "$TOP/max"
	[ "$(readlink "$TOP/max" | wc -c)" = 4096 ] || fail "the target of $TOP/max is not 4095 bytes"
	rule_config tmpfs "$TOP/max"
	expect_mounted "a link target of 4095 bytes" "$TOP/dst"
	ln -s / "$TOP/root"
	rule_config tmpfs "$TOP/root/var/lib/mntns-test/dst"
	expect_mounted "a link to /" "$TOP/dst"
}

# A link of root's into alice's directory, where her FUSE mount (which says that all of it is
# root's) is: as a target refused as her mount; as a source, what her mount covers is bound.
case_link_into_user_fuse() {
	top
	as alice mkdir "$TOP/src/mnt" "$TOP/src/mnt/X0"
	as alice sh -c "echo under >'$TOP/src/mnt/X0/marker'"
	sb_fuse_mount alice root "$TOP/src/mnt" || fail "$SB_FUSE_ERROR"
	ln -s "$TOP/src/mnt" "$TOP/fl"
	rule_config tmpfs "$TOP/fl/X0"
	BEFORE=$(snapshot)
	expect_refused "a target through root's link into alice's FUSE mount" \
		"$TOP/src/mnt is a fuse[.a-z0-9]* mount of a user"
	rule_config bind "$TOP/dst" "$TOP/fl/X0"
	expect_mounted "a source through root's link into alice's FUSE mount" "$TOP/dst"
	expect_match "$(client_log)" "" "log"
	out=$(sb_as alice "cat $TOP/dst/marker") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_eq "$out" under "what alice's FUSE mount covers is bound"
}

# A loop through ".." (l -> ../mntns-test/l) is one link each time: the 41st is refused, the
# login does not spin.
case_link_dotdot_loop() {
	top
	ln -s ../mntns-test/l "$TOP/l"
	rule_config tmpfs "$TOP/l"
	BEFORE=$(snapshot)
	expect_refused "a loop through \"..\"" "$TOP/l is one symbolic link too many"
}

t_case "hole: a link of /proc (cwd, fd) leads where the caller of su points it" case_hole_proc_magic_link
t_case "hole: a bind on a link of root's named otherwise than its target" case_hole_bind_on_renamed_link
t_case "hole: \"..\" at a bind of / elsewhere stays there" case_hole_dotdot_at_bind_of_root
t_case "hole: a refused \"..\" does not name the link whose target held it" case_hole_dotdot_verdict_names_link
t_case "hole: rules applied by the written depth of targets: a bind through a link covers a hide" case_hole_order_by_written_depth
t_case "a link of root's in a group-writable directory is refused" case_link_group_writable
t_case "a link of root's in a directory an ACL opens to alice is refused" case_link_acl_writable
t_case "a link of root's below a sticky world-writable directory is refused" case_link_below_sticky
t_case "a link of root's below alice's directory is refused, and so is hers in its place" case_link_below_users_dir
t_case "root's link into alice's ground: her link and \"..\" from there are refused" case_link_target_through_user
t_case "create=: a parent behind root's link is followed, the directory itself never" case_link_create
t_case "drop-ins behind root's links: into root's ground read, into others' refused" case_link_config
t_case "link targets near PATH_MAX, of many ./, and to /" case_link_long_targets
t_case "root's link into alice's FUSE mount: refused as a target, what it covers as a source" case_link_into_user_fuse
t_case "a loop through \"..\" is bounded" case_link_dotdot_loop
t_done
