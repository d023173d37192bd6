/* Paths become descriptors once, and never through a symlink. */
#ifndef MNTNS_PATH_H
#define MNTNS_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Opens PATH relative to DIRFD (AT_FDCWD for an absolute path) with O_PATH|O_CLOEXEC|EXTRA,
 * refusing a symlink in any component, the last included (openat2 RESOLVE_NO_SYMLINKS).
 * Returns a descriptor or -errno (-ELOOP for a symlink). */
int mntns_path_open(int dirfd, const char *path, int extra);

/* Where mntns_path_open_trusted stopped: the first component (PATH's first LEN bytes) that
 * a third user owns inside a world-writable directory, and that owner. */
struct mntns_untrusted {
	size_t len;
	uid_t owner;
};

/* Like mntns_path_open(AT_FDCWD, PATH, EXTRA) for an absolute PATH, one component at a time;
 * in addition every component inside a world-writable directory (/tmp) must belong to root or
 * to UID, since any user could have planted it. Returns a descriptor, or -errno; -EPERM with
 * BAD->len > 0 when a component may have been planted. */
int mntns_path_open_trusted(const char *path, uid_t uid, int extra, struct mntns_untrusted *bad);

/* Like mntns_path_open(AT_FDCWD, PATH, 0), but PATH lies below BASE, which exists; missing
 * components below BASE are created (directories 0755 root; the last one an empty file 0644
 * unless LAST_IS_DIR). For mount points inside a tmpfs this login just mounted. */
int mntns_path_open_below(const char *base, const char *path, bool last_is_dir);

#endif
