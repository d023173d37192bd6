#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Benchmark of a pam_mntns login against fork alone, the raw namespace syscalls, a pam_permit
# stack and pam_namespace, checked against the "Performance targets" of SPEC.md. Runs in a
# private mount namespace with its own /etc/pam.d, /etc/security, user database and /tmp.
#
# usage: tests/bench/run.sh [--quick]          (as root; the module must be built)
#        tests/bench/run.sh --exec CMD [ARG...]  runs CMD in the prepared sandbox instead, with
#          $PAM_BENCH (the client) and $BENCH_USER set and $BENCH_MOUNTS mounts, for profiling:
#          run.sh --exec sh -c 'perf record -g "$PAM_BENCH" time 200 9999 pam bench-mntns "$BENCH_USER"'
#          (PAM services: bench-permit, bench-mntns, bench-mntns-loaded, bench-mntns-unselected,
#          bench-mntns-user, bench-namespace, bench-mntns-{1,100,10000}; valgrind 3.19 stops
#          at mount_setattr)
# out:   the tables on stdout and in $BENCH_OUT/results.txt; growth-{mounts,config}.{dat,png}
# env:   BENCH_ROUNDS (7, quick 3)  BENCH_CYCLES (200, quick 20)  BENCH_OUT (./bench-out)
#        BENCH_BUDGET_MS (10000, quick 500): a round of one variant stops early, after at least
#          3 cycles, once it has taken this long (only very slow variants ever hit it)
#        BENCH_MODULE (pam_module/.libs/pam_mntns.so under the current directory, else under
#          this source tree)  CC (cc)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # `make bench` may start it with /bin/sh
set -euo pipefail

self=$(readlink -f "$0")
here=$(dirname "$self")
top=$(cd "$here/../.." && pwd)

die() {
	echo "run.sh: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- outside the sandbox

work=''
outer() {
	local quick=0

	case ${1:-} in
	--quick) quick=1 ;;
	--exec) [[ $# -ge 2 ]] || die "--exec needs a command" ;;
	-h | --help) sed -n '2,17s/^# \{0,1\}//p' "$self"; exit 0 ;;
	"") ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
	[[ ${1:-} == --exec || $# -le 1 ]] || die "too many arguments (try --help)"
	[[ $(id -u) == 0 ]] || die "must run as root (it mounts, in a private namespace)"
	# `make bench` runs in the build directory, which may not be the source tree.
	if [[ -z ${BENCH_MODULE:-} ]]; then
		BENCH_MODULE=$PWD/pam_module/.libs/pam_mntns.so
		[[ -f $BENCH_MODULE ]] || BENCH_MODULE=$top/pam_module/.libs/pam_mntns.so
	fi
	[[ -f $BENCH_MODULE ]] || die "$BENCH_MODULE not found; build first (./autogen.sh && ./configure && make)"
	BENCH_MODULE=$(readlink -f "$BENCH_MODULE")
	export BENCH_MODULE
	export BENCH_ROUNDS=${BENCH_ROUNDS:-$((quick ? 3 : 7))}
	export BENCH_CYCLES=${BENCH_CYCLES:-$((quick ? 20 : 200))}
	export BENCH_BUDGET_MS=${BENCH_BUDGET_MS:-$((quick ? 500 : 10000))}

	# Not under /tmp: the sandbox mounts its own /tmp, which would hide this directory.
	work=$(mktemp -d /var/tmp/pam-bench.XXXXXX)
	trap 'rm -rf --one-file-system "$work"' EXIT
	"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$work/pam-bench" "$here/pam-bench.c" -lpam
	mkdir "$work/out"

	if [[ ${1:-} == --exec ]]; then
		shift
		BENCH_WORK=$work unshare --mount --pid --fork --mount-proc -- "$self" --inside-exec "$@"
		return
	fi
	mkdir -p "${BENCH_OUT:=./bench-out}"
	BENCH_OUT=$(cd "$BENCH_OUT" && pwd)
	# A PID namespace too: PID 1's view is the sandbox's, the outer view of scope = user.
	BENCH_WORK=$work unshare --mount --pid --fork --mount-proc -- "$self" --inside |
		tee "$work/out/results.txt"
	[[ ${PIPESTATUS[0]} == 0 ]] || die "benchmark failed"
	cp "$work"/out/* "$BENCH_OUT"/
	plot "$BENCH_OUT"
	echo "tables, data and plots: $BENCH_OUT"
}

plot() {
	local out=$1

	command -v gnuplot >/dev/null || { echo "gnuplot not found: no plots" >&2; return 0; }
	gnuplot <<-EOF
		set terminal pngcairo size 800,500 noenhanced
		set key top left
		set grid
		set ylabel "microseconds per login, above baseline"

		set output "$out/growth-mounts.png"
		set title "Cost above baseline vs. mounts in the namespace (SPEC target at 5,000: ratio <= 1.3)"
		set xlabel "mounts in the login's parent namespace"
		plot "$out/growth-mounts.dat" using 1:2 with linespoints title "raw syscalls - fork", \
		     "" using 1:3 with linespoints title "pam_mntns - pam_permit", \
		     "" using 1:(1.3*\$2) with lines dashtype 2 title "1.3 x raw (target)"

		set output "$out/growth-config.png"
		set title "pam_mntns cost vs. config size (SPEC target: 10,000 sections add <= 5 ms)"
		set xlabel "rule sections not matching the user (plus the /tmp rule)"
		set logscale xy
		plot "$out/growth-config.dat" using 1:2 with linespoints title "pam_mntns - pam_permit", \
		     "" using 1:(\$3+5000) with lines dashtype 2 title "1-section cost + 5 ms (target)"
	EOF
}

# ---------------------------------------------------------------- inside the sandbox

user=pambench
bench='' sb='' secdir='' ns_init=''
declare -A spec samples shortest

# The directory that holds pam_permit.so: pam_namespace.so and pam_permit.so are named by
# absolute path so that the stacks do not depend on libpam's compiled-in module directory.
find_secdir() {
	local d

	for d in /lib/"$(gcc -print-multiarch 2>/dev/null)"/security /usr/lib/*/security \
		/lib*/security /usr/lib*/security; do
		[[ -f $d/pam_permit.so ]] && { echo "$d"; return; }
	done
	die "pam_permit.so not found"
}

# mntns.conf with N rule sections that do not match the bench user, then the one /tmp rule.
write_mntns_conf() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "[filler%05d]\ntype = tmpfs\ntarget = /srv/bench-filler/%05d\nusers = nobody\n\n", i, i
		print "[tmp]\ntype = tmpfs\ntarget = /tmp\noptions = mode=1777"
	}'
}

pam_service() {
	local name=$1
	shift
	printf 'session required %s\n' "$@" >"$sb/pam.d/$name"
}

setup_sandbox() {
	local uid f n t

	# Like a systemd host, where / is shared: the session must make it a slave of ours.
	mount --make-rshared /
	sb=$BENCH_WORK/sb
	mkdir "$sb"
	mount -t tmpfs -o mode=0755 pam-bench "$sb"
	mkdir "$sb"/{pam.d,security,many}
	secdir=$(find_secdir)

	for t in auth account password session; do
		echo "$t required $secdir/pam_deny.so"
	done >"$sb/pam.d/other"
	pam_service bench-permit "$secdir/pam_permit.so"
	pam_service bench-mntns "$BENCH_MODULE config=/etc/security/mntns.conf" "$secdir/pam_permit.so"
	# libpam loads every module of a service at pam_start; "done" ends the stack before this
	# one is called. (Another module type would make libpam log a missing symbol.)
	printf 'session [success=done default=die] %s\nsession required %s\n' \
		"$secdir/pam_permit.so" "$BENCH_MODULE" >"$sb/pam.d/bench-mntns-loaded"
	pam_service bench-mntns-unselected "$BENCH_MODULE config=/etc/security/mntns-unselected.conf" \
		"$secdir/pam_permit.so"
	pam_service bench-namespace "$secdir/pam_namespace.so" "$secdir/pam_permit.so"
	pam_service bench-mntns-user "$BENCH_MODULE config=/etc/security/mntns-user.conf" \
		"$secdir/pam_permit.so"
	{ printf '[global]\nscope = user\n\n'; write_mntns_conf 0; } >"$sb/security/mntns-user.conf"
	for n in 1 100 10000; do
		pam_service "bench-mntns-$n" "$BENCH_MODULE config=/etc/security/mntns-$n.conf" \
			"$secdir/pam_permit.so"
		write_mntns_conf "$n" >"$sb/security/mntns-$n.conf"
	done
	write_mntns_conf 0 >"$sb/security/mntns.conf"
	{ printf '[global]\nusers = nobody\n\n'; write_mntns_conf 0; } >"$sb/security/mntns-unselected.conf"
	# pam_namespace: polydir /tmp, method tmpfs, not for root. It runs namespace.init for each
	# new instance if that exists: as installed, that is the distribution's script.
	echo "/tmp tmpfs tmpfs root" >"$sb/security/namespace.conf"
	if [[ -f /etc/security/namespace.init ]]; then
		cp -p /etc/security/namespace.init "$sb/security/namespace.init"
		ns_init="host's namespace.init"
	else
		ns_init="no namespace.init"
	fi

	# A real, non-root user: pam_namespace skips excluded users and the SPEC's users say `* !root`.
	uid=$(awk -F: '{ used[$3] = 1 } END { for (i = 64000; i in used; i++); print i }' \
		/etc/passwd /etc/group)
	for f in passwd group shadow; do cp -p "/etc/$f" "$sb/$f"; done
	echo "$user:x:$uid:$uid:pam_mntns benchmark:/nonexistent:/usr/sbin/nologin" >>"$sb/passwd"
	echo "$user:x:$uid:" >>"$sb/group"
	echo "$user:!:19000::::::" >>"$sb/shadow"

	mount --bind "$sb/pam.d" /etc/pam.d
	mount --bind "$sb/security" /etc/security
	for f in passwd group shadow; do mount --bind "$sb/$f" "/etc/$f"; done
	mount -t tmpfs -o mode=1777 pam-bench-tmp /tmp
	# scope = user pins namespaces in /run/mntns: the sandbox's own /run.
	mkdir "$sb"/run-{upper,work}
	mount -t overlay pam-bench-run -o "lowerdir=/run,upperdir=$sb/run-upper,workdir=$sb/run-work" /run
}

mount_count() {
	wc -l </proc/self/mountinfo
}

# grow_mounts N: tmpfs mounts under $sb/many until the namespace has at least N mounts.
grow_mounts() {
	local have

	have=$(mount_count)
	if (($1 > have)); then
		"$bench" mounts "$sb/many" "$have" $(($1 - have)) || die "cannot add mounts"
	fi
}

# median VALUE...
median() {
	printf '%s\n' "$@" | sort -g |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure NAME...: BENCH_ROUNDS rounds, each running every variant once (BENCH_CYCLES cycles),
# starting one further along each round. samples[NAME] = the per-round means, in round order.
measure() {
	local names=("$@") n=$# r i name out

	for name; do
		samples[$name]=''
		unset "shortest[$name]"
	done
	for ((r = 0; r < BENCH_ROUNDS; r++)); do
		for ((i = 0; i < n; i++)); do
			name=${names[(r + i) % n]}
			# shellcheck disable=SC2086 # spec values are argument lists
			out=$("$bench" time "$BENCH_CYCLES" "$BENCH_BUDGET_MS" ${spec[$name]}) ||
				die "variant $name failed"
			samples[$name]+="${out% *} "
			if ((${out#* } < ${shortest[$name]:-BENCH_CYCLES})); then
				shortest[$name]=${out#* }
			fi
		done
		printf . >&2
	done
	echo >&2
}

# med NAME: the row value, median of the per-round means.
med() {
	# shellcheck disable=SC2086
	median ${samples[$1]}
}

# above A B: the cost of A above B, as the median over rounds of (A - B) in the same round, so
# that the machine's load drifting between rounds cancels out.
above() {
	local -a a b
	local r d=()

	read -ra a <<<"${samples[$1]}"
	read -ra b <<<"${samples[$2]}"
	for r in "${!a[@]}"; do
		d+=("$(awk -v x="${a[r]}" -v y="${b[r]}" 'BEGIN { printf "%.1f", x - y }')")
	done
	median "${d[@]}"
}

# verify SERVICE [EXPECTED]: one session must succeed and, unless said otherwise, be in a new
# mount namespace with a new /tmp; else the numbers would time a failure or a no-op.
verify() {
	local out want=${2:-"session ok, new mount namespace, new /tmp"}

	out=$("$bench" check "$1" "$user") || die "$1: $out"
	[[ $out == "$want" ]] || die "$1: $out (expected: $want)"
}

# verdict VALUE OP LIMIT: "met" or "MISSED".
verdict() {
	awk -v v="$1" -v l="$3" -v op="$2" \
		'BEGIN { ok = (op == "<=") ? v <= l : v >= l; print ok ? "met" : "MISSED" }'
}

# ratio NUMERATOR DENOMINATOR: "n/a" when the denominator is lost in noise.
ratio() {
	awk -v n="$1" -v d="$2" 'BEGIN { if (d > 0) printf "%.2f", n / d; else print "n/a" }'
}

# ratio_line LABEL NUMERATOR DENOMINATOR OP LIMIT
ratio_line() {
	local label=$1 num=$2 den=$3 op=$4 limit=$5 r

	r=$(ratio "$num" "$den")
	if [[ $r == n/a ]]; then
		printf '  %-56s n/a (denominator %s us <= 0: noise)\n' "$label" "$den"
		return
	fi
	printf '  %-56s %8s / %-8s = %6s   target %s %-4s %s\n' "$label" "$num" "$den" "$r" \
		"$op" "$limit" "$(verdict "$r" "$op" "$limit")"
}

# note_short NAME...: says which variants had rounds cut short by BENCH_BUDGET_MS.
note_short() {
	local name

	for name; do
		if ((${shortest[$name]:-BENCH_CYCLES} < BENCH_CYCLES)); then
			echo "  note: $name: some rounds stopped after ${shortest[$name]} cycles (BENCH_BUDGET_MS)"
		fi
	done
}

# rows LABEL NAME [LABEL NAME...]: one table line per variant.
rows() {
	local names=()

	while (($#)); do
		printf '  %-56s %10s\n' "$1" "$(med "$2")"
		names+=("$2")
		shift 2
	done
	note_short "${names[@]}"
}

table_main() {
	echo
	echo "== Session open+close, one tmpfs /tmp rule ($(mount_count) mounts in the namespace) =="
	printf '  %-56s %10s\n' "" "us/cycle"
	rows "fork only" fork \
		"raw syscalls (unshare + rslave + tmpfs /tmp)" raw \
		"pam_permit.so" permit \
		"pam_mntns.so + pam_permit.so" mntns \
		"pam_namespace.so + pam_permit.so ($ns_init)" namespace \
		"for reference: pam_mntns.so loaded, not called" loaded \
		"for reference: pam_mntns.so, user not selected" unselected
	echo
	echo "  costs above baseline (median over rounds of the difference within a round):"
	ratio_line "(pam_mntns - permit) / (raw - fork)" "$(above mntns permit)" "$(above raw fork)" \
		"<=" 3
	ratio_line "(pam_namespace - permit) / (pam_mntns - permit)" "$(above namespace permit)" \
		"$(above mntns permit)" ">=" 20
	echo "  where pam_mntns - permit goes:"
	printf '  %-56s %8s us\n' "  loading the module (loaded - permit)" "$(above loaded permit)" \
		"  config, user lookup, plan (not selected - loaded)" "$(above unselected loaded)" \
		"  namespace and mount (pam_mntns - not selected)" "$(above mntns unselected)"
}

# For reference, not a SPEC target: pam_namespace when there is no namespace.init to run.
table_namespace_noinit() {
	[[ -f $sb/security/namespace.init ]] || return 0
	mv "$sb/security/namespace.init" "$sb/namespace.init"
	verify bench-namespace
	echo "-- measuring pam_namespace without namespace.init" >&2
	measure permit mntns namespace
	mv "$sb/namespace.init" "$sb/security/namespace.init"

	echo
	echo "== For reference: pam_namespace.so without any namespace.init (not a SPEC target) =="
	rows "pam_permit.so" permit "pam_mntns.so + pam_permit.so" mntns \
		"pam_namespace.so + pam_permit.so (no namespace.init)" namespace
	printf '  %-56s %8s\n' "(pam_namespace - permit) / (pam_mntns - permit)" \
		"$(ratio "$(above namespace permit)" "$(above mntns permit)")"
}

growth_config() {
	local n dat=$BENCH_WORK/out/growth-config.dat

	verify bench-mntns-1
	verify bench-mntns-100
	verify bench-mntns-10000
	spec[c1]="pam bench-mntns-1 $user" spec[c100]="pam bench-mntns-100 $user"
	spec[c10000]="pam bench-mntns-10000 $user"
	echo "-- measuring config sizes" >&2
	measure permit c1 c100 c10000

	echo
	echo "== Growth: config size (N sections with users = nobody, plus the /tmp rule) =="
	printf '  %-10s %12s %16s %16s\n' sections us/cycle "mntns - permit" "added vs N=1"
	: >"$dat"
	for n in 1 100 10000; do
		printf '  %-10s %12s %16s %16s\n' "$n" "$(med "c$n")" "$(above "c$n" permit)" \
			"$(above "c$n" c1)"
		echo "$n $(above "c$n" permit) $(above c1 permit)" >>"$dat"
	done
	note_short c1 c100 c10000
	n=$(above c10000 c1)
	printf '  %-56s %8s us   target <= 5000 us   %s\n' "10,000 sections add" "$n" \
		"$(verdict "$n" "<=" 5000)"
}

growth_mounts() {
	local want have raw mntns dat=$BENCH_WORK/out/growth-mounts.dat lines=()

	: >"$dat"
	for want in 20 1000 5000; do
		grow_mounts "$want"
		have=$(mount_count)
		echo "-- measuring with $have mounts" >&2
		measure fork raw permit mntns
		raw=$(above raw fork)
		mntns=$(above mntns permit)
		lines+=("$(printf '  %-8s %9s %9s %9s %9s %11s %14s %7s' "$have" "$(med fork)" \
			"$(med raw)" "$(med permit)" "$(med mntns)" "$raw" "$mntns" \
			"$(ratio "$mntns" "$raw")")")
		echo "$have $raw $mntns" >>"$dat"
	done
	note_short fork raw permit mntns

	echo
	echo "== Growth: mounts in the namespace (us/cycle) =="
	printf '  %-8s %9s %9s %9s %9s %11s %14s %7s\n' mounts fork raw permit mntns \
		"raw - fork" "mntns - permit" ratio
	printf '%s\n' "${lines[@]}"
	ratio_line "at $have mounts: (pam_mntns - permit) / (raw - fork)" "$mntns" "$raw" "<=" 1.3
}

# scope_user: one held login of the bench user, and the timed ones join its namespace.
# Appends a line to user_lines.
user_lines=()
scope_user() {
	local have held raw join

	have=$(mount_count)
	exec {held}> >("$bench" hold bench-mntns-user "$user" >"$BENCH_WORK/held.out")
	for _ in $(seq 100); do [[ -s $BENCH_WORK/held.out ]] && break; sleep 0.05; done
	[[ $(cat "$BENCH_WORK/held.out") == held ]] || die "scope = user: the held login failed"
	verify bench-mntns-user
	spec[join]="pam bench-mntns-user $user"
	echo "-- measuring scope = user joins with $have mounts" >&2
	measure fork raw permit join
	exec {held}>&-
	raw=$(above raw fork)
	join=$(above join permit)
	user_lines+=("$(printf '  %-8s %9s %9s %9s %9s %11s %14s %7s' "$have" "$(med fork)" \
		"$(med raw)" "$(med permit)" "$(med join)" "$raw" "$join" "$(ratio "$join" "$raw")")")
	note_short fork raw permit join
	last_join=$join last_raw=$raw last_have=$have
}

table_scope_user() {
	echo
	echo "== scope = user: logins that join a live namespace, vs. mounts in the namespace (us/cycle) =="
	printf '  %-8s %9s %9s %9s %9s %11s %14s %7s\n' mounts fork raw permit join \
		"raw - fork" "join - permit" ratio
	printf '%s\n' "${user_lines[@]}"
	ratio_line "at $last_have mounts: (join - permit) / (raw - fork)" "$last_join" "$last_raw" \
		"<=" 0.2
}

inner() {
	bench=$BENCH_WORK/pam-bench
	setup_sandbox

	echo "pam_mntns benchmark  $(date -u '+%F %T UTC')  kernel $(uname -r)  $(nproc) CPUs"
	echo "module $BENCH_MODULE"
	echo "user $user; $BENCH_ROUNDS interleaved rounds x $BENCH_CYCLES cycles;" \
		"a row is the median of per-round means, in microseconds per fork + session + exit"

	"$bench" time 1 1000 raw >/dev/null || die "raw syscalls fail in the sandbox"
	verify bench-mntns
	verify bench-namespace
	verify bench-mntns-loaded "session ok, same mount namespace, same /tmp"
	verify bench-mntns-unselected "session ok, same mount namespace, same /tmp"
	spec[fork]=fork spec[raw]=raw
	spec[permit]="pam bench-permit $user"
	spec[mntns]="pam bench-mntns $user"
	spec[namespace]="pam bench-namespace $user"
	spec[loaded]="pam bench-mntns-loaded $user"
	spec[unselected]="pam bench-mntns-unselected $user"
	echo "-- measuring main table" >&2
	measure fork raw permit mntns namespace loaded unselected
	table_main
	table_namespace_noinit

	growth_config
	scope_user
	growth_mounts
	scope_user
	table_scope_user
}

inner_exec() {
	bench=$BENCH_WORK/pam-bench
	setup_sandbox
	grow_mounts "${BENCH_MOUNTS:-0}"
	PAM_BENCH=$bench BENCH_USER=$user exec "$@"
}

case ${1:-} in
--inside) inner ;;
--inside-exec) shift; inner_exec "$@" ;;
*) outer "$@" ;;
esac
