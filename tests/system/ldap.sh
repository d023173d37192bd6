# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# shellcheck shell=bash disable=SC2154 # tmp, port, skip_all: run.sh's
# Sourced by tests/system/run.sh: @group selectors with groups from a real directory.
#
# Before boot, ldap_prepare puts an OpenLDAP directory into the container's root (Debian's
# slapd, its database made with slapadd from an LDIF, listening only on 127.0.0.1 on a free
# port: the container has the host's network) and points sssd at it. Users and groups that
# exist only there: lucy and leo, an LDAP group (ldapproj, of lucy) that a rule of a
# drop-in selects, and lena, a member of 300 LDAP groups of which the last selects a rule.
# Then: their ssh logins, the rules their groups select, nested logins (sudo -i, sudo -u,
# su -l); with the directory stopped, then frozen (SIGSTOP): root, alice and lucy still log
# in (lucy from sssd's cache), and sssd's lines in the journal say why; with sssd itself
# stopped: root and alice log in, the module logs alice's failed group lookup and asks
# nothing of root's groups. Durations are printed as TAP comments, never asserted.
#
# Uses from run.sh: inside, ssh_as, uid, check, skip, $tmp, $port.

ldap_skip="" ldap_port="" ldap_state="" ldap_base=dc=mntns,dc=test
ldap_drop=/etc/security/mntns.d/50-ldap.conf
# How long sssd waits on the directory (seconds): connect, then any one operation, search.
ldap_timeouts="ldap_network_timeout=2 ldap_opt_timeout=2 ldap_search_timeout=2"

# ldap_check NAME FUNC: check, or a skip naming why the directory could not be set up.
ldap_check() {
	if [ -n "$ldap_skip" ] && [ -z "$skip_all" ]; then
		skip "$1" "$ldap_skip"
		return 1
	fi
	local rc=0
	[ -n "$skip_all" ] && { check "$@"; return; }
	: >"$tmp/ldap.times"
	check "$@" || rc=1
	sed 's/^/# /' "$tmp/ldap.times"
	return "$rc"
}

# ldap_ldif: the directory's entries.
ldap_ldif() {
	local i
	printf 'dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: mntns\no: mntns test\n\n' "$ldap_base"
	printf 'dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n' "$ldap_base"
	printf 'dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n' "$ldap_base"
	# name uid
	while read -r u n; do
		printf 'dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n' "$u" "$ldap_base"
		printf 'uid: %s\ncn: %s\nsn: %s\nuidNumber: %s\ngidNumber: %s\nhomeDirectory: /home/%s\nloginShell: /bin/bash\n\n' \
			"$u" "$u" "$u" "$n" "$n" "$u"
		printf 'dn: cn=%s,ou=groups,%s\nobjectClass: posixGroup\ncn: %s\ngidNumber: %s\n\n' "$u" "$ldap_base" "$u" "$n"
	done <<<"lucy 10001
leo 10002
lena 10003"
	printf 'dn: cn=ldapproj,ou=groups,%s\nobjectClass: posixGroup\ncn: ldapproj\ngidNumber: 10500\nmemberUid: lucy\n\n' "$ldap_base"
	for i in $(seq -w 1 300); do
		printf 'dn: cn=many%s,ou=groups,%s\nobjectClass: posixGroup\ncn: many%s\ngidNumber: %s\nmemberUid: lena\n\n' \
			"$i" "$ldap_base" "$i" $((11000 + 10#$i))
	done
}

# ldap_prepare ROOT: the directory, sssd and the LDAP users' homes, in the container's root
# before it boots. On failure, sets ldap_skip (the LDAP checks skip, saying why).
ldap_prepare() {
	ldap_prepare_root "$1" >"$tmp/ldap.prepare" 2>&1 ||
		ldap_skip="setting up slapd and sssd: $(head -c 300 "$tmp/ldap.prepare" | tr '\n' ' ')"
}

ldap_prepare_root() {
	local r=$1 u n t
	for t in usr/sbin/slapd usr/sbin/slapadd usr/sbin/sssd usr/bin/ldapsearch; do
		[ -x "$r/$t" ] || { echo "/$t is not in the Debian root"; return 1; }
	done
	for _ in 1 2 3 4 5 6 7 8; do
		ldap_port=$((20000 + RANDOM % 40000))
		[ "$ldap_port" != "$port" ] && [ -z "$(ss -Hltn "sport = :$ldap_port" 2>/dev/null)" ] && break
	done
	cat >"$r/etc/ldap/mntns-test.conf" <<-EOF || return 1
		include /etc/ldap/schema/core.schema
		include /etc/ldap/schema/cosine.schema
		include /etc/ldap/schema/nis.schema
		include /etc/ldap/schema/inetorgperson.schema
		pidfile /run/slapd/slapd.pid
		argsfile /run/slapd/slapd.args
		modulepath /usr/lib/ldap
		moduleload back_mdb
		sizelimit 1000
		database mdb
		suffix "$ldap_base"
		rootdn "cn=admin,$ldap_base"
		directory /var/lib/mntns-ldap
		index objectClass,uid,uidNumber,gidNumber,memberUid,cn eq
		access to * by * read
	EOF
	install -d -m 0700 "$r/var/lib/mntns-ldap" || return 1
	ldap_ldif >"$r/root/ldap.ldif" || return 1
	chroot "$r" slapadd -q -f /etc/ldap/mntns-test.conf -l /root/ldap.ldif || return 1
	chroot "$r" chown -R openldap:openldap /var/lib/mntns-ldap || return 1
	sed -i -e "s|^SLAPD_CONF=.*|SLAPD_CONF=/etc/ldap/mntns-test.conf|" \
		-e "s|^SLAPD_SERVICES=.*|SLAPD_SERVICES=\"ldap://127.0.0.1:$ldap_port/\"|" "$r/etc/default/slapd" || return 1
	grep -qxF "SLAPD_SERVICES=\"ldap://127.0.0.1:$ldap_port/\"" "$r/etc/default/slapd" || { echo "no SLAPD_SERVICES line"; return 1; }
	# sssd: the directory for users and groups only (ssh logins use keys); root and its group
	# are never asked of it (filter_users and filter_groups default to root, said here).
	{
		printf '[sssd]\nservices = nss, pam\ndomains = test\n\n[nss]\nfilter_users = root\nfilter_groups = root\n\n'
		printf '[domain/test]\nid_provider = ldap\nauth_provider = none\nldap_schema = rfc2307\n'
		printf 'ldap_uri = ldap://127.0.0.1:%s\nldap_search_base = %s\n' "$ldap_port" "$ldap_base"
		for t in $ldap_timeouts; do echo "${t%%=*} = ${t#*=}"; done
		# Back online within seconds once the directory is, for the checks that follow.
		printf 'offline_timeout = 2\noffline_timeout_max = 4\n'
	} >"$r/etc/sssd/sssd.conf" || return 1
	chmod 0600 "$r/etc/sssd/sssd.conf" || return 1
	# sssd's messages go to the journal (Debian's default is its own files).
	echo 'DEBUG_LOGGER=--logger=journald' >>"$r/etc/default/sssd" || return 1
	# Homes made beforehand: sshd reads authorized_keys before any session module runs.
	while read -r u n; do
		install -d -m 0755 -o "$n" -g "$n" "$r/home/$u" &&
			install -d -m 0700 -o "$n" -g "$n" "$r/home/$u/.ssh" &&
			install -m 0600 -o "$n" -g "$n" "$tmp/id.pub" "$r/home/$u/.ssh/authorized_keys" || return 1
	done <<<"lucy 10001
leo 10002
lena 10003"
	# sudo for the members of an LDAP group, as sites do.
	echo '%ldapproj ALL=(ALL:ALL) NOPASSWD: ALL' >"$r/etc/sudoers.d/ldapproj" && chmod 0440 "$r/etc/sudoers.d/ldapproj"
}

# ms: milliseconds since the epoch.
ms() { echo $(($(date +%s%N) / 1000000)); }

# timed NAME CMD...: runs CMD, noting how long it took (ldap_check prints it as a TAP
# comment: information, never a verdict).
timed() {
	local name=$1 t0 rc
	shift
	t0=$(ms)
	"$@"
	rc=$?
	echo "$name: $(($(ms) - t0)) ms$([ "$rc" = 0 ] || echo " (exit $rc)")" >>"$tmp/ldap.times"
	return "$rc"
}

# ---------------------------------------------------------------- checks

# slapd listens on 127.0.0.1:PORT only; sssd serves its users and groups; the drop-in with
# the @group rules is in place and mntns-plan names the rules for the users they select.
ldap_up() {
	local out
	for _ in $(seq 60); do
		inside ldapsearch -x -LLL -H "ldap://127.0.0.1:$ldap_port" -b "$ldap_base" uid=lucy dn >/dev/null 2>&1 && break
		sleep 0.5
	done
	out=$(inside ss -Hltnp 2>&1 | grep slapd)
	[ "$(awk '{ print $4 }' <<<"$out")" = "127.0.0.1:$ldap_port" ] || { echo "slapd listens on: $out"; return 1; }
	for _ in $(seq 60); do
		inside getent passwd lucy >/dev/null 2>&1 && break
		sleep 0.5
	done
	out=$(inside getent passwd lucy) || { echo "getent passwd lucy: nothing; $(inside systemctl status sssd 2>&1 | tail -n 5)"; return 1; }
	[ "$out" = "lucy:*:10001:10001:lucy:/home/lucy:/bin/bash" ] || { echo "getent passwd lucy: $out"; return 1; }
	! inside grep -q '^lucy:' /etc/passwd || { echo "lucy is in /etc/passwd"; return 1; }
	out=$(inside id -Gn lucy) || return 1
	[ "$out" = "lucy ldapproj" ] || { echo "id -Gn lucy: $out"; return 1; }
	timed "id -G lena (301 groups, first lookup)" inside id -G lena >/dev/null
	[ "$(inside id -G lena | wc -w)" = 301 ] || { echo "lena's groups: $(inside id -G lena | wc -w)"; return 1; }
	inside install -d -m 0755 /srv/ldapproj /srv/many || return 1
	printf '[ldapproj]\ntype = tmpfs\ntarget = /srv/ldapproj\nusers = @ldapproj\n\n[many]\ntype = tmpfs\ntarget = /srv/many\nusers = @many300\n' |
		inside sh -c "cat >$ldap_drop" || return 1
	out=$(inside mntns-plan lucy) || { echo "mntns-plan lucy: $out"; return 1; }
	grep -q /srv/ldapproj <<<"$out" || { echo "mntns-plan lucy: $out"; return 1; }
	out=$(inside mntns-plan lena) || { echo "mntns-plan lena: $out"; return 1; }
	grep -q /srv/many <<<"$out" || { echo "mntns-plan lena: $out"; return 1; }
	out=$(inside mntns-plan leo) || { echo "mntns-plan leo: $out"; return 1; }
	! grep -qE '/srv/(ldapproj|many)' <<<"$out" || { echo "mntns-plan leo: $out"; return 1; }
}

# probe: what a session shows about the rules of the drop-in.
ldap_probe='echo ns=$(readlink /proc/self/ns/mnt); echo uid=$(id -u)
	echo tmp=$(findmnt -n -o FSTYPE,SOURCE /tmp | tail -n 1)
	echo proj=$(findmnt -n -o FSTYPE,SOURCE /srv/ldapproj | tail -n 1)
	echo many=$(findmnt -n -o FSTYPE,SOURCE /srv/many | tail -n 1)'

# ldap_login USER EXPECT...: USER's ssh login shows each line of EXPECT.
ldap_login() {
	local u=$1 out l
	shift
	out=$(timed "ssh login of $u${ldap_state:+, $ldap_state}" ssh_as "$u" "$ldap_probe") ||
		{ echo "ssh $u failed: $out"; return 1; }
	for l in "$@"; do
		grep -qxF -- "$l" <<<"$out" || { echo "$u: no '$l' in: $(tr '\n' ' ' <<<"$out")"; return 1; }
	done
}

# Users only in the directory log in over ssh; the rules their LDAP groups select apply, the
# others not; lena's 300 groups reach the rule of the last one.
ldap_logins() {
	ldap_login lucy uid=10001 'tmp=tmpfs pam_mntns' 'proj=tmpfs pam_mntns' many= || return 1
	ldap_login leo uid=10002 'tmp=tmpfs pam_mntns' proj= many= || return 1
	ldap_login lena uid=10003 'tmp=tmpfs pam_mntns' proj= 'many=tmpfs pam_mntns' || return 1
	local out
	out=$(ssh_as lena 'id -G | wc -w') || return 1
	[ "$out" = 301 ] || { echo "lena's ssh login has $out groups"; return 1; }
}

# Nested: in lucy's ssh login, sudo -i (sudo allowed by her LDAP group) runs in PID 1's
# view; sudo -u leo gets leo's view, without lucy's /tmp or her group's mount; su -l lucy
# from root joins lucy's view.
ldap_nested() {
	local out init lucy_ns rc=0
	ldap_nested_run || rc=1
	[ ! -s "$tmp/lucy.tmux" ] || inside kill "$(cat "$tmp/lucy.tmux")"
	return "$rc"
}

ldap_nested_run() {
	local out init lucy_ns
	init=$(inside readlink /proc/1/ns/mnt)
	out=$(ssh_as lucy "echo lucy >/tmp/lucy-mark; tmux new-session -d -s ldap 'sleep 600';
		echo tmux=\$(tmux display -p '#{pid}'); echo ns=\$(readlink /proc/self/ns/mnt)
		echo root=\$(sudo -i readlink /proc/self/ns/mnt)
		sudo -u leo -i sh -c 'echo leo=\$(readlink /proc/self/ns/mnt) \$(cat /tmp/lucy-mark 2>/dev/null);
			echo leoproj=\$(findmnt -n -o FSTYPE /srv/ldapproj | tail -n 1)'") ||
		{ echo "lucy's ssh login: $out"; return 1; }
	lucy_ns=$(sed -n 's/^ns=//p' <<<"$out")
	sed -n 's/^tmux=//p' <<<"$out" >"$tmp/lucy.tmux"
	grep -qxF "root=$init" <<<"$out" || { echo "sudo -i in lucy's session: $out (PID 1's: $init)"; return 1; }
	if ! grep -qE '^leo=mnt:\[[0-9]+\]$' <<<"$out" || grep -qxF -e "leo=$lucy_ns" -e "leo=$init" <<<"$out"; then
		echo "sudo -u leo -i in lucy's session: $out"
		return 1
	fi
	grep -qx 'leoproj=' <<<"$out" || { echo "leo's view has lucy's group's mount: $out"; return 1; }
	out=$(inside su -l lucy -c 'echo ns=$(readlink /proc/self/ns/mnt); cat /tmp/lucy-mark; findmnt -n -o FSTYPE /srv/ldapproj | tail -n 1') ||
		{ echo "su -l lucy: $out"; return 1; }
	[ "$out" = "ns=$lucy_ns
lucy
tmpfs" ] || { echo "su -l lucy (her view: $lucy_ns): $out"; return 1; }
}

# ldap_logins_without STATE: root and alice log in, root in PID 1's view, alice in hers.
ldap_logins_without() {
	local out
	out=$(timed "root's ssh login, $1" ssh_as root 'readlink /proc/self/ns/mnt') ||
		{ echo "root's ssh login, $1: $out"; return 1; }
	grep -qxF "$(inside readlink /proc/1/ns/mnt)" <<<"$out" || { echo "root's session, $1: $out"; return 1; }
	out=$(timed "alice's ssh login, $1" ssh_as alice 'echo $(findmnt -n -o FSTYPE,SOURCE /tmp | tail -n 1)') ||
		{ echo "alice's ssh login, $1: $out"; return 1; }
	grep -qx 'tmpfs pam_mntns' <<<"$out" || { echo "alice's session, $1: $out"; return 1; }
}

# ldap_logins_cached STATE: those two, and lucy from sssd's cache, with her group's rule.
ldap_logins_cached() {
	ldap_logins_without "$1" && ldap_state=$1 ldap_login lucy uid=10001 'tmp=tmpfs pam_mntns' 'proj=tmpfs pam_mntns'
}

# ldap_journal SINCE: the container's journal since SINCE (seconds since the epoch): sssd's
# and the module's lines.
ldap_journal() {
	inside journalctl -q --no-pager -o short-unix --since "@$1" | grep -E 'sssd|pam_mntns'
}

# ldap_said SINCE WHAT REGEX: sssd (the NSS client's daemon) logged that it could not reach
# the directory.
ldap_said() {
	local out
	out=$(ldap_journal "$1" | grep sssd)
	grep -qE "$3" <<<"$out" ||
		{ echo "no line of sssd's in the journal says the directory was $2: $(tail -n 8 <<<"$out" | cut -c1-200 | tr '\n' '|')"; return 1; }
	grep -E "$3" <<<"$out" | head -n 2 | cut -c1-200 | sed 's/^/journal: /' >>"$tmp/ldap.times"
}

# ldap_online: sssd restarted (it starts online) and serving lucy again.
ldap_online() {
	inside systemctl restart sssd || { echo "systemctl restart sssd failed"; return 1; }
	for _ in $(seq 60); do
		inside getent passwd lucy >/dev/null && return 0
		sleep 0.5
	done
	echo "sssd does not serve lucy after its restart"
	return 1
}

# The directory stopped: sssd finds it refuses connections, goes offline and answers from
# its cache (sss_cache -E first: every entry expired, so that it has to ask).
ldap_down() {
	local t0 rc=0
	inside sss_cache -E || return 1
	t0=$(date +%s)
	inside systemctl stop slapd || return 1
	ldap_logins_cached "directory stopped" || rc=1
	ldap_said "$t0" down 'offline|Connection refused' || rc=1
	inside systemctl start slapd || { echo "slapd does not start again"; rc=1; }
	ldap_online || rc=1
	return "$rc"
}

# The directory frozen (SIGSTOP: connections are accepted, nothing answers): the first
# lookup waits for sssd's timeouts (ldap_timeouts), then sssd is offline and answers from
# its cache.
ldap_frozen() {
	local pid rc=0 t0
	pid=$(inside cat /run/slapd/slapd.pid) || return 1
	inside sss_cache -E || return 1
	t0=$(date +%s)
	inside kill -STOP "$pid" || return 1
	ldap_logins_cached "directory frozen" || rc=1
	inside kill -CONT "$pid"
	ldap_said "$t0" 'not answering' 'offline|[Tt]imed? ?out|[Tt]imeout' || rc=1
	ldap_online || rc=1
	return "$rc"
}

# sssd itself stopped (the NSS client's daemon): root and alice still log in; the module
# says that alice's group lookup failed, and asks nothing about root's groups ([global]
# users leaves root out by name), so says nothing of root.
ldap_nss_down() {
	local rc=0 t0 out
	t0=$(date +%s)
	inside systemctl stop sssd || return 1
	ldap_logins_without "sssd stopped" || rc=1
	out=$(ldap_journal "$t0" | grep 'pam_mntns(')
	grep -q 'user alice: group lookup failed: .*Connection refused' <<<"$out" ||
		{ echo "the module did not log alice's failed group lookup: $(tail -n 5 <<<"$out" | tr '\n' '|')"; rc=1; }
	! grep -q 'user root:' <<<"$out" || { echo "the module logged of root: $(grep 'user root:' <<<"$out" | tr '\n' '|')"; rc=1; }
	grep 'user alice: group lookup failed' <<<"$out" | head -n 1 | cut -c1-240 | sed 's/^/journal: /' >>"$tmp/ldap.times"
	ldap_online || rc=1
	# The later checks (and apt purge) find mntns.d as the package left it.
	inside rm -f "$ldap_drop" || rc=1
	return "$rc"
}
