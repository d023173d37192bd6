# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# System test, sourced by tests/system/run.sh: the shipped [shm] rule gives each user a
# private /dev/shm. POSIX shared memory (shm_open) and named semaphores are files there, in a
# world-writable directory, so what one user leaves there must reach neither another user's
# login nor the system's view.

# shm_private: alice's ssh login has a tmpfs of the module's on /dev/shm (nosuid, nodev,
# noexec) and writes a file there; bob's ssh login does not see it, nor does PID 1's view.
shm_private() {
	local out mark=alice-shm-$$
	out=$(ssh_as alice "findmnt -rn -o FSTYPE,SOURCE,OPTIONS /dev/shm | tail -n 1; echo shared >/dev/shm/$mark") ||
		{ echo "ssh alice failed: $out"; return 1; }
	[[ $out =~ ^tmpfs\ pam_mntns\  ]] || { echo "alice's /dev/shm: $out"; return 1; }
	local o
	for o in nosuid nodev noexec; do
		[[ ,${out##* }, == *,$o,* ]] || { echo "alice's /dev/shm lacks $o: $out"; return 1; }
	done
	out=$(ssh_as bob "ls -A /dev/shm") || { echo "ssh bob failed: $out"; return 1; }
	! grep -qxF "$mark" <<<"$out" || { echo "bob sees alice's /dev/shm/$mark"; return 1; }
	! inside test -e "/dev/shm/$mark" || { echo "PID 1's view has alice's /dev/shm/$mark"; return 1; }
	# While her tmux (tmux_across) keeps her view, her next login shares that /dev/shm.
	out=$(ssh_as alice "cat /dev/shm/$mark 2>&1; rm -f /dev/shm/$mark") || { echo "second ssh alice failed: $out"; return 1; }
	[ ! -s "$tmp/tmux.pid" ] || [ "$out" = shared ] || { echo "alice's next login, /dev/shm/$mark: $out"; return 1; }
}
