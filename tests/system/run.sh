#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# System test: the Debian package on a booted Debian 12 with systemd as PID 1.
#
# Builds libpam-mntns with `make deb` (from the release tarball), boots a Debian 12 root in a
# container on this machine (systemd-nspawn --boot, host network) and there, as an
# administrator would: installs the package with apt, enables it with pam-auth-update, and
# logs in over ssh as two users. Checks the private /tmp, the logind session and
# /run/user/UID, a `systemd-run --user` service in the user's namespace (scope = user),
# tmux across two ssh logins, su -l, sudo -i and a cron job; a typo in mntns.conf (root still
# logs in, alice does not, sudo -i from her earlier session still reaches PID 1's view) and a
# broken rule only bob uses (sudo -u bob from alice's session must not see her /tmp); apt
# purge and install while alice's tmux runs (root's login from there still reaches PID 1's
# view); a view and its /tmp freed once user@.service stops after the last logout (while
# bob's tmux keeps his), and kept while the user lingers; an account deleted and made again
# (userdel -r, useradd with another uid), and the ageing of the tmpfiles.d line; then apt
# remove and apt purge, after which /etc/pam.d must be byte for byte what it was before and
# nothing of the package may be left but /run/mntns (until reboot). Then tests/system/ansible.sh
# rolls the package out again with the Ansible role of contrib/ansible.
#
# The root is made once with debootstrap from Debian's archive and kept in
# /var/cache/pam_mntns-tests (MNTNS_SYSTEM_CACHE); each run puts an overlay over it, so the
# cache never changes. Output: TAP, then "N passed, N failed". Without root, or where the
# container cannot be made, every test is skipped with the reason; under CI=true that is a
# failure.
#
# usage: tests/system/run.sh [BUILD_DIR]   (BUILD_DIR: a configured build tree; default: a
#        fresh one in the temporary directory)
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${MNTNS_SYSTEM_CACHE:-/var/cache/pam_mntns-tests}
mirror=${MNTNS_SYSTEM_MIRROR:-http://deb.debian.org/debian}
include=systemd,systemd-sysv,dbus,dbus-user-session,openssh-server,libpam-systemd,sudo,cron,tmux,libpam-runtime,procps,iproute2,python3,slapd,ldap-utils,sssd-ldap,sssd-tools,libnss-sss,libpam-sss
root_name=bookworm-$(printf '%s' "$include" | sha256sum | cut -c1-12)

source "$repo/tests/system/ldap.sh"
source "$repo/tests/system/ansible.sh"
source "$repo/tests/system/shm.sh"

n=0 passed=0 failed=0 skip_all="" tmp="" nspawn_pid="" leader="" cg=()

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1${2:+ # $2}"
}
skip() {
	n=$((n + 1))
	if [ "${CI:-}" = true ]; then
		failed=$((failed + 1))
		echo "not ok $n - $1 # skipped under CI=true: $2"
	else
		passed=$((passed + 1))
		echo "ok $n - $1 # SKIP $2"
	fi
}
# check NAME COMMAND...: one test, passed when COMMAND succeeds; its output is the reason,
# followed by what the module logged in the container meanwhile (as TAP comments).
check() {
	local name=$1 out t0
	shift
	if [ -n "$skip_all" ]; then
		skip "$name" "$skip_all"
		return 1
	fi
	# MNTNS_SYSTEM_ONLY=REGEX: only the checks whose name matches (and the boot), to work on some.
	if [ -n "${MNTNS_SYSTEM_ONLY:-}" ] && ! [[ $name =~ boots|$MNTNS_SYSTEM_ONLY ]]; then
		skip "$name" "not in MNTNS_SYSTEM_ONLY"
		return 1
	fi
	t0=$(date +%s)
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "$(printf '%s' "$out" | tr '\n\t' '  ' | cut -c1-400)"
		[ -z "$leader" ] || inside journalctl -q --no-pager -o cat --since "@$t0" 2>/dev/null |
			grep -F 'pam_mntns(' | tail -n 6 | cut -c1-300 | sed 's/^/#   /'
		return 1
	fi
}

# inside CMD...: run CMD in the container, as root, in all of its namespaces.
inside() { timeout -k 5 120 nsenter -t "$leader" -a -- "$@"; }
# ssh_as USER CMD: ssh to the container's sshd.
ssh_as() {
	timeout -k 5 60 ssh -F /dev/null -i "$tmp/id" -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes \
		-o LogLevel=ERROR -o ConnectTimeout=10 -p "$port" "$1@127.0.0.1" "$2" </dev/null
}

# in_view PID USER CMD: runs the shell command CMD as USER in the mount namespace of the
# container's process PID, without a login (nsenter and setpriv: no PAM session).
in_view() {
	inside nsenter -t "$1" -m -- setpriv --reuid="$2" --regid="$2" --init-groups -- \
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="/home/$2" USER="$2" LOGNAME="$2" sh -c "$3"
}

# in_tmux CMD: runs the shell command CMD in a new window of alice's tmux server (started by
# tmux_across, in her view, and still running when her ssh logins have ended), as she would
# from a pane; waits for it to end, then prints its output (its errors on stderr).
in_tmux() {
	local f=/home/alice/.in-tmux tmux_pid
	tmux_pid=$(cat "$tmp/tmux.pid" 2>/dev/null)
	[ -n "$tmux_pid" ] || { echo "no tmux server of alice (tmux_across failed)" >&2; return 1; }
	inside rm -f "$f.sh" "$f.out" "$f.err" "$f.done"
	printf '{\n%s\n} >%s.out 2>%s.err\ntouch %s.done\n' "$1" "$f" "$f" "$f" | inside sh -c "cat >$f.sh" ||
		return 1
	in_view "$tmux_pid" alice "tmux new-window -d -t work 'sh $f.sh'" || { echo "tmux new-window failed"; return 1; }
	for _ in $(seq 300); do
		inside test -e "$f.done" && break
		sleep 0.2
	done
	inside test -e "$f.done" || { echo "the tmux window did not finish within 60 s" >&2; return 1; }
	inside cat "$f.err" >&2
	inside cat "$f.out"
}

# stop: poweroff (SIGTERM to nspawn), then, for whatever is left of the container, the
# cgroup.kill of our cgroup (every process in it, by the kernel; never by name). Removes
# the overlay and the cgroups. Prints what could not be cleaned up.
stop() {
	local d left=""
	if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
		kill -TERM "$nspawn_pid"
		for _ in $(seq 200); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
	fi
	for d in "${cg[@]}"; do
		[ -f "$d/cgroup.kill" ] && [ -n "$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] &&
			echo 1 >"$d/cgroup.kill"
	done
	[ -z "$nspawn_pid" ] || wait "$nspawn_pid" 2>/dev/null
	nspawn_pid=""
	for _ in $(seq 50); do
		left=""
		for d in "${cg[@]}"; do
			[ -z "$(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null)" ] || left+="$d "
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || echo "processes left in $left"
	# nspawn's payload/ and supervisor/ below ours, deepest first.
	for d in "${cg[@]}"; do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[ ! -d "$d" ] || echo "cgroup $d left"
	done
	cg=()
	if [ -n "$tmp" ] && mountpoint -q "$tmp/root"; then
		umount "$tmp/root" 2>/dev/null || umount -l "$tmp/root"
	fi
}

cleanup() {
	stop >&2
	[ -z "$tmp" ] || rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

# ---------------------------------------------------------------- preparation

prepare() {
	[ "$(id -u)" = 0 ] || { skip_all="not root: booting a container needs root"; return; }
	local t
	for t in debootstrap systemd-nspawn nsenter dpkg-buildpackage lintian ssh ssh-keygen; do
		command -v "$t" >/dev/null || { skip_all="$t not found (tests/setup-deps.sh installs it)"; return; }
	done
	tmp=$(mktemp -d /var/tmp/pam_mntns-system.XXXXXX) || { skip_all="mktemp failed"; return; }

	# The package, from the release tarball.
	local build=${1:-$tmp/build}
	if [ ! -f "$build/Makefile" ]; then
		bash "$repo/tests/build.sh" "$build" >"$tmp/build.log" 2>&1 ||
			{ skip_all="build failed: $(tail -n 3 "$tmp/build.log" | tr '\n' ' ')"; return; }
	fi
	make -C "$build" deb >"$tmp/deb.log" 2>&1 ||
		{ skip_all="make deb failed: $(tail -n 5 "$tmp/deb.log" | tr '\n' ' ')"; return; }
	deb=$(ls "$build"/deb-build/libpam-mntns_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { skip_all="make deb made no libpam-mntns_*.deb"; return; }

	# The Debian 12 root, made once.
	if [ ! -x "$cache/$root_name/usr/bin/systemctl" ]; then
		mkdir -p "$cache"
		# An interrupted debootstrap may leave its proc, sys or dev mounts in there.
		if [ -d "$cache/$root_name.new" ]; then
			findmnt -rn -o TARGET | grep -F "$cache/$root_name.new" | sort -r |
				while read -r m; do umount -l "$m"; done
			rm -rf --one-file-system "$cache/$root_name.new"
		fi
		echo "# debootstrap bookworm into $cache/$root_name (once)" >&2
		timeout 1800 debootstrap --variant=minbase --include="$include" bookworm "$cache/$root_name.new" \
			"$mirror" >"$tmp/debootstrap.log" 2>&1 ||
			{ skip_all="debootstrap failed: $(tail -n 3 "$tmp/debootstrap.log" | tr '\n' ' ')"; return; }
		mv "$cache/$root_name.new" "$cache/$root_name"
	fi

	# This run's root: an overlay, so the cache stays as it is.
	mkdir -p "$tmp/upper" "$tmp/work" "$tmp/root"
	mount -t overlay pam_mntns-system \
		-o "lowerdir=$cache/$root_name,upperdir=$tmp/upper,workdir=$tmp/work" "$tmp/root" ||
		{ skip_all="overlay mount failed"; return; }
	local r=$tmp/root
	for u in alice bob; do
		chroot "$r" useradd -m -s /bin/bash "$u" || { skip_all="useradd $u failed"; return; }
	done
	ssh-keygen -q -t ed25519 -N '' -f "$tmp/id" </dev/null || { skip_all="ssh-keygen failed"; return; }
	for u in alice bob; do
		install -d -m 0700 "$r/home/$u/.ssh"
		install -m 0600 "$tmp/id.pub" "$r/home/$u/.ssh/authorized_keys"
		chroot "$r" chown -R "$u:$u" "/home/$u/.ssh"
	done
	# root logs in with the key too (Debian's sshd: PermitRootLogin prohibit-password).
	install -d -m 0700 "$r/root/.ssh"
	install -m 0600 "$tmp/id.pub" "$r/root/.ssh/authorized_keys"
	echo 'alice ALL=(ALL:ALL) NOPASSWD: ALL' >"$r/etc/sudoers.d/alice"
	chmod 0440 "$r/etc/sudoers.d/alice"
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] || break
	done
	printf 'Port %s\nListenAddress 127.0.0.1\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n' \
		"$port" >"$r/etc/ssh/sshd_config.d/pam_mntns-test.conf"
	ldap_prepare "$r"
	cp "$deb" "$r/root/"
	deb_name=${deb##*/}
	# lintian, on the package and the .changes of the build; it fails on any error or warning.
	lintian_out=$(cd "${deb%/*}" && lintian -I --pedantic --fail-on error,warning \
		"${deb##*/}" ./*.changes 2>&1) && lintian_rc=0 || lintian_rc=$?
	# /etc/pam.d as it is before the package comes.
	(cd "$r/etc/pam.d" && sha256sum -- * | sort) >"$tmp/pam.d.before"

	# Its own cgroups, or nspawn's payload/ and supervisor/ land at the host's root.
	local d
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		d=/sys/fs/cgroup/pam_mntns-system.$$ # cgroup v2 only
		mkdir -p "$d" && cg+=("$d")
	else
		for d in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do # hybrid
			[ -d "$d" ] || continue
			mkdir -p "$d/pam_mntns-system.$$" && cg+=("$d/pam_mntns-system.$$")
		done
	fi
	[ ${#cg[@]} -gt 0 ] || { skip_all="no cgroup hierarchy to put the container in"; return; }
	(
		for d in "${cg[@]}"; do echo "$BASHPID" >"$d/cgroup.procs"; done
		export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
		exec systemd-nspawn -q -D "$r" --boot --register=no --keep-unit \
			--console=read-only -M "mntns$$" >"$tmp/boot.log" 2>&1
	) &
	nspawn_pid=$!
	# The container's init: nspawn's child in a PID namespace of its own (its first child
	# may be a short-lived helper still in ours).
	local c self_pidns
	self_pidns=$(readlink /proc/self/ns/pid)
	for _ in $(seq 300); do
		for c in $(cat "/proc/$nspawn_pid/task/$nspawn_pid/children" 2>/dev/null); do
			[ "$(readlink "/proc/$c/ns/pid" 2>/dev/null)" != "$self_pidns" ] && leader=$c
		done
		[ -n "$leader" ] && break
		kill -0 "$nspawn_pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$leader" ] || { skip_all="systemd-nspawn did not start: $(tail -n 5 "$tmp/boot.log" | tr '\n' ' ')"; return; }
}

booted() {
	local state=""
	# Until systemd has its socket, systemctl cannot even ask.
	for _ in $(seq 240); do
		state=$(inside systemctl is-system-running 2>&1)
		case $state in
		running | degraded)
			# The host name resolves, or every sudo says it cannot.
			inside sh -c 'grep -qw "$(hostname)" /etc/hosts || echo "127.0.1.1 $(hostname)" >>/etc/hosts'
			return 0
			;;
		stopping | offline | maintenance) break ;;
		esac
		sleep 0.25
	done
	echo "system state: $state; $(inside systemctl --failed --no-legend 2>&1 | tr '\n' ' ')"
	tail -n 5 "$tmp/boot.log"
	return 1
}

# ---------------------------------------------------------------- checks

installed() {
	local out
	inside apt-get install -y -q "/root/$deb_name" >"$tmp/apt.log" 2>&1 || { tail -n 5 "$tmp/apt.log"; return 1; }
	inside dpkg -s libpam-mntns | grep -q '^Status: install ok installed' || return 1
	[ "$(inside stat -c '%U %a' /run/mntns)" = "root 700" ] || { echo "/run/mntns: $(inside stat -c '%U %a' /run/mntns 2>&1)"; return 1; }
	# vartmp is root's alone: a user reaches their directory only as their /var/tmp, so an
	# account that gets a deleted account's uid cannot read what that account left there.
	[ "$(inside stat -c '%U %a' /var/lib/mntns/vartmp 2>&1)" = "root 700" ] ||
		{ echo "/var/lib/mntns/vartmp: $(inside stat -c '%U %a' /var/lib/mntns/vartmp 2>&1)"; return 1; }
	# The tmpfiles.d lines parse, and ageing removes nothing new.
	out=$(inside systemd-tmpfiles --create --clean /usr/lib/tmpfiles.d/libpam-mntns.conf 2>&1) &&
		[ -z "$out" ] || { echo "systemd-tmpfiles on libpam-mntns.conf: $out"; return 1; }
	# Installing enables nothing (the profile says Default: no).
	! inside grep -q pam_mntns /etc/pam.d/common-session || { echo "enabled on install"; return 1; }
}

enabled() {
	inside pam-auth-update --enable mntns || return 1
	local f lines
	for f in common-session common-session-noninteractive; do
		# After pam_unix (the primary block), before pam_systemd (which starts systemd --user).
		lines=$(inside grep -nE '^session.*(pam_unix|pam_mntns|pam_systemd)\.so' "/etc/pam.d/$f" |
			sed -E 's/^([0-9]+):.*(pam_[a-z]+)\.so.*/\2/' | tr '\n' ' ')
		case $f:$lines in
		common-session:"pam_unix pam_mntns pam_systemd ") ;;
		common-session-noninteractive:"pam_unix pam_mntns ") ;;
		*) echo "$f: order is '$lines'"; inside cat "/etc/pam.d/$f"; return 1 ;;
		esac
	done
}

ssh_login() {
	local out
	out=$(ssh_as alice 'echo ns=$(readlink /proc/self/ns/mnt); echo tmp=$(findmnt -n -o FSTYPE,SOURCE /tmp | tail -n 1);
		echo session=$XDG_SESSION_ID; echo rundir=$(test -d /run/user/$(id -u) && echo yes);
		echo active=$(loginctl show-session "$XDG_SESSION_ID" -p Active --value); echo mark >/tmp/alice-mark') ||
		{ echo "ssh alice failed"; return 1; }
	echo "$out" >"$tmp/alice.login"
	grep -qx 'tmp=tmpfs pam_mntns' <<<"$out" || { echo "$out"; return 1; }
	grep -qE '^session=[0-9]+$' <<<"$out" || { echo "no logind session: $out"; return 1; }
	grep -qx 'rundir=yes' <<<"$out" || { echo "no /run/user/UID: $out"; return 1; }
	grep -qx 'active=yes' <<<"$out" || { echo "session not active: $out"; return 1; }
	[ "$(sed -n 's/^ns=//p' <<<"$out")" != "$(inside readlink /proc/1/ns/mnt)" ] || { echo "still in PID 1's namespace"; return 1; }
}

alice_ns() { sed -n 's/^ns=//p' "$tmp/alice.login"; }

second_user() {
	local out
	out=$(ssh_as bob 'echo ns=$(readlink /proc/self/ns/mnt); ls -A /tmp') || { echo "ssh bob failed"; return 1; }
	[ "$(sed -n 's/^ns=//p' <<<"$out")" != "$(alice_ns)" ] || { echo "bob shares alice's namespace"; return 1; }
	! grep -q alice-mark <<<"$out" || { echo "bob sees alice's /tmp: $out"; return 1; }
}

tmux_across() {
	# It runs until removed() ends it: later checks run commands in it (in_tmux).
	ssh_as alice "tmux new-session -d -s work 'sleep infinity'" || { echo "tmux new-session failed"; return 1; }
	local out
	out=$(ssh_as alice 'tmux ls; echo ns=$(readlink /proc/self/ns/mnt); echo pid=$(tmux display -p "#{pid}")') || return 1
	sed -n 's/^pid=//p' <<<"$out" >"$tmp/tmux.pid"
	grep -q '^work: ' <<<"$out" || { echo "tmux ls: $out"; return 1; }
	# tmux keeps alice's namespace: the one of her first login.
	[ "$(sed -n 's/^ns=//p' <<<"$out")" = "$(alice_ns)" ] || { echo "another namespace: $out vs $(alice_ns)"; return 1; }
}

user_service() {
	local out
	out=$(ssh_as alice 'systemd-run --user --wait --pipe --quiet readlink /proc/self/ns/mnt; systemd-run --user --wait --pipe --quiet cat /tmp/alice-mark') ||
		{ echo "systemd-run --user failed: $out"; return 1; }
	[ "$out" = "$(alice_ns)
mark" ] || { echo "the user service: $out (alice: $(alice_ns))"; return 1; }
}

su_login() {
	local out
	out=$(inside su -l alice -c 'readlink /proc/self/ns/mnt; cat /tmp/alice-mark') || return 1
	[ "$out" = "$(alice_ns)
mark" ] || { echo "su -l alice: $out"; return 1; }
}

sudo_root() {
	local out init
	init=$(inside readlink /proc/1/ns/mnt)
	out=$(ssh_as alice 'sudo -i readlink /proc/self/ns/mnt; sudo readlink /proc/self/ns/mnt') || return 1
	[ "$out" = "$init
$init" ] || { echo "sudo -i / sudo in alice's session: $out (PID 1's: $init)"; return 1; }
}

cron_job() {
	printf '* * * * * readlink /proc/self/ns/mnt >/home/alice/cron.ns; cat /tmp/alice-mark >>/home/alice/cron.ns\n' |
		inside crontab -u alice - || return 1
	for _ in $(seq 150); do
		inside test -s /home/alice/cron.ns && break
		sleep 0.5
	done
	sleep 1
	local out
	out=$(inside cat /home/alice/cron.ns 2>&1) || { echo "no cron job ran within 75 s"; return 1; }
	[ "$out" = "$(alice_ns)
mark" ] || { echo "the cron job: $out"; return 1; }
	inside crontab -u alice -r
}

# ---------------------------------------------------------------- a broken configuration

conf=/etc/security/mntns.conf
# with_typo FUNC: runs FUNC with a typo in one rule of the shipped mntns.conf ("optoins" in
# [vartmp]; mntns-plan must call it an error), then puts the file back, whatever FUNC did.
with_typo() {
	local rc=0
	inside cp -p "$conf" /root/mntns.conf.good || return 1
	inside sed -i 's/^options *= *nosuid,nodev$/optoins = nosuid/' "$conf" || rc=1
	[ "$rc" = 1 ] || inside grep -q '^optoins = nosuid$' "$conf" || { echo "no line for the typo in $conf"; rc=1; }
	if [ "$rc" = 0 ] && inside mntns-plan alice >"$tmp/plan.out" 2>&1; then
		echo "mntns-plan accepts the typo: $(cat "$tmp/plan.out")"
		rc=1
	fi
	[ "$rc" = 1 ] || "$1" || rc=1
	inside cp -p /root/mntns.conf.good "$conf" || { echo "could not put $conf back"; rc=1; }
	return "$rc"
}

# root is never locked out: [global] reads cleanly and leaves root out, so root's ssh
# session opens, untouched, in PID 1's view.
typo_root_ssh() {
	local out
	out=$(ssh_as root 'echo session=$XDG_SESSION_ID; echo ns=$(readlink /proc/self/ns/mnt)') ||
		{ echo "root's ssh login failed: $(tail -n 2 <<<"$out")"; return 1; }
	grep -qE '^session=[0-9]+$' <<<"$out" || { echo "no logind session: $out"; return 1; }
	[ "$(sed -n 's/^ns=//p' <<<"$out")" = "$(inside readlink /proc/1/ns/mnt)" ] ||
		{ echo "root's session is not in PID 1's view: $out"; return 1; }
}

root_ssh_with_typo() {
	ssh_as root true >/dev/null || { echo "root's ssh login fails even with the shipped $conf"; return 1; }
	with_typo typo_root_ssh
}

# alice may be selected by the broken rule: her login is refused, and works again once the
# file is put back (checked by the caller, after with_typo).
typo_alice_refused() {
	local out
	if out=$(ssh_as alice 'echo in-session' 2>&1) || grep -q in-session <<<"$out"; then
		echo "alice's ssh login went through: $out"
		return 1
	fi
}
alice_refused_then_back() {
	with_typo typo_alice_refused || return 1
	ssh_as alice true || { echo "alice's ssh login fails after $conf was put back"; return 1; }
}

# In alice's session opened before the typo (her tmux), sudo -i still runs root in PID 1's
# view: sudo runs the command even when the session fails.
typo_sudo_outer() {
	local out init
	init=$(inside readlink /proc/1/ns/mnt)
	out=$(in_tmux 'sudo -i readlink /proc/self/ns/mnt') || return 1
	[ "$out" = "$init" ] || { echo "sudo -i in alice's tmux: $out (PID 1's: $init)"; return 1; }
}

# A rule that only bob's login uses is broken (his /var/tmp directory is someone else's), and
# nothing of bob's runs, so his login builds a view and fails: sudo -u bob from alice's
# session then runs bob's command in the outer view, which does not have alice's /tmp.
bob_broken_source() {
	local d made="" out init rc=0
	d=/var/lib/mntns/vartmp/bob.$(inside id -u bob) || return 1
	init=$(inside readlink /proc/1/ns/mnt)
	for _ in $(seq 120); do
		inside pgrep -u bob >/dev/null || break
		sleep 0.5
	done
	! inside pgrep -u bob >/dev/null || { echo "bob's processes still run: $(inside pgrep -a -u bob | tr '\n' ' ')"; return 1; }
	[ "$(in_tmux 'cat /tmp/alice-mark')" = mark ] || { echo "alice's tmux has no /tmp/alice-mark"; return 1; }
	if inside test -d "$d"; then
		inside chown alice:alice "$d" || return 1
	else
		inside install -d -o alice -g alice -m 0700 "$d" || return 1
		made=1
	fi
	out=$(in_tmux 'sudo -u bob sh -c "readlink /proc/self/ns/mnt; cat /tmp/alice-mark"') || rc=1
	if [ -n "$made" ]; then inside rmdir "$d"; else inside chown bob:bob "$d"; fi || { echo "could not put $d back"; rc=1; }
	[ "$rc" = 0 ] || return 1
	! grep -qx mark <<<"$out" || { echo "bob's command read alice's /tmp: $out"; return 1; }
	[ "$(head -n 1 <<<"$out")" = "$init" ] || { echo "bob's command ran in $out, not in PID 1's view ($init)"; return 1; }
}

# ---------------------------------------------------------------- the end of a view; accounts

# uid USER: USER's uid in the container.
uid() { inside id -u "$1"; }

# user_stopped UID: waits (at most 90 s: logind stops it UserStopDelaySec, 10 s by default,
# after the user's last session) until user@UID.service is no longer active.
user_stopped() {
	local state=""
	for _ in $(seq 360); do
		state=$(inside systemctl is-active "user@$1.service" 2>/dev/null)
		case $state in inactive | failed) return 0 ;; esac
		sleep 0.25
	done
	echo "user@$1.service still $state after 90 s"
	return 1
}

# no_procs UID: waits (at most 30 s) until no process of UID runs in the container.
no_procs() {
	for _ in $(seq 120); do
		inside pgrep -u "$1" >/dev/null || return 0
		sleep 0.25
	done
	echo "processes of uid $1 still run: $(inside pgrep -a -u "$1" | tr '\n' ' ')"
	return 1
}

# in_ns NS: the pids of the processes that have a thread in the mount namespace NS
# ("mnt:[INODE]"): a thread may have a namespace of its own (unshare(CLONE_FS) and setns).
in_ns() {
	inside sh -c 'find /proc/[0-9]*/task/[0-9]*/ns/mnt -maxdepth 0 -printf "%l %p\n" 2>/dev/null' |
		awk -v ns="$1" '$1 == ns { split($2, p, "/"); print p[3] }' | sort -u
}

# ns_freed NS: waits (at most 20 s) until no process is in NS.
ns_freed() {
	for _ in $(seq 80); do
		[ -n "$(in_ns "$1")" ] || return 0
		sleep 0.25
	done
	echo "still in $1: $(in_ns "$1" | while read -r p; do inside ps -o pid=,user=,args= -p "$p"; done | tr '\n' ' ')"
	return 1
}

shmem_kb() { inside awk '/^Shmem:/ { print $2 }' /proc/meminfo; }

# tmux_of USER NAME: starts a tmux server of USER in an ssh login of its own, which then
# ends; prints "NS PID": the login's namespace and the server's pid.
tmux_of() {
	local out
	out=$(ssh_as "$1" "tmux new-session -d -s $2 'sleep infinity' && echo ns=\$(readlink /proc/self/ns/mnt) pid=\$(tmux display -p '#{pid}')") ||
		{ echo "tmux of $1: $out" >&2; return 1; }
	[[ $out =~ ^ns=(mnt:\[[0-9]+\])\ pid=([0-9]+)$ ]] || { echo "tmux of $1: $out" >&2; return 1; }
	echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
}

# Under systemd a user's view outlives their last ssh logout by the few seconds that
# user@.service stays; once it has stopped nothing is left in it: the kernel frees the
# namespace and the tmpfs /tmp with it. Meanwhile bob's tmux, left running from an earlier
# login, keeps bob's. (alice's tmux from tmux_across is ended first: it would keep hers.)
freed_at_logout() {
	local rc=0 bob_ns bob_pid
	[ ! -s "$tmp/tmux.pid" ] || in_view "$(cat "$tmp/tmux.pid")" alice 'tmux kill-server' >/dev/null 2>&1
	: >"$tmp/tmux.pid"
	read -r bob_ns bob_pid < <(tmux_of bob keep) && [ -n "$bob_pid" ] || return 1
	in_view "$bob_pid" bob 'echo kept >/tmp/bob-kept' || rc=1
	[ "$rc" = 1 ] || freed_alice "$bob_ns" "$bob_pid" || rc=1
	in_view "$bob_pid" bob 'tmux kill-server' >/dev/null 2>&1
	return "$rc"
}

# freed_alice NS PID: the namespace of bob's tmux and its pid.
freed_alice() {
	local a out ns s0 s1 s2="" mb=50 drop=0
	a=$(uid alice) || return 1
	user_stopped "$a" && no_procs "$a" || return 1
	s0=$(shmem_kb)
	out=$(ssh_as alice "echo ns=\$(readlink /proc/self/ns/mnt); dd if=/dev/zero of=/tmp/alice-big bs=1M count=$mb status=none &&
		awk '/^Shmem:/ { print \"shmem=\" \$2 }' /proc/meminfo") || { echo "alice's ssh login: $out"; return 1; }
	ns=$(sed -n 's/^ns=//p' <<<"$out") s1=$(sed -n 's/^shmem=//p' <<<"$out")
	[ -n "$ns" ] && [ -n "$s1" ] || { echo "alice's ssh login: $out"; return 1; }
	# tmpfs pages count in Shmem (the whole machine's: other work moves it too, hence the
	# margin of half the file either way).
	[ $((s1 - s0)) -ge $((mb * 1024 / 2)) ] ||
		{ echo "Shmem rose by $((s1 - s0)) kB only with a $mb MB file in alice's /tmp"; return 1; }
	# The probe sees a namespace that is in use: bob's, held by his tmux (and with it his
	# session, which stays "closing", and his user@.service).
	in_ns "$1" | grep -qx "$2" ||
		{ echo "bob's tmux $2 is not in bob's namespace $1: $(in_ns "$1" | tr '\n' ' ')"; return 1; }
	user_stopped "$a" || return 1
	ns_freed "$ns" || return 1
	for _ in $(seq 80); do
		s2=$(shmem_kb)
		drop=$((s1 - s2))
		[ "$drop" -lt $((mb * 1024 / 2)) ] || break
		sleep 0.25
	done
	[ "$drop" -ge $((mb * 1024 / 2)) ] ||
		{ echo "Shmem dropped by $drop kB only once alice's namespace was gone ($s1 kB with her file, $s2 kB now)"; return 1; }
	out=$(ssh_as bob 'echo ns=$(readlink /proc/self/ns/mnt); cat /tmp/bob-kept') || { echo "bob's ssh login: $out"; return 1; }
	[ "$out" = "ns=$1
kept" ] || { echo "bob's login after his tmux kept his view: $out (his tmux: $1)"; return 1; }
}

# sessions_gone USER: waits (at most 30 s) until logind lists no session of USER.
sessions_gone() {
	for _ in $(seq 120); do
		[ -n "$(inside loginctl show-user "$1" -p Sessions --value 2>/dev/null)" ] || return 0
		sleep 0.25
	done
	echo "$1 still has sessions: $(inside loginctl show-user "$1" -p Sessions --value)"
	return 1
}

# With linger, alice's user@.service does not stop at her logout, and her view stays with it:
# a later login still sees her /tmp. Once linger is off again and user@.service has stopped,
# the view is freed. Leaves linger off.
lingering() {
	local rc=0
	inside loginctl enable-linger alice || return 1
	lingering_on || rc=1
	inside loginctl disable-linger alice || { echo "loginctl disable-linger alice failed"; rc=1; }
	[ "$rc" = 1 ] || lingering_off || rc=1
	return "$rc"
}

lingering_on() {
	local a out delay
	a=$(uid alice) || return 1
	for _ in $(seq 120); do
		[ "$(inside systemctl is-active "user@$a.service")" = active ] && break
		sleep 0.25
	done
	out=$(ssh_as alice 'readlink /proc/self/ns/mnt; echo lingered >/tmp/alice-linger') || { echo "alice's ssh login: $out"; return 1; }
	echo "$out" >"$tmp/linger.ns"
	sessions_gone alice || return 1
	# Past the moment user@.service would stop without linger (logind's UserStopDelaySec
	# after the last session), it still runs.
	delay=$(inside busctl get-property org.freedesktop.login1 /org/freedesktop/login1 \
		org.freedesktop.login1.Manager UserStopDelayUSec 2>/dev/null | awk '$1 == "t" { print int($2 / 1000000) }')
	sleep $((${delay:-10} + 3))
	[ "$(inside systemctl is-active "user@$a.service")" = active ] ||
		{ echo "user@$a.service stopped although alice lingers"; return 1; }
	[ -n "$(in_ns "$out")" ] || { echo "nothing left in alice's view $out"; return 1; }
	out=$(ssh_as alice 'readlink /proc/self/ns/mnt; cat /tmp/alice-linger') || { echo "alice's second ssh login: $out"; return 1; }
	[ "$out" = "$(cat "$tmp/linger.ns")
lingered" ] || { echo "alice's login after a lingering logout: $out (her view: $(cat "$tmp/linger.ns"))"; return 1; }
}

lingering_off() {
	local a ns out
	a=$(uid alice) || return 1
	ns=$(cat "$tmp/linger.ns")
	user_stopped "$a" && ns_freed "$ns" || return 1
	# (Not its namespace's inode: the kernel gives a freed one to the next namespace made.)
	out=$(ssh_as alice 'ls -A /tmp') || { echo "alice's ssh login: $out"; return 1; }
	! grep -qx alice-linger <<<"$out" || { echo "alice's new view has the old /tmp: $out"; return 1; }
}

vartmp=/var/lib/mntns/vartmp

# add_user NAME UID: a user that logs in over ssh with the test's key.
add_user() {
	inside useradd -m -s /bin/bash -u "$2" "$1" || { echo "useradd $1 failed"; return 1; }
	inside install -d -o "$1" -g "$1" -m 0700 "/home/$1/.ssh" &&
		inside install -o "$1" -g "$1" -m 0600 /root/.ssh/authorized_keys "/home/$1/.ssh/"
}

# del_user NAME: ends everything of NAME, then userdel -r.
del_user() {
	local u out
	u=$(uid "$1") || return 1
	inside loginctl terminate-user "$1" 2>/dev/null
	no_procs "$u" || return 1
	out=$(inside userdel -r "$1" 2>&1) || { echo "userdel -r $1: $out"; return 1; }
}

# Accounts come and go: userdel -r leaves carol's /var/tmp directory; a new carol (another
# uid) logs in and finds her /var/tmp empty, and so does dave, who gets the old carol's uid
# (and cannot open her directory either). The old one stays, until aged or removed. Removes
# the users and their directories again, with the command that mntns.conf documents.
accounts() {
	local rc=0 u
	for u in 2001 2002; do
		! inside getent passwd "$u" >/dev/null || { echo "uid $u is taken: $(inside getent passwd "$u")"; return 1; }
	done
	accounts_come_and_go || rc=1
	for u in carol dave; do
		! inside id "$u" >/dev/null 2>&1 || del_user "$u" || rc=1
	done
	inside rm -rf --one-file-system "$vartmp/carol.2001" "$vartmp/carol.2002" "$vartmp/dave.2001" || rc=1
	return "$rc"
}

accounts_come_and_go() {
	local out
	add_user carol 2001 || return 1
	out=$(ssh_as carol 'echo old carol >/var/tmp/carol-data') || { echo "the first carol's ssh login: $out"; return 1; }
	del_user carol || return 1
	add_user carol 2002 || return 1
	out=$(ssh_as carol 'id -u; ls -A /var/tmp; echo new carol >/var/tmp/carol-data') ||
		{ echo "the new carol's ssh login failed: $out"; return 1; }
	[ "$out" = 2002 ] || { echo "the new carol (uid 2002) finds in her /var/tmp: $out"; return 1; }
	inside test -f "$vartmp/carol.2001/carol-data" ||
		{ echo "no $vartmp/carol.2001/carol-data: $(inside ls -l "$vartmp")"; return 1; }
	[ "$(inside stat -c '%u %a' "$vartmp/carol.2002")" = "2002 700" ] ||
		{ echo "$vartmp/carol.2002: $(inside stat -c '%u %a' "$vartmp/carol.2002" 2>&1)"; return 1; }
	add_user dave 2001 || return 1
	out=$(ssh_as dave "id -u; ls -A /var/tmp; cat $vartmp/carol.2001/carol-data 2>/dev/null || true") ||
		{ echo "dave's ssh login failed: $out"; return 1; }
	[ "$out" = 2001 ] || { echo "dave, on the old carol's uid 2001, finds: $out"; return 1; }
	[ "$(inside cat "$vartmp/carol.2001/carol-data")" = "old carol" ] ||
		{ echo "the old carol's data is gone before it was aged or removed"; return 1; }
}

# Ageing (the shipped tmpfiles.d line, with an age of 0 so that everything is old enough):
# what is in the NAME.UID directories goes, the directories themselves stay, so bob's live
# view keeps a /var/tmp he can write to; version 0.1's directories (NAME) are left alone.
# The other users' directories are kept out of it (x DIR/*: an x line for a directory that
# the e line's glob names is not looked at); puts back what it made.
aging() {
	local rc=0 bob_ns bob_pid
	read -r bob_ns bob_pid < <(tmux_of bob age) && [ -n "$bob_pid" ] || return 1
	aging_run "$bob_pid" || rc=1
	in_view "$bob_pid" bob 'tmux kill-server' >/dev/null 2>&1
	inside rm -rf --one-file-system "$vartmp/gone.2999" "$vartmp/gone" "$vartmp/dot.ted.2998" \
		/root/age0.conf || rc=1
	inside sh -c "rm -rf --one-file-system $vartmp/bob.$(uid bob)/*" || rc=1
	return "$rc"
}

# aging_run PID: PID is bob's tmux server.
aging_run() {
	local b d e keep out
	b=$(uid bob) || return 1
	in_view "$1" bob 'echo b >/var/tmp/bob-age && mkdir /var/tmp/bob-sub && echo c >/var/tmp/bob-sub/f' || return 1
	# A deleted account's directory, one of a name with dots, and one of version 0.1.
	for d in gone.2999 dot.ted.2998 gone; do
		inside install -d -o 2999 -g 2999 -m 0700 "$vartmp/$d" "$vartmp/$d/sub" &&
			inside sh -c "echo old >$vartmp/$d/file && echo old >$vartmp/$d/sub/file" || return 1
	done
	keep=$(inside sh -c "ls -A $vartmp" | grep -vxE "gone|gone\.2999|dot\.ted\.2998|bob\.$b" |
		sed "s|.*|x $vartmp/&/*|")
	out=$(inside sed -E 's/^(e .*) 30d$/\1 0/' /usr/lib/tmpfiles.d/libpam-mntns.conf) || return 1
	grep -qE '^e .* 0$' <<<"$out" || { echo "no e line with an age of 30d: $out"; return 1; }
	printf '%s\n%s\n' "$out" "$keep" | inside sh -c 'cat >/root/age0.conf' || return 1
	out=$(inside systemd-tmpfiles --clean /root/age0.conf 2>&1) || { echo "systemd-tmpfiles --clean: $out"; return 1; }
	out=$(inside sh -c "cd $vartmp && find gone.2999 dot.ted.2998 gone bob.$b | sort")
	e="bob.$b
dot.ted.2998
gone
gone.2999
gone/file
gone/sub
gone/sub/file"
	[ "$out" = "$e" ] || { echo "after ageing: $(tr '\n' ' ' <<<"$out")(expected: $(tr '\n' ' ' <<<"$e"))"; return 1; }
	out=$(in_view "$1" bob 'echo after >/var/tmp/after && cat /var/tmp/after') && [ "$out" = after ] ||
		{ echo "bob's live view cannot write to its /var/tmp after ageing: $out"; return 1; }
}

# ---------------------------------------------------------------- reinstalling, removing

# /run/mntns as a purge leaves it: root's 0700, no namespace pinned below it.
run_dir_kept() {
	[ "$(inside stat -c '%U %a' /run/mntns 2>&1)" = "root 700" ] ||
		{ echo "/run/mntns after purge: $(inside stat -c '%U %a' /run/mntns 2>&1)"; return 1; }
	local pins
	pins=$(inside findmnt -rn -t nsfs -o TARGET | grep '^/run/mntns/')
	[ -z "$pins" ] || { echo "pins left after purge: $pins"; return 1; }
}

# apt purge and apt install while alice's tmux runs: the views that live on keep their record
# (removing /run/mntns would detach it in every namespace, and root's login from her tmux
# would then stay in her view, taken for a foreign one), and her /var/tmp directory stays.
purge_live() {
	local out init said kept=ok back=ok
	init=$(inside readlink /proc/1/ns/mnt)
	in_tmux 'echo live >/tmp/alice-live && echo live >/var/tmp/alice-live' || return 1
	inside apt-get purge -y -q libpam-mntns >"$tmp/apt.log" 2>&1 || { tail -n 5 "$tmp/apt.log"; return 1; }
	said=$(grep 'libpam-mntns: ' "$tmp/apt.log")
	kept=$(run_dir_kept) && kept=ok
	# Installed and enabled again, whatever the checks below find: the later checks need it.
	inside apt-get install -y -q "/root/$deb_name" >"$tmp/apt.log" 2>&1 || { tail -n 5 "$tmp/apt.log"; return 1; }
	inside pam-auth-update --enable mntns || return 1
	out=$(in_tmux 'sudo -i readlink /proc/self/ns/mnt; cat /tmp/alice-live /var/tmp/alice-live') || back=""
	[ -n "$back" ] && [ "$out" = "$init
live
live" ] || { echo "in alice's tmux after purge and install: $out (PID 1's: $init)"; back=""; }
	[ "$kept" = ok ] || { echo "$kept"; back=""; }
	grep -q "removing the users' /var/tmp data" <<<"$said" || { echo "purge did not say it removes the users' /var/tmp data: $said"; back=""; }
	grep -qx "libpam-mntns: keeping /var/lib/mntns/vartmp/alice.$(inside id -u alice): .*" <<<"$said" || { echo "purge did not keep alice's /var/tmp directory: $said"; back=""; }
	[ -n "$back" ]
}

# Reinstalling (as an upgrade does) keeps the module enabled.
reinstalled() {
	inside apt-get install -y -q --reinstall "/root/$deb_name" >"$tmp/apt.log" 2>&1 || { tail -n 5 "$tmp/apt.log"; return 1; }
	inside grep -q pam_mntns /etc/pam.d/common-session || { echo "disabled by a reinstall"; return 1; }
}

# A line added by hand, which pam-auth-update does not manage, stops the removal: without the
# module, that stack would refuse every session.
remove_refused() {
	inside cp /etc/pam.d/sshd /root/sshd.orig
	inside sh -c 'echo "session required pam_mntns.so" >>/etc/pam.d/sshd'
	if inside apt-get remove -y -q libpam-mntns >"$tmp/apt.log" 2>&1; then
		echo "apt remove went through with pam_mntns.so in /etc/pam.d/sshd"
		return 1
	fi
	grep -q 'named in /etc/pam.d/sshd' "$tmp/apt.log" || { tail -n 5 "$tmp/apt.log"; return 1; }
	inside dpkg -s libpam-mntns | grep -q '^Status: install ok installed' || { echo "left half-removed"; return 1; }
	inside grep -q pam_mntns /etc/pam.d/common-session || { echo "disabled although the removal stopped"; return 1; }
	inside cp /root/sshd.orig /etc/pam.d/sshd
}

removed() {
	# alice's tmux server, the one tmux_across started (a login now may get another view).
	[ ! -s "$tmp/tmux.pid" ] || in_view "$(cat "$tmp/tmux.pid")" alice 'tmux kill-server' >/dev/null 2>&1
	inside apt-get remove -y -q libpam-mntns >"$tmp/apt.log" 2>&1 || { tail -n 5 "$tmp/apt.log"; return 1; }
	(cd "$tmp/root/etc/pam.d" && sha256sum -- * | sort) >"$tmp/pam.d.removed"
	diff "$tmp/pam.d.before" "$tmp/pam.d.removed" || return 1
	! inside sh -c 'ls /lib/*/security/pam_mntns.so' 2>/dev/null || { echo "the module is still there"; return 1; }
}

# With nothing of alice's and bob's running any more, purge removes their /var/tmp
# directories (saying so) and everything of the package but /run/mntns (gone at reboot).
purged() {
	for _ in $(seq 120); do
		inside pgrep -u alice,bob >/dev/null || break
		sleep 0.5
	done
	! inside pgrep -u alice,bob >/dev/null || { echo "still running: $(inside pgrep -a -u alice,bob | tr '\n' ' ')"; return 1; }
	inside apt-get purge -y -q libpam-mntns >"$tmp/apt.log" 2>&1 || { tail -n 5 "$tmp/apt.log"; return 1; }
	grep -qF "libpam-mntns: removing /var/lib/mntns/vartmp/alice.$(inside id -u alice)" "$tmp/apt.log" ||
		{ echo "purge did not say it removes alice's /var/tmp data: $(grep 'libpam-mntns: ' "$tmp/apt.log")"; return 1; }
	(cd "$tmp/root/etc/pam.d" && sha256sum -- * | sort) >"$tmp/pam.d.purged"
	diff "$tmp/pam.d.before" "$tmp/pam.d.purged" || return 1
	local p left=""
	for p in /etc/security/mntns.conf /etc/security/mntns.d /usr/sbin/mntns-plan \
		/usr/share/pam-configs/mntns /usr/lib/tmpfiles.d/libpam-mntns.conf /var/lib/mntns \
		/usr/share/doc/libpam-mntns /usr/share/man/man8/pam_mntns.8.gz; do
		inside test -e "$p" && left+="$p "
	done
	[ -z "$left" ] || { echo "left after purge: $left"; return 1; }
	run_dir_kept || return 1
	! inside dpkg -s libpam-mntns >/dev/null 2>&1 || { echo "dpkg still knows the package"; return 1; }
}

# The administrator's tool on the booted system: bob's tmux keeps his view; mntnsctl list
# shows it (text and JSON), check passes, reset without --yes ends nothing, with --yes it
# ends his tmux, and his next login starts with a fresh /tmp.
admin_tool() {
	local b out bob_ns bob_pid
	b=$(uid bob) || return 1
	read -r bob_ns bob_pid < <(tmux_of bob admin) && [ -n "$bob_pid" ] || return 1
	in_view "$bob_pid" bob 'echo mine >/tmp/bob-admin' || { echo "bob cannot write to /tmp"; return 1; }
	out=$(inside mntnsctl list) || { echo "mntnsctl list: $out"; return 1; }
	grep -qE "^bob +$b +${bob_ns//[][]/.} " <<<"$out" || { echo "mntnsctl list, bob in $bob_ns: $out"; return 1; }
	out=$(inside mntnsctl list --json) || { echo "mntnsctl list --json: $out"; return 1; }
	grep -q "\"uid\": *$b[,}]" <<<"$out" || { echo "mntnsctl list --json: $out"; return 1; }
	out=$(inside mntnsctl check bob) || { echo "mntnsctl check bob: $out"; return 1; }
	out=$(inside mntnsctl reset bob 2>&1) && { echo "reset without --yes succeeded: $out"; return 1; }
	inside kill -0 "$bob_pid" || { echo "reset without --yes ended bob's tmux"; return 1; }
	out=$(inside mntnsctl reset bob --yes 2>&1) || { echo "mntnsctl reset bob --yes: $out"; return 1; }
	for _ in $(seq 50); do inside kill -0 "$bob_pid" 2>/dev/null || break; sleep 0.1; done
	! inside kill -0 "$bob_pid" 2>/dev/null || { echo "bob's tmux $bob_pid survived the reset: $out"; return 1; }
	out=$(ssh_as bob 'echo ns=$(readlink /proc/self/ns/mnt); ls -A /tmp') || { echo "bob's login after the reset failed"; return 1; }
	! grep -qx bob-admin <<<"$out" || { echo "bob's /tmp after the reset still has his file: $out"; return 1; }
}

lintian_clean() {
	# I: and P: lines are information.
	echo "$lintian_out" | grep -v 'root privileges'
	[ "$lintian_rc" = 0 ] && ! grep -qE '^[EW]: ' <<<"$lintian_out"
}

lintian_out="" lintian_rc=1
stopped() {
	stop >"$tmp/stop.out" 2>&1
	[ ! -s "$tmp/stop.out" ] || { cat "$tmp/stop.out"; return 1; }
	! findmnt -rn -o TARGET | grep -qF "$tmp/" || { echo "mounts left: $(findmnt -rn -o TARGET | grep -F "$tmp/")"; return 1; }
}

prepare "${1:-}"
check "lintian: no error and no warning on the package" lintian_clean
check "the Debian 12 root boots with systemd as PID 1" booted || skip_all=${skip_all:-"the container did not boot"}
check "apt installs the package; /run/mntns and /var/lib/mntns/vartmp exist; nothing enabled yet" installed
check "pam-auth-update --enable mntns: after pam_unix, before pam_systemd" enabled
check "ssh login: private /tmp, a logind session, /run/user/UID" ssh_login
check "a second user's ssh login: a namespace of its own" second_user
check "tmux started in one ssh login is listed from the next, in the same namespace" tmux_across
check "/dev/shm in an ssh login is private: alice's file is seen neither by bob nor in PID 1's view" shm_private
check "a systemd-run --user service sees the user's namespace and /tmp" user_service
check "su -l alice joins alice's namespace" su_login
check "sudo -i and sudo in alice's session run in PID 1's view" sudo_root
check "a cron job of alice runs in her namespace" cron_job
ldap_check "LDAP: slapd on 127.0.0.1 only; sssd serves its users and groups; mntns-plan applies @group rules" ldap_up
ldap_check "LDAP: users only in the directory log in over ssh; @group rules of LDAP groups, 300 groups" ldap_logins
ldap_check "LDAP: in lucy's ssh login, sudo -i runs in PID 1's view, sudo -u leo in his; su -l joins hers" ldap_nested
ldap_check "LDAP stopped: root, alice and lucy (from sssd's cache) log in" ldap_down
ldap_check "LDAP frozen (SIGSTOP): root, alice and lucy log in once sssd's timeouts pass" ldap_frozen
ldap_check "sssd stopped: root and alice log in; the module logs alice's failed group lookup, asks nothing of root's" ldap_nss_down
check "a typo in one rule: root's ssh login opens, in PID 1's view" root_ssh_with_typo
check "a typo in one rule: alice's ssh login is refused (and works once the file is back)" alice_refused_then_back
check "a typo in one rule: sudo -i in alice's earlier session (tmux) runs in PID 1's view" with_typo typo_sudo_outer
check "bob's /var/tmp source broken: sudo -u bob in alice's tmux runs in PID 1's view, not with her /tmp" bob_broken_source
check "apt purge and install while alice's tmux runs: sudo -i there runs in PID 1's view; her /tmp and /var/tmp stay" purge_live
check "a reinstall keeps the module enabled" reinstalled
check "apt remove stops while a PAM file names the module by hand" remove_refused
check "logout: once user@UID.service stops, alice's view and its /tmp are freed; bob's tmux keeps his" freed_at_logout
check "linger: alice's user@.service and view outlive her logout; freed once linger is off" lingering
check "userdel -r carol, useradd carol (new uid): she logs in to an empty /var/tmp, as dave on the old uid does" accounts
check "tmpfiles ages what is in the NAME.UID directories, never the directories, nor those of 0.1" aging
check "mntnsctl: list shows bob's view, check passes, reset ends it (only with --yes)" admin_tool
check "apt remove: /etc/pam.d is byte for byte what it was" removed
check "apt purge: nothing of the package is left" purged
ansible_check "ansible: the role and the example playbook pass --syntax-check" ansible_syntax
ansible_check "ansible: ci.yml renders and checks each host's files of the example inventory; a broken drop-in fails" ansible_ci
ansible_check "ansible: the first run installs the .deb, writes mntns.conf and the drop-ins of the host's groups, enables the module" ansible_first
ansible_check "ansible: a second run changes nothing (changed=0)" ansible_second
ansible_check "ansible: --check --diff reports an edit by hand and a stray drop-in and changes nothing; a run puts them right" ansible_drift
ansible_check "ansible: a broken template (main file, drop-in) or a mangled value fails before anything is written" ansible_broken
ansible_check "ansible: logins after the role get the groups' drop-ins (alice in students, bob not); root's is untouched" ansible_logins
check "the container stops and leaves nothing on the host" stopped
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
