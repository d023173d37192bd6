#!/bin/bash
# The README's first command: installs what is missing, builds pam_mntns and shows a real PAM
# login (runuser -l) getting a private /tmp from the shipped mntns.conf.
# The host is not changed: everything happens in a throw-away mount namespace whose
# /etc/pam.d, /etc/security, passwd/group/shadow and /home are copies.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${MNTNS_DEMO_BUILD:-$repo/test-out/build}

if [ "${1:-}" != --inside ]; then
	[ "$(id -u)" = 0 ] || { echo "demo: run as root (it needs CAP_SYS_ADMIN)" >&2; exit 1; }
	bash "$repo/tests/setup-deps.sh"
	echo "demo: building in $build"
	bash "$repo/tests/build.sh" "$build"
	exec unshare --mount --propagation unchanged "$0" --inside
fi

# ---- inside the throw-away namespace ----
mount --make-rshared / # as systemd has it, so that a leak to the "host" would show
sb=$(mktemp -d /var/tmp/mntns-demo.XXXXXX)
trap 'rm -rf "$sb"' EXIT
mkdir -p "$sb/pam.d" "$sb/security/mntns.d" "$sb/home/demo" "$sb/etc"
cp "$repo/conf/mntns.conf" "$sb/security/mntns.conf"
cat >"$sb/pam.d/runuser-l" <<EOF
auth     sufficient pam_rootok.so
account  required   pam_permit.so
session  required   $build/pam_module/.libs/pam_mntns.so
session  required   pam_permit.so
EOF
cp /etc/passwd /etc/group /etc/shadow "$sb/etc/"
echo "demo:x:4242:4242:pam_mntns demo:/home/demo:/bin/bash" >>"$sb/etc/passwd"
echo "demo:x:4242:" >>"$sb/etc/group"
echo "demo:!:19000::::::" >>"$sb/etc/shadow"
chown 4242:4242 "$sb/home/demo"
for f in passwd group shadow; do mount --bind "$sb/etc/$f" "/etc/$f"; done
mount --bind "$sb/pam.d" /etc/pam.d
mount --bind "$sb/security" /etc/security
mount --bind "$sb/home" /home
# The shipped [vartmp] rule keeps each user's /var/tmp in /var/lib/mntns/vartmp (made by the
# package): here on an overlay, so the host's /var/lib is not changed either.
mkdir -p "$sb/ovl/upper" "$sb/ovl/work"
mount -t overlay mntns-demo -o "lowerdir=/var/lib,upperdir=$sb/ovl/upper,workdir=$sb/ovl/work" /var/lib
install -d -m 0755 /var/lib/mntns /var/lib/mntns/vartmp

echo
echo "== The configuration (the shipped conf/mntns.conf), as mntns-plan reads it for user demo:"
"$build/pam_module/mntns-plan" demo
echo
echo "== The host's /tmp before the login:"
echo "host secret" >/tmp/host-file-$$
ls /tmp | sed 's/^/   /' | head -5
echo "   (namespace $(readlink /proc/self/ns/mnt))"
echo
echo "== runuser -l demo: a login through PAM (service runuser-l). Inside the session:"
runuser -l demo -c '
	echo "   namespace: $(readlink /proc/self/ns/mnt)"
	echo "   /tmp is:   $(findmnt -n -o FSTYPE,SOURCE,OPTIONS /tmp)"
	echo "   /var/tmp:  $(findmnt -n -o SOURCE /var/tmp) (kept on disk for this user)"
	echo "   ls /tmp:   $(ls -A /tmp | tr "\n" " ")"
	echo "from the session" >/tmp/hello-from-demo
	echo "   wrote /tmp/hello-from-demo"
'
echo
echo "== Back on the host after the login:"
if [ -e /tmp/hello-from-demo ]; then
	echo "   /tmp/hello-from-demo exists on the host: the /tmp was NOT private" >&2
	exit 1
fi
echo "   /tmp/hello-from-demo does not exist here, and the host file was not visible"
echo "   inside: the login had its own /tmp, gone with its last process."
rm -f /tmp/host-file-$$
