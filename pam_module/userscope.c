/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* scope = user: the lock, the registry and the search for a user's live namespace (see
 * userscope.h). Liveness is proven by the kernel (a process that runs in the namespace, and
 * the namespace's own record), never by a count that a SIGKILLed login could leave behind:
 * the registry only says whom to ask first. */
#include "userscope.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "nested.h"

#define REGISTRY_BYTES (MNTNS_REGISTRY_MAX * 64 + 64)

#ifndef NS_GET_MNTNS_ID /* Linux 6.8; Debian 12's headers predate it */
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, unsigned long long)
#endif

/* ---- pure parts ---- */

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

/* Copies the line at BUF[I] (without its newline) into TMP; returns the index after it, or
 * LEN when the line is torn (no newline) or too long to be one of ours (then *TMP = 0). */
static size_t next_line(const char *buf, size_t len, size_t i, char *tmp, size_t size)
{
	const char *nl = memchr(buf + i, '\n', len - i);
	size_t l;

	tmp[0] = '\0';
	if (!nl)
		return len;
	l = (size_t)(nl - (buf + i));
	if (l < size && memchr(buf + i, '\0', l) == NULL) {
		memcpy(tmp, buf + i, l);
		tmp[l] = '\0';
	}
	return i + l + 1;
}

/* Is S a line of decimal numbers only, COUNT of them separated by single spaces? */
static bool numbers(const char *s, int count)
{
	for (int k = 0; k < count; k++) {
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
		if (k < count - 1 && *s++ != ' ')
			return false;
	}
	return *s == '\0';
}

void mntns_registry_parse(const char *buf, size_t len, struct mntns_registry *reg)
{
	bool first = true;

	reg->ns_ino = reg->ns_id = 0;
	reg->n = 0;
	for (size_t i = 0; i < len;) {
		unsigned long long a, b, c;
		char tmp[96];

		i = next_line(buf, len, i, tmp, sizeof(tmp));
		if (first) {
			first = false;
			/* Without it nothing below can be trusted to belong to one namespace. */
			if (strncmp(tmp, "ns ", 3) != 0 || !numbers(tmp + 3, 2) ||
			    sscanf(tmp + 3, "%llu %llu", &a, &b) != 2)
				return;
			reg->ns_ino = a;
			reg->ns_id = b;
			continue;
		}
		if (reg->n == MNTNS_REGISTRY_MAX || !numbers(tmp, 3) ||
		    sscanf(tmp, "%llu %llu %llu", &a, &b, &c) != 3 || a == 0 || a > 0x3fffffff)
			continue;
		reg->ids[reg->n].tid = (pid_t)a;
		reg->ids[reg->n].start = b;
		reg->ids[reg->n].token = c;
		reg->n++;
	}
}

size_t mntns_registry_format(const struct mntns_registry *reg, char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "ns %llu %llu\n", reg->ns_ino, reg->ns_id);

	if (!reg->ns_ino)
		return len;
	for (size_t i = 0; i < reg->n && len + 64 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%d %llu %llu\n",
					(int)reg->ids[i].tid, reg->ids[i].start, reg->ids[i].token);
	return len;
}

pid_t mntns_locks_holder(const char *locks, unsigned maj, unsigned min, unsigned long ino)
{
	for (const char *line = locks; line && *line;) {
		unsigned lmaj, lmin;
		unsigned long lino;
		int pid;

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; waiters have "->" first. */
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &pid, &lmaj, &lmin, &lino) ==
			4 &&
		    lmaj == maj && lmin == min && lino == ino && pid > 0)
			return (pid_t)pid;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

/* ---- /proc ---- */

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

/* The start time of the thread whose /proc directory is TASKFD. */
static int task_start(int taskfd, unsigned long long *start)
{
	char buf[1024];
	int rc = read_small(taskfd, "stat", buf, sizeof(buf));

	return rc < 0 ? rc : mntns_stat_starttime(buf, start);
}

int mntns_session_self(struct mntns_session_id *id)
{
	_cleanup_close_ int fd = open("/proc/thread-self", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	id->tid = gettid();
	id->token = 0;
	while (id->token == 0)
		if (getrandom(&id->token, sizeof(id->token), 0) != (ssize_t)sizeof(id->token))
			return -EIO;
	return task_start(fd, &id->start);
}

static unsigned long long ns_id(int ns_fd)
{
	unsigned long long id = 0;

	return ioctl(ns_fd, NS_GET_MNTNS_ID, &id) < 0 ? 0 : id;
}

/* Opens the mount namespace of the thread whose /proc directory is TASKFD if it is the one
 * REG names: its inode number (and, where the kernel has one, its unique id), owned by the
 * initial user namespace, so that no namespace a user made can pass. The descriptor of the
 * directory stands for that very thread: once it has exited, nothing can be opened through
 * it, even if its id has been given to a new one. Nothing is read inside the namespace here:
 * the caller enters it and checks its record there (mntns_view_is), where no process of the
 * user's can have changed the way to it. Returns a descriptor or -ENOENT. */
static int task_ns(int taskfd, const struct mntns_registry *reg)
{
	_cleanup_close_ int ns = openat(taskfd, "ns/mnt", O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (ns < 0 || fstat(ns, &st) < 0 || st.st_ino != reg->ns_ino ||
	    (reg->ns_id && ns_id(ns) != reg->ns_id) || mntns_ns_owned_by_init(ns) != 1)
		return -ENOENT;
	return mntns_take_fd(&ns);
}

/* Opens the /proc directory of registered thread ID if it is still that thread. */
static int task_open(int procfd, const struct mntns_session_id *id)
{
	_cleanup_close_ int fd = -1;
	unsigned long long start;
	char name[24];

	snprintf(name, sizeof(name), "%d", (int)id->tid);
	fd = openat(procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || task_start(fd, &start) < 0 || start != id->start)
		return -ENOENT;
	return mntns_take_fd(&fd);
}

bool mntns_task_in(int taskfd, dev_t dev, ino_t ino)
{
	struct stat st;

	return fstatat(taskfd, "ns/mnt", &st, 0) == 0 && st.st_ino == ino && st.st_dev == dev;
}

int mntns_task_open(pid_t tid, unsigned long long start)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct mntns_session_id id = { .tid = tid, .start = start };

	return procfd < 0 ? -errno : task_open(procfd, &id);
}

/* A process whose main thread has exited (pthread_exit in main) has no namespace any more;
 * its other threads do. Opens the /proc directory of a thread of process PID (directory
 * PIDFD) that is in namespace INO and sets *TID to its id, or returns -ENOENT. */
static int thread_in(int pidfd, pid_t pid, dev_t dev, ino_t ino, bool all, pid_t *tid)
{
	_cleanup_close_ int tasks = openat(pidfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	int found = -ENOENT;
	DIR *d;

	struct stat st;

	*tid = pid;
	if (fstatat(pidfd, "ns/mnt", &st, 0) == 0) {
		if (st.st_ino == ino && st.st_dev == dev)
			return openat(pidfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		/* ALL (the administrator's tools): a thread may have been left behind by a main
		 * thread that moved to another namespace (setns in a user namespace of its own). */
		if (!all)
			return -ENOENT;
	} else if (errno != ENOENT) {
		return -ENOENT;
	}
	if (tasks < 0 || !(d = fdopendir(tasks)))
		return -ENOENT;
	tasks = -1; /* closedir closes it */
	while (found < 0 && (de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0 && mntns_task_in(fd, dev, ino)) {
			found = fd;
			*tid = (pid_t)strtol(de->d_name, NULL, 10);
		} else if (fd >= 0)
			close(fd);
	}
	closedir(d);
	return found;
}

/* What one pass over /proc looks for and finds. */
struct pass {
	dev_t dev;
	ino_t ino;
	bool count; /* count every process in it, not only find the first */
	bool all_threads; /* ask every thread, not only when the main one has exited (tools) */
	size_t procs;
	int first;	 /* /proc directory of a thread of the first process found, or -1 */
	pid_t first_tid; /* and that thread's id */
	/* When set, called for every process found (its /proc directory, and that of its
	 * thread in the namespace); a negative return ends the pass with it. */
	int (*each)(void *arg, int pidfd, pid_t pid, int taskfd, pid_t tid);
	void *arg;
};

/* One pass over /proc: the processes in namespace P->INO, other than the caller. The only
 * step whose cost grows with the processes on the machine: it runs only when no registered
 * thread is left in the namespace (the first login after a last logout, say). */
static int proc_pass(int procfd, struct pass *p)
{
	int fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid_t self = getpid();
	struct dirent *de;
	DIR *d;

	p->first = -1;
	p->procs = 0;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		return -e;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int pidfd = -1, taskfd = -1;
		pid_t tid;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		pidfd = openat(procfd, de->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (pidfd < 0 || (taskfd = thread_in(pidfd, (pid_t)pid, p->dev, p->ino, p->all_threads, &tid)) < 0)
			continue;
		p->procs++;
		if (p->each) {
			int rc = p->each(p->arg, pidfd, (pid_t)pid, taskfd, tid);

			if (rc < 0) {
				closedir(d);
				return rc;
			}
		}
		if (p->first < 0) {
			p->first = mntns_take_fd(&taskfd);
			p->first_tid = tid;
		}
		if (!p->count)
			break;
	}
	closedir(d);
	return 0;
}

/* ---- the run directory and the lock ---- */

/* Opens NAME in DIRFD as a directory of root's that only root may write to (or, LAST, enter).
 * Not the walk of path.c: that looks up the type of every mount it crosses, in mountinfo
 * before Linux 6.8, which would make every login cost O(mounts) for /run. None of that is
 * needed here: nobody but root can write to these directories, so nobody else can have
 * mounted anything on them, FUSE included. statx with AT_STATX_DONT_SYNC asks no server. */
static int open_root_dir(int dirfd, const char *name, bool last)
{
	int fd =
	    openat(dirfd, name, (last ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct statx sx;

	if (fd < 0)
		return -errno;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC,
		  STATX_UID | STATX_MODE, &sx) < 0 ||
	    sx.stx_uid != 0 || (sx.stx_mode & (last ? 07077 : 022))) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int mntns_run_dir_open(bool outer, bool create, struct mntns_err *err)
{
	/* Outer: PID 1's root, the outer view's run directory whichever view the thread is in
	 * (in a view of ours, its own /run/mntns holds the view's record instead). */
	_cleanup_close_ int dir =
	    open(outer ? "/proc/1/root" : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char path[] = MNTNS_RUN_DIR, *save = NULL, *next;
	int fd = dir < 0 ? -errno : open_root_dir(dir, ".", false);

	if (fd >= 0) {
		close(dir);
		dir = fd;
	}
	for (char *c = strtok_r(path + 1, "/", &save); c && fd >= 0; c = next) {
		next = strtok_r(NULL, "/", &save);
		fd = open_root_dir(dir, c, !next);
		if (fd == -ENOENT && !next && create) {
			fd = mntns_mkdir_root(dir, c, err);
			if (fd < 0 && fd != -EPERM)
				return fd;
		}
		if (fd < 0)
			break;
		if (next) {
			close(dir);
			dir = fd;
		}
	}
	if (fd == -EPERM)
		return mntns_fail(err, -EPERM,
				  "%s: every directory on the way must be root's and "
				  "writable by root alone, and %s itself mode 0700 (it holds every "
				  "user's lock and registry)",
				  MNTNS_RUN_DIR, MNTNS_RUN_DIR);
	if (fd < 0)
		return mntns_fail(err, fd, "%s: %s", MNTNS_RUN_DIR, strerror(-fd));
	return fd;
}

int mntns_mkdir_root(int dirfd, const char *name, struct mntns_err *err)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	bool made = mkdirat(dirfd, name, 0700) == 0;

	if (!made && errno != EEXIST)
		return mntns_fail(err, -errno, "creating %s/%s: %s", MNTNS_RUN_DIR, name,
				  strerror(errno));
	/* Exactly 0700, whatever the caller's umask left of it (0000 with umask 0777); one that
	 * someone else made meanwhile is judged as found, never changed. */
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (made && (fd < 0 || fstat(fd, &st) < 0 || (st.st_uid == 0 && fchmod(fd, 0700) < 0)))
		return mntns_fail(err, -errno, "creating %s/%s: %s", MNTNS_RUN_DIR, name,
				  strerror(errno));
	mntns_closep(&fd);
	fd = -1;
	return open_root_dir(dirfd, name, true);
}

int mntns_us_open_dir(bool create, struct mntns_err *err)
{
	return mntns_run_dir_open(true, create, err);
}

/* Says who holds the lock LOCK_FD, for the message of a login that gave up waiting. */
static void name_holder(int lock_fd, char *buf, size_t size)
{
	_cleanup_free_ char *locks = malloc(65536);
	_cleanup_close_ int proc = -1;
	char comm[64] = "?", name[32];
	struct stat st;
	pid_t pid = 0;

	snprintf(buf, size, "a process that /proc/locks does not name");
	if (!locks || fstat(lock_fd, &st) < 0)
		return;
	proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc < 0 || read_small(proc, "locks", locks, 65536) < 0)
		return;
	pid =
	    mntns_locks_holder(locks, major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	if (!pid)
		return;
	snprintf(name, sizeof(name), "%d/comm", (int)pid);
	if (read_small(proc, name, comm, sizeof(comm)) == 0)
		comm[strcspn(comm, "\n")] = '\0';
	/* A holder that is stopped (T) was stopped by something that is not a signal from its
	 * user (a debugger, the cgroup freezer shows as S): worth saying. */
	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	if (read_small(proc, name, locks, 65536) == 0 && strrchr(locks, ')') &&
	    strrchr(locks, ')')[1] == ' ')
		snprintf(buf, size, "pid %d (%s, state %c)", (int)pid, comm, strrchr(locks, ')')[2]);
	else
		snprintf(buf, size, "pid %d (%s)", (int)pid, comm);
}

/* flock with a deadline: polled, so that no signal or timer of the caller's is touched. */
static int lock_within(int fd, unsigned ms)
{
	struct timespec nap = {.tv_nsec = 2 * 1000 * 1000}, now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 20 * 1000 * 1000)
			nap.tv_nsec *= 2;
	}
}

/* (Re)reads the registry into US->reg. */
static int registry_read(struct mntns_us *us, struct mntns_err *err)
{
	_cleanup_free_ char *buf = malloc(REGISTRY_BYTES);
	ssize_t n;

	if (!us->reg)
		us->reg = malloc(sizeof(*us->reg));
	if (!us->reg || !buf)
		return mntns_fail(err, -ENOMEM, "%s/%s: out of memory", MNTNS_RUN_DIR, us->lock);
	n = pread(us->lock_fd, buf, REGISTRY_BYTES, 0);
	mntns_registry_parse(buf, n > 0 ? (size_t)n : 0, us->reg);
	return 0;
}

int mntns_us_peek(struct mntns_us *us, uid_t uid, struct mntns_err *err)
{
	struct stat st;
	int rc;

	us->lock_fd = -1;
	us->reg = NULL;
	us->uid = uid;
	snprintf(us->lock, sizeof(us->lock), "%u.lock", (unsigned)uid);
	us->dir_fd = mntns_us_open_dir(true, err);
	if (us->dir_fd < 0)
		return us->dir_fd;
	us->lock_fd = openat(us->dir_fd, us->lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (us->lock_fd < 0)
		rc = mntns_fail(err, -errno, "%s/%s: %s", MNTNS_RUN_DIR, us->lock, strerror(errno));
	else if (fstat(us->lock_fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
		 st.st_uid != 0)
		rc = mntns_fail(err, -EINVAL, "%s/%s: not a plain file of root's", MNTNS_RUN_DIR,
				us->lock);
	else
		rc = registry_read(us, err);
	if (rc < 0)
		mntns_us_unlock(us);
	return rc;
}

int mntns_us_reread(struct mntns_us *us, struct mntns_err *err)
{
	return registry_read(us, err);
}

int mntns_us_relock(struct mntns_us *us, struct mntns_err *err)
{
	int rc = lock_within(us->lock_fd, MNTNS_LOCK_TIMEOUT_MS);

	if (rc == -ETIMEDOUT) {
		char who[128];

		name_holder(us->lock_fd, who, sizeof(who));
		return mntns_fail(err, rc, "%s/%s is held by %s for more than %u s; gave up waiting",
				  MNTNS_RUN_DIR, us->lock, who, MNTNS_LOCK_TIMEOUT_MS / 1000);
	}
	if (rc < 0)
		return mntns_fail(err, rc, "locking %s/%s: %s", MNTNS_RUN_DIR, us->lock,
				  strerror(-rc));
	/* Another login may have changed it while this one was not holding the lock. */
	return registry_read(us, err);
}

int mntns_us_lock(struct mntns_us *us, uid_t uid, struct mntns_err *err)
{
	int rc = mntns_us_peek(us, uid, err);

	if (rc == 0 && (rc = mntns_us_relock(us, err)) < 0)
		mntns_us_unlock(us);
	return rc;
}

void mntns_us_unlock(struct mntns_us *us)
{
	mntns_closep(&us->lock_fd); /* closing the only descriptor releases the flock */
	mntns_closep(&us->dir_fd);
	us->lock_fd = us->dir_fd = -1;
	free(us->reg);
	us->reg = NULL;
}

static int registry_write(struct mntns_us *us, struct mntns_err *err)
{
	_cleanup_free_ char *buf = malloc(REGISTRY_BYTES);
	size_t len;

	if (!buf)
		return mntns_fail(err, -ENOMEM, "%s/%s: out of memory", MNTNS_RUN_DIR, us->lock);
	len = mntns_registry_format(us->reg, buf, REGISTRY_BYTES);
	/* Readers hold the lock too; a torn file only costs the next login a /proc pass. */
	if (ftruncate(us->lock_fd, 0) < 0 || pwrite(us->lock_fd, buf, len, 0) != (ssize_t)len)
		return mntns_fail(err, -errno, "%s/%s: %s", MNTNS_RUN_DIR, us->lock,
				  strerror(errno));
	return 0;
}

/* Drops the entries whose thread has exited. */
static void registry_prune(int procfd, struct mntns_registry *reg)
{
	size_t k = 0;

	for (size_t i = 0; i < reg->n; i++) {
		int fd = task_open(procfd, &reg->ids[i]);

		if (fd < 0)
			continue;
		close(fd);
		reg->ids[k++] = reg->ids[i];
	}
	reg->n = k;
}

/* The live namespace of REG, through a registered thread or else the /proc pass (whose find
 * is then added to REG). Returns a descriptor, -ENOENT, or -errno. */
static int find_live(int procfd, struct mntns_registry *reg)
{
	struct pass p = {.dev = 0};
	struct stat nsfs;
	int rc;

	if (!reg->ns_ino)
		return -ENOENT;
	for (size_t i = 0; i < reg->n; i++) {
		_cleanup_close_ int task = task_open(procfd, &reg->ids[i]);
		int ns = task < 0 ? -ENOENT : task_ns(task, reg);

		if (ns >= 0)
			return ns; /* a live session: O(sessions), no /proc pass */
	}
	/* Every namespace is on the one nsfs: its device is that of our own. */
	if (stat("/proc/thread-self/ns/mnt", &nsfs) < 0)
		return -errno;
	p.dev = nsfs.st_dev;
	p.ino = (ino_t)reg->ns_ino;
	rc = proc_pass(procfd, &p);
	if (rc < 0)
		return rc;
	if (p.first >= 0) {
		_cleanup_close_ int task = p.first;
		struct mntns_session_id found = {.token = 0};
		int ns = task_ns(task, reg);

		if (ns < 0 || task_start(task, &found.start) < 0) {
			mntns_closep(&ns);
			return -ENOENT;
		}
		/* A tmux server, say: registered, so that the next login need not look again. */
		found.tid = p.first_tid;
		registry_prune(procfd, reg);
		if (reg->n < MNTNS_REGISTRY_MAX)
			reg->ids[reg->n++] = found;
		return ns;
	}
	return -ENOENT;
}

int mntns_us_find(struct mntns_us *us, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int ns;

	if (procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	ns = find_live(procfd, us->reg);
	if (ns == -ENOENT) {
		us->reg->ns_ino = us->reg->ns_id = 0; /* gone: the kernel has freed it */
		us->reg->n = 0;
	} else if (ns < 0) {
		return mntns_fail(err, ns, "looking for the live namespace of uid %u: %s",
				  (unsigned)us->uid, strerror(-ns));
	}
	return ns;
}

int mntns_us_register(struct mntns_us *us, bool fresh, const struct mntns_session_id *id,
		      struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	if (fresh) {
		_cleanup_close_ int ns = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
		struct stat st;

		if (ns < 0 || fstat(ns, &st) < 0)
			return mntns_fail(err, -errno, "/proc/thread-self/ns/mnt: %s",
					  strerror(errno));
		us->reg->ns_ino = (unsigned long long)st.st_ino;
		us->reg->ns_id = ns_id(ns);
		us->reg->n = 0;
	}
	registry_prune(procfd, us->reg);
	if (us->reg->n < MNTNS_REGISTRY_MAX)
		us->reg->ids[us->reg->n++] = *id;
	return registry_write(us, err);
}

int mntns_us_unregister(struct mntns_us *us, const struct mntns_session_id *id,
			struct mntns_err *err)
{
	size_t k = 0;

	for (size_t i = 0; i < us->reg->n; i++)
		if (us->reg->ids[i].token != id->token || us->reg->ids[i].tid != id->tid)
			us->reg->ids[k++] = us->reg->ids[i];
	if (k == us->reg->n)
		return 0; /* not there: a later first login replaced the registry */
	us->reg->n = k;
	return registry_write(us, err);
}

int mntns_ns_is_view_of(int ns_fd, uid_t uid)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	/* In a child of its own: the tool stays where it is. The record is read from inside,
	 * where no process of the user's can have changed the way to it. */
	if (pid == 0)
		_exit(setns(ns_fd, CLONE_NEWNS) == 0 && mntns_view_is(uid) == 0 ? 0 : 1);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ENOENT;
}

/* Reads UID's registry without taking the lock (a report, which changes nothing) into *REG
 * and opens the live namespace it leads to: *NS is a descriptor, or -1 when there is none
 * (no run directory, no lock file, no live namespace). Returns 0 or -errno. */
static int peek(uid_t uid, int procfd, struct mntns_registry **reg, int *ns, struct mntns_err *err)
{
	_cleanup_close_ int dir = -1, lock = -1;
	_cleanup_free_ char *buf = NULL;
	char name[32];
	ssize_t n;

	*ns = -1;
	*reg = NULL;
	dir = mntns_us_open_dir(false, err);
	if (dir == -ENOENT)
		return 0;
	if (dir < 0)
		return dir;
	snprintf(name, sizeof(name), "%u.lock", (unsigned)uid);
	lock = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (lock < 0 && errno == ENOENT)
		return 0;
	if (lock < 0)
		return mntns_fail(err, -errno, "%s/%s: %s", MNTNS_RUN_DIR, name, strerror(errno));
	*reg = malloc(sizeof(**reg));
	buf = malloc(REGISTRY_BYTES);
	if (!*reg || !buf)
		return mntns_fail(err, -ENOMEM, "out of memory");
	n = pread(lock, buf, REGISTRY_BYTES, 0);
	mntns_registry_parse(buf, n > 0 ? (size_t)n : 0, *reg);
	*ns = find_live(procfd, *reg);
	if (*ns >= 0 && mntns_ns_is_view_of(*ns, uid) < 0) {
		close(*ns); /* its inode number, now another namespace's */
		*ns = -ENOENT;
	}
	if (*ns < 0 && *ns != -ENOENT)
		return mntns_fail(err, *ns, "looking through /proc: %s", strerror(-*ns));
	if (*ns < 0)
		*ns = -1;
	return 0;
}

/* What the tools' reports start from: peek through PROCFD (which may be -errno), and the
 * stat of the live namespace in *ST. Returns 1 when there is one, 0 when not, or -errno. */
static int peek_live(uid_t uid, int procfd, struct mntns_registry **reg, struct stat *st,
		     struct mntns_err *err)
{
	_cleanup_close_ int ns = -1;
	int rc;

	*reg = NULL;
	if (procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	rc = peek(uid, procfd, reg, &ns, err);
	if (rc < 0 || ns < 0)
		return rc;
	if (fstat(ns, st) < 0)
		return mntns_fail(err, -errno, "looking through /proc: %s", strerror(errno));
	return 1;
}

/* The sessions of REG whose thread still runs in namespace ST; the first MAX of their
 * thread ids go to TIDS. */
static size_t count_sessions(int procfd, const struct mntns_registry *reg, const struct stat *st,
			     pid_t *tids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < reg->n; i++) {
		_cleanup_close_ int task = task_open(procfd, &reg->ids[i]);

		if (task < 0 || !reg->ids[i].token || !mntns_task_in(task, st->st_dev, st->st_ino))
			continue;
		if (n < max)
			tids[n] = reg->ids[i].tid;
		n++;
	}
	return n;
}

int mntns_us_status(uid_t uid, struct mntns_us_status *out, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ struct mntns_registry *reg = NULL;
	struct pass p = {.count = true};
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = peek_live(uid, procfd, &reg, &st, err);
	if (rc <= 0)
		return rc;
	out->live = true;
	out->ns_ino = (unsigned long long)st.st_ino;
	out->sessions = count_sessions(procfd, reg, &st, out->session_tids,
				       sizeof(out->session_tids) / sizeof(out->session_tids[0]));
	p.dev = st.st_dev;
	p.ino = st.st_ino;
	rc = proc_pass(procfd, &p);
	if (rc < 0)
		return mntns_fail(err, rc, "looking through /proc: %s", strerror(-rc));
	out->procs = p.procs;
	out->enter_pid = p.first >= 0 ? p.first_tid : 0;
	mntns_closep(&p.first);
	return 0;
}

/* ---- for the administrator's tool ---- */

bool mntns_lock_uid(const char *name, uid_t *uid)
{
	unsigned long long v = 0;
	const char *c = name;

	/* Only what mntns_us_lock makes: decimal, no sign, no leading zero, ".lock". */
	if (!isdigit((unsigned char)*c) || (c[0] == '0' && isdigit((unsigned char)c[1])))
		return false;
	for (; isdigit((unsigned char)*c); c++) {
		v = v * 10 + (unsigned)(*c - '0');
		if (v >= (uid_t)-1)
			return false;
	}
	if (strcmp(c, ".lock") != 0)
		return false;
	*uid = (uid_t)v;
	return true;
}

static int cmp_uid(const void *a, const void *b)
{
	uid_t x = *(const uid_t *)a, y = *(const uid_t *)b;

	return x < y ? -1 : x > y;
}

int mntns_us_uids(uid_t **uids, size_t *n, struct mntns_err *err)
{
	_cleanup_close_ int dir = mntns_us_open_dir(false, err);
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*uids = NULL;
	*n = 0;
	if (dir == -ENOENT)
		return 0;
	if (dir < 0)
		return dir;
	d = fdopendir(dir);
	if (!d)
		return mntns_fail(err, -errno, "%s: %s", MNTNS_RUN_DIR, strerror(errno));
	dir = -1; /* closedir closes it */
	while ((de = readdir(d))) {
		uid_t uid;

		if (!mntns_lock_uid(de->d_name, &uid))
			continue;
		if (*n == cap) {
			uid_t *more = realloc(*uids, (cap = cap ? cap * 2 : 16) * sizeof(*more));

			if (!more) {
				closedir(d);
				free(*uids);
				*uids = NULL;
				*n = 0;
				return mntns_fail(err, -ENOMEM, "out of memory");
			}
			*uids = more;
		}
		(*uids)[(*n)++] = uid;
	}
	closedir(d);
	if (*n)
		qsort(*uids, *n, sizeof(**uids), cmp_uid);
	return 0;
}

int mntns_stat_fields(const char *stat, char *state, char *comm, size_t size)
{
	const char *open = strchr(stat, '('), *close = strrchr(stat, ')');
	size_t len;

	if (!open || !close || close < open || close[1] != ' ' || !close[2])
		return -EINVAL;
	len = (size_t)(close - open - 1);
	if (len >= size)
		len = size - 1;
	memcpy(comm, open + 1, len);
	comm[len] = '\0';
	*state = close[2];
	return 0;
}

int mntns_status_ids(const char *status, uid_t ids[3], pid_t *tgid)
{
	const char *u = strstr(status, "\nUid:"), *t = strstr(status, "\nTgid:");
	unsigned a, b, c;
	int g;

	if (!u || !t || sscanf(u + 5, "%u %u %u", &a, &b, &c) != 3 ||
	    sscanf(t + 6, "%d", &g) != 1 || g <= 0)
		return -EINVAL;
	ids[0] = (uid_t)a;
	ids[1] = (uid_t)b;
	ids[2] = (uid_t)c;
	*tgid = (pid_t)g;
	return 0;
}

void mntns_procs_free(struct mntns_procs *procs)
{
	free(procs->p);
	procs->p = NULL;
	procs->n = procs->cap = 0;
}

/* proc_pass's each for mntns_ns_procs: what the process is. A process that exits meanwhile
 * is left out; it is no longer in the namespace. */
static int add_proc(void *arg, int pidfd, pid_t pid, int taskfd, pid_t tid)
{
	struct mntns_procs *out = arg;
	struct mntns_proc p = {.pid = pid, .tid = tid};
	char buf[2048], comm[sizeof(p.comm)], state;
	uid_t ids[3];
	pid_t tgid;

	if (read_small(pidfd, "stat", buf, sizeof(buf)) < 0 ||
	    mntns_stat_starttime(buf, &p.start) < 0 ||
	    mntns_stat_fields(buf, &p.state, p.comm, sizeof(p.comm)) < 0)
		return 0;
	/* The state of the thread in the namespace: a leader that has exited is a zombie, the
	 * process is not. */
	if (tid != pid && read_small(taskfd, "stat", buf, sizeof(buf)) == 0 &&
	    mntns_stat_fields(buf, &state, comm, sizeof(comm)) == 0)
		p.state = state;
	if (read_small(pidfd, "status", buf, sizeof(buf)) < 0 ||
	    mntns_status_ids(buf, ids, &tgid) < 0)
		return 0;
	p.ruid = ids[0];
	p.euid = ids[1];
	p.suid = ids[2];
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 32;
		struct mntns_proc *more = realloc(out->p, cap * sizeof(*more));

		if (!more)
			return -ENOMEM;
		out->p = more;
		out->cap = cap;
	}
	out->p[out->n++] = p;
	return 0;
}

int mntns_ns_procs(dev_t ns_dev, ino_t ns_ino, struct mntns_procs *out, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct pass p = {.dev = ns_dev,
			 .ino = ns_ino,
			 .count = true,
			 .all_threads = true,
			 .each = add_proc,
			 .arg = out};
	int rc;

	out->n = 0;
	if (procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	rc = proc_pass(procfd, &p);
	mntns_closep(&p.first);
	if (rc < 0)
		return mntns_fail(err, rc, "looking through /proc: %s", strerror(-rc));
	return 0;
}

void mntns_procs_mark_logins(const struct mntns_registry *reg, struct mntns_procs *procs)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; procfd >= 0 && i < reg->n; i++) {
		_cleanup_close_ int task = -1;
		char buf[2048];
		uid_t ids[3];
		pid_t tgid;

		if (!reg->ids[i].token) /* found by a /proc pass, not a login */
			continue;
		task = task_open(procfd, &reg->ids[i]);
		if (task < 0 || read_small(task, "status", buf, sizeof(buf)) < 0 ||
		    mntns_status_ids(buf, ids, &tgid) < 0)
			continue;
		for (size_t k = 0; k < procs->n; k++)
			if (procs->p[k].pid == tgid)
				procs->p[k].login = true;
	}
}

int mntns_us_view_read(uid_t uid, struct mntns_us_view *v, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ struct mntns_registry *reg = NULL;
	struct stat st;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = peek_live(uid, procfd, &reg, &st, err);
	if (rc <= 0)
		return rc;
	v->ns_dev = (unsigned long long)st.st_dev;
	v->ns_ino = (unsigned long long)st.st_ino;
	v->sessions = count_sessions(procfd, reg, &st, NULL, 0);
	rc = mntns_ns_procs(st.st_dev, st.st_ino, &v->procs, err);
	if (rc < 0) {
		mntns_procs_free(&v->procs);
		return rc;
	}
	mntns_procs_mark_logins(reg, &v->procs);
	/* The last of its processes may have exited since the namespace was found. */
	v->live = v->procs.n > 0;
	return 0;
}

int mntns_us_forget(struct mntns_us *us, struct mntns_err *err)
{
	us->reg->ns_ino = us->reg->ns_id = 0;
	us->reg->n = 0;
	return registry_write(us, err);
}

/* ---- the guard ---- */

void mntns_guard_begin(struct mntns_guard *g)
{
	sigset_t stops;

	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	g->masked = pthread_sigmask(SIG_BLOCK, &stops, &g->old_mask) == 0;
	g->raised = false;
	/* A signal the user sent before this point is delivered when the call returns, before
	 * anything is held; after it, kill(2) refuses them (their uid is none of ours). */
	if (getresuid(&g->ruid, &g->euid, &g->suid) == 0 && g->euid == 0 &&
	    (g->ruid != 0 || g->suid != 0))
		g->raised = setresuid(0, 0, 0) == 0;
}

int mntns_guard_end(struct mntns_guard *g)
{
	int rc = 0;

	if (g->raised && setresuid(g->ruid, g->euid, g->suid) < 0)
		rc = -errno;
	g->raised = false;
	if (g->masked)
		pthread_sigmask(SIG_SETMASK, &g->old_mask, NULL);
	g->masked = false;
	return rc;
}
