#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
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

# A config with an error: the message the module logs, then what a login of the user does
# with it (issue 16): root's opens, users a clean [global] leaves out are left alone, the rest
# are refused (or left alone with on_error = ignore); an untrusted config refuses everyone.
case_broken_config() {
	sb_config <<EOF
[global]
users = * !bob

[tmp]
type = tmpfs
target = /tmp
optoins = nosuid
EOF
	local msg='^mntns-plan: /etc/security/mntns.conf:7: \[tmp\]: unknown key "optoins"$'
	plan root
	expect_eq "$RC" 1 "exit status for root with a typo in a rule"
	expect_match "$(plan_err)" "$msg" "error message for root"
	expect_match "$(plan_out)" '^mntns-plan: a login of root \(uid 0\) is not refused: it opens unchanged' \
		"what root's login does"
	plan bob
	expect_eq "$RC" 1 "exit status for bob with a typo in a rule"
	expect_match "$(plan_err)" "$msg" "error message for bob"
	expect_match "$(plan_out)" '^mntns-plan: a login of bob is left unchanged: bob is not selected by \[global\] users$' \
		"what bob's login does"
	plan alice
	expect_eq "$RC" 1 "exit status for alice with a typo in a rule"
	expect_match "$(plan_out)" '^mntns-plan: a login of alice is refused: \[global\] users selects alice$' \
		"what alice's login does"
	expect_eq "$(plan_out | wc -l)" 1 "lines on standard output for alice"
	# on_error = ignore in a drop-in is still read after the main file's error.
	sb_dropin 50-ignore.conf <<EOF
[global]
on_error = ignore
EOF
	plan alice
	expect_match "$(plan_out)" '^mntns-plan: a login of alice is left unchanged \(on_error = ignore\)' \
		"alice's login with on_error = ignore in a drop-in"
	rm /etc/security/mntns.d/50-ignore.conf
	# A typo in [global] itself: whom it leaves out is unknown, so only root's login opens.
	sed -i 's/^users = /usres = /' /etc/security/mntns.conf
	plan bob
	expect_eq "$RC" 1 "exit status for bob with a typo in [global]"
	expect_match "$(plan_err)" 'mntns.conf:2: \[global\]: unknown key "usres"' \
		"error message for a typo in [global]"
	expect_match "$(plan_out)" '^mntns-plan: a login of bob is refused: \[global\] does not read cleanly' \
		"bob's login with a typo in [global]"
	plan root
	expect_match "$(plan_out)" '^mntns-plan: a login of root \(uid 0\) is not refused' \
		"root's login with a typo in [global]"
	# Untrusted: every login is refused, root's too.
	sb_config_tmp '* !bob'
	chmod 0666 /etc/security/mntns.conf
	for u in root bob; do
		plan "$u"
		expect_eq "$RC" 1 "exit status for $u with a world-writable config"
		expect_match "$(plan_err)" 'mntns.conf: is writable by group or others' "error message for $u"
		expect_match "$(plan_out)" "^mntns-plan: a login of $u is refused: a config that cannot be trusted or read refuses every login, root's too$" \
			"$u's login with a world-writable config"
	done
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

# What each mount is, not how the rule says it (issue 18): a rule's options are split into
# mount flags and tmpfs options, a hide is the empty, read-only tmpfs of mode 000 it mounts,
# and a bind says whether it is recursive.
case_what_is_mounted() {
	mkdir -m 0755 "$SB_DATA/secret" "$SB_DATA/pub"
	sb_config_tmp
	sb_config_add <<EOF

[secret]
type = hide
target = $SB_DATA/secret

[pub]
type = bind
source = $SB_DATA/pub
target = $SB_DATA/pub
options = ro,norbind
optional = yes

[home]
type = bind
source = $SB_DATA/pub
target = $SB_DATA/home
create = 0700
EOF
	plan alice
	expect_eq "$RC" 0 "exit status (stderr: $(plan_err))"
	expect_match "$(plan_out | sed -n 2p)" \
		'^tmpfs target=/tmp flags=nosuid,nodev options=mode=1777 rule=tmp file=/etc/security/mntns.conf$' \
		"a tmpfs: its mount flags and its tmpfs options apart"
	expect_match "$(plan_out | grep -F " target=$SB_DATA/secret ")" \
		"^tmpfs target=$SB_DATA/secret flags=ro,nosuid,nodev,noexec options=mode=000,size=4k rule=secret " \
		"a hide, as the tmpfs it mounts"
	expect_match "$(plan_out | grep -F " target=$SB_DATA/pub ")" \
		"^bind target=$SB_DATA/pub source=$SB_DATA/pub flags=ro optional rule=pub " \
		"a bind with norbind: not recursive"
	expect_match "$(plan_out | grep -F " target=$SB_DATA/home ")" \
		"^bind target=$SB_DATA/home source=$SB_DATA/pub recursive create=0700 rule=home " \
		"a recursive bind with create"
}

t_case "mntns-plan prints the plan in apply order, with @group rules" case_valid
t_case "mntns-plan prints what each op mounts: flags, tmpfs options, a hide as its tmpfs" case_what_is_mounted
t_case "mntns-plan: a drop-in section replaces the main file's section of the same name" case_dropin
t_case "mntns-plan reports a user not selected by [global] users" case_not_selected
t_case "mntns-plan exits 1 with the file name on config errors" case_config_error
t_case "mntns-plan says what a login does with a broken config: root's opens, bob untouched" case_broken_config
t_case "mntns-plan --config / --config-dir, usage errors, unknown user" case_options
t_done
