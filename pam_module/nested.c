/* Where a login starts from, and the record that marks a view as made by this module (see
 * nested.h). The record is trusted because only root can mount, and only in a namespace owned
 * by the initial user namespace; its namespace field must name the very namespace it is seen
 * in, so a namespace copied from one of ours (unshare -m inside a session) is not ours. */
#include "nested.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "userscope.h"

#define RECORD MNTNS_RUN_DIR "/view"

static bool same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is the namespace NS_FD owned by the initial user namespace (PID 1's)? A user can make
 * mount namespaces of their own inside a user namespace, and mount what they like there.
 * Returns 1, 0, or -errno when it cannot be told. */
static int owned_by_init(int ns_fd)
{
	_cleanup_close_ int userns = ioctl(ns_fd, NS_GET_USERNS);
	struct stat a, b;

	if (userns < 0 || fstat(userns, &a) < 0 || stat("/proc/1/ns/user", &b) < 0)
		return -errno;
	return same(&a, &b);
}

static int read_record(char *buf, size_t size)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_close_ int fd = (int)syscall(SYS_openat2, AT_FDCWD, RECORD, &how, sizeof(how));
	struct stat st;
	ssize_t n;

	if (fd < 0 && errno == ENOSYS)
		fd = open(RECORD, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 07777) != 0400)
		return -EPERM;
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	return 0;
}

void mntns_origin_find(struct mntns_origin *o)
{
	_cleanup_close_ int cur_fd = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
	unsigned long long ns_dev, ns_ino, sys_dev, sys_ino;
	struct stat cur, sys;
	unsigned uid;
	char buf[256];
	int rc;

	o->where = MNTNS_AT_UNKNOWN;
	o->uid = (uid_t)-1;
	if (cur_fd < 0 || fstat(cur_fd, &cur) < 0 || stat("/proc/1/ns/mnt", &sys) < 0) {
		snprintf(o->why, sizeof(o->why), "a view that cannot be compared with PID 1's (%s)",
			 strerror(errno));
		return;
	}
	if (same(&cur, &sys)) {
		o->where = MNTNS_AT_SYSTEM;
		return;
	}
	rc = read_record(buf, sizeof(buf));
	/* No record (or one only root could read, for a caller that is not root and so could
	 * not leave anyway): not ours. */
	if (rc == -ENOENT || rc == -EACCES) {
		o->where = MNTNS_AT_FOREIGN;
		snprintf(o->why, sizeof(o->why), "a view that is neither PID 1's nor one pam_mntns "
			 "made");
		return;
	}
	if (rc < 0 || sscanf(buf, "pam_mntns view\nuid %u\nns %llu %llu\nsystem %llu %llu\n", &uid,
			     &ns_dev, &ns_ino, &sys_dev, &sys_ino) != 5) {
		snprintf(o->why, sizeof(o->why), "a view whose record %s cannot be read (%s)",
			 RECORD, rc < 0 ? strerror(-rc) : "malformed");
		return;
	}
	rc = owned_by_init(cur_fd);
	if (rc < 0) {
		snprintf(o->why, sizeof(o->why), "a view whose owner cannot be told (%s)",
			 strerror(-rc));
		return;
	}
	if (ns_dev != (unsigned long long)cur.st_dev || ns_ino != (unsigned long long)cur.st_ino ||
	    !rc) {
		o->where = MNTNS_AT_FOREIGN;
		snprintf(o->why, sizeof(o->why), "a view that is neither PID 1's nor one pam_mntns "
			 "made (a copy of one, or a record that does not name it)");
		return;
	}
	o->uid = (uid_t)uid;
	if (sys_dev != (unsigned long long)sys.st_dev || sys_ino != (unsigned long long)sys.st_ino) {
		o->where = MNTNS_AT_OURS_LOST;
		snprintf(o->why, sizeof(o->why), "the view of uid %u, which was not made from PID "
			 "1's view, so the view it was made from cannot be reached", uid);
		return;
	}
	o->where = MNTNS_AT_OURS;
}

int mntns_outer_open(struct mntns_err *err)
{
	int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mntns_fail(err, -errno, "opening PID 1's mount namespace: %s",
				  strerror(errno));
	return fd;
}

int mntns_record_view(uid_t uid, bool from_system, struct mntns_err *err)
{
	_cleanup_close_ int dir = mntns_us_open_dir(false, err);
	_cleanup_close_ int fsfd = -1, mfd = -1, file = -1;
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	struct stat cur, sys = { 0 };
	char buf[256];
	int len;

	if (dir < 0)
		return dir;
	if (stat("/proc/thread-self/ns/mnt", &cur) < 0 ||
	    (from_system && stat("/proc/1/ns/mnt", &sys) < 0))
		return mntns_fail(err, -errno, "/proc/.../ns/mnt: %s", strerror(errno));
	len = snprintf(buf, sizeof(buf), "pam_mntns view\nuid %u\nns %llu %llu\nsystem %llu %llu\n",
		       (unsigned)uid, (unsigned long long)cur.st_dev,
		       (unsigned long long)cur.st_ino, (unsigned long long)sys.st_dev,
		       (unsigned long long)sys.st_ino);
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
	file = openat(mfd, "view", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
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
