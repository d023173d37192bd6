/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Whose a mount is (see mounts.h), from what the kernel holds of it: statx with
 * AT_STATX_DONT_SYNC, statmount and the mount table never reach a FUSE server. */
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"

/* Newer than the headers of Debian 12; the kernel answers EINVAL/ENOSYS where it lacks them. */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#define MNTNS_STATMOUNT_FS_TYPE	 0x20U
#define MNTNS_STATMOUNT_MNT_OPTS 0x80U
/* struct statmount is 512 bytes in every kernel that has it; its strings follow it. */
#define MNTNS_STATMOUNT_STRINGS 512

struct mntns_mnt_id_req {
	__u32 size;
	__u32 spare;
	__u64 mnt_id;
	__u64 param;
};

/* The head of the kernel's struct statmount, up to the field we read. */
struct mntns_statmount_head {
	__u32 size;
	__u32 mnt_opts;
	__u64 mask;
	__u32 sb_dev_major;
	__u32 sb_dev_minor;
	__u64 sb_magic;
	__u32 sb_flags;
	__u32 fs_type; /* offsets of the type's name and the options in the strings that follow */
};

/* The mount id of FD from name_to_handle_at, which takes it from the VFS alone: a FUSE mount of
 * a user without allow_other refuses statx even to root (EACCES, before asking its server).
 * With no room for the handle the call fails (EOVERFLOW), but only after it has said the id. */
unsigned long long mntns_mount_id_by_handle(int fd)
{
	struct file_handle fh = {.handle_bytes = 0};
	int id = 0;

	if (name_to_handle_at(fd, "", &fh, &id, AT_EMPTY_PATH) < 0 && errno != EOVERFLOW)
		return 0;
	return id > 0 ? (unsigned long long)id : 0;
}

/* The type and superblock options of mount ID, looked up in the mount table (kernels without
 * statmount, before 6.8, or without its options, before 6.11). Costs O(mounts), only at a
 * mount crossing on such kernels. */
static int mount_mountinfo(unsigned long long id, char *type, size_t size, char *opts,
			   size_t opts_size)
{
	_cleanup_close_ int fd = open("/proc/thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;
	char key[32];

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	snprintf(key, sizeof(key), "%llu ", id);
	for (char *line = buf; line && *line;) {
		char *end = strchr(line, '\n'), *sep;

		if (end)
			*end = '\0';
		sep = strstr(line, " - ");
		if (strncmp(line, key, strlen(key)) == 0 && sep) {
			const char *last = strrchr(sep, ' ');

			snprintf(type, size, "%.*s", (int)strcspn(sep + 3, " "), sep + 3);
			snprintf(opts, opts_size, "%s", last ? last + 1 : "");
			return 0;
		}
		line = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

/* Does the option list OPTS (comma-separated) hold exactly OPT? */
static bool has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* A FUSE mount is a user's unless root made it: fusermount3 sets user_id to the real user, and
 * what it covers (any directory they can write to) cannot be seen under it. */
enum mntns_mount_kind mntns_mount_kind(int fd, char *fstype, size_t size, int *err)
{
	union {
		struct mntns_statmount_head head;
		char raw[4096];
	} sm;
	struct mntns_mnt_id_req req = {.size = sizeof(req),
				       .param = MNTNS_STATMOUNT_FS_TYPE | MNTNS_STATMOUNT_MNT_OPTS};
	const size_t strings = sizeof(sm) - MNTNS_STATMOUNT_STRINGS;
	struct statx sx;
	char type[64] = "", opts[1024] = "";
	unsigned long long old_id = 0;
	bool have_opts = false;
	int rc = -ENOSYS;

	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
		  STATX_MNT_ID | STATX_MNT_ID_UNIQUE, &sx) < 0) {
		/* A FUSE mount of someone else's, without allow_other (EACCES), or whose root inode
		 * the kernel marked bad (EIO, with or without it): its id, then the table. */
		if (!(old_id = mntns_mount_id_by_handle(fd))) {
			*err = errno;
			return MNTNS_MOUNT_OPAQUE;
		}
		sx.stx_mask = 0;
	}
	if (sx.stx_mask & STATX_MNT_ID_UNIQUE) {
		req.mnt_id = sx.stx_mnt_id;
		if (syscall(__NR_statmount, &req, &sm, sizeof(sm), 0) == 0 &&
		    (sm.head.mask & MNTNS_STATMOUNT_FS_TYPE) && sm.head.fs_type < strings) {
			snprintf(type, sizeof(type), "%s",
				 sm.raw + MNTNS_STATMOUNT_STRINGS + sm.head.fs_type);
			rc = 0;
			have_opts =
			    (sm.head.mask & MNTNS_STATMOUNT_MNT_OPTS) && sm.head.mnt_opts < strings;
			if (have_opts)
				snprintf(opts, sizeof(opts), "%s",
					 sm.raw + MNTNS_STATMOUNT_STRINGS + sm.head.mnt_opts);
		}
	}
	if (strncmp(type, "fuse", 4) != 0 && rc == 0)
		return MNTNS_MOUNT_ROOTS;
	/* mountinfo has the old, reusable id, which statx gives only when asked for it alone. */
	if (!old_id && (rc < 0 || !have_opts) && (sx.stx_mask & STATX_MNT_ID_UNIQUE) &&
	    statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MNT_ID,
		  &sx) < 0) {
		*err = errno;
		return MNTNS_MOUNT_UNKNOWN;
	}
	if (!old_id && (rc < 0 || !have_opts) && (sx.stx_mask & STATX_MNT_ID))
		old_id = sx.stx_mnt_id;
	if ((rc < 0 || !have_opts) && old_id)
		rc = mount_mountinfo(old_id, type, sizeof(type), opts, sizeof(opts));
	if (rc < 0) {
		*err = -rc;
		return MNTNS_MOUNT_NO_TYPE;
	}
	if (strncmp(type, "fuse", 4) == 0 && !has_option(opts, "user_id=0")) {
		snprintf(fstype, size, "%s", type);
		return MNTNS_MOUNT_USERS;
	}
	return MNTNS_MOUNT_ROOTS;
}

bool mntns_mount_is_users(int fd)
{
	char type[32];
	int err;

	return mntns_mount_kind(fd, type, sizeof(type), &err) == MNTNS_MOUNT_USERS;
}
