#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Runs the integration suite with the PAM clients under a memory checker:
#   bash tests/lib/sanitize.sh asan BUILD_DIR [SCRIPT...]      BUILD_DIR: --enable-sanitizers
#   bash tests/lib/sanitize.sh valgrind BUILD_DIR [SCRIPT...]  BUILD_DIR: a plain build
# asan: pamtester, runuser, su, mntns-plan and the test clients run with the ASan runtime
# preloaded (the module is instrumented; UBSan reports too); 40-sshd.sh is left out, see
# below.  valgrind: pamtester, runuser, mntns-plan and the test clients run under memcheck
# (not su, which is setuid, nor sshd, which re-executes itself per connection); with a
# valgrind that lacks the new mount API syscalls only the cases that never mount run.
# Any memory error, and any leak or valgrind error whose stack names the module's code, fails
# the case it happened in (tests/lib/sandbox.sh reads the reports).  Prints what
# tests/integration/run.sh prints and exits with its status.
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ $# -lt 2 ]; then
	echo "usage: $0 asan|valgrind BUILD_DIR [SCRIPT...]" >&2
	exit 2
fi
mode=$1
build=$(cd "$2" && pwd) || exit 2
shift 2
export PAM_MNTNS_SO=$build/pam_module/.libs/pam_mntns.so
export PAM_MNTNS_PLAN=$build/pam_module/mntns-plan

case $mode in
asan)
	libasan=$(ldd "$PAM_MNTNS_SO" 2>/dev/null | awk '/libasan/ { print $3 }')
	if [ -z "$libasan" ]; then
		echo "$PAM_MNTNS_SO is not built with --enable-sanitizers (no libasan)" >&2
		exit 2
	fi
	# The ASan runtime must be the first library of the client; the module links UBSan itself.
	# Clients exit normally, so LeakSanitizer checks them; unrelated leaks are filtered out.
	export SB_CLIENT_WRAP="env LD_PRELOAD=$libasan \
ASAN_OPTIONS=log_path=@LOGS@/asan:detect_leaks=1:exitcode=0:verify_asan_link_order=0 \
UBSAN_OPTIONS=print_stacktrace=1:log_path=@LOGS@/ubsan"
	export SB_CMD_TIMEOUT=${SB_CMD_TIMEOUT:-40}
	# sshd cannot host the instrumented module: preloaded, the ASan runtime gets sshd's
	# pre-auth child killed by its seccomp filter (SIGSYS); not preloaded, ASan refuses to start
	# (and setproctitle() clobbers the environment ASan reads its options from).  The plain
	# pass and the valgrind pass cover sshd.
	if [ $# -eq 0 ]; then
		for s in "$repo"/tests/integration/[0-9]*.sh; do
			[ "${s##*/}" = 40-sshd.sh ] || set -- "$@" "$s"
		done
		echo "# 40-sshd.sh is not run under asan (sshd's seccomp sandbox kills the ASan runtime)"
	fi
	;;
valgrind)
	command -v valgrind >/dev/null || {
		echo "valgrind is not installed" >&2
		exit 2
	}
	export SB_CLIENT_WRAP="valgrind --quiet --log-file=@LOGS@/vg.%p --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
--trace-children=no --child-silent-after-fork=yes --track-fds=no"
	# valgrind does not run setuid programs (su), and sshd re-executes itself per connection.
	export SB_SSHD_WRAP_CMD="" SB_SU_WRAP_CMD=""
	export SB_CMD_TIMEOUT=${SB_CMD_TIMEOUT:-90} SB_CASE_TIMEOUT=${SB_CASE_TIMEOUT:-300}
	# The module mounts with open_tree/move_mount/fsopen/fsconfig/fsmount/mount_setattr and
	# resolves with openat2; a valgrind that does not know one of them (Debian 12's 3.19)
	# fails every mount.  Then only the cases that never reach a mount run under it: all of
	# mntns-plan (config and plan code), the module refusing a session before unshare
	# (config errors, untrusted files), through pamtester, runuser and pam-client, and
	# mntnsctl list and check where they need no mount of their own (the sessions they look
	# at are opened by su, which no checker wraps).
	unknown=$(valgrind --log-fd=1 /usr/bin/python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
for nr in (428, 429, 430, 431, 432, 437, 442):
    libc.syscall(nr, -1, 0, 0, 0, 0)' 2>/dev/null | sed -n 's/.*unhandled amd64-linux syscall: \([0-9]*\).*/\1/p' | tr '\n' ' ')
	if [ -n "$unknown" ] && [ $# -eq 0 ]; then
		echo "# $(valgrind --version) does not handle syscall(s) ${unknown}used by the module;"
		echo "# only the cases that never mount run under it"
		only=(50-plan.sh:'*'
			30-errors.sh:case_syntax_error 30-errors.sh:case_missing_target
			30-errors.sh:case_unknown_global_key 30-errors.sh:case_unknown_type
			30-errors.sh:case_duplicate_key 30-errors.sh:case_missing_config
			30-errors.sh:case_untrusted_config 30-errors.sh:case_config_symlink
			60-attacker.sh:case_dropin_symlink 60-attacker.sh:case_dropin_writable
			88-admin.sh:case_list 88-admin.sh:case_check_clean
			88-admin.sh:case_check_create_foreign 88-admin.sh:case_check_planted
			88-admin.sh:case_check_home)
		export SB_ONLY_CASES="${only[*]}"
		for s in 30-errors 50-plan 60-attacker 88-admin; do
			set -- "$@" "$repo/tests/integration/$s.sh"
		done
	fi
	;;
*)
	echo "usage: $0 asan|valgrind BUILD_DIR [SCRIPT...]" >&2
	exit 2
	;;
esac

exec bash "$repo/tests/integration/run.sh" "$@"
