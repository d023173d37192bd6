#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
# The README's first command: installs what is missing, builds pam_mntns and shows real PAM
# logins (runuser -l) getting a private /tmp and /dev/shm from the shipped mntns.conf: two
# logins of one user share theirs (scope = user), another user's login does not see them,
# and once the last login has ended the next one starts with an empty /tmp.
# The host is not changed: everything happens in a throw-away mount and PID namespace whose
# /etc/pam.d, /etc/security, passwd/group/shadow and /home are copies, and /run and /var/lib
# overlays (PID 1 there is this script, so its view is the "outer view" of the logins).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MNTNS_DEMO_BUILD:-$repo/test-out/build}

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root (it needs CAP_SYS_ADMIN)" >&2; exit 1; }
	bash "$repo/tests/setup-deps.sh"
	echo "demo: building in $build"
	bash "$repo/tests/build.sh" "$build"
	exec unshare --mount --propagation unchanged --pid --fork --mount-proc "$0" --inside
fi

# ---- inside the throw-away namespace ----
mount --make-rshared / # as systemd has it, so that a leak to the "host" would show
sb=$(mktemp -d /var/tmp/mntns-demo.XXXXXX)
trap 'rm -rf "$sb" /tmp/host-file-$$ /dev/shm/host-shm-$$' EXIT
mkdir -p "$sb/pam.d" "$sb/security/mntns.d" "$sb/home/demo" "$sb/etc"
cp "$repo/conf/mntns.conf" "$sb/security/mntns.conf"
cat >"$sb/pam.d/runuser-l" <<EOF
auth     sufficient pam_rootok.so
account  required   pam_permit.so
session  required   $build/pam_module/.libs/pam_mntns.so
session  required   pam_permit.so
EOF
cp /etc/passwd /etc/group /etc/shadow "$sb/etc/"
for u in demo:4242 other:4243; do
	name=${u%%:*} id=${u#*:}
	grep -q "^$name:" "$sb/etc/passwd" && continue
	echo "$name:x:$id:$id:pam_mntns demo:/home/$name:/bin/bash" >>"$sb/etc/passwd"
	echo "$name:x:$id:" >>"$sb/etc/group"
	echo "$name:!:19000::::::" >>"$sb/etc/shadow"
	mkdir -p "$sb/home/$name"
	chown "$id:$id" "$sb/home/$name"
done
for f in passwd group shadow; do mount --bind "$sb/etc/$f" "/etc/$f"; done
mount --bind "$sb/pam.d" /etc/pam.d
mount --bind "$sb/security" /etc/security
mount --bind "$sb/home" /home
# The shipped [vartmp] rule keeps each user's /var/tmp in /var/lib/mntns/vartmp (made by the
# package): here on an overlay, so the host's /var/lib is not changed either.
mkdir -p "$sb/ovl/upper" "$sb/ovl/work" "$sb/run/upper" "$sb/run/work"
mount -t overlay mntns-demo -o "lowerdir=/var/lib,upperdir=$sb/ovl/upper,workdir=$sb/ovl/work" /var/lib
install -d -m 0755 /var/lib/mntns /var/lib/mntns/vartmp
# /run/mntns holds the locks and registries of scope = user: the demo's own.
mount -t overlay mntns-demo-run -o "lowerdir=/run,upperdir=$sb/run/upper,workdir=$sb/run/work" /run

echo
echo "== The configuration (the shipped conf/mntns.conf), as mntns-plan reads it for user demo:"
"$build/pam_module/mntns-plan" demo
echo
echo "== The host's /tmp before the login:"
echo "host secret" >/tmp/host-file-$$
echo "host shm" >/dev/shm/host-shm-$$
ls /tmp | sed -n '1,5s/^/   /p' # sed reads it all: no SIGPIPE under pipefail
echo "   (namespace $(readlink /proc/self/ns/mnt))"
echo
echo "== First login: runuser -l demo (service runuser-l), left open in the background."
echo "   Inside it:"
runuser -l demo -c '
	echo "   namespace: $(readlink /proc/self/ns/mnt)"
	echo "   /tmp is:   $(findmnt -n -o FSTYPE,SOURCE,OPTIONS /tmp)"
	echo "   /var/tmp:  $(findmnt -n -o SOURCE /var/tmp) (kept on disk for this user)"
	echo "   ls /tmp:   $(ls -A /tmp | tr "\n" " ")(the host file is not there)"
	echo "   /dev/shm:  $(findmnt -n -o FSTYPE,SOURCE,OPTIONS /dev/shm | tail -n 1)"
	echo "   ls /dev/shm: $(ls -A /dev/shm | tr "\n" " ")(the host'"'"'s shm object is not there)"
	echo "from the first login" >/tmp/hello-from-demo
	echo "shared memory of demo" >/dev/shm/demo-shm
	echo "   wrote /tmp/hello-from-demo and /dev/shm/demo-shm"
	touch ~/.demo-ready
	while [ ! -e /home/demo/.demo-done ]; do sleep 0.1; done
' &
first=$!
for _ in $(seq 200); do [ -e /home/demo/.demo-ready ] && break; sleep 0.1; done
echo
echo "== Second login of demo, while the first is open: it joins the same namespace."
runuser -l demo -c '
	echo "   namespace: $(readlink /proc/self/ns/mnt)"
	echo "   cat /tmp/hello-from-demo: $(cat /tmp/hello-from-demo)"
	echo "   cat /dev/shm/demo-shm:    $(cat /dev/shm/demo-shm)"
'
echo "   (found through the first login, which runs in it; mntns-plan says:)"
"$build/pam_module/mntns-plan" demo | grep '^live' | sed 's/^/   /'
echo
echo "== A login of another user, meanwhile: a view of their own."
runuser -l other -c '
	echo "   namespace: $(readlink /proc/self/ns/mnt)"
	echo "   ls /tmp:   $(ls -A /tmp | tr "\n" " ")(empty)"
	echo "   ls /dev/shm: $(ls -A /dev/shm | tr "\n" " ")(empty)"
'
touch /home/demo/.demo-done
wait "$first"
echo
echo "== All logins of demo have ended and nothing of theirs runs: the next one starts afresh"
echo "   (in a new namespace; the kernel may give it the number of the freed one)."
runuser -l demo -c '
	echo "   namespace: $(readlink /proc/self/ns/mnt)"
	echo "   ls /tmp:   $(ls -A /tmp | tr "\n" " ")(empty)"
	echo "   ls /dev/shm: $(ls -A /dev/shm | tr "\n" " ")(empty)"
'
echo
echo "== Back on the host after the logins:"
if [ -e /tmp/hello-from-demo ]; then
	echo "   /tmp/hello-from-demo exists on the host: the /tmp was NOT private" >&2
	exit 1
fi
if [ -e /dev/shm/demo-shm ]; then
	echo "   /dev/shm/demo-shm exists on the host: the /dev/shm was NOT private" >&2
	exit 1
fi
echo "   /tmp/hello-from-demo and /dev/shm/demo-shm do not exist here, and the host files were"
echo "   not visible inside: the user's logins had their own /tmp and /dev/shm, gone with the"
echo "   last of them."
