# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by tests/system/run.sh: the Ansible role of contrib/ansible, run by Debian's
# ansible-core on this host against the booted container (ssh to 127.0.0.1 on the
# container's port, as root with the test's key). Its checks come after apt purge, so the
# role's first run is a real rollout: it installs the .deb just built, writes mntns.conf and
# the drop-ins of the host's two groups, and enables the module. Then: a second run changes
# nothing; --check --diff reports an edit made by hand and a stray drop-in, and changes
# nothing; a broken template (or a value YAML mangled) fails before any file is written;
# logins get what the groups' drop-ins say. And ci.yml, the CI check of a configuration
# repository, renders and checks the example inventory's files on this host. Uses run.sh's check, skip, inside and ssh_as.

ans="" # the controller's files: ansible.cfg, the inventory, group_vars, the playbook, logs

# ansible_check NAME FUNC: check NAME FUNC, or a skip that says why (a failure under CI=true).
ansible_check() {
	local why=""
	if [ -n "$skip_all" ]; then
		:
	elif ! command -v ansible-playbook >/dev/null; then
		why="ansible-playbook not found (tests/setup-deps.sh installs ansible-core)"
	elif ! inside test -x /usr/bin/python3; then
		why="the container has no /usr/bin/python3, which Ansible's modules need"
	elif [ -z "$ans" ] && ! ansible_setup >"$tmp/ansible-setup.log" 2>&1; then
		why="setting up the controller failed: $(tail -n 2 "$tmp/ansible-setup.log" | tr '\n' ' ')"
	fi
	if [ -n "$why" ]; then
		skip "$1" "$why"
		return 1
	fi
	check "$@"
}

# The host is in shell_servers and students, not in staff: it gets the drop-ins of the first
# two, not the third's. /srv/fleet/secret is hidden from every user; /srv/fleet/scratch is a
# tmpfs for the members of students (alice, not bob).
ansible_setup() {
	local d=$tmp/ansible
	mkdir -p "$d/group_vars" "$d/home" "$d/local" || return 1
	cat >"$d/ansible.cfg" <<-EOF || return 1
		[defaults]
		home = $d/home
		local_tmp = $d/local
		roles_path = $repo/contrib/ansible/roles
		retry_files_enabled = False
		nocolor = True
		host_key_checking = False
		interpreter_python = /usr/bin/python3
		timeout = 30
		[ssh_connection]
		pipelining = True
		ssh_args = -F /dev/null -o ControlMaster=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o LogLevel=ERROR
	EOF
	cat >"$d/hosts.ini" <<-EOF || return 1
		[shell_servers]
		mntns-container ansible_host=127.0.0.1 ansible_port=$port ansible_user=root ansible_ssh_private_key_file=$tmp/id
		[students]
		mntns-container
		[staff]
	EOF
	cat >"$d/group_vars/shell_servers.yml" <<-EOF || return 1
		mntns_deb: $deb
		mntns_dropins_exclusive: true
		mntns_dropins:
		  10-fleet:
		    secret:
		      type: hide
		      target: /srv/fleet/secret
	EOF
	cat >"$d/group_vars/students.yml" <<-EOF || return 1
		mntns_dropins__students:
		  50-students:
		    scratch:
		      type: tmpfs
		      target: /srv/fleet/scratch
		      options: [mode=1777, size=1m, nosuid, nodev]
		      users: "@students"
	EOF
	echo 'mntns_dropins__staff: {50-staff: {build: {type: tmpfs, target: /srv/fleet/build}}}' \
		>"$d/group_vars/staff.yml" || return 1
	cat >"$d/play.yml" <<-EOF || return 1
		- name: pam_mntns on the shell servers
		  hosts: shell_servers
		  gather_facts: false
		  roles: [pam_mntns]
	EOF
	# A typo in a key of the main file; a new drop-in with one; a mode YAML reads as 448.
	printf '%s\n' '{"mntns_rules": {"tmp": {"type": "tmpfs", "target": "/tmp", "optoins": "nosuid"}}}' \
		>"$d/broken-main.json" || return 1
	printf '%s\n' '{"mntns_dropins__zz": {"70-broken": {"bad": {"type": "tmpfs", "target": "/mnt", "optoins": "ro"}}}}' \
		>"$d/broken-dropin.json" || return 1
	printf '%s\n' 'mntns_dropins__zz:' '  70-mode:' '    mode:' '      type: bind' \
		'      source: /var/lib/x' '      target: /srv/x' '      create: 0700' >"$d/broken-mode.yml" || return 1
	inside sh -c 'mkdir -p /srv/fleet/secret /srv/fleet/scratch && echo root-only >/srv/fleet/secret/file &&
		groupadd -f students && usermod -a -G students alice' || return 1
	ans=$d
}

# ansible_run LOG ARGS...: runs the playbook, its output in $ans/LOG.log.
ansible_run() {
	local log=$ans/$1.log
	shift
	ANSIBLE_CONFIG=$ans/ansible.cfg timeout -k 5 600 \
		ansible-playbook -i "$ans/hosts.ini" "$ans/play.yml" "$@" >"$log" 2>&1
}

# ansible_recap LOG FIELD: FIELD's count (changed, failed, ...) in the play recap of $ans/LOG.log.
ansible_recap() { sed -n "s/^mntns-container *:.* $2=\([0-9]*\).*/\1/p" "$ans/$1.log"; }

# ansible_said LOG: what went wrong in a run, briefly: the recap and the failed tasks.
ansible_said() {
	grep -E '^(fatal|failed):|^mntns-container +:|ERROR' "$ans/$1.log" | cut -c1-300 | tail -n 4
}

# ansible_etc: what the role may change there (names, modes, times, contents).
ansible_etc() {
	inside sh -c 'cd /etc/security && ls -lA --time-style=full-iso . mntns.d && sha256sum mntns.conf mntns.d/*'
}

ansible_syntax() {
	local d=$repo/contrib/ansible
	ANSIBLE_CONFIG=$ans/ansible.cfg ANSIBLE_ROLES_PATH=$d/roles \
		ansible-playbook --syntax-check -i "$d/inventory.ini" "$d/site.yml" "$d/ci.yml" || return 1
	ansible_run syntax --syntax-check || { cat "$ans/syntax.log"; return 1; }
}

# ci.yml on this host, for the example inventory: each host's files, rendered and checked
# by the build's mntns-plan under /run (mntns-plan reads only what root alone can change, so
# not from /var/tmp), the host in both groups with the drop-ins of both; a broken drop-in
# fails and is not written.
ansible_ci() {
	local d rc=0
	d=$(mktemp -d /run/pam_mntns-ansible-ci.XXXXXX) || return 1
	ansible_ci_runs "$d" || rc=1
	rm -rf --one-file-system "$d"
	return "$rc"
}
ansible_ci_runs() {
	local r=$1/render plan=${deb%/deb-build/*}/pam_module
	[ -x "$plan/mntns-plan" ] || { echo "no mntns-plan in $plan"; return 1; }
	PATH=$plan:$PATH ANSIBLE_CONFIG=$ans/ansible.cfg ANSIBLE_REMOTE_TEMP=$1/tmp timeout -k 5 300 ansible-playbook \
		-i "$repo/contrib/ansible/inventory.ini" "$repo/contrib/ansible/ci.yml" -e "mntns_render_dir=$r" >"$ans/ci.log" 2>&1 ||
		{ ansible_said ci; return 1; }
	[ "$(cd "$r/shell2.example.org" && echo mntns.conf mntns.d/*)" = "mntns.conf mntns.d/10-site.conf mntns.d/50-staff.conf mntns.d/50-students.conf" ] ||
		{ echo "shell2: $(cd "$r" && find . -type f | sort | tr '\n' ' ')"; return 1; }
	[ "$(cd "$r/shell1.example.org" && echo mntns.d/*)" = "mntns.d/10-site.conf mntns.d/50-students.conf" ] ||
		{ echo "shell1: $(cd "$r" && find . -type f | sort | tr '\n' ' ')"; return 1; }
	rm -rf "$r"
	if PATH=$plan:$PATH ANSIBLE_CONFIG=$ans/ansible.cfg ANSIBLE_REMOTE_TEMP=$1/tmp timeout -k 5 300 ansible-playbook \
		-i "$repo/contrib/ansible/inventory.ini" "$repo/contrib/ansible/ci.yml" -e "mntns_render_dir=$r" \
		-e "@$ans/broken-dropin.json" >"$ans/ci-broken.log" 2>&1; then
		echo "ci.yml passed a broken drop-in"
		return 1
	fi
	grep -q 'failed to validate' "$ans/ci-broken.log" || { ansible_said ci-broken; return 1; }
	[ -z "$(find "$r" -name '70-broken*')" ] || { echo "the broken drop-in was written"; return 1; }
}

ansible_first() {
	local out
	! inside dpkg -s libpam-mntns >/dev/null 2>&1 || { echo "the package is installed before the role's first run"; return 1; }
	ansible_run first || { ansible_said first; return 1; }
	[ "$(ansible_recap first changed)" -gt 0 ] 2>/dev/null || { ansible_said first; return 1; }
	inside dpkg -s libpam-mntns | grep -q '^Status: install ok installed' || { echo "not installed"; return 1; }
	out=$(inside grep -c '^session.*pam_mntns\.so' /etc/pam.d/common-session /etc/pam.d/common-session-noninteractive)
	! grep -q ':0$' <<<"$out" || { echo "not enabled: $out"; return 1; }
	inside grep -q '^# /etc/security/mntns.conf -- written by Ansible' /etc/security/mntns.conf ||
		{ echo "mntns.conf is not the role's: $(inside head -n 3 /etc/security/mntns.conf)"; return 1; }
	out=$(inside ls /etc/security/mntns.d | tr '\n' ' ')
	[ "$out" = "10-fleet.conf 50-students.conf " ] || { echo "drop-ins: $out (not 10-fleet.conf 50-students.conf)"; return 1; }
	out=$(inside mntns-plan alice) || { echo "mntns-plan alice: $out"; return 1; }
	grep -E 'rule=secret( |$)' <<<"$out" | grep -q 'file=/etc/security/mntns.d/10-fleet.conf' &&
		grep -E 'rule=scratch( |$)' <<<"$out" | grep -q 'file=/etc/security/mntns.d/50-students.conf' || { echo "mntns-plan alice: $out"; return 1; }
	inside sha256sum /etc/security/mntns.conf >"$ans/conf.sha" || return 1
}

ansible_second() {
	local before
	before=$(ansible_etc) || return 1
	ansible_run second || { ansible_said second; return 1; }
	[ "$(ansible_recap second changed)" = 0 ] || { echo "changed=$(ansible_recap second changed): $(grep -E '^changed:' "$ans/second.log" | tr '\n' ' ')"; grep -B2 '^changed:' "$ans/second.log" | grep '^TASK' | head -n 5; return 1; }
	[ "$(ansible_etc)" = "$before" ] || { echo "/etc/security changed"; return 1; }
}

# By hand: /tmp may grow to 50%, and a drop-in the role does not know. --check --diff says
# both (changed=2, the diff shows the line), and leaves them; then a run puts them right.
ansible_drift() {
	local edited
	inside sed -i 's/^options = mode=1777,size=10%,nosuid,nodev$/options = mode=1777,size=50%,nosuid,nodev/' \
		/etc/security/mntns.conf || return 1
	inside sh -c 'printf "[extra]\ntype = tmpfs\ntarget = /srv/fleet/extra\noptional = yes\n" >/etc/security/mntns.d/99-stray.conf' || return 1
	edited=$(ansible_etc) || return 1
	grep -q 'size=50%' <<<"$(inside cat /etc/security/mntns.conf)" || { echo "the edit did not happen"; return 1; }
	ansible_run check --check --diff || { ansible_said check; return 1; }
	[ "$(ansible_recap check changed)" = 2 ] || { echo "check mode: changed=$(ansible_recap check changed), not 2"; ansible_said check; return 1; }
	grep -qx -- '-options = mode=1777,size=50%,nosuid,nodev' "$ans/check.log" &&
		grep -qx -- '+options = mode=1777,size=10%,nosuid,nodev' "$ans/check.log" ||
		{ echo "the diff does not show the edit: $(grep -E '^[-+]options' "$ans/check.log" | tr '\n' ' ')"; return 1; }
	grep -q '99-stray.conf' "$ans/check.log" || { echo "check mode does not name the stray drop-in"; return 1; }
	[ "$(ansible_etc)" = "$edited" ] || { echo "check mode changed /etc/security"; return 1; }
	ansible_run repair || { ansible_said repair; return 1; }
	[ "$(ansible_recap repair changed)" = 2 ] || { echo "the repair: changed=$(ansible_recap repair changed), not 2"; return 1; }
	inside sha256sum -c --quiet <"$ans/conf.sha" || { echo "mntns.conf is not the first run's"; return 1; }
	! inside test -e /etc/security/mntns.d/99-stray.conf || { echo "the stray drop-in is still there"; return 1; }
}

# ansible_broken_run LOG WHAT ARGS...: a run that must fail with WHAT in its output, /etc/security
# as it was.
ansible_broken_run() {
	local log=$1 what=$2 before
	shift 2
	before=$(ansible_etc) || return 1
	if ansible_run "$log" "$@"; then
		echo "$log: the run went through"
		return 1
	fi
	grep -qF -- "$what" "$ans/$log.log" || { echo "$log: no '$what' in: $(ansible_said "$log")"; return 1; }
	[ "$(ansible_recap "$log" failed)" = 1 ] || { echo "$log: $(ansible_said "$log")"; return 1; }
	[ "$(ansible_etc)" = "$before" ] || { echo "$log: /etc/security changed: $(ansible_etc | diff <(echo "$before") - | tr '\n' ' ')"; return 1; }
}

ansible_broken() {
	ansible_broken_run broken-main 'unknown key \"optoins\"' -e "@$ans/broken-main.json" || return 1
	grep -q 'failed to validate' "$ans/broken-main.log" || { echo "not refused by validate"; return 1; }
	ansible_broken_run broken-dropin 'unknown key \"optoins\"' -e "@$ans/broken-dropin.json" || return 1
	grep -q 'failed to validate' "$ans/broken-dropin.log" || { echo "not refused by validate"; return 1; }
	ansible_broken_run broken-mode 'create: 448 is not a string' -e "@$ans/broken-mode.yml" || return 1
	# Nothing was left behind either.
	ansible_run after-broken || { ansible_said after-broken; return 1; }
	[ "$(ansible_recap after-broken changed)" = 0 ] || { echo "after the broken runs: changed=$(ansible_recap after-broken changed)"; return 1; }
}

# alice (in students) and bob: /srv/fleet/secret hidden from both, /srv/fleet/scratch a tmpfs
# for alice only; root's login is not selected and sees the directory as it is.
ansible_logins() {
	local out
	out=$(ssh_as alice 'echo tmp=$(findmnt -n -o FSTYPE,SOURCE /tmp | tail -n 1); echo secret=$(test -e /srv/fleet/secret/file && echo visible || echo hidden);
		echo scratch=$(findmnt -n -o FSTYPE /srv/fleet/scratch | tail -n 1)') || { echo "alice's ssh login failed: $out"; return 1; }
	[ "$out" = "tmp=tmpfs pam_mntns
secret=hidden
scratch=tmpfs" ] || { echo "alice: $out" | tr '\n' ' '; return 1; }
	out=$(ssh_as bob 'echo secret=$(test -e /srv/fleet/secret/file && echo visible || echo hidden); echo scratch=$(findmnt -n -o FSTYPE /srv/fleet/scratch | tail -n 1)') ||
		{ echo "bob's ssh login failed: $out"; return 1; }
	[ "$out" = "secret=hidden
scratch=" ] || { echo "bob: $out" | tr '\n' ' '; return 1; }
	out=$(ssh_as root 'ls -A /srv/fleet/secret') || { echo "root's ssh login failed: $out"; return 1; }
	[ "$out" = file ] || { echo "root: /srv/fleet/secret has: $out"; return 1; }
}
