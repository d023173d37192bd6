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
# view); then apt remove and apt purge, after which /etc/pam.d must be byte for byte what it
# was before and nothing of the package may be left but /run/mntns (until reboot).
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
include=systemd,systemd-sysv,dbus,dbus-user-session,openssh-server,libpam-systemd,sudo,cron,tmux,libpam-runtime,procps,iproute2
root_name=bookworm-$(printf '%s' "$include" | sha256sum | cut -c1-12)

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
check "a systemd-run --user service sees the user's namespace and /tmp" user_service
check "su -l alice joins alice's namespace" su_login
check "sudo -i and sudo in alice's session run in PID 1's view" sudo_root
check "a cron job of alice runs in her namespace" cron_job
check "a typo in one rule: root's ssh login opens, in PID 1's view" root_ssh_with_typo
check "a typo in one rule: alice's ssh login is refused (and works once the file is back)" alice_refused_then_back
check "a typo in one rule: sudo -i in alice's earlier session (tmux) runs in PID 1's view" with_typo typo_sudo_outer
check "bob's /var/tmp source broken: sudo -u bob in alice's tmux runs in PID 1's view, not with her /tmp" bob_broken_source
check "apt purge and install while alice's tmux runs: sudo -i there runs in PID 1's view; her /tmp and /var/tmp stay" purge_live
check "a reinstall keeps the module enabled" reinstalled
check "apt remove stops while a PAM file names the module by hand" remove_refused
check "apt remove: /etc/pam.d is byte for byte what it was" removed
check "apt purge: nothing of the package is left" purged
check "the container stops and leaves nothing on the host" stopped
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
