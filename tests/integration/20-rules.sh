#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Mount rules as a logged-in user sees them: bind with create, @group selectors, ro, hide,
# drop-ins, optional rules.
# shellcheck disable=SC2119 # sb_use_module takes optional module arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"

case_bind_create() {
	mkdir -m 0755 /var/lib/mntns-test
	install -d -m 0755 -o alice -g alice /home/alice/data
	sb_config_bind /var/lib/mntns-test/%u %h/data 0700
	sb_use_module
	local out
	out=$(sb_as alice "stat -c '%U %G %a %F' /var/lib/mntns-test/alice; $SB_BIN/sb-mnt /home/alice/data;
		touch ~/data/from-session && echo written") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_eq "$(sed -n 1p <<<"$out")" "alice alice 700 directory" "created source, seen in the session"
	expect_match "$(sed -n 2p <<<"$out")" '^[a-z0-9]+ ' "mount on ~/data inside the session"
	expect_eq "$(sed -n 3p <<<"$out")" written "writing into ~/data in the session"
	expect_eq "$(stat -c '%U %G %a %F' /var/lib/mntns-test/alice)" "alice alice 700 directory" \
		"created source, seen from the host"
	[ -f /var/lib/mntns-test/alice/from-session ] ||
		fail "file written to ~/data in the session did not land in /var/lib/mntns-test/alice"
	[ ! -e /home/alice/data/from-session ] || fail "the bind on ~/data is visible on the host"
	# A second login finds the directory it created before and accepts it.
	out=$(sb_as alice "ls ~/data") || fail "second login of alice failed: $(sb_last_err)"
	expect_eq "$out" from-session "contents of ~/data at the second login"
	expect_eq "$(stat -c '%U %a' /var/lib/mntns-test/alice)" "alice 700" "source after the second login"
}

case_bind_create_foreign_owner() {
	mkdir -m 0755 /var/lib/mntns-test
	install -d -m 0755 -o bob -g bob /var/lib/mntns-test/alice
	install -d -m 0755 -o alice -g alice /home/alice/data
	sb_config_bind /var/lib/mntns-test/%u %h/data 0700
	sb_use_module
	! sb_pamtester mntns-test alice || fail "session opened although the source is owned by bob"
	expect_eq "$(stat -c '%U %G %a' /var/lib/mntns-test/alice)" "bob bob 755" \
		"existing source (must never be chowned or chmodded)"
}

case_group_selector() {
	mkdir -m 0755 "$SB_DATA/study"
	[[ " $(id -nG carol) " == *" students "* ]] || fail "harness: carol is not in group students"
	sb_config <<EOF
[global]
users = * !root

[study]
type = tmpfs
target = $SB_DATA/study
users = @students
EOF
	sb_use_module
	local c a
	c=$(sb_as carol "$SB_BIN/sb-mnt $SB_DATA/study") || fail "runuser -l carol failed: $(sb_last_err)"
	a=$(sb_as alice "$SB_BIN/sb-mnt $SB_DATA/study") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_match "$c" '^tmpfs pam_mntns ' "mount for carol (supplementary member of students)"
	expect_eq "$a" none "mount for alice (not in students)"
}

case_group_exclusion() {
	mkdir -m 0755 "$SB_DATA/study"
	sb_config <<EOF
[global]
users = * !root

[study]
type = tmpfs
target = $SB_DATA/study
users = * !@students
EOF
	sb_use_module
	local c a
	c=$(sb_as carol "$SB_BIN/sb-mnt $SB_DATA/study") || fail "runuser -l carol failed: $(sb_last_err)"
	a=$(sb_as alice "$SB_BIN/sb-mnt $SB_DATA/study") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_eq "$c" none "mount for carol (member of students, excluded by !@students)"
	expect_match "$a" '^tmpfs pam_mntns ' "mount for alice"
}

case_ro() {
	mkdir -m 1777 "$SB_DATA/shared"
	sb_config <<EOF
[global]
users = * !root

[shared]
type = bind
source = $SB_DATA/shared
target = $SB_DATA/shared
options = ro
EOF
	sb_use_module
	local out
	out=$(sb_as alice "$SB_BIN/sb-mnt $SB_DATA/shared; touch $SB_DATA/shared/inside 2>&1 && echo WROTE")
	expect_match "$(sed -n 1p <<<"$out")" '^[a-z0-9]+ [^ ]+ ro[, ]' "mount on the ro target inside the session"
	[[ $out != *WROTE* ]] || fail "touch succeeded inside the session on an ro bind"
	expect_match "$out" 'Read-only file system' "error of touch inside the session"
	[ ! -e "$SB_DATA/shared/inside" ] || fail "file created through the ro bind"
	sb_plain alice "touch $SB_DATA/shared/outside" ||
		fail "alice cannot write the directory outside a session: $(sb_last_err)"
	[ -e "$SB_DATA/shared/outside" ] || fail "file written outside the session is missing"
}

case_hide() {
	mkdir -m 0755 "$SB_DATA/secret"
	echo classified >"$SB_DATA/secret/file"
	chmod 0644 "$SB_DATA/secret/file"
	sb_config <<EOF
[global]
users = * !root

[secret]
type = hide
target = $SB_DATA/secret
EOF
	sb_use_module
	local out
	out=$(sb_as alice "ls $SB_DATA/secret 2>&1; echo status=\$?; cat $SB_DATA/secret/file 2>&1")
	expect_match "$out" 'Permission denied' "ls of the hidden directory inside the session"
	[[ $out != *status=0* ]] || fail "ls of the hidden directory succeeded: $(_sb_oneline "$out")"
	[[ $out != *classified* ]] || fail "hidden file readable inside the session"
	out=$(sb_plain alice "ls $SB_DATA/secret") || fail "ls outside a session failed: $(sb_last_err)"
	expect_eq "$out" file "ls of the directory outside a session"
}

case_dropin() {
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = tmpfs
target = /tmp
options = mode=1777,size=1m
EOF
	# A later section with the same name replaces the earlier one whole; only *.conf is read.
	sb_dropin 50-tmp.conf <<EOF
[tmp]
type = tmpfs
target = /tmp
options = mode=1777,size=2m
EOF
	sb_dropin README <<EOF
this is not a config file and must be ignored
EOF
	sb_use_module
	local out
	out=$(sb_as alice "$SB_BIN/sb-mnt /tmp") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_match "$out" '^tmpfs pam_mntns ' "/tmp inside the session"
	expect_match "$out" 'size=2048k' "size of /tmp (the drop-in's [tmp] replaces the main file's)"
}

case_optional() {
	sb_config_tmp
	sb_config_add <<EOF

[maybe]
type = bind
source = $SB_DATA/does-not-exist
target = $SB_DATA/nor-this
optional = yes
EOF
	sb_use_module
	local out
	out=$(sb_as alice "$SB_BIN/sb-mnt /tmp") || fail "runuser -l alice failed: $(sb_last_err)"
	expect_match "$out" '^tmpfs pam_mntns ' "/tmp inside the session (the optional rule is skipped)"
}

# The shipped conf/mntns.conf keeps its promises: /tmp is private, gone with the login, and
# at most 10% of RAM; /var/tmp is the user's own directory on disk, there at the next login.
case_shipped_config() {
	install -m 0644 "$SB_ROOT/build/mntns.conf" /etc/security/mntns.conf ||
		fail "no copy of conf/mntns.conf in the sandbox"
	install -d -m 0755 /var/lib/mntns
	install -d -m 0700 /var/lib/mntns/vartmp # as the package makes it
	sb_use_module
	local out ram
	# (not $SB_BIN: the sandbox lives in the host's /var/tmp, which this config hides)
	out=$(sb_as alice "findmnt -n -o FS-OPTIONS /tmp; echo a >/tmp/gone; echo b >/var/tmp/kept") ||
		fail "first login: $(sb_last_err)"
	ram=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
	[[ $out =~ size=([0-9]+)k ]] || fail "no size= on /tmp: $out $(sb_last_err)"
	[ "${BASH_REMATCH[1]}" -le $((ram / 10 + 4)) ] ||
		fail "/tmp of ${BASH_REMATCH[1]} KiB is more than 10% of $ram KiB"
	expect_eq "$(stat -c '%U %a' "/var/lib/mntns/vartmp/alice.$(id -u alice)")" "alice 700" \
		"alice's /var/tmp on disk (NAME.UID)"
	out=$(sb_as alice "ls -A /tmp; cat /var/tmp/kept") || fail "second login: $(sb_last_err)"
	expect_eq "$out" b "the second login: nothing in /tmp, /var/tmp kept"
	out=$(sb_as bob "ls -A /var/tmp") || fail "bob's login: $(sb_last_err)"
	expect_eq "$out" "" "bob's /var/tmp"
}

# pam_umask earlier in the stack (umask 077) must not decide the modes of what the module
# makes: the parents of nested targets in a fresh /tmp are 0755 and the file target 0644, so
# the user reaches the binds below them; a create= directory has exactly the rule's mode.
case_umask_nested() {
	install -d -m 0755 "$SB_DATA/src" /var/lib/mntns-test
	echo in-src >"$SB_DATA/src/marker"
	echo in-file >"$SB_DATA/file"
	chmod 0644 "$SB_DATA/src/marker" "$SB_DATA/file"
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = tmpfs
target = /tmp
options = mode=1777

[deep]
type = bind
source = $SB_DATA/src
target = /tmp/a/b/c

[file]
type = bind
source = $SB_DATA/file
target = /tmp/a/e/f

[own]
type = bind
source = /var/lib/mntns-test/%u
target = /tmp/a/own
create = 0750
EOF
	sb_pam runuser-l "session optional pam_umask.so umask=0077" "session required MODULE"
	local out pid
	out=$(sb_as alice "umask; stat -c '%n %a %U %G %F' /tmp/a /tmp/a/b /tmp/a/e; cat /tmp/a/b/c/marker /tmp/a/e/f") ||
		fail "runuser -l alice under umask 077: $(sb_last_err) $(_sb_oneline "$out")"
	expect_eq "$(sed -n 1p <<<"$out")" 0077 "umask in the session (pam_umask ran before the module)"
	expect_eq "$(sed -n 2,4p <<<"$out" | tr '\n' ';')" \
		"/tmp/a 755 root root directory;/tmp/a/b 755 root root directory;/tmp/a/e 755 root root directory;" \
		"parents the module made"
	expect_eq "$(sed -n 5,6p <<<"$out" | tr '\n' ' ')" "in-src in-file " "the binds below them, read as alice"
	expect_eq "$(stat -c '%a %U' /var/lib/mntns-test/alice)" "750 alice" "create= directory"
	# What the binds cover (the mount point c and the file f), seen through a plain bind of the
	# session's /tmp in a namespace of its own.
	sb_bg held alice "echo \$\$ >$SB_FLAGS/pid; exec sleep 60"
	sb_wait_file "$SB_FLAGS/pid" "$SB_BG_PID" || fail "held session did not start: $(_sb_oneline "$(cat "$SB_CASE_DIR/held.err")")"
	pid=$(cat "$SB_FLAGS/pid")
	out=$(nsenter -t "$pid" -m -- unshare -m --propagation private -- sh -c \
		"mount --bind /tmp $SB_MNT && cd $SB_MNT && stat -c '%n %a %U %G %F' a/b/c a/own a/e/f") ||
		fail "cannot look below the binds: $(_sb_oneline "$out")"
	expect_eq "$(tr '\n' ';' <<<"$out")" \
		"a/b/c 755 root root directory;a/own 755 root root directory;a/e/f 644 root root regular empty file;" \
		"mount points the module made"
}

t_case "the shipped mntns.conf: private /tmp of at most 10% of RAM, /var/tmp kept on disk" case_shipped_config
t_case "bind with source /var/lib/mntns-test/%u and create = 0700 makes a user-owned 0700 dir" case_bind_create
t_case "bind with create refuses an existing source owned by someone else (and leaves it alone)" case_bind_create_foreign_owner
t_case "@students rule applies to carol (supplementary member), not to alice" case_group_selector
t_case "!@students excludes carol from a rule" case_group_exclusion
t_case "ro bind is read-only inside, the same directory stays writable outside" case_ro
t_case "hide denies access inside, the directory stays readable outside" case_hide
t_case "drop-in section replaces the main file's section of the same name" case_dropin
t_case "optional rule with a missing source is skipped" case_optional
t_case "under umask 077 (pam_umask), nested targets in a fresh /tmp get 0755 parents and a 0644 file" case_umask_nested
t_done
