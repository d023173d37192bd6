#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Issue 18's refactor keeps where a login starts as it was: the record of a view and the list
# of views are read as before the trust call took them over (6932348). A foreign view whose
# /run others can write to is still a view the module did not make (a selected user's view is
# built on it), not one whose origin cannot be told (every login refused); and the list in
# /run/mntns/views finds a view of ours whose record is gone whatever the list's own mode
# (it is inside /run/mntns, root's 0700), so root's login from there goes back to the outer
# view and does not stay in the user's; and /run's own mode does not decide whether a view's
# record is read (it is trusted because only root can mount it).
# Under a memory checker su and sudo inside a session cannot carry it, so there the nested
# logins are made by the test client alone, started in the session's namespace with nsenter.
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_build_client pam-client
CLIENT=$SB_ROOT/build/pam-client
F=$SB_FLAGS

# user_config: a private /tmp for everyone but root, scope = user.
user_config() {
	sb_config <<EOF
[global]
users = * !root
scope = user

[tmp]
type = tmpfs
target = /tmp
EOF
	sb_use_module
}

OUTER=$(readlink /proc/1/ns/mnt)

# A view the module did not make (unshare -m) whose /run a group may write to (an ACL shows
# so): nothing of the module's is there, so it is foreign, and alice's login builds her view
# on it as in 85-scope-user's case_foreign_view. Refusing it as a view whose record cannot be
# read refuses every login there, on_error = ignore or not.
case_foreign_run_writable() {
	user_config
	timeout -k 3 "$SB_CMD_TIMEOUT" unshare -m --propagation private -- sh -c \
		"mount -t tmpfs -o mode=0775 foreign-run /run && exec ${SB_WRAP[*]} $CLIENT mntns-test alice" \
		>"$SB_CASE_DIR/client.out" 2>"$SB_CASE_DIR/client.err"
	expect_eq "$(sb_field rc)" 0 "alice's login in a foreign view with a group-writable /run ($(sb_client_log))"
	grep -q '^new_mounts=/tmp *$' "$SB_CASE_DIR/client.out" || fail "alice's view: $(sb_client_log)"
	grep -q "cannot be read" "$SB_CASE_DIR/client.err" && fail "taken for a view of unknown origin: $(sb_client_log)"
	true
}

# The record of alice's view is unmounted from outside, and the list of views is 0755 (made by
# hand: it is inside /run/mntns, which nobody else may enter, as the locks are): root's login
# from her view still finds its way out through the list, as with a 0700 one (87-stranded's
# case_record_removed), and does not stay in alice's view.
case_record_removed_list_0755() {
	user_config
	sb_hold a alice
	chmod 0755 /run/mntns/views
	nsenter -t "$(cat "$F/a.pid")" -m -- umount /run/mntns || fail "cannot unmount the record"
	sb_client_in a root
	expect_eq "$(sb_field rc)" 0 "root's login in alice's view without its record ($(sb_client_log))"
	expect_eq "$(sb_field ns_after)" "$OUTER" "root's namespace, list 0755 ($(sb_client_log))"
	touch "$F/a.go"
}

# /run a group may write to (an ACL shows so) on the host: alice's view, made from the outer
# view, shares that directory. Her record is still root's, on its own tmpfs, where only root
# can mount: root's login from her view (sudo -i, which runs its command even when the
# session fails) goes back to the outer view, and is not refused in hers as a view whose
# record cannot be read.
case_run_writable_nested() {
	user_config
	sb_hold a alice
	sb_defer "chmod $(stat -c %a /run) /run"
	chmod g+w /run
	if [ ${#SB_WRAP[@]} -eq 0 ]; then
		expect_eq "$(sb_as_in a alice "sudo -i readlink /proc/self/ns/mnt")" "$OUTER" \
			"sudo -i in alice's session, /run group-writable ($(sb_last_err))"
	fi
	sb_client_in a root
	expect_eq "$(sb_field rc)" 0 "root's login in alice's view, /run group-writable ($(sb_client_log))"
	expect_eq "$(sb_field ns_after)" "$OUTER" "root's namespace, /run group-writable ($(sb_client_log))"
	touch "$F/a.go"
}

t_case "a foreign view whose /run others can write to is foreign, not of unknown origin" case_foreign_run_writable
t_case "a view whose record was removed is known from a list of mode 0755 too" case_record_removed_list_0755
t_case "root's login from a view of ours goes out even where a group may write to /run" case_run_writable_nested
t_done
