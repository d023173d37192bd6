/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* What a mount is, told from what the kernel holds and never by asking the mounted filesystem
 * (a FUSE server of a user's may lie or never answer): whose it is, root's or a user's. The
 * trust walk (path.c) asks it at every mount it crosses, and decides from the answer; apply.c
 * asks it of what it leaves out of a source's view. */
#ifndef MNTNS_MOUNTS_H
#define MNTNS_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* Whose a mount is. FUSE is the filesystem any user may mount, on any directory they can
 * write to, so a FUSE mount is root's only when root made it (user_id=0); fusermount3 sets
 * user_id to the real user. Every other filesystem needs root (or a namespace of one's own,
 * which the login's is not) to mount. */
enum mntns_mount_kind {
	MNTNS_MOUNT_ROOTS,   /* not FUSE, or a FUSE mount that root made */
	MNTNS_MOUNT_USERS,   /* a FUSE mount of a user */
	MNTNS_MOUNT_OPAQUE,  /* its id cannot be had without asking its filesystem */
	MNTNS_MOUNT_UNKNOWN, /* it cannot be examined at all */
	MNTNS_MOUNT_NO_TYPE, /* its filesystem type cannot be found */
};

/* What the mount whose root FD is is (statx with AT_STATX_DONT_SYNC, statmount, and on kernels
 * without statmount's options, before 6.11, the mount table). For MNTNS_MOUNT_USERS, FSTYPE
 * (SIZE bytes) gets the filesystem type; for the last three, *ERR the errno behind them. */
enum mntns_mount_kind mntns_mount_kind(int fd, char *fstype, size_t size, int *err);

/* Is FD, the root of a mount, a FUSE mount that a user made (not root, user_id=0)? */
bool mntns_mount_is_users(int fd);

/* The id of the mount FD is on from name_to_handle_at, which takes it from the VFS alone, or 0:
 * where statx is refused (see mntns_path_mount_id). */
unsigned long long mntns_mount_id_by_handle(int fd);

#endif
