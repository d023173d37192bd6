#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Race: while logins run in a loop (tests/clients/pam-client -n, one forked child per login,
# each checking its own mount table right after pam_open_session), another process of the
# same user swaps a path component between a directory and a symlink to /etc with
# renameat2(RENAME_EXCHANGE) in a tight loop (tests/clients/swapper).  No mount may ever land
# outside its intended place, /etc is never mounted over or written to, the sandbox's own
# mount table never changes, and every login either gets the right view or is refused (and
# then is back in its original namespace).  The first case is the control without swapper.
# shellcheck disable=SC2119 # sb_use_module / sb_config_tmp take optional arguments
# shellcheck source-path=SCRIPTDIR source=../lib/sandbox.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/sandbox.sh"
sb_begin "$@"
sb_protect_etc
sb_build_client pam-client
sb_build_client swapper
CLIENT=$SB_ROOT/build/pam-client
SWAPPER=$SB_ROOT/build/swapper
LOGINS=${RACE_LOGINS:-1000}
SHARED=/var/lib/mntns-test

etc_state() { find /etc -maxdepth 1 -printf '%p %u %g %m %y %i\n' | sort | sha256sum; }

home_config() {
	install -d -m 0755 -o alice -g alice /home/alice/scratch
	setpriv --reuid=alice --regid=alice --init-groups ln -s /etc /home/alice/scratch.alt
	sb_config <<EOF
[global]
users = * !root

[scratch]
type = tmpfs
target = %h/scratch
options = mode=0700,size=1m
EOF
	sb_use_module
}

# start_swapper PATH OTHER: swap them as alice until the case ends (stopped by pid).
start_swapper() {
	setpriv --reuid=alice --regid=alice --init-groups -- "$SWAPPER" "$1" "$2" \
		2>"$SB_CASE_DIR/swapper.err" &
	SWAP_PID=$!
	_sb_track "$SWAP_PID"
	sleep 0.2
	kill -0 "$SWAP_PID" 2>/dev/null || fail "swapper did not start: $(_sb_oneline "$(cat "$SB_CASE_DIR/swapper.err")")"
}

# logins N ALLOWED... [-f FILE]: N logins of alice; sets OK and REFUSED.
logins() {
	local n=$1 args=() out
	shift
	while [ $# -gt 0 ]; do
		if [ "$1" = -f ]; then args+=(-f "$2"); shift 2; continue; fi
		args+=(-a "$1")
		shift
	done
	out=$(timeout -k 3 120 "${SB_WRAP[@]}" "$CLIENT" -n "$n" "${args[@]}" mntns-test alice \
		2>"$SB_CASE_DIR/client.err")
	local rc=$?
	echo "$out"
	[ "$rc" -ne 124 ] || fail "the login loop timed out"
	grep '^BAD' <<<"$out" | head -3 >"$SB_CASE_DIR/bad"
	[ ! -s "$SB_CASE_DIR/bad" ] || fail "$(_sb_oneline "$(cat "$SB_CASE_DIR/bad")")"
	[ "$rc" -eq 0 ] || fail "pam-client -n failed (status $rc): $(_sb_oneline "$(tail -n 3 "$SB_CASE_DIR/client.err")")"
	OK=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$out")
	REFUSED=$(sed -n 's/.* refused=\([0-9]*\).*/\1/p' <<<"$out")
	[ -n "$OK" ] || fail "no summary from pam-client: $out"
}

case_control() {
	home_config
	logins 20 /home/alice/scratch
	expect_eq "$OK" 20 "logins with the right view (no swapper)"
	# The create= variant too.
	create_config
	logins 20 "$SB_DATA/t" -f "$SB_DATA/t/.mark"
	expect_eq "$OK" 20 "logins with a create= source (no swapper)"
}

case_race_target() {
	home_config
	local etc0
	etc0=$(etc_state)
	start_swapper /home/alice/scratch /home/alice/scratch.alt
	# The directory itself moves between the two names, so a mount on it may be reported at
	# either name; it must never be anywhere else (in particular not on /etc).
	logins "$LOGINS" /home/alice/scratch /home/alice/scratch.alt
	_sb_stop_pids "$SWAP_PID"
	sb_expect_mounts_unchanged "after $LOGINS raced logins"
	expect_eq "$(etc_state)" "$etc0" "/etc after the race"
	if [ "$REFUSED" -eq 0 ] || [ "$OK" -eq 0 ]; then
		fail "the race did not happen (ok=$OK refused=$REFUSED): both outcomes expected"
	fi
}

create_config() {
	mkdir -p "$SHARED"
	chmod 1777 "$SHARED"
	install -d -m 0755 "$SB_DATA/t"
	rm -rf "${SHARED:?}/alice" "$SHARED/alice.alt"
	install -d -m 0755 -o alice -g alice "$SHARED/alice"
	install -d -m 0700 -o alice -g alice "$SHARED/alice/data"
	install -m 0600 -o alice -g alice /dev/null "$SHARED/alice/data/.mark"
	setpriv --reuid=alice --regid=alice --init-groups ln -s /etc "$SHARED/alice.alt"
	sb_config_bind "$SHARED/%u/data" "$SB_DATA/t" 0700
	sb_use_module
}

case_race_create() {
	create_config
	local etc0
	etc0=$(etc_state)
	start_swapper "$SHARED/alice" "$SHARED/alice.alt"
	logins "$LOGINS" "$SB_DATA/t" -f "$SB_DATA/t/.mark"
	_sb_stop_pids "$SWAP_PID"
	sb_expect_mounts_unchanged "after $LOGINS raced logins"
	[ ! -e /etc/data ] || fail "create= made a directory in /etc through the swapped parent"
	expect_eq "$(etc_state)" "$etc0" "/etc after the race"
	if [ "$REFUSED" -eq 0 ] || [ "$OK" -eq 0 ]; then
		fail "the race did not happen (ok=$OK refused=$REFUSED): both outcomes expected"
	fi
}

t_case "control: logins without a swapper all get the right view" case_control
t_case "target %h/scratch swapped with a symlink to /etc during $LOGINS logins" case_race_target
t_case "parent of a create= source swapped with a symlink to /etc during $LOGINS logins" case_race_create
t_done
