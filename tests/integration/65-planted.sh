#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Planted paths on a stock Debian 12 server: protected_* sysctls as Debian sets them (and the
# permissive values where the kernel's answer differs), fuse3 with /dev/fuse 0666, and FUSE
# servers that a user starts (tests/clients/fakefs.c: honest, lying about owners, never
# answering). Whatever another user puts where a rule looks, an optional rule is skipped with a
# warning and a required one refuses the login; no login hangs, binds what a user mounted or
# lands somewhere else, and the sandbox's mount table is unchanged after every case.
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
# shellcheck source=../lib/attacker.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/attacker.sh"
attacker_begin "$@"
sb_fuse_prepare
PLANT=/tmp/.X11-unix-test  # where the shipped [x11] rule looks, with a name of its own

# plant_config SOURCE [OPTIONAL [CREATE]]: bind SOURCE on $SB_DATA/t, optional = OPTIONAL
# (default yes), create = CREATE when given.
plant_config() {
	install -d -m 0755 "$SB_DATA/t"
	sb_config_bind "$1" "$SB_DATA/t" "${3:-}"
	echo "optional = ${2:-yes}" | sb_config_add
}

# both WHAT SOURCE REGEX: the optional rule is skipped with a warning matching REGEX, the
# required one refuses the login with a message matching REGEX.
both() {
	local what=$1 src=$2 re=$3
	plant_config "$src" yes
	expect_skipped "$what (optional)" "$SB_DATA/t" "$re.*rule skipped"
	plant_config "$src" no
	BEFORE=$(snapshot)
	expect_refused "$what (required)" "$re"
}

# ------------------------------------------------------------ symlinks, with either sysctl

# With protected_symlinks=1 the kernel answers EACCES, not ELOOP, for another user's symlink
# in a sticky directory: the module must not depend on which.
case_symlink() {
	local mode target
	for mode in debian permissive; do
		if [ $mode = debian ]; then sb_debian_sysctls; else
			sb_debian_sysctls permissive
			sb_defer sb_debian_sysctls # also when the case fails half-way
		fi
		for target in /root /no/such/dir; do
			rm -rf "$PLANT"
			as bob ln -s "$target" "$PLANT" || fail "bob cannot plant"
			both "symlink to $target by bob ($mode sysctls)" "$PLANT" \
				"$PLANT is a symbolic link in a directory that others can write to"
		done
	done
	sb_debian_sysctls
}

# The user's own symlink is no more usable, but it is not a trap for anyone else either.
case_symlink_own() {
	as alice ln -s /root "$PLANT" || fail "alice cannot plant"
	plant_config "$PLANT" yes
	expect_skipped "symlink of the user herself" "$SB_DATA/t" 'is a symbolic link.*rule skipped'
	plant_config "$PLANT" yes
	expect_skipped "the same symlink, for bob" "$SB_DATA/t" 'is a symbolic link.*rule skipped' bob
}

# ------------------------------------------------------------ FUSE

case_fuse_control() {
	install -d -m 1777 "$PLANT"
	plant_config "$PLANT" no
	expect_ok "root's directory in /tmp"
	grep -qE "^new_mounts=(.* )?$SB_DATA/t " "$SB_CASE_DIR/client.out" ||
		fail "control: the source was not mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
}

# fuse_case WHAT MODE [allow_other]: bob mounts fakefs MODE on $PLANT, a directory of his in /tmp.
# His mount is left out of the walk, never entered; what it covers is his own directory, which
# is planted for alice.
fuse_case() {
	local what=$1 mode=$2 other=${3:-} start
	as bob mkdir -m 0755 "$PLANT" || fail "bob cannot make $PLANT"
	sb_fuse_mount bob "$mode" "$PLANT" $other || fail "cannot mount fakefs $mode: $SB_FUSE_ERROR"
	start=$SECONDS
	both "$what" "$PLANT" "$PLANT is owned by uid ${SB_UID[bob]} in a directory that others"
	[ $((SECONDS - start)) -lt 15 ] || fail "$what: the logins took $((SECONDS - start)) s"
}

case_fuse_user() {
	fuse_case "FUSE mounted by bob on $PLANT (root may not look into it)" plain
}
case_fuse_lying() {
	fuse_case "FUSE of bob, allow_other, claiming every inode is root's" root allow_other
}
case_fuse_hang() {
	fuse_case "FUSE of bob, allow_other, that never answers" hang allow_other
}

# A FUSE mount deeper down: a source inside bob's mount is never reached (below his mount is
# his own directory, planted for alice).
case_fuse_inside() {
	as bob mkdir -m 0755 "$PLANT" || fail "bob cannot make $PLANT"
	sb_fuse_mount bob root "$PLANT" allow_other || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	both "source inside a FUSE mount of bob" "$PLANT/X0" "$PLANT is owned by uid ${SB_UID[bob]}"
}

# students_dir: $SB_DATA/scratch/students, root:students 2770 (the README's [scratch]), with bob
# and carol as members; alice is in it too for these cases.
students_dir() {
	students_join alice bob
	install -d -m 0755 "$SB_DATA/scratch"
	install -d -m 2770 -o root -g students "$SB_DATA/scratch/students"
}

# bound_view USER: in a login of USER, the names in the bind on $SB_DATA/t, those in its
# rootsub, the type of the mount on $SB_DATA/t, and the type of the top mount on the group
# directory itself (the view outside the rule's target, which the module does not change).
# Only names and mountinfo: nothing that would ask a FUSE server.
bound_view() {
	sb_as "$1" "cd $SB_DATA/t && echo * && (cd rootsub 2>/dev/null && echo *); $SB_BIN/sb-mnt $SB_DATA/t | cut -d' ' -f1;
		$SB_BIN/sb-mnt $SB_DATA/scratch/students | cut -d' ' -f1" | tr '\n' ';'
}

# group_fuse MODE [allow_other]: the README's [scratch]: a required bind of the group directory
# $SB_DATA/scratch/students (root:students 2770; root's file REAL and root's tmpfs rootsub in
# it). bob, a member, mounts fakefs MODE on the group directory itself (fusermount3 lets him:
# he may write there). Alice's login, and bob's own, bind the directory beneath his mount, with
# root's mount in it; the view outside the target keeps bob's mount; nobody waits on it.
group_fuse() {
	local mode=$1 other=${2:-} u before fs
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	install -d -m 0755 "$SB_DATA/scratch/students/rootsub"
	mount -t tmpfs -o mode=0755 rootsub "$SB_DATA/scratch/students/rootsub" || fail "cannot mount rootsub"
	sb_defer "umount -l $SB_DATA/scratch/students/rootsub"
	touch "$SB_DATA/scratch/students/rootsub/ROOTSUB"
	plant_config "$SB_DATA/scratch/students" no
	expect_ok "control: the group directory, for a member"
	before=$(bound_view alice)
	expect_match "$before" '^REAL rootsub;ROOTSUB;[a-z0-9]+;none;$' "control: alice's view"
	fs=$(cut -d';' -f3 <<<"$before")
	sb_fuse_mount bob "$mode" "$SB_DATA/scratch/students" "$other" ||
		fail "cannot mount fakefs $mode: $SB_FUSE_ERROR"
	expect_ok "FUSE ($mode${other:+, $other}) of bob on the group directory"
	# Only the rule's mounts are new: nothing of the copies the module looked through is left,
	# in the view or among the descriptors.
	expect_eq "$(grep '^new_mounts=' "$SB_CASE_DIR/client.out")" \
		"new_mounts=$SB_DATA/t $SB_DATA/t/rootsub " "mounts the login added"
	expect_eq "$(grep '^new_fds=' "$SB_CASE_DIR/client.out")" "new_fds=" "descriptors left open"
	for u in alice bob; do
		expect_match "$(bound_view $u)" "^REAL rootsub;ROOTSUB;$fs;fuse[.a-z0-9]*;\$" \
			"$u's login: the real directory (root's mount in it) on $SB_DATA/t, bob's mount where it was"
	done
	[ -n "$(_sb_fuse_conns "$SB_DATA/scratch/students")" ] || fail "bob's mount is gone from the host's view"
}

case_fuse_group() { group_fuse hang allow_other; }
case_fuse_group_plain() { group_fuse plain; }
case_fuse_group_lying() { group_fuse root allow_other; }
case_fuse_group_hang_private() { group_fuse hang; }

# A member's FUSE on a directory of root's inside the group directory, on the way to the
# source: what it covers is bound.
case_fuse_group_inside() {
	students_dir
	install -d -m 2770 -g students "$SB_DATA/scratch/students/proj" "$SB_DATA/scratch/students/proj/data"
	echo real >"$SB_DATA/scratch/students/proj/data/REAL"
	plant_config "$SB_DATA/scratch/students/proj/data" no
	sb_fuse_mount bob hang "$SB_DATA/scratch/students/proj" allow_other ||
		fail "cannot mount fakefs: $SB_FUSE_ERROR"
	expect_ok "FUSE of a member on a directory on the way to the source"
	expect_eq "$(sb_as alice "cat $SB_DATA/t/REAL")" real "alice's login: the real directory"
	# His own directory in the group directory is planted for alice, FUSE or not.
	as bob mkdir -m 0755 "$SB_DATA/scratch/students/sub" || fail "bob cannot make sub"
	sb_fuse_mount bob root "$SB_DATA/scratch/students/sub" allow_other || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	both "FUSE of a member on his directory in the group directory" "$SB_DATA/scratch/students/sub" \
		"students/sub is owned by uid ${SB_UID[bob]}"
	as carol mkdir -m 0755 "$SB_DATA/scratch/students/carols"
	both "another member's directory in the group directory" \
		"$SB_DATA/scratch/students/carols" 'carols is owned by uid'
}

# Root's mount on the way (a tmpfs holding the group directory) is crossed as before, and the
# member's FUSE below it left out.
case_fuse_group_root_mount() {
	students_join alice bob
	install -d -m 0755 "$SB_DATA/rootmnt"
	mount -t tmpfs -o mode=0755 rootmnt "$SB_DATA/rootmnt" || fail "cannot mount rootmnt"
	sb_defer "umount -l $SB_DATA/rootmnt"
	install -d -m 2770 -g students "$SB_DATA/rootmnt/students"
	echo on-tmpfs >"$SB_DATA/rootmnt/students/REAL"
	plant_config "$SB_DATA/rootmnt/students" no
	sb_fuse_mount bob hang "$SB_DATA/rootmnt/students" allow_other || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	expect_ok "FUSE of a member on a group directory inside root's tmpfs"
	expect_eq "$(sb_as alice "cat $SB_DATA/t/REAL")" on-tmpfs "alice's login: the directory on root's tmpfs"
}

# A member's FUSE inside the bound directory (not on the way to it): the login neither waits
# nor fails, the bind's root is the group directory, and the mount comes along below it, as
# the host shows it there, under the rule's options (ro): a member can change what the
# directory holds anyway.
case_fuse_group_deeper() {
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	as bob mkdir -m 0755 "$SB_DATA/scratch/students/bobs" || fail "bob cannot make bobs"
	plant_config "$SB_DATA/scratch/students" no
	echo "options = ro" | sb_config_add
	sb_fuse_mount bob hang "$SB_DATA/scratch/students/bobs" allow_other || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	expect_ok "FUSE of a member inside the bound group directory"
	expect_eq "$(sb_as alice "cat $SB_DATA/t/REAL")" real "alice's login: the group directory"
	expect_match "$(sb_as alice "$SB_BIN/sb-mnt $SB_DATA/t/bobs")" '^fuse[.a-z0-9]* fakefs-[^ ]* ro[, ]' \
		"bob's mount inside the bind, in alice's login"
}

# Where a mount goes is never a user's mount: a target below a member's FUSE on the group
# directory (hanging, and without allow_other, so that even root's statx is refused) is
# refused, or its optional rule skipped, naming it.
case_fuse_group_target() {
	students_dir
	sb_fuse_mount bob hang "$SB_DATA/scratch/students" || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	sb_config <<EOF
[global]
users = * !root

[t]
type = tmpfs
target = $SB_DATA/scratch/students
optional = yes
EOF
	expect_skipped "optional target on the group directory under bob's FUSE" \
		"$SB_DATA/scratch/students" 'students is a fuse[.a-z]* mount of a user.*rule skipped'
	sed -i 's/^optional = yes$/optional = no/' /etc/security/mntns.conf
	BEFORE=$(snapshot)
	expect_refused "required target on the group directory under bob's FUSE" \
		'students is a fuse[.a-z]* mount of a user'
}

# create=: the user's own FUSE over her own directory does not decide what is bound either.
case_fuse_own_create() {
	mkdir -p "$SHARED"
	chmod 0755 "$SHARED"
	install -d -m 0700 -o alice -g alice "$SHARED/alice"
	echo mine >"$SHARED/alice/REAL"
	plant_config "$SHARED/%u" no 0700
	sb_fuse_mount alice hang "$SHARED/alice" || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	expect_ok "her own FUSE (hanging) over her create= directory"
	expect_eq "$(sb_as alice "cat $SB_DATA/t/REAL")" mine "her login: the directory on disk"
}

# A FUSE filesystem that root mounted (user_id=0: fusermount3 sets the real user's id) is the
# administrator's, like any other mount.
case_fuse_root() {
	install -d -m 0755 "$SB_DATA/rootfuse"
	sb_fuse_mount root plain "$SB_DATA/rootfuse" allow_other || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	plant_config "$SB_DATA/rootfuse/X0" no
	expect_ok "source on root's FUSE mount"
	grep -qE "^new_mounts=(.* )?$SB_DATA/t " "$SB_CASE_DIR/client.out" ||
		fail "root's FUSE source was not mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
}

# Mounts in the user's own home: this login's (a bind, and a tmpfs inside it) and root's are
# crossed; her own FUSE is not (it would only hurt her own login).
case_home_mounts() {
	install -d -m 0755 "$SB_DATA/src" "$SB_DATA/src/cache"
	install -d -m 0755 -o alice -g alice /home/alice/data /home/alice/adm /home/alice/mine
	mount -t tmpfs -o mode=0755 admin-mount /home/alice/adm || fail "cannot mount on ~/adm"
	sb_defer "umount -l /home/alice/adm"
	mkdir /home/alice/adm/x
	sb_config <<EOF
[global]
users = * !root

[data]
type = bind
source = $SB_DATA/src
target = %h/data

[cache]
type = tmpfs
target = %h/data/cache

[adm]
type = tmpfs
target = %h/adm/x
EOF
	expect_ok "a bind in the home with a tmpfs inside it, and root's mount in the home"
	local m
	for m in /home/alice/data /home/alice/data/cache /home/alice/adm/x; do
		grep -qE "^new_mounts=(.* )?$m " "$SB_CASE_DIR/client.out" ||
			fail "$m was not mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	done
	sb_fuse_mount alice root /home/alice/mine allow_other || fail "cannot mount fakefs: $SB_FUSE_ERROR"
	printf '[mine]\ntype = tmpfs\ntarget = %%h/mine/X0\noptional = yes\n' | sb_config_add
	expect_skipped "the user's own FUSE in her home" /home/alice/mine/X0 \
		'mine is a fuse[.a-z]* mount of a user.*rule skipped'
}

# A root:root 0755 directory that an ACL lets bob write to: its group bits are the ACL's mask,
# so it is hostile ground like a 0775 one.
case_acl_writable() {
	command -v setfacl >/dev/null || skip "setfacl not found (apt-get install acl)"
	install -d -m 0755 "$SB_DATA/proj"
	setfacl -m u:bob:rwx "$SB_DATA/proj" || skip "no POSIX ACLs on $SB_DATA"
	as bob mkdir -m 0777 "$SB_DATA/proj/data" || fail "bob cannot write through the ACL"
	both "bob's directory in a root directory that an ACL lets him write to" \
		"$SB_DATA/proj/data" 'data is owned by uid'
}

# ------------------------------------------------------------ create= and planted sources

# An optional create= rule is skipped, not refused, whatever another user left in its place.
case_create_optional() {
	local plant
	mkdir -p "$SHARED"
	chmod 1777 "$SHARED"
	for plant in "mkdir -m 0777 $SHARED/alice" "ln -s /root $SHARED/alice" \
		"mkfifo $SHARED/alice"; do
		rm -rf "$SHARED/alice"
		as bob sh -c "$plant" || fail "bob cannot plant: $plant"
		plant_config "$SHARED/%u" yes 0700
		expect_skipped "optional create= source: $plant" "$SB_DATA/t" \
			"$SHARED/alice is .*rule skipped"
	done
}

# A create= parent in which others may rename (2770, no sticky bit): they could swap in
# another of root's directories while it is being made, and it would be chowned to the user.
case_create_coverable_parent() {
	students_dir
	plant_config "$SB_DATA/scratch/students/%u" yes 0700
	expect_skipped "optional create= in a 2770 directory" "$SB_DATA/t" \
		'students is writable by others \(owner uid 0, mode 2770\): another user could .*rule skipped'
	[ ! -e "$SB_DATA/scratch/students/alice" ] || fail "the directory was made"
	plant_config "$SB_DATA/scratch/students/%u" no 0700
	BEFORE=$(snapshot)
	expect_refused "required create= in a 2770 directory" 'students is writable by others'
}

# Concurrent first logins of one user with create=: all succeed, one directory, hers.
case_create_concurrent() {
	local round i rc bad=0
	mkdir -p "$SHARED"
	chmod 1777 "$SHARED"
	plant_config "$SHARED/%u" no 0700
	sb_use_module
	for round in $(seq 20); do
		rm -rf "$SHARED/alice"
		for i in 1 2 3 4 5 6 7 8; do
			timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CLIENT" mntns-test alice \
				>"$SB_CASE_DIR/c$i.out" 2>"$SB_CASE_DIR/c$i.err" &
		done
		wait
		for i in 1 2 3 4 5 6 7 8; do
			rc=$(sed -n 's/^rc=//p' "$SB_CASE_DIR/c$i.out")
			[ "$rc" = 0 ] || { bad=$((bad + 1)); echo "round $round login $i: rc=$rc $(grep SYSLOG "$SB_CASE_DIR/c$i.err")"; }
		done
		expect_eq "$(stat -c '%U %a %F' "$SHARED/alice")" "alice 700 directory" "round $round: source"
		[ -z "$(find "$SHARED" -name '.mntns-new-*')" ] || fail "round $round: temporary directories left"
	done
	expect_eq "$bad" 0 "logins refused out of 160 concurrent first logins"
}

# ------------------------------------------------------------ targets

# target_case WHAT PLANT-CMD...: a tmpfs rule on $SHARED/alice-t, where bob plants first.
target_config() {
	sb_config <<EOF
[global]
users = * !root

[t]
type = tmpfs
target = $SHARED/alice-t
optional = $1
EOF
}

case_target_planted() {
	local plant
	mkdir -p "$SHARED"
	chmod 1777 "$SHARED"
	install -d -m 0755 -o alice -g alice "$SHARED/alice-t"
	target_config no
	expect_ok "target owned by the user in a sticky directory"
	for plant in "mkdir -m 0777 $SHARED/alice-t" "ln -s /etc $SHARED/alice-t" \
		"touch $SHARED/alice-t" "mkfifo $SHARED/alice-t"; do
		rm -rf "$SHARED/alice-t"
		as bob sh -c "$plant" || fail "bob cannot plant: $plant"
		target_config yes
		expect_skipped "optional target: $plant" "$SHARED/alice-t" \
			"target $SHARED/alice-t: $SHARED/alice-t is .*rule skipped"
		target_config no
		BEFORE=$(snapshot)
		expect_refused "target: $plant" "$SHARED/alice-t is .* in a directory that others can write to"
	done
}

# Nested targets below this login's own tmpfs are made through that mount, never by path:
# alice swaps %h/x with %h/x2 (RENAME_EXCHANGE) all the while, and nothing lands on her disk.
case_nested_swap() {
	local logins=${RACE_LOGINS:-300} pid
	install -d -m 0755 -o alice -g alice /home/alice/x /home/alice/x2
	sb_config <<EOF
[global]
users = * !root

[x]
type = tmpfs
target = %h/x

[deeper]
type = tmpfs
target = %h/x/sub/deeper
EOF
	sb_use_module
	sb_build_client swapper
	setpriv --reuid=alice --regid=alice --init-groups -- "$SB_ROOT/build/swapper" \
		/home/alice/x /home/alice/x2 >"$SB_CASE_DIR/swapper.out" 2>&1 &
	pid=$!
	_sb_track "$pid"
	timeout -k 3 $((SB_CASE_TIMEOUT - 15)) "${SB_WRAP[@]}" "$CLIENT" -n "$logins" -a /home/alice/x -a /home/alice/x2 \
		-a /home/alice/x/sub/deeper -a /home/alice/x2/sub/deeper mntns-test alice \
		>"$SB_CASE_DIR/loop.out" 2>&1 ||
		fail "logins with a mount elsewhere: $(grep -m3 BAD "$SB_CASE_DIR/loop.out")"
	tail -n 1 "$SB_CASE_DIR/loop.out"
	kill -0 "$pid" 2>/dev/null || fail "the swapper died: $(cat "$SB_CASE_DIR/swapper.out")"
	_sb_stop_pids "$pid"
	grep -q 'ok=[1-9]' "$SB_CASE_DIR/loop.out" || fail "no login got through at all"
	[ ! -e /home/alice/x/sub ] && [ ! -e /home/alice/x2/sub ] ||
		fail "root created sub/deeper on alice's disk: $(ls -la /home/alice/x /home/alice/x2)"
}

# ------------------------------------------------------------ hard links (protected_hardlinks=0)

# Root's file in /tmp, hard-linked by bob to the name a rule binds: root owns it, which proves
# nothing. (Debian's protected_hardlinks=1 stops bob from making the link at all.)
case_hardlink() {
	sb_debian_sysctls permissive
	sb_defer sb_debian_sysctls # also when the case fails half-way
	echo "root's" >/tmp/rootfile
	chmod 0644 /tmp/rootfile
	as bob ln /tmp/rootfile "$PLANT" || fail "bob cannot hard-link root's file"
	both "root's file hard-linked by bob" "$PLANT" "$PLANT is a regular file with 2 hard links"
	sb_debian_sysctls
	rm -f "$PLANT"
	if as bob ln /tmp/rootfile "$PLANT" 2>/dev/null; then
		fail "protected_hardlinks=1 let bob link root's file"
	fi
}

# ------------------------------------------------------------ the config's own path

case_config_parent_writable() {
	sb_config_tmp
	expect_ok "control"
	chgrp bob /etc/security
	chmod 0775 /etc/security
	BEFORE=$(snapshot)
	expect_refused "/etc/security writable by bob's group" \
		'/etc/security is writable by group or others \(mode 0775\)'
	chmod 0755 /etc/security
	chgrp root /etc/security
}

# Rewritten in place while logins run (an editor, "cat new > mntns.conf"): a login reads the
# whole file or is refused; it never opens with a short or empty config and no mount.
case_config_rewrite() {
	local pid
	install -d -m 0755 "$SB_DATA/a" "$SB_DATA/b" "$SB_DATA/bsrc"
	touch "$SB_DATA/bsrc/marker"
	# [a] in the first page, [b] after it: a first page alone is a valid config, so only
	# the marker that [b] brings into the view shows that the whole file was read.
	cat >"$SB_CASE_DIR/new.conf" <<EOF
[global]
users = * !root

[a]
type = tmpfs
target = $SB_DATA/a
$(for i in $(seq 200); do echo "# padding, so that one write fills several pages: $i"; done)

[b]
type = bind
source = $SB_DATA/bsrc
target = $SB_DATA/b
EOF
	cp "$SB_CASE_DIR/new.conf" /etc/security/mntns.conf
	sb_use_module
	: >/etc/security/mntns.conf
	BEFORE=$(snapshot)
	expect_refused "empty main file" 'no section in the file'
	# Like an editor that writes its buffer in pieces: between the two writes the file is a
	# valid config of its first page only, with the size and times it will keep until the
	# second write.
	(while :; do
		{ head -c 4096 "$SB_CASE_DIR/new.conf"; sleep 0.005
			tail -c +4097 "$SB_CASE_DIR/new.conf"; } >/etc/security/mntns.conf
		sleep 0.3
	done) &
	pid=$!
	_sb_track "$pid"
	timeout -k 3 $((SB_CASE_TIMEOUT - 15)) "${SB_WRAP[@]}" "$CLIENT" -n "${RACE_LOGINS:-200}" \
		-a "$SB_DATA/a" -a "$SB_DATA/b" -f "$SB_DATA/b/marker" mntns-test alice \
		>"$SB_CASE_DIR/loop.out" 2>&1 ||
		fail "logins with a partial config: $(grep -m3 BAD "$SB_CASE_DIR/loop.out")"
	_sb_stop_pids "$pid"
	tail -n 1 "$SB_CASE_DIR/loop.out"
	grep -q 'ok=[1-9]' "$SB_CASE_DIR/loop.out" || fail "no login got through at all"
}

# Under a Turkish 8-bit locale, tolower('I') is not 'i': values are compared in ASCII.
case_locale() {
	command -v localedef >/dev/null || skip "localedef not found (libc-bin)"
	mkdir -p "$SB_ROOT/locale"
	[ -d "$SB_ROOT/locale/tr_TR.ISO-8859-9" ] ||
		localedef -i tr_TR -f ISO-8859-9 "$SB_ROOT/locale/tr_TR.ISO-8859-9" 2>"$SB_CASE_DIR/localedef.err" ||
		skip "cannot build the tr_TR.ISO-8859-9 locale: $(head -c 200 "$SB_CASE_DIR/localedef.err")"
	sb_config <<EOF
[global]
users = * !root
ON_ERROR = FAIL

[tmp]
type = TMPFS
target = /tmp
options = NOSUID,NODEV
OPTIONAL = NO
EOF
	sb_use_module
	LOCPATH=$SB_ROOT/locale LC_ALL=tr_TR.ISO-8859-9 client alice
	grep -q '^locale=tr_TR.ISO-8859-9' "$SB_CASE_DIR/client.out" ||
		fail "pam-client did not run in the Turkish locale: $(grep locale "$SB_CASE_DIR/client.out")"
	expect_eq "$(client_rc)" 0 "session under tr_TR.ISO-8859-9 (log: $(client_log))"
}

# ------------------------------------------------------------ the PAM handle

case_no_user() {
	sb_config_tmp
	sb_use_module
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$CLIENT" -N mntns-test \
		>"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	expect_ne "$(client_rc)" 0 "session without PAM_USER"
	expect_eq "$(sed -n 's/^prompts=//p' "$SB_CASE_DIR/client.out")" 0 "prompts asked"
	expect_match "$(client_log)" 'PAM_USER is not set' "syslog message"
}

case_relative_config() {
	sb_config_tmp
	sb_use_module config=mntns.conf
	(cd /etc/security && client alice)
	expect_ne "$(client_rc)" 0 "session with config=mntns.conf"
	expect_match "$(client_log)" 'config=mntns.conf: not an absolute path' "syslog message"
}

# ---- from a review of the look beneath a user's FUSE mount (stacked mounts, a bad root
# inode, a mount arriving before the clone, the copies' propagation, a remount loop)
# stack_fuse USER MODE N MOUNTPOINT [allow_other]: USER mounts N fakefs MODE servers on
# MOUNTPOINT, each on top of the one before (sb_fuse_mount refuses an existing fakefs mount).
stack_fuse() {
	local user=$1 mode=$2 n=$3 mp=$4 other=() i pid have want deadline
	[ "${5:-}" = allow_other ] && other=(-o allow_other)
	for ((i = 1; i <= n; i++)); do
		have=$(_sb_fuse_conns "$mp" | wc -l)
		want=$((have + 1))
		setpriv --reuid="$user" --regid="$user" --init-groups -- \
			"$SB_FUSE_BIN" "$mode" "$mp" "${other[@]}" </dev/null \
			>"$SB_CASE_DIR/stack.$i.out" 2>"$SB_CASE_DIR/stack.$i.err" &
		pid=$!
		_sb_track "$pid"
		echo "$pid" >>"$SB_ROOT/fuse.pids"
		sb_defer _sb_fuse_stop "$pid" "$(printf '%q' "$mp")"
		deadline=$((SECONDS + 10))
		until [ "$(_sb_fuse_conns "$mp" | wc -l)" -ge "$want" ] && grep -qx ready "$SB_CASE_DIR/stack.$i.out"; do
			kill -0 "$pid" 2>/dev/null || { echo "stack $i exited: $(cat "$SB_CASE_DIR/stack.$i.err")"; return 1; }
			[ "$SECONDS" -lt "$deadline" ] || { echo "stack $i: no mount"; return 1; }
			sleep 0.05
		done
	done
}

# Q4: a member stacks MNTNS_MAX_BENEATH + 1 FUSE mounts on the group directory that a
# required rule binds: every other member's login is refused again (the denial 1ef633f fixed
# for one mount). Stacking needs allow_other on the lower ones (fusermount3 stats the mount
# point as root), so user_allow_other in /etc/fuse.conf, as the sandbox has it.
case_rev_stack9() {
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	plant_config "$SB_DATA/scratch/students" no
	expect_ok "control"
	stack_fuse bob plain 8 "$SB_DATA/scratch/students" allow_other || fail "cannot stack 8"
	echo "mounts on students: $(_sb_fuse_conns "$SB_DATA/scratch/students" | wc -l)"
	expect_ok "8 stacked FUSE mounts of bob"
	stack_fuse bob hang 1 "$SB_DATA/scratch/students" || fail "cannot stack the 9th"
	echo "mounts on students: $(_sb_fuse_conns "$SB_DATA/scratch/students" | wc -l)"
	# Before the fix: "... is one FUSE mount of a user too many (a source is looked below at
	# most 8); refusing to use it".
	expect_ok "9 stacked FUSE mounts of bob"
	expect_eq "$(sb_as alice "cat $SB_DATA/t/REAL")" real "alice's login: the real directory"
}

# Q1: the race between the detach and the clone. open_tree(fd, RECURSIVE) of the source takes
# along a mount stacked on the source directory itself (copy_tree: is_subdir(d, d)), and the
# copy the walk goes on in is a slave of the host's mount: a FUSE mount that bob makes on the
# group directory after go_beneath detached his first one lands in the copy and in the clone.
# The window is widened here by strace delaying the clone's open_tree (the second one); in real
# life it is a scheduling delay, or bob SIGSTOPs the su he runs.
case_rev_race_clone() {
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	plant_config "$SB_DATA/scratch/students" no
	sb_use_module
	echo "propagation of the sandbox mounts: $(findmnt -no TARGET,PROPAGATION -T "$SB_DATA/scratch/students")"
	sb_fuse_mount bob plain "$SB_DATA/scratch/students" allow_other || fail "mount 1: $SB_FUSE_ERROR"
	local first=$SB_FUSE_PID
	strace -f -qq -o "$SB_CASE_DIR/strace" -e trace=open_tree,move_mount,umount2 \
		-e inject=open_tree:delay_enter=1500000:when=2 \
		"${SB_WRAP[@]}" "$CLIENT" -s 5 mntns-test alice >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err" &
	local cpid=$!
	sleep 0.7
	# bob: his first mount away, a second one (claiming root owns all) on the same directory.
	kill "$first"; for _ in $(seq 50); do [ -z "$(_sb_fuse_conns "$SB_DATA/scratch/students")" ] && break; sleep 0.02; done
	sb_fuse_mount bob root "$SB_DATA/scratch/students" allow_other || fail "mount 2: $SB_FUSE_ERROR"
	local deadline=$((SECONDS + 10)) holder
	until holder=$(sed -n 's/^holding=//p' "$SB_CASE_DIR/client.out") && [ -n "$holder" ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "no session: $(cat "$SB_CASE_DIR/client.out" "$SB_CASE_DIR/client.err")"
		sleep 0.1
	done
	cat "$SB_CASE_DIR/strace"
	grep -E '^(rc|new_mounts)=' "$SB_CASE_DIR/client.out"
	local view
	view=$(nsenter -m -t "$holder" "$SB_BIN/sb-mnt" "$SB_DATA/t")
	echo "alice's session, mount on $SB_DATA/t: $view"
	wait "$cpid"
	expect_match "$view" '^tmpfs|^ext|^xfs|^btrfs|^overlay' "the rule's target shows the real group directory, not bob's FUSE"
}
# Q3/Q4: a member's FUSE whose root inode the kernel has marked bad (its server once said the
# root is a regular file): statx fails with EIO before anything else, for root too; the
# mount is still left out (its id from name_to_handle_at), never a reason to refuse every
# member's login.
case_rev_badroot() {
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	plant_config "$SB_DATA/scratch/students" no
	expect_ok "control"
	sb_fuse_mount bob badroot "$SB_DATA/scratch/students" || fail "cannot mount: $SB_FUSE_ERROR"
	echo "bob stats his mount point: $(as bob stat -c %F "$SB_DATA/scratch/students" 2>&1)"
	echo "and again: $(as bob stat -c %F "$SB_DATA/scratch/students" 2>&1)"
	# Before the fix: "... is a mount point that cannot be examined without asking its
	# filesystem (Input/output error); refusing to use it".
	expect_ok "bob's FUSE with a bad root inode on the group directory"
	expect_eq "$(sb_as alice "cat $SB_DATA/t/REAL")" real "alice's login: the real directory"
}
# Q2: while alice's login looks beneath bob's mount (held there by strace), the copy is in her
# namespace only, as slaves (never shared), and the host's mount table is unchanged.
case_rev_copy_visible() {
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	plant_config "$SB_DATA/scratch/students" no
	sb_use_module
	sb_fuse_mount bob hang "$SB_DATA/scratch/students" || fail "mount: $SB_FUSE_ERROR"
	local host_before spid cpid host_during
	host_before=$(wc -l </proc/self/mountinfo)
	strace -f -qq -o /dev/null -e trace=open_tree -e inject=open_tree:delay_enter=1500000:when=2 \
		"${SB_WRAP[@]}" "$CLIENT" mntns-test alice >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err" &
	spid=$!
	sleep 0.7
	cpid=$(awk -v p="$spid" '$4 == p { print $1; exit }' /proc/[0-9]*/stat 2>/dev/null); echo "strace $spid, client $cpid"
	host_during=$(wc -l </proc/self/mountinfo)
	echo "host mounts before $host_before, during $host_during"
	echo "alice's login ns, the holder's mounts and their propagation:"
	nsenter -m -t "$cpid" findmnt -rno TARGET,FSTYPE,PROPAGATION | grep -F "$SB_DATA/scratch" | sed 's/^/    /'
	wait "$spid"
	grep -E '^(rc|new_mounts)=' "$SB_CASE_DIR/client.out"
	expect_eq "$(client_rc)" 0 "alice's login (log: $(client_log))"
	expect_eq "$host_during" "$host_before" "host mount count during the login"
	expect_eq "$(wc -l </proc/self/mountinfo)" "$host_before" "host mount count after the login"
}
# Q1 without help: bob mounts and unmounts FUSE on the group directory in a loop while alice
# logs in N times; a login whose target got a second mount (bob's, on top of the clone) lost
# the race. Not a timing assertion: it fails if any login bound bob's mount.
case_rev_race_loop() {
	local n=${REV2_N:-300} i hits=0 ok=0 bobloop
	students_dir
	echo real >"$SB_DATA/scratch/students/REAL"
	plant_config "$SB_DATA/scratch/students" no
	sb_use_module
	: >"$SB_CASE_DIR/stop"; rm -f "$SB_CASE_DIR/stop"
	(
		while [ ! -e "$SB_CASE_DIR/stop" ]; do
			setpriv --reuid=bob --regid=bob --init-groups -- "$SB_FUSE_BIN" plain \
				"$SB_DATA/scratch/students" -o allow_other </dev/null >/dev/null 2>&1 &
			p=$!
			sleep 0.0$((RANDOM % 10))
			kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
		done
	) &
	bobloop=$!
	for ((i = 0; i < n; i++)); do
		client alice
		[ "$(client_rc)" = 0 ] && ok=$((ok + 1))
		if [ "$(grep -o "$SB_DATA/t " "$SB_CASE_DIR/client.out" | wc -l)" -gt 1 ]; then
			hits=$((hits + 1))
			grep '^new_mounts=' "$SB_CASE_DIR/client.out" | head -1
		fi
	done
	touch "$SB_CASE_DIR/stop"; wait "$bobloop"
	for c in $(_sb_fuse_conns "$SB_DATA/scratch/students" | awk '{print $1}'); do echo 1 >"/sys/fs/fuse/connections/$c/abort"; done
	while [ -n "$(_sb_fuse_conns "$SB_DATA/scratch/students")" ]; do umount -l -c "$SB_DATA/scratch/students"; done
	echo "logins $n, succeeded $ok, bound bob's mount $hits"
	[ "$hits" -eq 0 ] || fail "$hits of $n logins bound bob's FUSE on the target"
}

t_case "symlink planted by another user, either sysctl: optional skipped, required refused" case_symlink
t_case "the user's own symlink in /tmp is skipped for her and for others" case_symlink_own
t_case "control: a root-owned source in /tmp is bound" case_fuse_control
t_case "FUSE of another user (no allow_other) on the source: skipped or refused" case_fuse_user
t_case "FUSE (allow_other) that claims root owns everything: never bound" case_fuse_lying
t_case "FUSE (allow_other) that never answers: no login waits for it" case_fuse_hang
t_case "source inside another user's FUSE mount is never reached" case_fuse_inside
t_case "group directory: a member's FUSE (hanging) on it is left out, the real one bound" case_fuse_group
t_case "group directory: a member's FUSE without allow_other on it is left out" case_fuse_group_plain
t_case "group directory: a member's FUSE claiming root owns it all is left out" case_fuse_group_lying
t_case "group directory: a member's hanging FUSE without allow_other is left out" case_fuse_group_hang_private
t_case "group directory: a member's FUSE on the way is left out; his own directory is refused" case_fuse_group_inside
t_case "group directory in root's tmpfs: root's mount crossed, a member's FUSE left out" case_fuse_group_root_mount
t_case "group directory: a member's FUSE inside the bound directory comes along, ro, no wait" case_fuse_group_deeper
t_case "group directory: a target below a member's FUSE is refused or skipped" case_fuse_group_target
t_case "create=: the user's own hanging FUSE over her directory is left out" case_fuse_own_create
t_case "a FUSE mount made by root is used like any of root's mounts" case_fuse_root
t_case "in the user's home: this login's and root's mounts are crossed, her FUSE is not" case_home_mounts
t_case "create= in a directory where others may rename is refused or skipped" case_create_coverable_parent
t_case "a root directory that an ACL lets another user write to is hostile ground" case_acl_writable
t_case "optional create= rule: planted dir, symlink or FIFO in its place is skipped" case_create_optional
t_case "160 concurrent first logins with create=: none refused, one directory" case_create_concurrent
t_case "targets in a sticky directory: what another user plants is refused or skipped" case_target_planted
t_case "nested targets below the login's tmpfs never land on disk while the user swaps" case_nested_swap
t_case "root's file hard-linked into /tmp by another user is not bound" case_hardlink
t_case "/etc/security writable by a group refuses every login, naming it" case_config_parent_writable
t_case "config rewritten in place while logins run: full view or refused" case_config_rewrite
t_case "values are compared in ASCII under a Turkish locale" case_locale
t_case "no PAM_USER: refused, without a prompt" case_no_user
t_case "relative config= is refused" case_relative_config
t_case "group directory: 9 stacked FUSE mounts of a member are all left out" case_rev_stack9
t_case "group directory: a FUSE mount made between the detach and the clone is taken off" case_rev_race_clone
t_case "group directory: a member's FUSE with a bad root inode is left out" case_rev_badroot
t_case "group directory: the copies looked beneath are only in the login's namespace" case_rev_copy_visible
t_case "group directory: a member remounting FUSE in a loop never gets it bound" case_rev_race_loop
t_done
