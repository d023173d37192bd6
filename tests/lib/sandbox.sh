# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# shellcheck shell=bash
# Shared sandbox and TAP reporter for the pam_mntns integration tests.
#
# A test script sources this file, calls `sb_begin "$@"`, registers its cases with
# `t_case NAME FUNCTION` and ends with `t_done`.  sb_begin re-executes the script inside
# `unshare --mount` and gives that private mount namespace (the "host" of the tests) its own
# /etc/pam.d, /etc/security, /etc/passwd, /etc/group, /etc/shadow, /home, /root, /tmp and a
# writable overlay on /var/lib, all backed by one temporary directory, so real PAM clients
# (pamtester, runuser -l, su -l, sshd) run the module without the real host ever being touched.
# `/` is made rshared first, as systemd does, so propagation bugs of the module show up.  The
# sandbox is a PID namespace too, whose PID 1 is the script itself: PID 1's mount namespace is
# the sandbox's, which is what the module takes for the outer view of nested logins.  Every
# process a script leaves behind ends with it.  /run is an overlay, so /run/mntns (the locks of
# scope = user) is the sandbox's own; it is emptied after each case.
#
# Without root and CAP_SYS_ADMIN, or before the module is built, every case is reported as
# skipped with the reason; under CI=true a skip is reported as a failure.
#
# Environment: PAM_MNTNS_SO (module, default <repo>/pam_module/.libs/pam_mntns.so),
# PAM_MNTNS_PLAN (mntns-plan tool), PAM_MNTNS_CTL (mntnsctl, default next to mntns-plan), SB_TMPDIR (where the temp dir goes, default /var/tmp),
# SB_VERBOSE=1 (print each case's log also when it passes), SB_TIMING=1 (print each case's
# duration), SB_CMD_TIMEOUT / SB_CASE_TIMEOUT (seconds), CI=true.

SB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SB_REPO=$(cd "$SB_LIB_DIR/../.." && pwd)
SB_MODULE=${PAM_MNTNS_SO:-$SB_REPO/pam_module/.libs/pam_mntns.so}
case $SB_MODULE in /*) ;; *) SB_MODULE=$PWD/$SB_MODULE ;; esac
SB_PLAN_TOOL=${PAM_MNTNS_PLAN:-$SB_REPO/pam_module/mntns-plan}
case $SB_PLAN_TOOL in /*) ;; *) SB_PLAN_TOOL=$PWD/$SB_PLAN_TOOL ;; esac
# mntnsctl: by default the one built next to mntns-plan.
SB_CTL_TOOL=${PAM_MNTNS_CTL:-$(dirname "$SB_PLAN_TOOL")/mntnsctl}
case $SB_CTL_TOOL in /*) ;; *) SB_CTL_TOOL=$PWD/$SB_CTL_TOOL ;; esac
SB_SCRIPT=$(readlink -f "$0")
SB_CMD_TIMEOUT=${SB_CMD_TIMEOUT:-20}   # seconds for one PAM client run
SB_CASE_TIMEOUT=${SB_CASE_TIMEOUT:-90} # seconds for one case

# Memory checkers (set by tests/lib/sanitize.sh): SB_CLIENT_WRAP is a command prefix for every
# PAM client (pamtester, runuser, su; sshd too unless SB_SSHD_WRAP is set), in which @LOGS@
# stands for a directory the checker writes its reports to.  Reports that concern the module
# fail the case they appeared in.
# SB_SSHD_WRAP_CMD / SB_SU_WRAP_CMD, when set (even empty), replace it for sshd / su.
SB_WRAP=()
SB_SSHD_WRAP=()
SB_SU_WRAP=()

SB_TAP_N=0
SB_TAP_FAILED=0
SB_SKIP_ALL=""    # set: every case is skipped with this reason
SB_SETUP_ERROR="" # set: every case fails with this reason
SB_BASELINE=""    # the sandbox's mount table before the first case
SB_HOST_MOUNTS="" # "ID MOUNTPOINT" of each mount the sandbox got from the host
SB_MOUNTS_GONE="" # set by _sb_mounts_compare
SB_CASE_PID=""    # the subshell running the current case

# ---------------------------------------------------------------- TAP reporter

_sb_oneline() { printf '%s' "$*" | tr '\n\t' '  ' | sed 's/  */ /g; s/ $//'; }

t_ok() {
	SB_TAP_N=$((SB_TAP_N + 1))
	echo "ok $SB_TAP_N - $1"
}

t_fail() {
	SB_TAP_N=$((SB_TAP_N + 1))
	SB_TAP_FAILED=$((SB_TAP_FAILED + 1))
	echo "not ok $SB_TAP_N - $1 # $(_sb_oneline "${2:-failed}")"
}

t_skip() {
	SB_TAP_N=$((SB_TAP_N + 1))
	if [ "${CI:-}" = true ]; then
		# In CI nothing may be silently skipped: the missing prerequisite is a failure.
		SB_TAP_FAILED=$((SB_TAP_FAILED + 1))
		echo "not ok $SB_TAP_N - $1 # CI=true, cannot skip: $(_sb_oneline "$2")"
	else
		echo "ok $SB_TAP_N - $1 # SKIP $(_sb_oneline "$2")"
	fi
}

t_diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }

# Print the plan and return non-zero when a case failed; call last.
t_done() {
	echo "1..$SB_TAP_N"
	[ "$SB_TAP_FAILED" -eq 0 ]
}

# ---------------------------------------------------------------- start-up

# Prints why the sandbox cannot be built here; returns 1 when it can.
_sb_privilege_problem() {
	local capeff
	if [ "$(id -u)" != 0 ]; then
		echo "needs root with CAP_SYS_ADMIN (running as uid $(id -u))"
		return 0
	fi
	capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
	if [ -z "$capeff" ] || (((16#$capeff >> 21 & 1) == 0)); then
		echo "needs CAP_SYS_ADMIN (CapEff=$capeff)"
		return 0
	fi
	if ! unshare --mount true 2>/dev/null; then
		echo "cannot create a mount namespace (unshare --mount failed)"
		return 0
	fi
	return 1
}

_sb_missing_tools() {
	local t missing=""
	for t in unshare mount umount findmnt runuser su pamtester timeout awk; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] && return 1
	echo "missing tools:$missing"
}

# sb_begin "$@": call once, right after sourcing.  In the original process it checks the
# prerequisites and re-runs the script inside a new mount namespace (then exits with its
# status); inside that namespace it builds the sandbox and returns.
sb_begin() {
	if [ -n "${SB_INNER:-}" ]; then
		_sb_inner_setup
		return 0
	fi
	local why
	if why=$(_sb_privilege_problem); then
		SB_SKIP_ALL=$why
		return 0
	fi
	if [ ! -f "$SB_MODULE" ]; then
		SB_SKIP_ALL="module not built: $SB_MODULE does not exist (run make, or set PAM_MNTNS_SO)"
		return 0
	fi
	if why=$(_sb_missing_tools); then
		SB_SKIP_ALL=$why
		return 0
	fi
	local parent=${SB_TMPDIR:-/var/tmp} rc
	SB_ROOT=$(mktemp -d "$parent/pam_mntns-it.XXXXXX") || {
		SB_SETUP_ERROR="cannot create a temporary directory in $parent"
		return 0
	}
	# The temp dir is the only thing created outside the namespace; it is removed at the end.
	trap 'rm -rf --one-file-system "$SB_ROOT"' EXIT
	# Test a snapshot of the build, so a rebuild during the run cannot mix two versions.
	local module=$SB_MODULE plan=$SB_PLAN_TOOL ctl=$SB_CTL_TOOL
	mkdir -m 0755 "$SB_ROOT/build"
	chmod 0755 "$SB_ROOT"
	cp "$SB_MODULE" "$SB_ROOT/build/pam_mntns.so" && module=$SB_ROOT/build/pam_mntns.so
	if [ -f "$SB_PLAN_TOOL" ] && [ "$(head -c 4 "$SB_PLAN_TOOL" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		cp "$SB_PLAN_TOOL" "$SB_ROOT/build/mntns-plan" && plan=$SB_ROOT/build/mntns-plan
	fi
	if [ -f "$SB_CTL_TOOL" ] && [ "$(head -c 4 "$SB_CTL_TOOL" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		cp "$SB_CTL_TOOL" "$SB_ROOT/build/mntnsctl" && ctl=$SB_ROOT/build/mntnsctl
	fi
	# The test clients' sources, the shipped mntns.conf and this file too: the sandbox binds
	# its own /tmp and /home, which hide a checkout that lives below them.
	cp "$SB_REPO"/tests/clients/*.c "$SB_REPO/conf/mntns.conf" "$SB_LIB_DIR/sandbox.sh" \
		"$SB_ROOT/build/" 2>/dev/null
	SB_INNER=1 SB_ROOT=$SB_ROOT SB_HOST_NS=$(readlink /proc/self/ns/mnt) \
		PAM_MNTNS_SO=$module PAM_MNTNS_PLAN=$plan PAM_MNTNS_CTL=$ctl SB_MODULE_BUILT=$SB_MODULE \
		unshare --mount --propagation private --pid --fork --mount-proc -- \
		"$BASH" "$SB_SCRIPT" "$@"
	rc=$?
	rm -rf --one-file-system "$SB_ROOT"
	trap - EXIT
	exit "$rc"
}

_sb_setup_error() {
	SB_SETUP_ERROR=$*
	echo "# sandbox setup failed: $*" >&2
	return 1
}

_sb_inner_setup() {
	SB_NS=$(readlink /proc/self/ns/mnt)
	if [ -z "${SB_HOST_NS:-}" ] || [ "$SB_NS" = "$SB_HOST_NS" ] || [ ! -d "${SB_ROOT:-}" ]; then
		echo "Bail out! not in a private mount namespace; refusing to mount anything"
		exit 1
	fi
	# Before the sandbox mounts anything: what it has from the host (see "the sandbox's mount
	# table" below).
	SB_HOST_MOUNTS=$(awk '{ print $1, $5 }' /proc/self/mountinfo)
	trap '_sb_inner_exit' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	SB_DATA=$SB_ROOT/data   # root-owned scratch dirs for rules (sources, targets)
	SB_FLAGS=$SB_ROOT/flags # world-writable: sessions and the test meet here
	SB_BIN=$SB_ROOT/bin     # helper scripts usable inside sessions
	SB_MNT=$SB_ROOT/mnt     # mount points for mounts the "host" makes
	SB_SSH=$SB_ROOT/ssh
	umask 022
	chmod 0755 "$SB_ROOT"
	mkdir -p "$SB_DATA" "$SB_FLAGS" "$SB_BIN" "$SB_MNT" "$SB_SSH" "$SB_ROOT/etc/pam.d" \
		"$SB_ROOT/etc/security" "$SB_ROOT/home" "$SB_ROOT/tmp" "$SB_ROOT/ovl" "$SB_ROOT/root"
	chmod 0700 "$SB_ROOT/root" # root's login shell must not run the host's dotfiles
	chmod 1777 "$SB_FLAGS" "$SB_ROOT/tmp"

	mount --make-rshared / || {
		_sb_setup_error "mount --make-rshared / failed"
		return
	}
	_sb_write_bin_helpers
	_sb_setup_wrappers
	_sb_make_users || return
	cp -a /etc/security/. "$SB_ROOT/etc/security/" 2>/dev/null
	# sudo: alice may become anyone without a password (the nested-login cases).
	printf 'Defaults !fqdn, !lecture, !syslog\nroot ALL=(ALL:ALL) ALL\nalice ALL=(ALL:ALL) NOPASSWD: ALL\n' \
		>"$SB_ROOT/etc/sudoers"
	chmod 0440 "$SB_ROOT/etc/sudoers"
	[ -e /etc/sudoers ] || _sb_setup_error "/etc/sudoers missing (is sudo installed? tests/setup-deps.sh)"
	rm -rf "$SB_ROOT/etc/security/mntns.conf" "$SB_ROOT/etc/security/mntns.d"
	_sb_bind "$SB_ROOT/etc/passwd" /etc/passwd &&
		_sb_bind "$SB_ROOT/etc/group" /etc/group &&
		_sb_bind "$SB_ROOT/etc/shadow" /etc/shadow &&
		_sb_bind "$SB_ROOT/etc/pam.d" /etc/pam.d &&
		_sb_bind "$SB_ROOT/etc/security" /etc/security &&
		_sb_bind "$SB_ROOT/home" /home &&
		_sb_bind "$SB_ROOT/root" /root &&
		_sb_bind "$SB_ROOT/tmp" /tmp &&
		_sb_bind "$SB_ROOT/etc/sudoers" /etc/sudoers &&
		sb_overlay /var/lib && sb_overlay /run || return
	rm -rf /run/mntns
	if [ -n "${SB_TRACE_SETUP:-}" ]; then cat /proc/self/mountinfo >&2; fi
	return 0
}

_sb_setup_wrappers() {
	SB_LOGS=$SB_ROOT/checker-logs
	mkdir -p "$SB_LOGS/seen"
	chmod 1777 "$SB_LOGS"
	read -ra SB_WRAP <<<"${SB_CLIENT_WRAP//@LOGS@/$SB_LOGS}"
	local sshd_wrap=${SB_SSHD_WRAP_CMD-${SB_CLIENT_WRAP:-}} su_wrap=${SB_SU_WRAP_CMD-${SB_CLIENT_WRAP:-}}
	read -ra SB_SSHD_WRAP <<<"${sshd_wrap//@LOGS@/$SB_LOGS}"
	read -ra SB_SU_WRAP <<<"${su_wrap//@LOGS@/$SB_LOGS}"
}

# Prints the parts of new checker reports (ASan/UBSan log_path files, valgrind --log-file
# files) that concern the module: memory errors, and leaks or valgrind errors whose stack
# names the module's code.  Reports already looked at are moved aside.
_sb_checker_reports() {
	local f
	for f in "$SB_LOGS"/*; do
		[ -f "$f" ] || continue
		sed -E 's/^==[0-9]+== ?//' "$f" | awk -v file="${f##*/}" '
			BEGIN { RS = "" }
			/SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer/ && !/ERROR:|runtime error/ { next }
			/^(HEAP|LEAK|ERROR) SUMMARY|^Memcheck|^Command:|^Parent PID|^Copyright|^Using Valgrind/ { next }
			/(Direct|Indirect) leak of|definitely lost|indirectly lost|^Invalid |uninitialised|^Conditional jump|^Syscall param|^Mismatched free|^Source and destination/ {
				if ($0 ~ /pam_mntns\.(so|c)|pam_module\/|mntns_[a-z]|\((apply|config|err|inicheck|path|plan|select|strmap|user|vars|userscope|nested|cli|ctl_[a-z]+|mntnsctl|mntns-plan)\.c:/)
					print "[" file "] " $0 "\n"
				next
			}
			# openat2 and statmount: the module falls back to openat and mountinfo when
			# the kernel (here valgrind 3.19) answers ENOSYS; that path is tested so.
			/WARNING: unhandled amd64-linux syscall: (437|457)\n/ { next }
			/ERROR: AddressSanitizer|runtime error|WARNING: unhandled/ { print "[" file "] " $0 "\n" }'
		mv "$f" "$SB_LOGS/seen/"
	done
}

_sb_bind() {
	mount --bind "$1" "$2" || _sb_setup_error "mount --bind $1 $2 failed"
}

# sb_overlay DIR: make DIR writable inside the sandbox; writes land in the temp dir.
sb_overlay() {
	local dir=$1 name
	name=$(echo "$dir" | tr / _)
	mkdir -p "$SB_ROOT/ovl/$name/upper" "$SB_ROOT/ovl/$name/work"
	mount -t overlay "sandbox$name" \
		-o "lowerdir=$dir,upperdir=$SB_ROOT/ovl/$name/upper,workdir=$SB_ROOT/ovl/$name/work" \
		"$dir" || _sb_setup_error "overlay mount on $dir failed"
}

# Interrupted: let the running case stop what it started (its EXIT trap).
_sb_inner_exit() {
	[ -z "$SB_CASE_PID" ] || _sb_stop_pids "$SB_CASE_PID"
}

# Users alice, bob, carol (each with a group of the same name) and group students with carol
# as a supplementary member, at ids unused in the host's files.
_sb_make_users() {
	local base=3000 i id ok
	while :; do
		ok=1
		for i in 0 1 2 3; do
			id=$((base + i))
			if cut -d: -f3 /etc/passwd /etc/group | grep -qx "$id"; then ok=0; fi
		done
		[ "$ok" = 1 ] && break
		base=$((base + 10))
	done
	declare -gA SB_UID=([alice]=$base [bob]=$((base + 1)) [carol]=$((base + 2)))
	SB_STUDENTS_GID=$((base + 3))
	SB_USERS=(alice bob carol)
	local strip='^(alice|bob|carol|students):'
	grep -Ev "$strip" /etc/passwd >"$SB_ROOT/etc/passwd"
	grep -Ev "$strip" /etc/group >"$SB_ROOT/etc/group"
	grep -Ev "$strip" /etc/shadow >"$SB_ROOT/etc/shadow"
	local u
	for u in "${SB_USERS[@]}"; do
		echo "$u:x:${SB_UID[$u]}:${SB_UID[$u]}:$u (pam_mntns test):/home/$u:/bin/bash" >>"$SB_ROOT/etc/passwd"
		echo "$u:x:${SB_UID[$u]}:" >>"$SB_ROOT/etc/group"
		echo "$u:*:19000:0:99999:7:::" >>"$SB_ROOT/etc/shadow"
	done
	echo "students:x:$SB_STUDENTS_GID:carol" >>"$SB_ROOT/etc/group"
	chmod 0644 "$SB_ROOT/etc/passwd" "$SB_ROOT/etc/group"
	chown --reference=/etc/shadow "$SB_ROOT/etc/shadow"
	chmod --reference=/etc/shadow "$SB_ROOT/etc/shadow"
}

_sb_write_bin_helpers() {
	# sb-mnt PATH: "FSTYPE SOURCE MOUNT-OPTIONS SUPER-OPTIONS" of the top-most mount exactly at PATH, or
	# "none".  Reads /proc/self/mountinfo, so it reports the caller's own namespace.
	cat >"$SB_BIN/sb-mnt" <<'EOF'
#!/bin/sh
awk -v p="$1" '$5 == p { i = 7; while ($i != "-") i++; r = $(i + 1) " " $(i + 2) " " $6 " " $(i + 3) }
	END { print (r == "" ? "none" : r) }' /proc/self/mountinfo
EOF
	# sb-wait FILE [SECONDS]: wait until FILE exists; exit 1 on timeout.
	cat >"$SB_BIN/sb-wait" <<'EOF'
#!/bin/sh
n=$(( ${2:-15} * 20 ))
while [ ! -e "$1" ]; do
	n=$((n - 1)); [ "$n" -gt 0 ] || { echo "sb-wait: timed out waiting for $1" >&2; exit 1; }
	sleep 0.05
done
EOF
	chmod 0755 "$SB_BIN/sb-mnt" "$SB_BIN/sb-wait"
}

# ---------------------------------------------------------------- per-case state

_sb_pam_base() {
	cat <<'EOF'
# written by tests/lib/sandbox.sh
auth     sufficient pam_rootok.so
auth     required   pam_permit.so
account  required   pam_permit.so
password required   pam_deny.so
session  required   pam_permit.so
EOF
}

# Everything a case may change goes back to a known state before the next case.
_sb_reset() {
	local svc u
	rm -rf /etc/security/mntns.conf /etc/security/mntns.d
	mkdir -m 0755 /etc/security/mntns.d
	chown root:root /etc/security /etc/security/mntns.d
	chmod 0755 /etc/security
	find /etc/pam.d -mindepth 1 -delete
	for svc in runuser runuser-l su su-l sshd mntns-test sudo sudo-i cron; do
		_sb_pam_base >"/etc/pam.d/$svc"
	done
	printf 'auth required pam_deny.so\naccount required pam_deny.so\n' >/etc/pam.d/other
	printf 'password required pam_deny.so\nsession required pam_deny.so\n' >>/etc/pam.d/other
	find "$SB_DATA" "$SB_FLAGS" "$SB_MNT" /tmp /home -xdev -mindepth 1 -delete 2>/dev/null
	rm -rf --one-file-system /var/lib/mntns-test
	chmod 0755 "$SB_DATA" "$SB_MNT" /home
	chmod 1777 "$SB_FLAGS" /tmp
	for u in "${SB_USERS[@]}"; do
		mkdir -m 0755 "/home/$u"
		chown "$u:$u" "/home/$u"
	done
}

# ---------------------------------------------------------------- cases

# t_case NAME FUNCTION [ARGS]: run FUNCTION in a subshell as one TAP test case.  The function
# signals the result with `fail REASON` / `skip REASON` (or by returning non-zero); processes
# it started with sb_bg/sb_sshd_start are stopped and sb_defer commands run when it ends.
# Afterwards the sandbox's mount table must equal what it was before the first case (see
# "the sandbox's mount table" below).
t_case() {
	local name=$1 fn=$2
	shift 2
	# SB_ONLY_CASES="SCRIPT:FUNCTION ... SCRIPT:*": a pass that runs only these (not counted,
	# not reported otherwise); used where a checker cannot run the rest (tests/lib/sanitize.sh).
	if [ -n "${SB_ONLY_CASES:-}" ] && [[ " $SB_ONLY_CASES " != *" ${SB_SCRIPT##*/}:$fn "* ]] &&
		[[ " $SB_ONLY_CASES " != *" ${SB_SCRIPT##*/}:* "* ]]; then
		return 0
	fi
	if [ -n "$SB_SKIP_ALL" ]; then
		t_skip "$name" "$SB_SKIP_ALL"
		return 0
	fi
	if [ -n "$SB_SETUP_ERROR" ]; then
		t_fail "$name" "sandbox setup failed: $SB_SETUP_ERROR"
		return 0
	fi
	local t0=$EPOCHREALTIME
	[ -n "$SB_BASELINE" ] || SB_BASELINE=$(_sb_mounts)
	_sb_reset
	local cdir rc reason deadline
	cdir=$SB_ROOT/case.$((SB_TAP_N + 1))
	mkdir -p "$cdir" && chmod 0755 "$cdir"
	(_sb_case_body "$cdir" "$fn" "$@") </dev/null >"$cdir/log" 2>&1 &
	local pid=$!
	SB_CASE_PID=$pid
	deadline=$((SECONDS + SB_CASE_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.02
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "case timed out after ${SB_CASE_TIMEOUT}s" >"$cdir/reason"
		kill -TERM "$pid" 2>/dev/null
		deadline=$((SECONDS + 10))
		while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid"
	rc=$?
	SB_CASE_PID=""
	if [ -f "$cdir/pids" ]; then
		local stray
		mapfile -t stray <"$cdir/pids"
		_sb_stop_pids "${stray[@]}"
	fi
	reason=$(cat "$cdir/reason" 2>/dev/null)
	_sb_drop_run
	local leak="" report
	# Not in $(...): it resets SB_BASELINE, which a subshell would only reset for itself.
	_sb_check_mounts "$cdir/log" || leak=$SB_MOUNTS_CHANGED
	report=$(_sb_checker_reports)
	if [ -n "$report" ] && [ "$rc" != 77 ]; then
		local first
		first=$(grep -m 1 -E 'ERROR|leak|lost|Invalid|uninit|jump|runtime error|unhandled' <<<"$report")
		if [ "$rc" = 0 ]; then reason="memory checker: $first"; else reason="$reason; memory checker: $first"; fi
		rc=1
		echo "$report" >>"$cdir/log"
	fi
	# A case that failed already has the lines that differ in its log.
	if [ "$rc" = 0 ] && [ -n "$leak" ]; then
		rc=1
		reason="the sandbox's mount table changed during the case: $leak"
	fi
	case $rc in
	0) t_ok "$name" ;;
	77) t_skip "$name" "${reason:-skipped}" ;;
	*) t_fail "$name" "${reason:-case ended with status $rc}" ;;
	esac
	[ -z "$SB_MOUNTS_GONE" ] || t_diag "$SB_MOUNTS_GONE"
	[ -z "${SB_TIMING:-}" ] || t_diag "$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2fs", b - a }')"
	if [ "$rc" != 0 ] || [ -n "${SB_VERBOSE:-}" ]; then
		[ -s "$cdir/log" ] && t_diag "case log (last 40 lines):" "$(tail -n 40 "$cdir/log")"
	fi
	return 0
}

# The locks and registries of scope = user, the list of views (and, with a module of the
# design before, its pins) outlive a case by design; every case starts without them.
_sb_drop_run() {
	awk '$5 == "/run/mntns" || index($5, "/run/mntns/") == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r mp; do umount -l "$mp" 2>/dev/null; done
	rm -rf /run/mntns
}

# ---------------------------------------------------------------- the sandbox's mount table
#
# No case may change the sandbox's own mount table (the outer view of every login): not add a
# mount, not remove one, not change one (propagation, flags, mount point, source).  Tables are
# compared line by line of /proc/self/mountinfo, keyed by mount id, and every field counts,
# the "shared:N" / "master:N" tags too: a login's unshare copies the sandbox's shared mounts
# into its peer groups until the module makes them slave, and a copy that leaves a group (made
# slave, or its namespace ending) leaves the group's id with the mounts that stay
# (change_mnt_propagation in fs/pnode.c, the same in Linux 6.1 and 6.18), so those numbers
# change only when a propagation type in the sandbox itself does, which is a failure.  (Mount
# ids are given again to new mounts: one removed and another added under its id show as a
# change of that id, with both lines.)
#
# One change is the host's doing, and not counted: a mount the sandbox got from the host when
# it was made (someone else's scratch mount below /var/tmp, a /run/user/UID, a container's
# root) goes away from the sandbox's copy too when the host deletes its mount point: the
# kernel then detaches the mounts on that dentry in every namespace (Linux >= 3.18; the
# sandbox's private propagation does not stop it).  Such a mount must be one the sandbox got
# from the host (its id at the same place in SB_HOST_MOUNTS), and its mount point must be gone
# (or deleted, link count 0: seen through an overlay of the sandbox that still has it cached),
# or its parent mount must have gone so.  Nothing in a case removes a directory the host had
# when the sandbox was made (the module removes only what it has just made itself, the tests
# only what the sandbox made), so a mount that a case unmounted still has its mount point, and
# fails.

_sb_mounts() { sort /proc/self/mountinfo; }

# _sb_mounts_diff OLD NEW: the differences between two mount tables (mountinfo lines), one a
# line, by mount id: "added<TAB>LINE", "removed<TAB>LINE", "changed<TAB>OLD<TAB>NEW" (mountinfo
# escapes tabs in its fields, so a tab separates them safely).
_sb_mounts_diff() {
	awk -v old_file=/dev/fd/3 '
		BEGIN { while ((getline l < old_file) > 0) if (l != "") { split(l, f, " "); old[f[1]] = l } }
		$0 != "" { new[$1] = $0 }
		END {
			for (id in old)
				if (!(id in new)) print id "\tremoved\t" old[id]
				else if (old[id] != new[id]) print id "\tchanged\t" old[id] "\t" new[id]
			for (id in new) if (!(id in old)) print id "\tadded\t" new[id]
		}' 3<<<"$1" <<<"$2" | sort -n | cut -f 2-
}

# _sb_mount_path FIELD: a mountinfo path field (\040 for a space, \134 for a backslash) as is.
_sb_mount_path() { printf '%b' "${1//\\/\\0}"; }

# _sb_mounts_field_diff OLD NEW: what differs between two mountinfo lines of one mount, as
# "OLD -> NEW" per field, the optional fields (propagation tags) taken together.
_sb_mounts_field_diff() {
	local -a a b ao bo
	local i o=""
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	for ((i = 0; i < 6; i++)); do
		[ "${a[i]-}" = "${b[i]-}" ] || o+="${o:+, }${a[i]-} -> ${b[i]-}"
	done
	a=("${a[@]:6}")
	b=("${b[@]:6}")
	while [ ${#a[@]} -gt 0 ] && [ "${a[0]}" != - ]; do ao+=("${a[0]}") && a=("${a[@]:1}"); done
	while [ ${#b[@]} -gt 0 ] && [ "${b[0]}" != - ]; do bo+=("${b[0]}") && b=("${b[@]:1}"); done
	[ "${ao[*]}" = "${bo[*]}" ] || o+="${o:+, }${ao[*]:-(no tags)} -> ${bo[*]:-(no tags)}"
	for ((i = 1; i < ${#a[@]} || i < ${#b[@]}; i++)); do
		[ "${a[i]-}" = "${b[i]-}" ] || o+="${o:+, }${a[i]-} -> ${b[i]-}"
	done
	printf '%s' "$o"
}

# _sb_mounts_compare BASE: compares the mount table now with BASE.  Sets SB_MOUNTS_NOW (the
# table read), SB_MOUNTS_GONE (a note on host mounts that went away, see above, or empty),
# SB_MOUNTS_CHANGED (one line: what else differs, mount points and fields) and
# SB_MOUNTS_DETAIL (the same with whole lines, "+ LINE", "- LINE", "~ OLD" / "  NEW");
# returns 1 when SB_MOUNTS_CHANGED is not empty.
_sb_mounts_compare() {
	local base=$1 kind line old new id parent mp progress n_gone=0
	local -A removed=() host=() gone=()
	local -a diff
	SB_MOUNTS_NOW=$(_sb_mounts)
	SB_MOUNTS_GONE="" SB_MOUNTS_CHANGED="" SB_MOUNTS_DETAIL=""
	[ "$SB_MOUNTS_NOW" = "$base" ] && return 0
	mapfile -t diff < <(_sb_mounts_diff "$base" "$SB_MOUNTS_NOW")
	while read -r id mp; do [ -n "$id" ] && host[$id]=$mp; done <<<"$SB_HOST_MOUNTS"
	for line in "${diff[@]}"; do
		[ "${line%%$'\t'*}" = removed ] || continue
		read -r id _ _ _ mp _ <<<"${line#*$'\t'}"
		removed[$id]=${line#*$'\t'}
		[ "${host[$id]-}" = "$mp" ] || continue
		mp=$(_sb_mount_path "$mp")
		# A hung FUSE mount above it must not hang the check: no answer is not "gone".
		case $(LC_ALL=C timeout 5 stat -c %h -- "$mp" 2>&1) in
		0 | *"No such file or directory"* | *"Not a directory"*) gone[$id]=1 ;;
		esac
	done
	# Mounts below one that was detached go with it, whatever their own mount points.
	progress=1
	while [ "$progress" = 1 ]; do
		progress=0
		for id in "${!removed[@]}"; do
			read -r _ parent _ _ mp _ <<<"${removed[$id]}"
			if [ -z "${gone[$id]-}" ] && [ -n "${gone[$parent]-}" ] && [ "${host[$id]-}" = "$mp" ]; then
				gone[$id]=1
				progress=1
			fi
		done
	done
	for line in "${diff[@]}"; do
		kind=${line%%$'\t'*}
		line=${line#*$'\t'}
		read -r id _ _ _ mp _ <<<"$line"
		case $kind in
		removed)
			if [ -n "${gone[$id]-}" ]; then
				n_gone=$((n_gone + 1))
				[ "$n_gone" -gt 3 ] || SB_MOUNTS_GONE+="${SB_MOUNTS_GONE:+; }$mp"
				continue
			fi
			SB_MOUNTS_CHANGED+="removed: $mp; "
			SB_MOUNTS_DETAIL+="- $line"$'\n'
			;;
		added)
			SB_MOUNTS_CHANGED+="added: $mp; "
			SB_MOUNTS_DETAIL+="+ $line"$'\n'
			;;
		changed)
			old=${line%%$'\t'*}
			new=${line#*$'\t'}
			SB_MOUNTS_CHANGED+="changed: $mp ($(_sb_mounts_field_diff "$old" "$new")); "
			SB_MOUNTS_DETAIL+="~ $old"$'\n'"  $new"$'\n'
			;;
		esac
	done
	[ "$n_gone" -le 3 ] || SB_MOUNTS_GONE+=" and $((n_gone - 3)) more"
	[ -z "$SB_MOUNTS_GONE" ] || SB_MOUNTS_GONE="not counted: host mount(s) gone from the \
sandbox because their mount point was deleted outside it: $SB_MOUNTS_GONE"
	SB_MOUNTS_CHANGED=${SB_MOUNTS_CHANGED%; }
	[ -z "$SB_MOUNTS_CHANGED" ]
}

# sb_expect_mounts_unchanged WHAT: fail the case unless the sandbox's mount table is what it
# was before the first case (but for host mounts that went away, see above; they are noted in
# the case log).  The whole lines that differ go to the case log (stderr).  Not for cases of
# scope = user: their pins are in the sandbox's /run/mntns by design until the case ends.
sb_expect_mounts_unchanged() {
	_sb_mounts_compare "$SB_BASELINE" && {
		[ -z "$SB_MOUNTS_GONE" ] || echo "# $1: $SB_MOUNTS_GONE" >&2
		return 0
	}
	printf '# %s: the sandbox'"'"'s mount table changed:\n%s' "$1" "$SB_MOUNTS_DETAIL" >&2
	fail "$1: the sandbox's mount table changed: $SB_MOUNTS_CHANGED"
}

# _sb_check_mounts LOG: after a case, compare the mount table with the baseline: sets
# SB_MOUNTS_CHANGED and SB_MOUNTS_GONE, appends the whole lines that differ to LOG, undoes
# additions and takes the table as the baseline of the next case (a failure is reported once);
# returns 1 on a change that counts.
_sb_check_mounts() {
	local rc=0
	_sb_mounts_compare "$SB_BASELINE" && [ -z "$SB_MOUNTS_GONE" ] && return 0
	[ -z "$SB_MOUNTS_GONE" ] || SB_MOUNTS_GONE="during the case, $SB_MOUNTS_GONE"
	if [ -n "$SB_MOUNTS_CHANGED" ]; then
		rc=1
		printf '# the sandbox'"'"'s mount table changed during the case:\n%s' \
			"$SB_MOUNTS_DETAIL" >>"$1"
		awk '$1 == "+" { print $6 }' <<<"$SB_MOUNTS_DETAIL" | sort -r | while read -r mp; do
			umount -l -- "$(_sb_mount_path "$mp")" 2>/dev/null
		done
	fi
	SB_BASELINE=$(_sb_mounts)
	return "$rc"
}

_sb_case_body() {
	SB_CASE_DIR=$1
	local fn=$2
	shift 2
	SB_PIDS=()
	SB_DEFER=()
	trap '_sb_case_cleanup' EXIT
	trap 'exit 143' TERM INT
	"$fn" "$@"
	exit $?
}

_sb_case_cleanup() {
	local i
	_sb_stop_pids "${SB_PIDS[@]}"
	for ((i = ${#SB_DEFER[@]} - 1; i >= 0; i--)); do
		eval "${SB_DEFER[i]}"
	done
}

# Stop processes we started: TERM, up to 3 s grace, then KILL.
_sb_stop_pids() {
	local pid live=() n any
	for pid in "$@"; do
		kill -0 "$pid" 2>/dev/null && live+=("$pid") && kill -TERM "$pid" 2>/dev/null
	done
	[ ${#live[@]} -eq 0 ] && return 0
	for ((n = 0; n < 60; n++)); do
		any=0
		for pid in "${live[@]}"; do kill -0 "$pid" 2>/dev/null && any=1; done
		[ "$any" = 1 ] || break
		sleep 0.05
	done
	for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	wait "${live[@]}" 2>/dev/null
	return 0
}

# fail REASON / skip REASON: end the current case.  Only call them in the case's own shell,
# never inside $(...) (which would only end the substitution).
fail() {
	printf '%s\n' "$*" >"$SB_CASE_DIR/reason"
	exit 1
}
skip() {
	printf '%s\n' "$*" >"$SB_CASE_DIR/reason"
	exit 77
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
expect_ne() { [ "$1" != "$2" ] || fail "$3: both are '$1'"; }
expect_match() { [[ $1 =~ $2 ]] || fail "$3: '$1' does not match /$2/"; }

# sb_defer CMD: run CMD (eval) when the case ends, last registered first.
sb_defer() { SB_DEFER+=("$*"); }

# ---------------------------------------------------------------- configuration

# sb_config <<EOF ... EOF: write /etc/security/mntns.conf (root:root 0644) from stdin.
sb_config() {
	cat >/etc/security/mntns.conf
	chown root:root /etc/security/mntns.conf
	chmod 0644 /etc/security/mntns.conf
}

# sb_config_tmp [USERS]: the common config: [global] users = USERS (default `* !root`) and one
# rule, a tmpfs on /tmp.  More rules can be appended with sb_config_add.
sb_config_tmp() {
	sb_config <<EOF
[global]
users = ${1:-* !root}

[tmp]
type = tmpfs
target = /tmp
options = mode=1777,nosuid,nodev
EOF
}

# sb_config_bind SOURCE TARGET [CREATE]: [global] users = * !root and one bind rule [data]
# from SOURCE to TARGET, with create = CREATE when given.
sb_config_bind() {
	sb_config <<EOF
[global]
users = * !root

[data]
type = bind
source = $1
target = $2
${3:+create = $3}
EOF
}

# sb_config_failing: a tmpfs on /tmp (applied first), then a bind whose source
# $SB_DATA/no-such-source is missing: the session fails after a mount was made.
sb_config_failing() {
	install -d -m 0755 "$SB_DATA/target"
	sb_config <<EOF
[global]
users = * !root

[tmp]
type = tmpfs
target = /tmp

[broken]
type = bind
source = $SB_DATA/no-such-source
target = $SB_DATA/target
EOF
}

# sb_config_add <<EOF ... EOF: append to /etc/security/mntns.conf.
sb_config_add() { cat >>/etc/security/mntns.conf; }

# sb_dropin NAME <<EOF ... EOF: write /etc/security/mntns.d/NAME (root:root 0644).
sb_dropin() {
	cat >"/etc/security/mntns.d/$1"
	chown root:root "/etc/security/mntns.d/$1"
	chmod 0644 "/etc/security/mntns.d/$1"
}

# sb_pam SERVICE [LINE...]: write /etc/pam.d/SERVICE: auth/account that always pass
# (pam_rootok, pam_permit), `session required pam_permit.so`, then the given lines.  A word
# MODULE in a line is replaced by the module's absolute path.
sb_pam() {
	local svc=$1 line w out
	shift
	{
		_sb_pam_base
		for line in "$@"; do
			read -ra words <<<"$line"
			out=""
			for w in "${words[@]}"; do
				[ "$w" = MODULE ] && w=$SB_MODULE
				out+="${out:+ }$w"
			done
			echo "$out"
		done
	} >"/etc/pam.d/$svc"
}

# sb_use_module [ARGS]: put `session required MODULE ARGS` in every service the tests use.
sb_use_module() {
	local svc
	for svc in runuser-l su-l sshd mntns-test su sudo sudo-i cron; do
		sb_pam "$svc" "session required MODULE $*"
	done
}

# ---------------------------------------------------------------- PAM clients

# sb_as USER CMD: run CMD in a real login session of USER (runuser -l, service runuser-l).
# stdout is passed through; stderr goes to $SB_CASE_DIR/last.err (see sb_last_err).
sb_as() {
	local user=$1
	shift
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" runuser -l "$user" -c "$*" 2>"$SB_CASE_DIR/last.err"
}

# sb_su USER CMD: like sb_as, through su -l (service su-l).
sb_su() {
	local user=$1
	shift
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_SU_WRAP[@]}" su -l "$user" -c "$*" 2>"$SB_CASE_DIR/last.err"
}

# sb_plain USER CMD: run CMD as USER without a login session (runuser -u, service runuser,
# which never names the module): the "outside" view of an ordinary user.
sb_plain() {
	local user=$1
	shift
	timeout -k 3 "$SB_CMD_TIMEOUT" runuser -u "$user" -- /bin/sh -c "$*" 2>"$SB_CASE_DIR/last.err"
}

sb_last_err() { _sb_oneline "$(cat "$SB_CASE_DIR/last.err" 2>/dev/null)"; }

# sb_pamtester SERVICE USER [OPS...]: pamtester (default ops: open_session close_session);
# its output goes to $SB_CASE_DIR/pamtester.out.
sb_pamtester() {
	local svc=$1 user=$2
	shift 2
	[ $# -gt 0 ] || set -- open_session close_session
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" pamtester "$svc" "$user" "$@" \
		>"$SB_CASE_DIR/pamtester.out" 2>&1
}

sb_pamtester_out() { _sb_oneline "$(cat "$SB_CASE_DIR/pamtester.out" 2>/dev/null)"; }

# sb_bg NAME USER CMD: start a login session (runuser -l) in the background; its stdout and
# stderr go to $SB_CASE_DIR/NAME.out / NAME.err.  Sets SB_BG_PID.  Stopped at case end.
sb_bg() {
	local name=$1 user=$2
	shift 2
	timeout -k 3 "$SB_CASE_TIMEOUT" "${SB_WRAP[@]}" runuser -l "$user" -c "$*" \
		>"$SB_CASE_DIR/$name.out" 2>"$SB_CASE_DIR/$name.err" &
	SB_BG_PID=$!
	_sb_track "$SB_BG_PID"
}

_sb_track() {
	SB_PIDS+=("$1")
	echo "$1" >>"$SB_CASE_DIR/pids"
}

# sb_wait_pid PID [SECONDS]: wait for a process started by sb_bg; returns its exit status,
# or 124 on timeout (the process is left to the case cleanup).
sb_wait_pid() {
	local pid=$1 deadline=$((SECONDS + ${2:-$SB_CMD_TIMEOUT}))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] || return 124
		sleep 0.05
	done
	wait "$pid"
}

# sb_wait_file PATH PID [SECONDS]: wait until PATH exists; give up early when process PID
# (the session that should create it) has ended.
sb_wait_file() {
	local path=$1 pid=$2 deadline=$((SECONDS + ${3:-15}))
	while [ ! -e "$path" ]; do
		kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# sb_hold NAME USER: a session of USER that stays open (su -l, the shell exec'ing sb-wait
# until $SB_FLAGS/NAME.go); writes its namespace to $SB_FLAGS/NAME.ns and its shell's pid to
# $SB_FLAGS/NAME.pid, output in NAME.out / NAME.err.  Sets HELD (su's pid).  Stopped at case end.
sb_hold() {
	local name=$1 user=$2 f=$SB_FLAGS
	timeout -k 3 "$SB_CASE_TIMEOUT" "${SB_SU_WRAP[@]}" su -l "$user" -c "readlink /proc/self/ns/mnt >$f/$name.ns.tmp &&
		mv $f/$name.ns.tmp $f/$name.ns; echo \$\$ >$f/$name.pid; exec $SB_BIN/sb-wait $f/$name.go 80" \
		>"$SB_CASE_DIR/$name.out" 2>"$SB_CASE_DIR/$name.err" &
	HELD=$!
	_sb_track "$HELD"
	sb_wait_file "$f/$name.ns" "$HELD" ||
		fail "$name: the session of $user did not start: $(cat "$SB_CASE_DIR/$name.err")"
	sb_wait_file "$f/$name.pid" "$HELD" ||
		fail "$name: the session of $user wrote no pid: $(cat "$SB_CASE_DIR/$name.err")"
}

# sb_client_in NAME USER [CLIENT-ARGS...]: the test client (pam-client) for USER, run by root
# in the mount namespace of the session NAME held by sb_hold; report in client.out (and
# rc_client=STATUS appended), stderr in client.err.
sb_client_in() {
	local name=$1 user=$2
	shift 2
	timeout -k 3 "$SB_CMD_TIMEOUT" nsenter -t "$(cat "$SB_FLAGS/$name.pid")" -m -- "${SB_WRAP[@]}" \
		"$SB_ROOT/build/pam-client" "$@" mntns-test "$user" >"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	echo "rc_client=$?" >>"$SB_CASE_DIR/client.out"
}

# sb_as_in NAME USER CMD: CMD (sh -c, from /) as USER, without a login, in the mount namespace
# of the session NAME held by sb_hold; stderr in last.err (see sb_last_err).
sb_as_in() {
	local name=$1 user=$2
	shift 2
	timeout -k 3 "$SB_CMD_TIMEOUT" nsenter -t "$(cat "$SB_FLAGS/$name.pid")" -m -- \
		setpriv --reuid="$user" --regid="$user" --init-groups -- /bin/sh -c "cd / && $*" 2>"$SB_CASE_DIR/last.err"
}

# sb_field KEY [NAME]: the value of KEY=... in the test client's report NAME.out (default
# client.out), trailing blanks removed.
sb_field() { sed -n "s/^$1=//p" "$SB_CASE_DIR/${2:-client}.out" | sed 's/ *$//'; }

# sb_client_log: the test client's report and stderr (client.out, client.err) on one line.
sb_client_log() { _sb_oneline "$(cat "$SB_CASE_DIR/client.out" "$SB_CASE_DIR/client.err")"; }

# sb_mnt PATH: sb-mnt in the sandbox's own namespace.
sb_mnt() { "$SB_BIN/sb-mnt" "$1"; }

# ---------------------------------------------------------------- sshd

# sb_sshd_prepare: call before the first case of a script that uses sshd.  Makes /run/sshd
# (the privilege separation directory) exist inside the sandbox and creates the keys.
sb_sshd_prepare() {
	[ -n "$SB_SKIP_ALL$SB_SETUP_ERROR" ] && return 0
	if [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
		SB_SSHD_MISSING="openssh-server / openssh-client not installed"
		return 0
	fi
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd # /run is the sandbox's overlay
	if ! ssh-keygen -q -t ed25519 -N '' -C sandbox-host -f "$SB_SSH/host_ed25519" </dev/null ||
		! ssh-keygen -q -t ed25519 -N '' -C sandbox-client -f "$SB_SSH/id_ed25519" </dev/null; then
		_sb_setup_error "ssh-keygen failed"
	fi
}

# sb_sshd_start USER...: authorize the client key for USERs and start sshd on 127.0.0.1 at a
# free port (SB_SSHD_PORT), service sshd, UsePAM yes.  Stopped by pid at case end.
sb_sshd_start() {
	[ -z "${SB_SSHD_MISSING:-}" ] || skip "$SB_SSHD_MISSING"
	local u port
	for u in "$@"; do
		install -d -m 0700 -o "$u" -g "$u" "/home/$u/.ssh"
		install -m 0600 -o "$u" -g "$u" "$SB_SSH/id_ed25519.pub" "/home/$u/.ssh/authorized_keys"
	done
	cat >"$SB_SSH/sshd_config" <<EOF
ListenAddress 127.0.0.1
HostKey $SB_SSH/host_ed25519
PidFile $SB_SSH/sshd.pid
UsePAM yes
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $*
StrictModes no
PrintMotd no
PrintLastLog no
UseDNS no
X11Forwarding no
AllowTcpForwarding no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		[ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] || continue
		rm -f "$SB_SSH/sshd.pid"
		"${SB_SSHD_WRAP[@]}" /usr/sbin/sshd -D -e -f "$SB_SSH/sshd_config" -p "$port" \
			2>"$SB_CASE_DIR/sshd.log" &
		SB_SSHD_PID=$!
		_sb_track "$SB_SSHD_PID"
		# sshd writes its pid file once it listens.
		while kill -0 "$SB_SSHD_PID" 2>/dev/null && [ ! -s "$SB_SSH/sshd.pid" ]; do sleep 0.05; done
		if kill -0 "$SB_SSHD_PID" 2>/dev/null; then
			SB_SSHD_PORT=$port
			return 0
		fi
		wait "$SB_SSHD_PID"
		grep -q 'Address already in use' "$SB_CASE_DIR/sshd.log" || break
	done
	fail "sshd did not start: $(_sb_oneline "$(tail -n 5 "$SB_CASE_DIR/sshd.log")")"
}

# sb_ssh USER CMD: run CMD over ssh to the sandbox's sshd as USER.
sb_ssh() {
	local user=$1
	shift
	timeout -k 3 "$SB_CMD_TIMEOUT" ssh -F /dev/null -i "$SB_SSH/id_ed25519" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o IdentitiesOnly=yes -o LogLevel=ERROR -o ConnectTimeout=10 \
		-p "$SB_SSHD_PORT" "$user@127.0.0.1" "$*" 2>"$SB_CASE_DIR/last.err" </dev/null
}

# sb_sftp USER: run the sftp batch on stdin against the sandbox's sshd as USER; stdout and
# stderr (together) in $SB_CASE_DIR/sftp.out.
sb_sftp() {
	timeout -k 3 "$SB_CMD_TIMEOUT" sftp -F /dev/null -i "$SB_SSH/id_ed25519" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
		-o IdentitiesOnly=yes -o LogLevel=ERROR -o ConnectTimeout=10 \
		-P "$SB_SSHD_PORT" -b - "$1@127.0.0.1" >"$SB_CASE_DIR/sftp.out" 2>&1
}

# ---------------------------------------------------------------- test clients

# sb_build_client NAME: compile tests/clients/NAME.c (copied to $SB_ROOT/build by sb_begin;
# cc -lpam -pthread) into $SB_ROOT/build/NAME, once per script, before the first case; a
# failure fails every case.
sb_build_client() {
	[ -n "$SB_SKIP_ALL$SB_SETUP_ERROR" ] && return 0
	local src=$SB_ROOT/build/$1.c out=$SB_ROOT/build/$1
	if ! command -v cc >/dev/null 2>&1; then
		_sb_setup_error "cc not found (needed to build tests/clients/$1.c)"
		return 0
	fi
	cc -O2 -Wall -o "$out" "$src" -lpam -pthread -rdynamic 2>"$SB_ROOT/build/$1.log" ||
		_sb_setup_error "cannot build tests/clients/$1.c: $(_sb_oneline "$(head -c 400 "$SB_ROOT/build/$1.log")")"
	chmod 0755 "$out" 2>/dev/null
	return 0
}

# sb_protect_etc: call before the first case of a script whose traps point at /etc (symlinks
# to /etc, a swapped parent): puts a writable overlay on /etc and binds the sandbox's passwd,
# group, shadow, pam.d and security back on it, so even a broken module that followed such a
# symlink could only change the sandbox's copy, never the host's /etc.
sb_protect_etc() {
	[ -n "$SB_SKIP_ALL$SB_SETUP_ERROR" ] && return 0
	local f
	sb_overlay /etc || return 0
	for f in passwd group shadow pam.d security; do
		_sb_bind "$SB_ROOT/etc/$f" "/etc/$f" || return 0
	done
}

# ---------------------------------------------------------------- host settings and FUSE

# The attacker cases must meet what a stock Debian 12 server has: procps's
# /usr/lib/sysctl.d/99-protect-links.conf (fs.protected_symlinks=1, protected_hardlinks=1,
# protected_fifos=1, protected_regular=2), udev's /dev/fuse 0666 and fuse3's setuid-root
# fusermount3, so any local user can mount a FUSE filesystem.  A test VM often has none of it.

SB_AT_EXIT=()           # commands (eval) run when the script exits, last registered first
declare -gA SB_HOST_SAVED # host setting (file) -> the value found first, put back at exit

# _sb_at_exit CMD: run CMD when the script inside the sandbox exits, however it ends (t_done,
# a failed setup, INT/TERM/HUP): for what the mount namespace cannot confine, such as
# sysctls and device modes, and for processes a killed case left behind.  Extends the EXIT
# trap of _sb_inner_setup; the case subshells do not inherit it.
_sb_at_exit() {
	if [ ${#SB_AT_EXIT[@]} -eq 0 ]; then
		# A second Ctrl-C or TERM while this runs would end it before the host is restored.
		trap 'trap "" INT TERM HUP; _sb_inner_exit; _sb_run_at_exit' EXIT
		trap 'exit 129' HUP # untrapped, HUP would end bash without its EXIT trap
	fi
	SB_AT_EXIT+=("$*")
}

_sb_run_at_exit() {
	local i
	for ((i = ${#SB_AT_EXIT[@]} - 1; i >= 0; i--)); do
		eval "${SB_AT_EXIT[i]}"
	done
	SB_AT_EXIT=()
}

# _sb_host_set FILE VALUE: write VALUE to FILE (a /proc/sys file), or chmod FILE (a device
# node) to VALUE.  Both are host-wide, not per mount namespace: the value found by the first
# call for FILE is put back when the script exits.
# The values found are also written to $SB_HOST_SAVED_FILE, outside the sandbox, until they
# are put back: a script killed before it could restore them (SIGKILL, its parent killed)
# leaves the file, and the next script restores those values instead of taking the test
# values it finds for the host's own.
SB_HOST_SAVED_FILE=/var/tmp/pam_mntns-tests.host-settings

_sb_host_set() {
	local file=$1 val=$2 old
	if [ -z "${SB_HOST_SAVED[$file]+set}" ]; then
		old=$(awk -v f="$file" '$1 == f { print $2; exit }' "$SB_HOST_SAVED_FILE" 2>/dev/null)
		if [ -n "$old" ]; then
			SB_HOST_SAVED[$file]=$old
		elif [ -c "$file" ]; then
			SB_HOST_SAVED[$file]=$(stat -c %a "$file") || return 1
		else
			SB_HOST_SAVED[$file]=$(cat "$file") || return 1
		fi
		[ -n "$old" ] || echo "$file ${SB_HOST_SAVED[$file]}" >>"$SB_HOST_SAVED_FILE"
		[ -n "${SB_HOST_RESTORE:-}" ] || _sb_at_exit _sb_restore_host
		SB_HOST_RESTORE=1
	fi
	if [ -c "$file" ]; then chmod "$val" "$file"; else echo "$val" >"$file"; fi
}

_sb_restore_host() {
	local file
	for file in "${!SB_HOST_SAVED[@]}"; do
		if [ -c "$file" ]; then
			chmod "${SB_HOST_SAVED[$file]}" "$file"
		else
			echo "${SB_HOST_SAVED[$file]}" >"$file"
		fi || { echo "# sandbox: could not restore $file to ${SB_HOST_SAVED[$file]}" >&2; return; }
	done
	rm -f "$SB_HOST_SAVED_FILE"
}

# sb_debian_sysctls [permissive]: for the rest of the script, fs.protected_symlinks=1,
# protected_hardlinks=1, protected_fifos=1, protected_regular=2 (Debian 12's values), or all
# four 0 with `permissive` (to show a refusal is the module's own check, not the kernel's),
# and /dev/fuse 0666; the host's values come back when the script exits.  Call after
# sb_begin; may be called again between cases to switch.  Other test runs on the same host
# see these values meanwhile.
sb_debian_sysctls() {
	[ -n "$SB_SKIP_ALL$SB_SETUP_ERROR" ] && return 0
	local vals=(1 1 1 2) names=(symlinks hardlinks fifos regular) i
	[ "${1:-}" = permissive ] && vals=(0 0 0 0)
	for i in 0 1 2 3; do
		_sb_host_set "/proc/sys/fs/protected_${names[i]}" "${vals[i]}" ||
			{ _sb_setup_error "cannot set fs.protected_${names[i]}=${vals[i]}"; return 0; }
	done
	[ ! -c /dev/fuse ] || _sb_host_set /dev/fuse 0666
}

# sb_fuse_prepare: call once, after sb_begin (and after sb_protect_etc, whose overlay would
# hide the file bound here), before the first case of a script that uses sb_fuse_mount.
# Builds tests/clients/fakefs.c into $SB_FUSE_BIN, makes /dev/fuse 0666 (as sb_debian_sysctls
# does, restored at exit) and gives the sandbox an /etc/fuse.conf with user_allow_other, so
# root, other users and the module can be let into a user's mount, as on a host whose admin
# enabled it.  Without fuse3 (fusermount3 setuid root, /dev/fuse, libfuse3-dev) every case
# fails with the reason.
sb_fuse_prepare() {
	[ -n "$SB_SKIP_ALL$SB_SETUP_ERROR" ] && return 0
	local src=$SB_ROOT/build/fakefs.c fm
	SB_FUSE_BIN=$SB_ROOT/build/fakefs
	fm=$(command -v fusermount3) ||
		{ _sb_setup_error "fusermount3 not found (install fuse3)"; return 0; }
	if [ ! -u "$fm" ] || [ "$(stat -c %u "$fm")" != 0 ]; then
		_sb_setup_error "$fm is not setuid root, users cannot mount FUSE (Debian's fuse3 installs it 4755)"
		return 0
	fi
	[ -c /dev/fuse ] || { _sb_setup_error "/dev/fuse missing (no fuse in this kernel?)"; return 0; }
	# libfuse opens /dev/fuse itself and only runs fusermount3 when mount(2) is refused, not
	# when the open is: users can mount only with udev's 0666.
	_sb_host_set /dev/fuse 0666 || { _sb_setup_error "cannot chmod /dev/fuse"; return 0; }
	if ! command -v cc >/dev/null 2>&1 || ! pkg-config --exists fuse3 2>/dev/null; then
		_sb_setup_error "cc, pkg-config or fuse3.pc missing (needed to build tests/clients/fakefs.c; install libfuse3-dev)"
		return 0
	fi
	# shellcheck disable=SC2046 # pkg-config prints several words
	cc -O2 -Wall -o "$SB_FUSE_BIN" "$src" $(pkg-config --cflags --libs fuse3) \
		2>"$SB_ROOT/build/fakefs.log" || {
		_sb_setup_error "cannot build tests/clients/fakefs.c: $(_sb_oneline "$(head -c 400 "$SB_ROOT/build/fakefs.log")")"
		return 0
	}
	chmod 0755 "$SB_FUSE_BIN"
	# fusermount3 reads the fixed path /etc/fuse.conf.  A bind needs a file to cover; without
	# one, the file is created in the sandbox's overlay on /etc.
	if [ -e /etc/fuse.conf ]; then
		{ grep -v '^[[:space:]]*user_allow_other' /etc/fuse.conf; echo user_allow_other; } \
			>"$SB_ROOT/etc/fuse.conf"
		chmod 0644 "$SB_ROOT/etc/fuse.conf"
		_sb_bind "$SB_ROOT/etc/fuse.conf" /etc/fuse.conf || return 0
	else
		[ "$(sb_mnt /etc | cut -d' ' -f2)" = sandbox_etc ] || sb_protect_etc
		[ -n "$SB_SETUP_ERROR" ] && return 0
		echo user_allow_other >/etc/fuse.conf
	fi
	# The abort files of fusectl end a connection whose server cannot be stopped.  Mounted
	# here, before the first case, so it is part of the baseline mount table.
	if [ "$(sb_mnt /sys/fs/fuse/connections)" = none ]; then
		mount -t fusectl fusectl /sys/fs/fuse/connections ||
			{ _sb_setup_error "cannot mount fusectl on /sys/fs/fuse/connections"; return 0; }
	fi
	: >"$SB_ROOT/fuse.pids"
	_sb_at_exit _sb_fuse_exit
}

# _sb_fuse_conns [MOUNTPOINT]: "CONNECTION MOUNTPOINT" of each fakefs mount in this namespace
# (all of them, or the one on MOUNTPOINT), from mountinfo only: a stat could hang.
# CONNECTION names /sys/fs/fuse/connections/CONNECTION (the superblock's dev_t).
_sb_fuse_conns() {
	awk -v p="${1:-}" '{ i = 7; while ($i != "-") i++ }
		$(i + 1) ~ /^fuse/ && $(i + 2) ~ /^fakefs-/ && (p == "" || $5 == p) {
			split($3, d, ":"); print d[1] * 1048576 + d[2], $5 }' /proc/self/mountinfo
}

# _sb_fuse_stop PID MOUNTPOINT: stop the server PID (SIGTERM: it unmounts itself), then
# abort what is left of its connection, so no process waits on it any more, and lazily
# unmount it as root.  umount -c: no canonicalization, which could stat a hung mount point.
_sb_fuse_stop() {
	local pid=$1 mp=$2 conn path
	_sb_stop_pids "$pid"
	while read -r conn path; do
		[ -e "/sys/fs/fuse/connections/$conn/abort" ] &&
			echo 1 >"/sys/fs/fuse/connections/$conn/abort"
		umount -l -c "$path"
	done < <(_sb_fuse_conns "$mp")
}

# At exit: servers and mounts of a case that was killed before its cleanup ran (e.g. stuck
# on a hung mount).  A pid is only signalled while it is still our fakefs.
_sb_fuse_exit() {
	local pid conn path
	while read -r pid; do
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$SB_FUSE_BIN" ] && _sb_stop_pids "$pid"
	done <"$SB_ROOT/fuse.pids"
	while read -r conn path; do
		[ -e "/sys/fs/fuse/connections/$conn/abort" ] &&
			echo 1 >"/sys/fs/fuse/connections/$conn/abort"
		umount -l -c "$path"
	done < <(_sb_fuse_conns)
}

# sb_fuse_mount USER MODE MOUNTPOINT [allow_other]: as USER (no login session), mount fakefs
# in MODE (plain, root or hang: see tests/clients/fakefs.c) on MOUNTPOINT, an existing
# directory USER may write to, with -o allow_other when asked (without it, even root gets
# EACCES on the mount).  Waits up to 10 s for the mount (read from mountinfo, never by
# looking at the mount point).  Sets SB_FUSE_PID (the server) and SB_FUSE_CONN (its
# /sys/fs/fuse/connections entry); the case's end stops the server and unmounts.  Returns 1
# and sets SB_FUSE_ERROR when the mount did not appear.
sb_fuse_mount() {
	local user=$1 mode=$2 mp=$3 opts=() parent out err pid deadline
	SB_FUSE_ERROR=""
	[ -x "${SB_FUSE_BIN:-}" ] || { SB_FUSE_ERROR="sb_fuse_mount: sb_fuse_prepare was not called"; return 1; }
	[ "${4:-}" = allow_other ] && opts=(-o allow_other)
	# mountinfo names the canonical path; resolve the parent only, in case MOUNTPOINT is
	# already a (hung) FUSE mount.
	parent=$(realpath -e -- "$(dirname -- "$mp")") && mp=${parent%/}/$(basename -- "$mp")
	if [ -n "$(_sb_fuse_conns "$mp")" ]; then
		SB_FUSE_ERROR="sb_fuse_mount: $mp is a fakefs mount already"
	elif [ -L "$mp" ] || [ ! -d "$mp" ]; then
		SB_FUSE_ERROR="sb_fuse_mount: $mp is not a directory"
	fi
	[ -z "$SB_FUSE_ERROR" ] || { echo "$SB_FUSE_ERROR" >&2; return 1; }
	SB_FUSE_N=$((${SB_FUSE_N:-0} + 1))
	out=$SB_CASE_DIR/fakefs.$SB_FUSE_N.out
	err=$SB_CASE_DIR/fakefs.$SB_FUSE_N.err
	# setpriv execs fakefs: the pid is the server's.  fakefs mounts through fusermount3.
	setpriv --reuid="$user" --regid="$user" --init-groups -- \
		"$SB_FUSE_BIN" "$mode" "$mp" "${opts[@]}" </dev/null >"$out" 2>"$err" &
	pid=$!
	_sb_track "$pid"
	echo "$pid" >>"$SB_ROOT/fuse.pids"
	sb_defer _sb_fuse_stop "$pid" "$(printf '%q' "$mp")"
	deadline=$((SECONDS + 10))
	# "ready": INIT was answered, so the mount is usable, not only present.
	until SB_FUSE_CONN=$(_sb_fuse_conns "$mp" | awk 'END { print $1 }') &&
		[ -n "$SB_FUSE_CONN" ] && grep -qx ready "$out"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			SB_FUSE_ERROR="fakefs $mode on $mp as $user exited: $(_sb_oneline "$(cat "$err")")"
		elif [ "$SECONDS" -ge "$deadline" ]; then
			SB_FUSE_ERROR="fakefs $mode on $mp as $user: no mount after 10 s: $(_sb_oneline "$(cat "$err")")"
		fi
		[ -z "$SB_FUSE_ERROR" ] || { echo "$SB_FUSE_ERROR" >&2; return 1; }
		sleep 0.05
	done
	# shellcheck disable=SC2034 # for the test scripts
	SB_FUSE_PID=$pid
}
