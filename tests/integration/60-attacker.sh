#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Attacker suite: an unprivileged user sets a trap (symlinks, planted directories, FIFOs,
# sockets, files where a directory is expected, untrusted drop-ins, hostile names from NSS)
# before a login, on a machine set up as a stock Debian 12 server is (protected_* sysctls, see
# sb_debian_sysctls); the login must be refused (or safe) and nothing outside the intended place
# may change: owner/mode of what a symlink points to, /etc/shadow, the sandbox's mount table
# (checked after every case by t_case).  The first case of each group is a control: the same
# config without the trap works, so no case passes just because the module does nothing.
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
# shellcheck source=../lib/attacker.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/attacker.sh"
attacker_begin "$@"

# ------------------------------------------------------------ create= source in a 1777 dir

# create_config [TARGET]: a bind of $SHARED/%u (create = 0700) on TARGET (default %h/data).
create_config() {
	mkdir -p "$SHARED"
	chmod 1777 "$SHARED"
	install -d -m 0755 -o alice -g alice /home/alice/data
	sb_config_bind "$SHARED/%u" "${1:-%h/data}" 0700
}

case_create_control() {
	create_config
	expect_ok "no trap"
	expect_eq "$(stat -c '%U %a %F' "$SHARED/alice")" "alice 700 directory" "created source"
}

# trap_create WHAT REGEX CMD...: CMD (run as root helper below) plants $SHARED/alice.
create_trap() {
	local what=$1 re=$2
	shift 2
	create_config
	"$@" || fail "setting the trap failed: $*"
	BEFORE=$(snapshot)
	local kind
	kind=$(stat -c '%u %g %a %F' "$SHARED/alice")
	expect_refused "$what" "$re"
	expect_eq "$(stat -c '%u %g %a %F' "$SHARED/alice")" "$kind" "$what: the planted object"
}

case_create_symlink_etc() {
	create_trap "create= source planted as a symlink to /etc" 'symbolic link|not a directory' \
		as alice ln -s /etc "$SHARED/alice"
}
case_create_symlink_root() {
	create_trap "create= source planted as a symlink to /root" 'symbolic link|not a directory' \
		as alice ln -s /root "$SHARED/alice"
}
case_create_symlink_other() {
	create_trap "create= source planted by bob as a symlink to /home/bob" 'symbolic link|not a directory|refus' \
		as bob ln -s /home/bob "$SHARED/alice"
}
case_create_planted_dir() {
	create_trap "create= source pre-planted by bob as his own directory (0777)" 'not a directory owned|refusing' \
		as bob sh -c "mkdir $SHARED/alice && chmod 0777 $SHARED/alice && touch $SHARED/alice/bobs-file"
	expect_eq "$(stat -c '%U %a' "$SHARED/alice/bobs-file")" "bob 644" "bob's file in the planted directory"
}
case_create_fifo() {
	create_trap "create= source planted as a FIFO" 'not a directory|refus' \
		as alice mkfifo "$SHARED/alice"
}
case_create_file() {
	create_trap "create= source planted as a regular file" 'not a directory|refus' \
		as alice sh -c "echo x >$SHARED/alice"
}
plant_socket() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SHARED/alice" &&
		chown alice:alice "$SHARED/alice"
}
case_create_socket() {
	command -v python3 >/dev/null || skip "python3 not found (needed to make a socket)"
	create_trap "create= source planted as a unix socket" 'not a directory|refus' plant_socket
}
case_create_parent_symlink() {
	# The parent of the per-user source is replaced: a symlink to /etc in place of the 1777
	# directory would make %u's directory land in /etc.
	create_config
	rmdir "$SHARED"
	mkdir -m 1777 "$SHARED.real"
	ln -s /etc "$SHARED"
	# A link of a user's: one of root's where only root can write is root's choice, and is
	# followed (66-symlinks.sh).
	chown -h alice:alice "$SHARED"
	BEFORE=$(snapshot)
	expect_refused "parent of the create= source is a symlink to /etc" 'symbolic link'
	[ ! -e /etc/alice ] || fail "a directory was created in /etc"
}

# ------------------------------------------------------------ targets in the user's home

home_config() {
	install -d -m 0755 "$SB_DATA/src"
	echo data >"$SB_DATA/src/marker"
	install -d -m 0755 -o alice -g alice /home/alice/x /home/alice/deep /home/alice/deep/x
	sb_config <<EOF
[global]
users = * !root

[x]
type = bind
source = $SB_DATA/src
target = %h/x

[deep]
type = tmpfs
target = %h/deep/x
EOF
}

case_home_control() {
	home_config
	expect_ok "no trap"
	local out
	out=$(sb_as alice "cat ~/x/marker; $SB_BIN/sb-mnt /home/alice/deep/x") ||
		fail "control: runuser -l alice failed: $(sb_last_err)"
	expect_match "$out" $'^data\ntmpfs pam_mntns' "control: the view of the login"
}

home_trap() {
	local what=$1 re=$2
	shift 2
	home_config
	as alice "$@" || fail "setting the trap failed: $*"
	BEFORE=$(snapshot)
	expect_refused "$what" "$re"
}

case_home_target_symlink() {
	home_trap "%h/x replaced by the user with a symlink to /etc" 'symbolic link' \
		sh -c 'rmdir ~/x 2>/dev/null; rmdir /home/alice/x; ln -s /etc /home/alice/x'
}
case_home_parent_symlink() {
	home_trap "%h/deep (parent of a target) replaced with a symlink to /root" 'symbolic link' \
		sh -c 'rm -r /home/alice/deep && ln -s /root /home/alice/deep'
}
case_home_target_fifo() {
	home_trap "%h/x replaced with a FIFO (no hang)" 'not a directory|is not|is a FIFO' \
		sh -c 'rmdir /home/alice/x && mkfifo /home/alice/x'
}
case_home_target_file() {
	home_trap "%h/deep/x replaced with a regular file" 'not a directory|is not|must be' \
		sh -c 'rmdir /home/alice/deep/x && echo x >/home/alice/deep/x'
}

# ------------------------------------------------------------ planted bind source in /tmp

# x11_config [SOURCE [OPTIONAL]]: a bind of SOURCE (default /tmp/.X11-unix-test) on
# $SB_DATA/x11 (sb_config_bind), like the shipped [x11] rule; OPTIONAL (yes/no, default no).
x11_config() {
	install -d -m 0755 "$SB_DATA/x11"
	sb_config_bind "${1:-/tmp/.X11-unix-test}" "$SB_DATA/x11"
	echo "optional = ${2:-no}" | sb_config_add
}

case_planted_control() {
	x11_config
	install -d -m 1777 /tmp/.X11-unix-test
	expect_ok "source owned by root"
	rmdir /tmp/.X11-unix-test
	as alice mkdir -m 0700 /tmp/.X11-unix-test
	expect_ok "source owned by the user herself"
}

case_planted_by_bob() {
	x11_config
	as bob mkdir -m 0777 /tmp/.X11-unix-test || fail "bob cannot plant"
	BEFORE=$(snapshot)
	expect_refused "bind source planted by bob in world-writable /tmp" 'planted|world-writable'
	expect_eq "$(stat -c '%U %a' /tmp/.X11-unix-test)" "bob 777" "bob's planted directory"
}

case_planted_symlink() {
	x11_config
	as bob ln -s /root /tmp/.X11-unix-test || fail "bob cannot plant"
	BEFORE=$(snapshot)
	expect_refused "bind source planted by bob as a symlink to /root" 'planted|symbolic link'
}

# bob owns a directory in /tmp, and alice's source (with and without create=) lies inside it.
case_planted_deep() {
	as bob mkdir -m 0755 /tmp/shared-test || fail "bob cannot plant"
	as bob mkdir -m 0777 /tmp/shared-test/alice || fail "bob cannot plant"
	x11_config /tmp/shared-test/alice
	BEFORE=$(snapshot)
	expect_refused "source /tmp/shared-test/alice in bob's directory in /tmp" \
		'/tmp/shared-test is owned by uid [0-9]+ in a directory that others can write to'
	as bob rmdir /tmp/shared-test/alice
	create_config
	sed -i 's|^source = .*|source = /tmp/shared-test/%u|' /etc/security/mntns.conf
	BEFORE=$(snapshot)
	expect_refused "create= source /tmp/shared-test/%u in bob's directory in /tmp" \
		'/tmp/shared-test is owned by uid [0-9]+ in a directory that others can write to'
	[ ! -e /tmp/shared-test/alice ] || fail "create= made alice's directory inside bob's"
}

# An optional rule whose source was planted is skipped with a warning, not an error: else any
# user could deny every login by planting /tmp/.X11-unix where it is missing.
case_planted_optional() {
	local plant
	for plant in "mkdir -m 0777 /tmp/.X11-unix-test" "ln -s /root /tmp/.X11-unix-test"; do
		rm -rf /tmp/.X11-unix-test
		as bob sh -c "$plant" || fail "bob cannot plant: $plant"
		x11_config /tmp/.X11-unix-test yes
		expect_ok "optional rule, source planted by bob ($plant)"
		grep -qx 'new_mounts=' "$SB_CASE_DIR/client.out" ||
			fail "$plant: the planted source was mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
		expect_match "$(client_log)" 'may have been planted.*rule skipped' "$plant: warning"
	done
}

# ------------------------------------------------------------ drop-ins

dropin_config() {
	sb_config_tmp
	install -d -m 0755 "$SB_DATA/x"
}

# dropin_x: a trusted drop-in 20-x.conf with a tmpfs rule on $SB_DATA/x.
dropin_x() {
	sb_dropin 20-x.conf <<EOF
[x]
type = tmpfs
target = $SB_DATA/x
EOF
}

case_dropin_control() {
	dropin_config
	dropin_x
	expect_ok "root-owned 0644 drop-in"
}

case_dropin_symlink() {
	dropin_config
	as bob sh -c "printf '[x]\ntype = tmpfs\ntarget = /etc\n' >/tmp/evil.conf"
	ln -s /tmp/evil.conf /etc/security/mntns.d/20-x.conf
	BEFORE=$(snapshot)
	expect_refused "drop-in that is a symlink to a file bob wrote" '20-x.conf'
}

case_dropin_writable() {
	dropin_config
	dropin_x
	chmod 0666 /etc/security/mntns.d/20-x.conf
	BEFORE=$(snapshot)
	expect_refused "drop-in writable by others (0666)" '20-x.conf'
	chmod 0644 /etc/security/mntns.d/20-x.conf
	chown bob /etc/security/mntns.d/20-x.conf
	BEFORE=$(snapshot)
	expect_refused "drop-in owned by bob" '20-x.conf'
}

# ------------------------------------------------------------ hostile names from NSS

# nss_users: passwd/group files for nss_wrapper, so the sandbox's passwd is not touched.
nss_setup() {
	local lib
	for lib in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so /usr/lib64/libnss_wrapper.so; do
		[ -f "$lib" ] && NSSW=$lib && break
	done
	[ -n "${NSSW:-}" ] || skip "libnss_wrapper.so not found (apt-get install libnss-wrapper)"
	LONG=$(printf 'l%.0s' $(seq 1000))
	{
		grep '^root:' /etc/passwd
		echo "okuser:x:3901:3901::/home/alice:/bin/sh"
		echo "a/b:x:3902:3901::/home/alice:/bin/sh"
		echo "..:x:3903:3901::/home/alice:/bin/sh"
		echo "$LONG:x:3904:3901::/home/alice:/bin/sh"
		echo "linkhome:x:3905:3901::$SHARED/linkhome:/bin/sh"
		echo ".:x:3906:3901::/home/alice:/bin/sh"
		echo "maxuid:x:4294967295:3901::/home/alice:/bin/sh"
		echo "maxgid:x:3907:4294967295::/home/alice:/bin/sh"
	} >"$SB_CASE_DIR/passwd"
	{
		grep '^root:' /etc/group
		echo "okgroup:x:3901:"
	} >"$SB_CASE_DIR/group"
	chmod 0644 "$SB_CASE_DIR/passwd" "$SB_CASE_DIR/group"
	install -d -m 0755 "$SB_DATA/t"
	create_config "$SB_DATA/t"
	sb_use_module
}

# nss_client USER: pam-client with nss_wrapper preloaded (after the ASan runtime, when a
# memory checker's wrapper sets LD_PRELOAD itself).
nss_client() {
	local wrap=("${SB_WRAP[@]}") i preload=$NSSW
	for i in "${!wrap[@]}"; do
		if [[ ${wrap[i]} == LD_PRELOAD=* ]]; then
			wrap[i]=${wrap[i]}:$NSSW
			preload=""
		fi
	done
	LD_PRELOAD=$preload NSS_WRAPPER_PASSWD=$SB_CASE_DIR/passwd \
		NSS_WRAPPER_GROUP=$SB_CASE_DIR/group timeout -k 3 "$SB_CMD_TIMEOUT" \
		"${wrap[@]}" "$CLIENT" mntns-test "$1" >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
}

case_nss_names() {
	nss_setup
	nss_client okuser || fail "control: pam-client failed: $(sb_oneline_file client.err)"
	expect_eq "$(client_rc)" 0 "control: session of okuser from nss_wrapper (log: $(client_log))"
	expect_eq "$(stat -c '%u %a' "$SHARED/okuser")" "3901 700" "control: created source of okuser"
	rm -rf "$SHARED/okuser"
	BEFORE=$(snapshot; find "$SHARED" /var/lib -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort)
	local name what
	for name in "a/b" ".." "." "$LONG" $'new\nline'; do
		what="user name '$(_sb_oneline "${name:0:40}")' (${#name} chars)"
		nss_client "$name" || fail "$what: pam-client crashed or hung: $(sb_oneline_file client.err)"
		expect_ne "$(client_rc)" 0 "$what: pam_open_session result"
		grep -qx 'ns_changed=no' "$SB_CASE_DIR/client.out" || fail "$what: left in another namespace"
		echo "refused ($what): $(client_log)"
		[[ $(client_log) =~ name|unknown|user ]] || fail "$what: no clear syslog message: $(client_log)"
		[ "$(snapshot; find "$SHARED" /var/lib -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort)" = "$BEFORE" ] || fail "$what: something was created"
	done
}

# home_tmpfs_config TARGET: a tmpfs on TARGET (below %h) for everyone but root.
home_tmpfs_config() {
	sb_config <<EOF
[global]
users = * !root

[h]
type = tmpfs
target = $1
EOF
}

case_nss_home_symlink() {
	nss_setup
	home_tmpfs_config %h/x
	# Control: a home that is a real directory.
	install -d -m 0755 -o 3905 -g 3901 "$SHARED/linkhome" "$SHARED/linkhome/x"
	nss_client linkhome || fail "control: pam-client failed"
	expect_eq "$(client_rc)" 0 "control: home is a directory (log: $(client_log))"
	# Trap: the user turns the home in the 1777 dir into a symlink to /etc.
	rm -rf "$SHARED/linkhome"
	setpriv --reuid=3905 --regid=3901 --clear-groups ln -s /etc "$SHARED/linkhome"
	BEFORE=$(snapshot)
	nss_client linkhome || fail "pam-client crashed or hung: $(sb_oneline_file client.err)"
	expect_ne "$(client_rc)" 0 "home that is a symlink to /etc: result"
	expect_match "$(client_log)" 'symbolic link' "home that is a symlink: syslog message"
	[ "$(snapshot)" = "$BEFORE" ] || fail "something outside changed"
}

# A home that NSS puts in a sticky directory and that does not exist yet: another user makes
# it first, and the login of its owner must not mount over her directory.
case_nss_home_planted() {
	nss_setup
	home_tmpfs_config %h/.cache
	rm -rf "$SHARED/linkhome"
	as alice mkdir -m 0755 "$SHARED/linkhome" "$SHARED/linkhome/.cache"
	BEFORE=$(snapshot)
	nss_client linkhome || fail "pam-client crashed or hung: $(sb_oneline_file client.err)"
	expect_ne "$(client_rc)" 0 "home made by alice before its owner's login: result"
	expect_match "$(client_log)" "$SHARED/linkhome is owned by uid ${SB_UID[alice]} in a directory that others can write to" \
		"home made by another user: syslog message"
	grep -qx 'new_mounts=' "$SB_CASE_DIR/client.out" || fail "a mount was made"
	[ "$(snapshot)" = "$BEFORE" ] || fail "something outside changed"
}

# (uid_t)-1 is no one's id: fchown(fd, -1, -1) changes nothing, and a create= directory would
# be left root's, bound into the session.
case_nss_max_ids() {
	nss_setup
	BEFORE=$(snapshot; find "$SHARED" -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort)
	local name
	for name in maxuid maxgid; do
		nss_client "$name" || fail "$name: pam-client crashed or hung: $(sb_oneline_file client.err)"
		expect_ne "$(client_rc)" 0 "$name: pam_open_session result"
		expect_match "$(client_log)" 'uid or gid is 4294967295, which cannot own a file' "$name: syslog message"
		[ ! -e "$SHARED/$name" ] || fail "$name: $SHARED/$name was created: $(stat -c '%u %g %a' "$SHARED/$name")"
	done
	[ "$(snapshot; find "$SHARED" -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort)" = "$BEFORE" ] ||
		fail "something was created"
}

t_case "control: create= source in a 1777 dir is created for the user" case_create_control
t_case "create= source: symlink to /etc planted by the user is refused" case_create_symlink_etc
t_case "create= source: symlink to /root planted by the user is refused" case_create_symlink_root
t_case "create= source: symlink to bob's home planted by bob is refused" case_create_symlink_other
t_case "create= source: directory pre-planted by bob is refused, left as it was" case_create_planted_dir
t_case "create= source: FIFO in its place is refused without hanging" case_create_fifo
t_case "create= source: regular file in its place is refused" case_create_file
t_case "create= source: unix socket in its place is refused" case_create_socket
t_case "create= source: parent replaced by a symlink to /etc is refused" case_create_parent_symlink
t_case "control: targets inside the user's home are mounted" case_home_control
t_case "target %h/x swapped for a symlink to /etc by the user is refused" case_home_target_symlink
t_case "parent %h/deep of a target swapped for a symlink to /root is refused" case_home_parent_symlink
t_case "target %h/x replaced by a FIFO is refused without hanging" case_home_target_fifo
t_case "target replaced by a regular file is refused" case_home_target_file
t_case "control: bind source in /tmp owned by root or by the user is used" case_planted_control
t_case "bind source planted in /tmp by another user is refused" case_planted_by_bob
t_case "bind source planted in /tmp as a symlink is refused" case_planted_symlink
t_case "source inside a directory planted in /tmp by another user is refused" case_planted_deep
t_case "optional rule whose source was planted is skipped with a warning" case_planted_optional
t_case "control: trusted drop-in is used" case_dropin_control
t_case "drop-in that is a symlink is refused" case_dropin_symlink
t_case "drop-in writable by others or owned by a user is refused" case_dropin_writable
t_case "NSS names with '/', '..', '.', 1000 chars or a newline are refused for %u" case_nss_names
t_case "home directory that is a symlink (from NSS) is refused for a %h target" case_nss_home_symlink
t_case "home directory made first by another user in a sticky directory is refused" case_nss_home_planted
t_case "create= for a user whose uid or gid is 4294967295 is refused, nothing made" case_nss_max_ids
t_done
