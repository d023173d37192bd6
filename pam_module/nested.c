/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Where a login starts from, and the marks that say a view was made by this module (see
 * nested.h). The record is trusted because only root can mount, and only in a namespace owned
 * by the initial user namespace; its namespace field must name the very namespace it is seen
 * in, so a namespace copied from one of ours (unshare -m inside a session) is not ours. The
 * list in the outer view's run directory (views/INO) is root's alone, and an entry is taken
 * only when the namespace's unique id (Linux 6.8 and later) matches or, before that, the
 * thread that made the view still runs in it, so an inode number given to a new namespace is
 * never mistaken for ours. */
#include "nested.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"
#include "userscope.h"
#include "view.h"

#define RECORD	      MNTNS_RUN_DIR "/" MNTNS_RECORD_NAME
#define RECORD_FORMAT "pam_mntns view\nuid %u\nns %llu %llu\nsystem %llu %llu\n"

#ifndef NS_GET_MNTNS_ID /* Linux 6.8; Debian 12's headers predate it */
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, unsigned long long)
#endif

int mntns_ns_owned_by_init(int ns_fd)
{
	_cleanup_close_ int userns = ioctl(ns_fd, NS_GET_USERNS);
	struct stat a, b;

	if (userns < 0 || fstat(userns, &a) < 0 || stat("/proc/1/ns/user", &b) < 0)
		return -errno;
	return mntns_same_inode(&a, &b);
}

int mntns_record_format(const struct mntns_record *rec, char *buf, size_t size)
{
	return snprintf(buf, size, RECORD_FORMAT, (unsigned)rec->uid, rec->ns_dev, rec->ns_ino,
			rec->sys_dev, rec->sys_ino);
}

/* Reads the record of the calling thread's view. Returns 0; -ENOENT or -EACCES when there is
 * none; -EPERM or -EINVAL when what is there is not a record (not root's 0400 file,
 * malformed), or another -errno. */
static int record_read(struct mntns_record *rec)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* Only the file is judged: only root can mount, so root's 0400 file on a tmpfs was put
	 * there by root, whoever may write to / or /run (judging them too, a /run that a group
	 * may write to would make root's login from a user's view stay there). */
	struct mntns_trust t = {.flags = MNTNS_TRUST_ROOT_ONLY | MNTNS_TRUST_OBJECT_ONLY,
				.at = root};
	struct mntns_path_verdict v;
	_cleanup_close_ int path_fd = -1, fd = -1;
	unsigned uid;
	char buf[256];
	struct statfs sf;
	struct stat st;
	ssize_t n;

	if (t.at < 0)
		return -errno;
	path_fd = mntns_path_open_trusted(RECORD + 1, MNTNS_WANT_FILE, &t, &v);
	/* Not a regular file of root's with one name (a FIFO put there, say): not a record. */
	if (path_fd == -ELOOP || path_fd == -EINVAL || path_fd == -EISDIR)
		return -EPERM;
	if (path_fd < 0)
		return path_fd;
	/* O_NONBLOCK: nothing that could stall the login gets here, but stay on the safe side. */
	fd = mntns_path_reopen(path_fd, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || (st.st_mode & 07777) != 0400 || fstatfs(fd, &sf) < 0 ||
	    sf.f_type != TMPFS_MAGIC)
		return -EPERM;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	if (sscanf(buf, RECORD_FORMAT, &uid, &rec->ns_dev, &rec->ns_ino, &rec->sys_dev,
		   &rec->sys_ino) != 5)
		return -EINVAL;
	rec->uid = (uid_t)uid;
	return 0;
}

unsigned long long mntns_ns_id(int ns_fd)
{
	unsigned long long id = 0;

	return ioctl(ns_fd, NS_GET_MNTNS_ID, &id) < 0 ? 0 : id;
}

int mntns_views_open(int run_dir)
{
	/* Inside the run directory, root's 0700: root's and writable by root alone is enough,
	 * and a list an administrator made 0755 by hand still names the views in it. */
	struct mntns_trust t = {.flags = MNTNS_TRUST_ROOT_ONLY | MNTNS_TRUST_END_AS_WAY,
				.at = run_dir};
	struct mntns_path_verdict v;

	return mntns_path_open_trusted(MNTNS_VIEWS_NAME, MNTNS_WANT_DIR, &t, &v);
}

/* Is the namespace NS_FD (stat CUR) in the list of views made from PID 1's? Sets *UID.
 * Returns 1; 0 when it is not listed; -ESTALE when an entry for its inode number is there but
 * cannot be shown to be this namespace's (the kernel has no unique id, and the thread that
 * made the view has gone): a namespace made since may have that number, and it is not taken
 * for ours. Only root can read the list; for anyone else the answer is 0. */
static int listed(int ns_fd, const struct stat *cur, uid_t *uid)
{
	_cleanup_close_ int dir = mntns_us_open_dir(false, NULL);
	_cleanup_close_ int views = -1, task = -1;
	unsigned long long l_id, l_start;
	char name[32], text[128];
	unsigned l_uid;
	int l_tid;
	ssize_t n;

	if (dir < 0)
		return 0;
	/* A list that others can write to names nothing. The entries are symbolic links, read
	 * as text and never followed. */
	views = mntns_views_open(dir);
	snprintf(name, sizeof(name), "%llu", (unsigned long long)cur->st_ino);
	n = views < 0 ? -1 : readlinkat(views, name, text, sizeof(text) - 1);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	if (sscanf(text, "%u %llu %d %llu", &l_uid, &l_id, &l_tid, &l_start) != 4)
		return -ESTALE;
	*uid = (uid_t)l_uid;
	if (l_id)
		return mntns_ns_id(ns_fd) == l_id;
	/* Before Linux 6.8: the thread that made the view, still running and still in it. */
	task = mntns_task_open(l_tid, l_start);
	if (task >= 0 && mntns_task_in(task, cur))
		return 1;
	return -ESTALE;
}

static void set_why(struct mntns_origin *o, enum mntns_where where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_why(struct mntns_origin *o, enum mntns_where where, const char *fmt, ...)
{
	va_list ap;

	o->where = where;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

void mntns_origin_find(struct mntns_origin *o)
{
	_cleanup_close_ int cur_fd = mntns_view_ns_open();
	struct mntns_record rec;
	struct stat cur, sys;
	int rc, init, list;

	o->uid = (uid_t)-1;
	o->listed = false;
	o->why[0] = '\0';
	if (cur_fd < 0 || fstat(cur_fd, &cur) < 0 || stat("/proc/1/ns/mnt", &sys) < 0) {
		set_why(o, MNTNS_AT_UNKNOWN,
			"a view that cannot be compared with PID 1's "
			"(%s)",
			strerror(errno));
		return;
	}
	if (mntns_same_inode(&cur, &sys)) {
		o->where = MNTNS_AT_SYSTEM;
		return;
	}
	/* A namespace a user made (inside a user namespace of theirs) is never ours, whatever
	 * it has on /run/mntns; nothing in it is read. */
	init = mntns_ns_owned_by_init(cur_fd);
	if (init < 0) {
		set_why(o, MNTNS_AT_UNKNOWN, "a view whose owner cannot be told (%s)", strerror(-init));
		return;
	}
	if (!init) {
		set_why(o, MNTNS_AT_FOREIGN, "a view in a user namespace that is not PID 1's");
		return;
	}
	rc = record_read(&rec);
	if (rc == 0 && rec.ns_dev == (unsigned long long)cur.st_dev &&
	    rec.ns_ino == (unsigned long long)cur.st_ino) {
		o->uid = rec.uid;
		if (rec.sys_dev == (unsigned long long)sys.st_dev &&
		    rec.sys_ino == (unsigned long long)sys.st_ino) {
			o->where = MNTNS_AT_OURS;
			return;
		}
		set_why(o, MNTNS_AT_OURS_LOST, "the view of uid %u, which was not made from PID 1's "
			"view, so the view it was made from cannot be reached", (unsigned)rec.uid);
		return;
	}
	/* No record, or not this namespace's: it may still be one of ours whose record was
	 * unmounted from outside (deleting /run/mntns deletes the list too). */
	list = listed(cur_fd, &cur, &o->uid);
	if (list > 0) {
		o->listed = true;
		set_why(o, MNTNS_AT_OURS, "the view of uid %u, whose record %s is gone",
			(unsigned)o->uid, RECORD);
		return;
	}
	/* An entry that cannot be confirmed (before Linux 6.8, once the thread that made the
	 * view has gone) is most often a number given to a new namespace (ip netns exec, a
	 * service's sandbox): taken for not ours. A view of ours loses its record only by
	 * root's hand. */
	if (list < 0)
		o->uid = (uid_t)-1;
	if (rc == 0 || rc == -ENOENT || rc == -EACCES) {
		set_why(o, MNTNS_AT_FOREIGN, "a view that is neither PID 1's nor one pam_mntns made%s",
			rc == 0 ? " (a copy of one, or a record that does not name it)" : "");
		return;
	}
	set_why(o, MNTNS_AT_UNKNOWN, "a view whose record %s cannot be read (%s)", RECORD,
		rc == -EINVAL ? "malformed" : strerror(-rc));
}

int mntns_view_is(uid_t uid)
{
	_cleanup_close_ int cur_fd = mntns_view_ns_open();
	struct mntns_record rec;
	struct stat cur;
	int rc;

	if (cur_fd < 0 || fstat(cur_fd, &cur) < 0)
		return -errno;
	rc = mntns_ns_owned_by_init(cur_fd);
	if (rc <= 0)
		return rc < 0 ? rc : -EPERM;
	rc = record_read(&rec);
	if (rc < 0)
		return rc;
	if (rec.uid != uid || rec.ns_dev != (unsigned long long)cur.st_dev ||
	    rec.ns_ino != (unsigned long long)cur.st_ino)
		return -EPERM;
	return 0;
}

int mntns_outer_open(struct mntns_err *err)
{
	int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mntns_fail(err, -errno, "opening PID 1's mount namespace: %s",
				  strerror(errno));
	return fd;
}
