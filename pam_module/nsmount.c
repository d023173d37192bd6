/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The mounts of the namespace code, which are not rule mounts (those are apply.c's): the
 * record that marks a view as the module's (see nested.h), mounted in the view just built,
 * and its entry in the outer view's list. */
#include "nsmount.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "nested.h"
#include "userscope.h"
#include "view.h"

/* Lists the calling thread's namespace (NS_FD, stat CUR), made from PID 1's view for UID,
 * in the outer view's run directory. An entry left by a namespace that is gone and had the
 * same inode number is replaced. */
static int list_view(int dir, int ns_fd, const struct stat *cur, uid_t uid, struct mntns_err *err)
{
	_cleanup_close_ int views = -1;
	unsigned long long id = mntns_ns_id(ns_fd);
	struct mntns_session_id self = {.tid = gettid()};
	char name[32], text[128];

	/* The thread's start time tells the view only where the kernel gives no unique id
	 * (before Linux 6.8; see listed() in nested.c): /proc is read for it only then. */
	if (!id && mntns_session_self(&self) < 0)
		return mntns_fail(err, -EIO, "reading /proc/thread-self/stat failed");
	/* Judged as its reader judges it (nested.c, listed), so that nothing is listed in a list
	 * that names nothing; made if missing, 0700 (a new one is judged as the run directory
	 * is). */
	views = mntns_views_open(dir);
	if (views == -ENOENT)
		views = mntns_mkdir_root(dir, MNTNS_VIEWS_NAME, err);
	if (views < 0)
		return mntns_fail(err, views, "%s/%s: %s", MNTNS_RUN_DIR, MNTNS_VIEWS_NAME,
				  strerror(-views));
	snprintf(name, sizeof(name), "%llu", (unsigned long long)cur->st_ino);
	snprintf(text, sizeof(text), "%u %llu %d %llu", (unsigned)uid, id, (int)self.tid,
		 self.start);
	/* The name is this namespace's inode number: an entry already under it was left by a
	 * namespace that is gone (the kernel reuses the numbers of freed namespaces), which no
	 * live view can be taken for, so it is dropped, not renamed over. A symlink appears
	 * with its target whole. */
	(void)unlinkat(views, name, 0);
	if (symlinkat(text, views, name) < 0)
		return mntns_fail(err, -errno, "listing the view in %s/%s: %s", MNTNS_RUN_DIR,
				  MNTNS_VIEWS_NAME, strerror(errno));
	return 0;
}

int mntns_record_view(uid_t uid, int outer_dir, struct mntns_err *err)
{
	bool from_system = outer_dir >= 0;
	/* The view's own run directory (a copy of the outer one's mount until the record goes
	 * on it): the record is mounted here, in this namespace only. */
	_cleanup_close_ int dir = mntns_run_dir_open(false, false, err);
	_cleanup_close_ int fsfd = -1, mfd = -1, file = -1, cur_fd = -1;
	struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
	struct stat cur, sys = {0};
	struct mntns_record rec;
	char buf[256];
	int len;

	if (dir < 0)
		return dir;
	cur_fd = mntns_view_ns_open();
	if (cur_fd < 0 || fstat(cur_fd, &cur) < 0 ||
	    (from_system && stat("/proc/1/ns/mnt", &sys) < 0))
		return mntns_fail(err, -errno, "/proc/.../ns/mnt: %s", strerror(errno));
	rec = (struct mntns_record){
	    .uid = uid,
	    .ns_dev = (unsigned long long)cur.st_dev,
	    .ns_ino = (unsigned long long)cur.st_ino,
	    .sys_dev = (unsigned long long)sys.st_dev,
	    .sys_ino = (unsigned long long)sys.st_ino,
	};
	len = mntns_record_format(&rec, buf, sizeof(buf));
	if (from_system && list_view(outer_dir, cur_fd, &cur, uid, err) < 0)
		return -EIO;
	fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "pam_mntns", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0700", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "nr_inodes", "4", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return mntns_fail(err, -errno, "creating the view's record: %s", strerror(errno));
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mfd < 0)
		return mntns_fail(err, -errno, "creating the view's record: %s", strerror(errno));
	/* 0400 set explicitly: the creation mode is cut by the caller's umask. */
	file = openat(mfd, MNTNS_RECORD_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	if (file < 0 || write(file, buf, (size_t)len) != len || fchmod(file, 0400) < 0)
		return mntns_fail(err, file < 0 ? -errno : -EIO, "writing the view's record: %s",
				  strerror(errno));
	mntns_closep(&file); /* a mount with a file open for writing cannot be made read-only */
	file = -1;
	if (mount_setattr(mfd, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0 ||
	    move_mount(mfd, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mntns_fail(err, -errno, "mounting the view's record on %s: %s",
				  MNTNS_RUN_DIR, strerror(errno));
	return 0;
}
