#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Root's symbolic links are followed, users' never (issue 19): homes behind a link of root's,
# as sites with /home -> /srv/home have them, get their %h rules; a link of root's in a
# directory others can write to, a link of a user's anywhere, and a loop are refused, the log
# naming the link and why; and a user who swaps a path below a followed link while logins
# resolve it never gets a mount anywhere else. The sandbox's /home is a mount point of its
# own, so the link that stands for /home is /var/lib/mntns-test/home (the sandbox's /var/lib
# is private to it), and the users' homes are set there in its passwd.
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
# shellcheck source=../lib/attacker.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/attacker.sh"
attacker_begin "$@"
sb_build_client swapper
SWAPPER=$SB_ROOT/build/swapper
LOGINS=${RACE_LOGINS:-300}

TOP=/var/lib/mntns-test     # root's 0755 here (SHARED of attacker.sh is not used)
SRV=$TOP/srv/home           # where the homes really are
HOMES=$TOP/home             # root's link to SRV: what passwd says

# homes_behind_link [TARGET]: SRV with alice's home (src with a marker, dst), HOMES a link of
# root's to TARGET (default SRV, absolute), and alice's home in passwd $HOMES/alice.
homes_behind_link() {
	mkdir -m 0755 "$TOP" "$TOP/srv" "$SRV"
	install -d -m 0755 -o alice -g alice "$SRV/alice" "$SRV/alice/src" "$SRV/alice/dst"
	echo marker >"$SRV/alice/src/marker"
	ln -s "${1:-$SRV}" "$HOMES"
	cp /etc/passwd "$SB_CASE_DIR/passwd.orig"
	sb_defer "cat '$SB_CASE_DIR/passwd.orig' >/etc/passwd"
	sed "s|^alice:\(.*\):/home/alice:|alice:\1:$HOMES/alice:|" "$SB_CASE_DIR/passwd.orig" >/etc/passwd
	grep -q "^alice:.*:$HOMES/alice:" /etc/passwd || fail "passwd: alice's home not set"
}

# home_rules_config: sb_config_tmp and a bind of %h/src on %h/dst; the module in every service.
home_rules_config() {
	sb_config_tmp
	sb_config_add <<EOF

[data]
type = bind
source = %h/src
target = %h/dst
EOF
	sb_use_module
}

# expect_home_rules WHAT: alice's login works, with a private /tmp and %h/src on %h/dst.
expect_home_rules() {
	local out
	client alice || fail "$1: pam-client failed (status $?): $(sb_oneline_file client.err)"
	expect_eq "$(client_rc)" 0 "$1: pam_open_session result (log: $(client_log))"
	grep -qx 'ns_changed=yes' "$SB_CASE_DIR/client.out" || fail "$1: no new namespace"
	grep -qE "^new_mounts=(.* )?$SRV/alice/dst " "$SB_CASE_DIR/client.out" ||
		fail "$1: %h/dst not mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	out=$(sb_as alice "$SB_BIN/sb-mnt /tmp; cat ~/dst/marker; pwd -P") ||
		fail "$1: runuser -l alice failed: $(sb_last_err)"
	expect_match "$(sed -n 1p <<<"$out")" '^tmpfs pam_mntns ' "$1: /tmp of the login"
	expect_eq "$(sed -n 2p <<<"$out")" marker "$1: %h/src seen at %h/dst"
	expect_eq "$(sed -n 3p <<<"$out")" "$SRV/alice" "$1: the login's working directory"
}

case_home_link() {
	homes_behind_link
	home_rules_config
	expect_home_rules "absolute link of root's"
	# mntns-plan shows where the rule's paths lead.
	"$SB_PLAN_TOOL" alice >"$SB_CASE_DIR/plan.out" 2>&1 || fail "mntns-plan: $(sb_oneline_file plan.out)"
	expect_match "$(sb_oneline_file plan.out)" "target $HOMES/alice/dst resolves to $SRV/alice/dst" \
		"mntns-plan: the target as resolved"
	expect_match "$(sb_oneline_file plan.out)" "source $HOMES/alice/src resolves to $SRV/alice/src" \
		"mntns-plan: the source as resolved"
	# The same with a relative link, and with a second link of root's on the way.
	rm "$HOMES"
	ln -s srv/home "$HOMES"
	expect_home_rules "relative link of root's"
	rm "$HOMES"
	ln -s ./srv2/../srv/home "$HOMES"
	ln -s srv "$TOP/srv2"
	expect_home_rules "relative link with \"..\" through a second link of root's"
	# The config itself may be reached through a link of root's.
	mv /etc/security/mntns.conf /etc/security/mntns-real.conf
	ln -s mntns-real.conf /etc/security/mntns.conf
	expect_home_rules "mntns.conf a link of root's"
}

# A link of root's where others can write: anyone could have put it there (or swap it).
case_link_world_writable() {
	homes_behind_link
	home_rules_config
	expect_home_rules "control"
	mkdir -m 1777 "$TOP/ww"
	chmod 1777 "$TOP/ww"
	ln -s "$SRV/alice/src" "$TOP/ww/src"
	sb_config_add <<EOF

[ww]
type = bind
source = $TOP/ww/src
target = %h/dst
EOF
	BEFORE=$(snapshot)
	expect_refused "a link of root's in a world-writable directory" \
		"$TOP/ww/src is a symbolic link in a directory that others can write to"
}

# A link of a user's is never followed: where only root can write (root made it and gave it
# away, or it is left from when the directory was open), in her home behind root's link, or
# as her home itself.
case_link_of_user() {
	homes_behind_link
	home_rules_config
	expect_home_rules "control"
	ln -s "$SRV/alice/src" "$TOP/usrc"
	chown -h alice:alice "$TOP/usrc"
	sb_config_add <<EOF

[u]
type = bind
source = $TOP/usrc
target = %h/dst
EOF
	BEFORE=$(snapshot)
	expect_refused "a link of alice's in a directory of root's" \
		"$TOP/usrc is a symbolic link owned by uid ${SB_UID[alice]}, not by root"
	home_rules_config
	rm -rf "$SRV/alice/dst"
	as alice ln -s /etc "$SRV/alice/dst"
	BEFORE=$(snapshot)
	expect_refused "a link of alice's in her home, behind root's link" \
		"$SRV/alice/dst is a symbolic link in a directory that others can write to"
	# Her whole home a link of hers: the link of root's leads into a directory of root's,
	# whose entry for her is her own link.
	rm -rf "${SRV:?}/alice"
	ln -s /etc "$SRV/alice"
	chown -h alice:alice "$SRV/alice"
	BEFORE=$(snapshot)
	expect_refused "her home a link of hers" \
		"$SRV/alice is a symbolic link owned by uid ${SB_UID[alice]}, not by root"
}

case_link_loop() {
	homes_behind_link
	home_rules_config
	expect_home_rules "control"
	ln -s loop2 "$TOP/loop1"
	ln -s loop1 "$TOP/loop2"
	sb_config_add <<EOF

[loop]
type = tmpfs
target = $TOP/loop1/x
EOF
	BEFORE=$(snapshot)
	expect_refused "a loop of root's links" \
		"$TOP/loop[12] is one symbolic link too many \\(at most 40 are followed\\)"
	# Forty links in a row are fine, forty-one are not.
	local i
	mkdir -m 0755 "$TOP/end" "$TOP/end/x"
	ln -s end "$TOP/c0"
	for i in $(seq 1 39); do ln -s "c$((i - 1))" "$TOP/c$i"; done
	ln -s c39 "$TOP/c40"
	home_rules_config
	sb_config_add <<EOF

[forty]
type = tmpfs
target = $TOP/c39/x
EOF
	client alice || fail "40 links: pam-client failed: $(sb_oneline_file client.err)"
	expect_eq "$(client_rc)" 0 "40 links: result (log: $(client_log))"
	grep -qE "^new_mounts=(.* )?$TOP/end/x " "$SB_CASE_DIR/client.out" ||
		fail "40 links: $TOP/end/x not mounted: $(grep new_mounts "$SB_CASE_DIR/client.out")"
	home_rules_config
	sb_config_add <<EOF

[forty-one]
type = tmpfs
target = $TOP/c40/x
EOF
	BEFORE=$(snapshot)
	expect_refused "41 links" "is one symbolic link too many"
}

# While logins resolve %h/dst through root's link, alice swaps it with a link of hers to /etc
# (renameat2 RENAME_EXCHANGE in a loop): every login is refused or mounts on the directory
# itself (at either of its names), never on /etc.
case_link_race() {
	homes_behind_link
	home_rules_config
	as alice ln -s /etc "$SRV/alice/dst.alt"
	local etc0 out rc ok refused
	etc0=$(find /etc -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort | sha256sum)
	as alice "$SWAPPER" "$HOMES/alice/dst" "$HOMES/alice/dst.alt" 2>"$SB_CASE_DIR/swapper.err" &
	local swap=$!
	_sb_track "$swap"
	sleep 0.2
	kill -0 "$swap" 2>/dev/null || fail "swapper did not start: $(sb_oneline_file swapper.err)"
	out=$(timeout -k 3 120 "${SB_WRAP[@]}" "$CLIENT" -n "$LOGINS" -a /tmp \
		-a "$SRV/alice/dst" -a "$SRV/alice/dst.alt" mntns-test alice 2>"$SB_CASE_DIR/client.err")
	rc=$?
	_sb_stop_pids "$swap"
	echo "$out"
	grep '^BAD' <<<"$out" | head -3 >"$SB_CASE_DIR/bad"
	[ ! -s "$SB_CASE_DIR/bad" ] || fail "$(sb_oneline_file bad)"
	[ "$rc" -eq 0 ] || fail "pam-client -n failed (status $rc): $(_sb_oneline "$(tail -n 3 "$SB_CASE_DIR/client.err")")"
	ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out")
	refused=$(sed -n 's/.* refused=\([0-9]*\).*/\1/p' <<<"$out")
	[ -n "$ok" ] || fail "no summary from pam-client: $out"
	sb_expect_mounts_unchanged "after $LOGINS raced logins"
	expect_eq "$(find /etc -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort | sha256sum)" "$etc0" \
		"/etc after the race"
	if [ "$ok" -eq 0 ] || [ "$refused" -eq 0 ]; then
		fail "the race did not happen (ok=$ok refused=$refused): both outcomes expected"
	fi
	grep -q "symbolic link" "$SB_CASE_DIR/client.err" ||
		fail "no refusal names the symbolic link: $(_sb_oneline "$(grep -m 3 SYSLOG "$SB_CASE_DIR/client.err")")"
}

t_case "homes behind a link of root's: %h rules, private /tmp, mntns-plan shows them resolved" case_home_link
t_case "a link of root's in a world-writable directory is refused" case_link_world_writable
t_case "a link of a user's is refused, wherever it is" case_link_of_user
t_case "a loop of links is refused; at most 40 links are followed" case_link_loop
t_case "a path swapped below a followed link while logins resolve it: no mount elsewhere" case_link_race
t_done
