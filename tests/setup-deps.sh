#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# Installs, from Debian 12's packages, everything pam_mntns needs to build, test, fuzz and
# benchmark. Idempotent: does nothing when all is present. Must run as root.
set -euo pipefail

packages=(
	build-essential autoconf automake libtool pkg-config
	libpam0g-dev libiniparser-dev libcmocka-dev libfuse3-dev
	pamtester openssh-server openssh-client util-linux libcap2-bin libnss-wrapper fuse3
	valgrind cppcheck clang libclang-rt-14-dev groff-base man-db gnuplot-nox procps locales acl
	sudo cron tmux
	debhelper dpkg-dev fakeroot lintian debootstrap systemd-container strace
	# contrib/ansible: the role, run against the system test's container.
	ansible-core
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "setup-deps: missing packages: ${missing[*]}; run this script as root" >&2
	exit 1
fi
echo "setup-deps: installing ${missing[*]}"
# Installing openssh-server must not start an sshd on the host: the tests start their own on
# 127.0.0.1 inside a sandbox. policy-rc.d tells maintainer scripts not to start services.
own_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	own_policy=1
fi
trap '[ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
