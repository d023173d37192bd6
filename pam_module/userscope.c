/* scope = user: pins, the per-user lock and liveness (see userscope.h). The lock is flock on a
 * root-only file, so only the logins of one user ever wait for each other, and a user cannot
 * hold it. Liveness is proven by the kernel (a thread's namespace), never by a count that a
 * SIGKILLed login could leave behind: the registry is only a list of threads to ask first. */
#include "userscope.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"

#define REGISTRY_MAX 1024 /* threads; beyond that, logins fall back to the /proc pass */
#define REGISTRY_BYTES (REGISTRY_MAX * 32)

int mntns_stat_starttime(const char *stat, unsigned long long *start)
{
	const char *p = strrchr(stat, ')');
	char *end;

	if (!p)
		return -EINVAL;
	p++;
	/* After "(comm)": state is field 3, starttime field 22. */
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return -EINVAL;
		if (field == 22)
			break;
		while (*p && *p != ' ')
			p++;
	}
	errno = 0;
	*start = strtoull(p, &end, 10);
	if (errno || end == p || (*end && *end != ' ' && *end != '\n'))
		return -EINVAL;
	return 0;
}

size_t mntns_registry_parse(const char *buf, size_t len, struct mntns_thread_id *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n < max;) {
		const char *line = buf + i;
		const char *nl = memchr(line, '\n', len - i);
		unsigned long long tid = 0, start = 0;
		char tmp[64], word[8] = "";
		size_t l;
		int used = 0;

		if (!nl)
			break; /* a torn last line: its thread is found by the /proc pass */
		l = (size_t)(nl - line);
		i += l + 1;
		if (l == 0 || l >= sizeof(tmp))
			continue;
		memcpy(tmp, line, l);
		tmp[l] = '\0';
		if (sscanf(tmp, "%llu %llu%n %7s%n", &tid, &start, &used, word, &used) < 2 ||
		    (size_t)used != l || (word[0] && strcmp(word, "closed") != 0) || tid == 0 ||
		    tid > 0x3fffffff || !isdigit((unsigned char)tmp[0]))
			continue;
		out[n].tid = (pid_t)tid;
		out[n].start = start;
		out[n].closed = word[0] != '\0';
		n++;
	}
	return n;
}

static int read_small(int dirfd, const char *name, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* The start time of thread TID, read through /proc. */
static int thread_start(int procfd, pid_t tid, unsigned long long *start)
{
	char name[32], buf[1024];
	int rc;

	snprintf(name, sizeof(name), "%d/stat", (int)tid);
	rc = read_small(procfd, name, buf, sizeof(buf));
	return rc < 0 ? rc : mntns_stat_starttime(buf, start);
}

int mntns_thread_self(struct mntns_thread_id *id)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (procfd < 0)
		return -errno;
	id->tid = gettid();
	return thread_start(procfd, id->tid, &id->start);
}

static bool same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is ID's thread, the very one, still in the namespace NS? (While NS is pinned its inode
 * number cannot be reused, so comparing it is enough.) */
static bool thread_in(int procfd, const struct mntns_thread_id *id, const struct stat *ns)
{
	unsigned long long start;
	char name[32];
	struct stat st;

	snprintf(name, sizeof(name), "%d/ns/mnt", (int)id->tid);
	if (fstatat(procfd, name, &st, 0) < 0 || !same_ns(&st, ns))
		return false;
	/* Read after the namespace: a thread that ended between the two is seen as gone. */
	return thread_start(procfd, id->tid, &start) == 0 && start == id->start;
}

/* Is ID's thread, the very one, still running (in any namespace)? */
static bool thread_alive(int procfd, const struct mntns_thread_id *id)
{
	unsigned long long start;

	return thread_start(procfd, id->tid, &start) == 0 && start == id->start;
}

/* Is PID one of the NSKIP threads in SKIP (closed sessions, the caller)? */
static bool skipped(long pid, const struct mntns_thread_id *skip, size_t nskip)
{
	for (size_t i = 0; i < nskip; i++)
		if (skip[i].tid == pid)
			return true;
	return false;
}

/* Is process PID (a name in /proc) in namespace NS? Asked of the process; once its main
 * thread has exited (pthread_exit in main) that has no namespace any more, so then of each
 * of its threads. */
static bool process_in(int procfd, const char *pid, const struct stat *ns)
{
	char name[300];
	struct dirent *de;
	struct stat st;
	bool in = false;
	DIR *d;
	int fd;

	snprintf(name, sizeof(name), "%s/ns/mnt", pid);
	if (fstatat(procfd, name, &st, 0) == 0)
		return same_ns(&st, ns);
	if (errno != ENOENT)
		return false;
	snprintf(name, sizeof(name), "%s/task", pid);
	fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	while (!in && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s/task/%s/ns/mnt", pid, de->d_name);
		in = fstatat(procfd, name, &st, 0) == 0 && same_ns(&st, ns);
	}
	closedir(d);
	return in;
}

/* One pass over /proc: a process in namespace NS, other than the caller and the PAM callers
 * of sessions already closed (CLOSED: they are on their way out). Returns its pid, 0 when
 * there is none, or -errno. The only step whose cost grows with the processes on the
 * machine; it runs at a last logout and at the first login after one, never on a join
 * that a registered session already proves. */
static pid_t proc_find(int procfd, const struct stat *ns, const struct mntns_thread_id *closed,
		       size_t nclosed, size_t *count)
{
	pid_t self = getpid();
	int fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid_t found = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		return -e;
	}
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self || skipped(pid, closed, nclosed))
			continue;
		if (!process_in(procfd, de->d_name, ns))
			continue;
		if (!found)
			found = (pid_t)pid;
		if (!count)
			break;
		(*count)++;
	}
	closedir(d);
	return found;
}

/* Opens NAME in DIRFD as a directory of root's that only root may write to (or, LAST, enter).
 * Not the walk of path.c: that looks up the type of every mount it crosses, in mountinfo
 * before Linux 6.8, which would make every login cost O(mounts) for /run. None of that is
 * needed here: nobody but root can write to these directories, so nobody else can have
 * mounted anything on them, FUSE included. statx with AT_STATX_DONT_SYNC asks no server. */
static int open_root_dir(int dirfd, const char *name, bool last)
{
	int fd = openat(dirfd, name, (last ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
	struct statx sx;

	if (fd < 0)
		return -errno;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
		  STATX_UID | STATX_MODE, &sx) < 0 || sx.stx_uid != 0 ||
	    (sx.stx_mode & (last ? 07077 : 022))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int mntns_us_open_dir(bool create, struct mntns_err *err)
{
	_cleanup_close_ int dir = open_root_dir(AT_FDCWD, "/", false);
	char path[] = MNTNS_RUN_DIR, *save = NULL, *next;
	int fd = dir;

	for (char *c = strtok_r(path + 1, "/", &save); c && fd >= 0; c = next) {
		next = strtok_r(NULL, "/", &save);
		fd = open_root_dir(dir, c, !next);
		if (fd == -ENOENT && !next && create) {
			if (mkdirat(dir, c, 0700) < 0 && errno != EEXIST)
				return mntns_fail(err, -errno, "creating %s: %s", MNTNS_RUN_DIR,
						  strerror(errno));
			fd = open_root_dir(dir, c, true);
		}
		if (fd < 0)
			break;
		if (next) {
			close(dir);
			dir = fd;
		}
	}
	if (fd == -EPERM)
		return mntns_fail(err, -EPERM, "%s: every directory on the way must be root's and "
				  "writable by root alone, and %s itself mode 0700 (it holds every "
				  "user's namespace)", MNTNS_RUN_DIR, MNTNS_RUN_DIR);
	if (fd < 0)
		return mntns_fail(err, fd, "%s: %s", MNTNS_RUN_DIR, strerror(-fd));
	return fd;
}

/* The names of UID's pin and lock file in the run directory. */
static void us_names(struct mntns_us *us, uid_t uid)
{
	snprintf(us->pin, sizeof(us->pin), "%u", (unsigned)uid);
	snprintf(us->lock, sizeof(us->lock), "%u.lock", (unsigned)uid);
}

int mntns_us_lock(struct mntns_us *us, uid_t uid, struct mntns_err *err)
{
	struct stat st;
	int rc;

	us->lock_fd = -1;
	us_names(us, uid);
	us->dir_fd = mntns_us_open_dir(true, err);
	if (us->dir_fd < 0)
		return us->dir_fd;
	us->lock_fd = openat(us->dir_fd, us->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (us->lock_fd < 0) {
		rc = mntns_fail(err, -errno, "%s/%s: %s", MNTNS_RUN_DIR, us->lock, strerror(errno));
		goto fail;
	}
	if (fstat(us->lock_fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		rc = mntns_fail(err, -EINVAL, "%s/%s: not a plain file", MNTNS_RUN_DIR, us->lock);
		goto fail;
	}
	while ((rc = flock(us->lock_fd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		rc = mntns_fail(err, -errno, "locking %s/%s: %s", MNTNS_RUN_DIR, us->lock,
				strerror(errno));
		goto fail;
	}
	/* While this login waited, another may have made the run directory a mount (the first
	 * pin of the boot); the pins are on that mount, so look at it from the path again. */
	rc = mntns_us_open_dir(false, err);
	if (rc < 0)
		goto fail;
	close(us->dir_fd);
	us->dir_fd = rc;
	return 0;
fail:
	mntns_us_unlock(us);
	return rc;
}

void mntns_us_unlock(struct mntns_us *us)
{
	mntns_closep(&us->lock_fd); /* closing the only descriptor releases the flock */
	mntns_closep(&us->dir_fd);
	us->lock_fd = us->dir_fd = -1;
}

/* Opens the pin; -ENOENT when it is missing or not (any more) a mount namespace. */
static int open_pin(int dir_fd, const char *pin, struct stat *st)
{
	int fd = openat(dir_fd, pin, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct statfs sf;

	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (fstatfs(fd, &sf) < 0 || sf.f_type != NSFS_MAGIC ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNS || fstat(fd, st) < 0) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* Room for a whole registry (on the heap: a multithreaded caller's stack may be small). */
static struct mntns_thread_id *ids_new(void)
{
	return calloc(REGISTRY_MAX, sizeof(struct mntns_thread_id));
}

static size_t registry_read(struct mntns_us *us, struct mntns_thread_id *ids)
{
	_cleanup_free_ char *buf = malloc(REGISTRY_BYTES);
	ssize_t n;

	if (!buf)
		return 0;
	n = pread(us->lock_fd, buf, REGISTRY_BYTES, 0);
	return n > 0 ? mntns_registry_parse(buf, (size_t)n, ids, REGISTRY_MAX) : 0;
}

static int registry_write(struct mntns_us *us, const struct mntns_thread_id *ids, size_t n)
{
	_cleanup_free_ char *buf = malloc(REGISTRY_BYTES);
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n && len < REGISTRY_BYTES - 48; i++)
		len += (size_t)snprintf(buf + len, REGISTRY_BYTES - len, "%d %llu%s\n",
					(int)ids[i].tid, ids[i].start,
					ids[i].closed ? " closed" : "");
	/* Readers hold the lock too; a torn file only costs the next login a /proc pass. */
	if (ftruncate(us->lock_fd, 0) < 0 || pwrite(us->lock_fd, buf, len, 0) != (ssize_t)len)
		return -errno;
	return 0;
}

/* Keeps what still matters of the registry: sessions whose thread is still in NS, and closed
 * sessions whose thread still runs. Returns how many entries are kept; *OPEN says how many of
 * them are open sessions. */
static size_t registry_prune(int procfd, struct mntns_thread_id *ids, size_t n,
			     const struct stat *ns, size_t *open)
{
	size_t k = 0;

	*open = 0;
	for (size_t i = 0; i < n; i++) {
		if (ids[i].closed ? !thread_alive(procfd, &ids[i]) : !thread_in(procfd, &ids[i], ns))
			continue;
		*open += !ids[i].closed;
		ids[k++] = ids[i];
	}
	return k;
}

/* No open session is left: is anything else in NS? If so it keeps the namespace, and is
 * registered so that the next login need not look again. Returns 1, 0 or -errno. */
static int anything_left(struct mntns_us *us, int procfd, const struct stat *ns,
			 struct mntns_thread_id *ids, size_t n)
{
	pid_t pid = proc_find(procfd, ns, ids, n, NULL);

	if (pid <= 0)
		return pid;
	if (n < REGISTRY_MAX) {
		ids[n].tid = pid;
		ids[n].closed = false;
		if (thread_start(procfd, pid, &ids[n].start) == 0)
			n++;
	}
	(void)registry_write(us, ids, n);
	return 1;
}

static int drop_pin(struct mntns_us *us, struct mntns_err *err)
{
	char path[sizeof(MNTNS_RUN_DIR) + sizeof(us->pin) + 1];

	snprintf(path, sizeof(path), "%s/%s", MNTNS_RUN_DIR, us->pin);
	/* Detached: the namespace itself lives on as long as a process is in it. */
	if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
		return mntns_fail(err, -errno, "dropping the pin %s: %s", path, strerror(errno));
	(void)unlinkat(us->dir_fd, us->pin, 0);
	return registry_write(us, NULL, 0);
}

/* What the registry functions work on: /proc, the pinned namespace, room for the registry. */
struct reg {
	int procfd;
	int ns; /* the pin, opened */
	struct stat st; /* of the namespace */
	struct mntns_thread_id *ids;
	size_t n; /* entries read */
};

static void reg_close(struct reg *r)
{
	mntns_closep(&r->procfd);
	mntns_closep(&r->ns);
	free(r->ids);
}

/* Opens the pin and /proc and reads the registry. Returns 0, 1 when there is no pin (ERR
 * untouched), or -errno. R must be closed with reg_close in every case. */
static int reg_open(struct mntns_us *us, struct reg *r, struct mntns_err *err)
{
	r->procfd = -1;
	r->n = 0;
	r->ids = NULL;
	r->ns = open_pin(us->dir_fd, us->pin, &r->st);
	if (r->ns == -ENOENT)
		return 1;
	if (r->ns < 0)
		return mntns_fail(err, r->ns, "%s/%s: %s", MNTNS_RUN_DIR, us->pin,
				  strerror(-r->ns));
	r->procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	r->ids = ids_new();
	if (!r->ids)
		return mntns_fail(err, -ENOMEM, "registry: %s", strerror(ENOMEM));
	r->n = registry_read(us, r->ids);
	return 0;
}

static int reg_write(struct mntns_us *us, const struct reg *r, size_t n, struct mntns_err *err)
{
	int rc = registry_write(us, r->ids, n);

	return rc < 0 ? mntns_fail(err, rc, "%s/%s: %s", MNTNS_RUN_DIR, us->lock, strerror(-rc)) : 0;
}

int mntns_us_live(struct mntns_us *us, struct mntns_err *err)
{
	struct reg r;
	size_t n, open;
	int rc = reg_open(us, &r, err);

	if (rc != 0) {
		rc = rc > 0 ? -ENOENT : rc;
		goto out;
	}
	rc = -1;
	for (size_t i = 0; i < r.n && rc < 0; i++)
		if (!r.ids[i].closed && thread_in(r.procfd, &r.ids[i], &r.st))
			rc = mntns_take_fd(&r.ns); /* a live session: O(sessions), no /proc pass */
	if (rc >= 0)
		goto out;
	n = registry_prune(r.procfd, r.ids, r.n, &r.st, &open);
	rc = anything_left(us, r.procfd, &r.st, r.ids, n);
	if (rc < 0)
		rc = mntns_fail(err, rc, "looking through /proc: %s", strerror(-rc));
	else if (rc > 0)
		rc = mntns_take_fd(&r.ns); /* something left running: a tmux server */
	else if ((rc = drop_pin(us, err)) == 0)
		rc = -ENOENT;
out:
	reg_close(&r);
	return rc;
}

/* Makes directory FD a mount of its own: a bind mount of itself. */
static int bind_itself(int fd, struct mntns_err *err)
{
	_cleanup_close_ int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
						      AT_EMPTY_PATH);

	if (tree < 0 ||
	    move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mntns_fail(err, -errno, "making %s a mount: %s", MNTNS_RUN_DIR,
				  strerror(errno));
	return 0;
}

/* The run directory must be a mount of its own, and private, before an nsfs mount can go
 * on it. Made so once per boot, under a lock on the directory itself (root's only). */
static int make_private_mount(struct mntns_us *us, struct mntns_err *err)
{
	struct mount_attr attr = { .propagation = MS_PRIVATE };
	_cleanup_close_ int up = openat(us->dir_fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (up < 0)
		return mntns_fail(err, -errno, "%s/..: %s", MNTNS_RUN_DIR, strerror(errno));
	if (!mntns_path_mount_id(up))
		return mntns_fail(err, -ENOSYS, "%s: the kernel does not tell mount ids (statx)",
				  MNTNS_RUN_DIR);
	if (mntns_path_mount_id(up) == mntns_path_mount_id(us->dir_fd)) {
		int fresh, rc;

		while ((rc = flock(us->dir_fd, LOCK_EX)) < 0 && errno == EINTR)
			;
		if (rc < 0)
			return mntns_fail(err, -errno, "locking %s: %s", MNTNS_RUN_DIR,
					  strerror(errno));
		/* Another login may have made the mount meanwhile: look again from the path. */
		fresh = mntns_us_open_dir(false, err);
		if (fresh >= 0 && mntns_path_mount_id(up) == mntns_path_mount_id(fresh))
			rc = bind_itself(fresh, err);
		else if (fresh < 0)
			rc = fresh;
		mntns_closep(&fresh);
		(void)flock(us->dir_fd, LOCK_UN);
		if (rc < 0)
			return rc;
		fresh = mntns_us_open_dir(false, err); /* the new mount */
		if (fresh < 0)
			return fresh;
		close(us->dir_fd);
		us->dir_fd = fresh;
	}
	if (mount_setattr(us->dir_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return mntns_fail(err, -errno, "making %s a private mount: %s", MNTNS_RUN_DIR,
				  strerror(errno));
	return 0;
}

int mntns_us_pin(struct mntns_us *us, int ns_fd, struct mntns_err *err)
{
	_cleanup_close_ int tree = -1, file = -1;
	int rc = make_private_mount(us, err);
	struct statfs sf;

	if (rc < 0)
		return rc;
	file = openat(us->dir_fd, us->pin, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (file < 0)
		return mntns_fail(err, -errno, "%s/%s: %s", MNTNS_RUN_DIR, us->pin,
				  strerror(errno));
	/* Never a pin on a pin: that would hide a live namespace from later logins. */
	if (fstatfs(file, &sf) < 0 || sf.f_type == NSFS_MAGIC)
		return mntns_fail(err, -EEXIST, "%s/%s: already a pinned namespace", MNTNS_RUN_DIR,
				  us->pin);
	tree = open_tree(ns_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return mntns_fail(err, -errno, "pinning the namespace at %s/%s: open_tree: %s",
				  MNTNS_RUN_DIR, us->pin, strerror(errno));
	if (move_mount(tree, "", file, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return mntns_fail(err, -errno, "pinning the namespace at %s/%s: %s",
				  MNTNS_RUN_DIR, us->pin, strerror(errno));
	rc = registry_write(us, NULL, 0);
	return rc < 0 ? mntns_fail(err, rc, "%s/%s: %s", MNTNS_RUN_DIR, us->lock,
				   strerror(-rc)) : 0;
}

int mntns_us_register(struct mntns_us *us, const struct mntns_thread_id *id,
		      struct mntns_err *err)
{
	struct reg r;
	int rc = reg_open(us, &r, err);

	if (rc > 0)
		rc = mntns_fail(err, -ENOENT, "%s/%s: no pinned namespace", MNTNS_RUN_DIR, us->pin);
	if (rc == 0) {
		size_t open, n = registry_prune(r.procfd, r.ids, r.n, &r.st, &open);
		if (n < REGISTRY_MAX) {
			r.ids[n] = *id;
			r.ids[n++].closed = false;
		}
		rc = reg_write(us, &r, n, err);
	}
	reg_close(&r);
	return rc;
}

int mntns_us_release(struct mntns_us *us, const struct mntns_thread_id *id, bool *dropped,
		     struct mntns_err *err)
{
	struct reg r;
	size_t n, open;
	bool found = false;
	int rc = reg_open(us, &r, err);

	*dropped = false;
	if (rc != 0) {
		reg_close(&r);
		return rc > 0 ? 0 : rc; /* no pin: dropped already (by hand, or a later login) */
	}
	/* Marked closed, not removed: until it exits, this process is still in the namespace,
	 * and a concurrent last logout must not take it for something left running. */
	for (size_t i = 0; i < r.n; i++)
		if (r.ids[i].tid == id->tid && r.ids[i].start == id->start)
			r.ids[i].closed = found = true;
	n = r.n;
	if (!found && n < REGISTRY_MAX - 1) {
		r.ids[n] = *id;
		r.ids[n++].closed = true;
	}
	n = registry_prune(r.procfd, r.ids, n, &r.st, &open);
	if (open > 0) {
		rc = reg_write(us, &r, n, err);
	} else {
		/* The last session: does anything else still run in there? */
		rc = anything_left(us, r.procfd, &r.st, r.ids, n);
		if (rc < 0)
			rc = mntns_fail(err, rc, "looking through /proc: %s", strerror(-rc));
		else if (rc > 0)
			rc = 0;
		else if ((rc = drop_pin(us, err)) == 0)
			*dropped = true;
	}
	reg_close(&r);
	return rc;
}

int mntns_us_status(uid_t uid, struct mntns_us_status *out, struct mntns_err *err)
{
	struct mntns_us us = { .dir_fd = -1, .lock_fd = -1 };
	struct reg r;
	int rc;

	memset(out, 0, sizeof(*out));
	us_names(&us, uid);
	us.dir_fd = mntns_us_open_dir(false, err);
	if (us.dir_fd < 0)
		return us.dir_fd == -ENOENT ? 0 : us.dir_fd;
	/* Read without taking the lock: a report, which changes nothing. */
	us.lock_fd = openat(us.dir_fd, us.lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	rc = reg_open(&us, &r, err);
	if (rc == 0) {
		size_t open, n = registry_prune(r.procfd, r.ids, r.n, &r.st, &open);
		pid_t pid;

		out->pinned = true;
		out->ns_ino = (unsigned long long)r.st.st_ino;
		out->sessions = open;
		for (size_t i = 0, k = 0; i < n; i++)
			if (!r.ids[i].closed &&
			    k < sizeof(out->session_tids) / sizeof(out->session_tids[0]))
				out->session_tids[k++] = r.ids[i].tid;
		pid = proc_find(r.procfd, &r.st, NULL, 0, &out->procs);
		if (pid < 0)
			rc = mntns_fail(err, pid, "looking through /proc: %s", strerror(-pid));
	}
	reg_close(&r);
	mntns_us_unlock(&us); /* closes the descriptors; no lock was taken */
	return rc < 0 ? rc : 0;
}
