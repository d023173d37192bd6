#!/bin/bash
# mntns-plan against the sandbox's real config files and users: exit codes, the plan it
# prints, and that it never mounts (the sandbox's mount table is checked after every case).
# shellcheck disable=SC2119 # sb_use_module takes optional module arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"

# plan ARGS...: run the tool; stdout to $SB_CASE_DIR/plan.out, stderr to plan.err; sets RC.
plan() {
	[ -x "$SB_PLAN_TOOL" ] || skip "mntns-plan not built: $SB_PLAN_TOOL"
	timeout -k 3 "$SB_CMD_TIMEOUT" "${SB_WRAP[@]}" "$SB_PLAN_TOOL" "$@" \
		>"$SB_CASE_DIR/plan.out" 2>"$SB_CASE_DIR/plan.err"
	RC=$?
}
plan_out() { cat "$SB_CASE_DIR/plan.out"; }
plan_err() { cat "$SB_CASE_DIR/plan.err"; }

case_valid() {
	mkdir -m 0755 "$SB_DATA/study"
	sb_config_tmp
	sb_config_add <<EOF

[study]
type = tmpfs
target = $SB_DATA/study
users = @students
EOF
	plan carol
	expect_eq "$RC" 0 "exit status for carol (stderr: $(plan_err))"
	expect_match "$(plan_out | head -n 1)" "^mntns-plan: carol \\(uid ${SB_UID[carol]}, gid ${SB_UID[carol]}\\): 2 mounts" \
		"first line for carol"
	expect_match "$(plan_out | sed -n 2p)" '^tmpfs target=/tmp ' "first mount for carol (parents first)"
	expect_match "$(plan_out | sed -n 3p)" "^tmpfs target=$SB_DATA/study " "second mount for carol"
	plan alice
	expect_eq "$RC" 0 "exit status for alice (stderr: $(plan_err))"
	expect_match "$(plan_out | head -n 1)" '^mntns-plan: alice .*: 1 mount[, ]' "first line for alice"
	expect_eq "$(plan_out | wc -l)" 2 "number of lines for alice"
}

case_not_selected() {
	sb_config_tmp '* !bob'
	plan bob
	expect_eq "$RC" 0 "exit status for excluded bob (stderr: $(plan_err))"
	expect_match "$(plan_out)" 'bob is not selected' "output for excluded bob"
}

case_config_error() {
	sb_config <<EOF
[global]
users = * !root
colour = blue
EOF
	plan alice
	expect_eq "$RC" 1 "exit status for a config with an unknown key"
	expect_match "$(plan_err)" '^mntns-plan: .*/etc/security/mntns.conf' "error message names the file"
	sb_config_tmp
	chmod 0666 /etc/security/mntns.conf
	plan alice
	expect_eq "$RC" 1 "exit status for a world-writable config"
}

case_options() {
	sb_config_tmp
	install -d -m 0755 /etc/security/conf-test
	cat >/etc/security/conf-test/other.conf <<EOF
[global]
users = alice
EOF
	plan --config /etc/security/conf-test/other.conf --config-dir "" alice
	expect_eq "$RC" 0 "exit status with --config (stderr: $(plan_err))"
	expect_match "$(plan_out | head -n 1)" ': 0 mounts' "plan with --config of a file without rules"
	# The same file below a directory that others can write to is refused, naming it.
	install -m 0644 /etc/security/conf-test/other.conf "$SB_DATA/other.conf"
	plan --config "$SB_DATA/other.conf" --config-dir "" alice
	expect_eq "$RC" 1 "exit status with --config below /var/tmp"
	expect_match "$(plan_err)" '/var/tmp is writable by group or others' "message for a config below /var/tmp"
	plan
	expect_eq "$RC" 2 "exit status without a user"
	plan --no-such-option alice
	expect_eq "$RC" 2 "exit status with an unknown option"
	plan no-such-user-xyz
	expect_eq "$RC" 1 "exit status for an unknown user"
}

case_dropin() {
	sb_config_tmp
	sb_dropin 50-tmp.conf <<EOF
[tmp]
type = tmpfs
target = /tmp
options = size=2m
EOF
	plan alice
	expect_eq "$RC" 0 "exit status (stderr: $(plan_err))"
	expect_eq "$(plan_out | wc -l)" 2 "number of lines"
	expect_match "$(plan_out | sed -n 2p)" '^tmpfs target=/tmp .*size=2m' "the drop-in's [tmp] replacing the main file's"
	expect_match "$(plan_out | sed -n 2p)" '50-tmp.conf' "file named for the [tmp] rule"
}

t_case "mntns-plan prints the plan in apply order, with @group rules" case_valid
t_case "mntns-plan: a drop-in section replaces the main file's section of the same name" case_dropin
t_case "mntns-plan reports a user not selected by [global] users" case_not_selected
t_case "mntns-plan exits 1 with the file name on config errors" case_config_error
t_case "mntns-plan --config / --config-dir, usage errors, unknown user" case_options
t_done
