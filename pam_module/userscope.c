/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* scope = user: the run directory, the user's lock, the registry's file and the guard (see
 * userscope.h). What a login does with the registry is decided in registry.c, with the /proc
 * probes of probes.c; liveness is proven by the kernel (a process that runs in the namespace,
 * and the namespace's own record), never by a count that a SIGKILLed login left behind. */
#include "userscope.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "nested.h"
#include "path.h"

/* ---- the run directory and the lock ---- */

/* Opens PATH below DIRFD as a directory of root's alone (with MNTNS_TRUST_PARENT, the one that
 * holds it), for reading. Not the walk of sources and targets: that looks up the type of every
 * mount it crosses, in mountinfo before Linux 6.8, which would make every login cost
 * O(mounts) for /run. None of that is needed here: nobody but root can write to these
 * directories, so nobody else can have mounted anything on them, FUSE included. */
static int open_root_dir(int dirfd, const char *path, unsigned flags)
{
	struct mntns_trust t = { .flags = MNTNS_TRUST_ROOT_ONLY | flags, .at = dirfd };
	struct mntns_path_verdict v;
	_cleanup_close_ int fd = mntns_path_open_trusted(path, MNTNS_WANT_DIR, &t, &v);
	int r;

	if (fd < 0)
		return fd;
	r = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

int mntns_run_dir_open(bool outer, bool create, struct mntns_err *err)
{
	/* Outer: PID 1's root, the outer view's run directory whichever view the thread is in
	 * (in a view of ours, its own /run/mntns holds the view's record instead). */
	_cleanup_close_ int root =
	    open(outer ? "/proc/1/root" : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	const char *path = MNTNS_RUN_DIR + 1, *name = strrchr(MNTNS_RUN_DIR, '/') + 1;
	int fd = root < 0 ? -errno : open_root_dir(root, path, 0);

	if (fd == -ENOENT && create) {
		_cleanup_close_ int parent = open_root_dir(root, path, MNTNS_TRUST_PARENT);

		fd = parent < 0 ? parent : mntns_mkdir_root(parent, name, err);
		if (fd < 0 && fd != -EPERM && parent >= 0)
			return fd;
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
	return open_root_dir(dirfd, name, 0);
}

int mntns_us_open_dir(bool create, struct mntns_err *err)
{
	return mntns_run_dir_open(true, create, err);
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
	if (proc < 0 || mntns_proc_read(proc, "locks", locks, 65536) < 0)
		return;
	pid =
	    mntns_locks_holder(locks, major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_ino);
	if (!pid)
		return;
	snprintf(name, sizeof(name), "%d/comm", (int)pid);
	if (mntns_proc_read(proc, name, comm, sizeof(comm)) == 0)
		comm[strcspn(comm, "\n")] = '\0';
	/* A holder that is stopped (T) was stopped by something that is not a signal from its
	 * user (a debugger, the cgroup freezer shows as S): worth saying. */
	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	if (mntns_proc_read(proc, name, locks, 65536) == 0 && strrchr(locks, ')') &&
	    strrchr(locks, ')')[1] == ' ')
		snprintf(buf, size, "pid %d (%s, state %c)", (int)pid, comm,
			 strrchr(locks, ')')[2]);
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
	_cleanup_free_ char *buf = malloc(MNTNS_REGISTRY_BYTES);
	ssize_t n;

	if (!us->reg)
		us->reg = malloc(sizeof(*us->reg));
	if (!us->reg || !buf)
		return mntns_fail(err, -ENOMEM, "%s/%s: out of memory", MNTNS_RUN_DIR, us->lock);
	n = pread(us->lock_fd, buf, MNTNS_REGISTRY_BYTES, 0);
	mntns_registry_parse(buf, n > 0 ? (size_t)n : 0, us->reg);
	return 0;
}

int mntns_us_peek(struct mntns_us *us, uid_t uid, struct mntns_err *err)
{
	const struct mntns_trust root_only = { .flags = MNTNS_TRUST_ROOT_ONLY };
	struct mntns_path_verdict v;
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
	else if (fstat(us->lock_fd, &st) < 0 ||
		 mntns_path_judge(&st, &st, MNTNS_WANT_FILE, &root_only, &v) < 0)
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
		return mntns_fail(err, rc,
				  "%s/%s is held by %s for more than %u s; gave up waiting",
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
	_cleanup_free_ char *buf = malloc(MNTNS_REGISTRY_BYTES);
	size_t len;

	if (!buf)
		return mntns_fail(err, -ENOMEM, "%s/%s: out of memory", MNTNS_RUN_DIR, us->lock);
	len = mntns_registry_format(us->reg, buf, MNTNS_REGISTRY_BYTES);
	/* Readers hold the lock too; a torn file only costs the next login a /proc pass. */
	if (ftruncate(us->lock_fd, 0) < 0 || pwrite(us->lock_fd, buf, len, 0) != (ssize_t)len)
		return mntns_fail(err, -errno, "%s/%s: %s", MNTNS_RUN_DIR, us->lock,
				  strerror(errno));
	return 0;
}

int mntns_us_find_live_or_forget(struct mntns_us *us, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct mntns_probes pr;
	int ns;

	if (procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	mntns_proc_probes(&pr, &procfd);
	ns = mntns_registry_find_live_or_forget(us->reg, &pr);
	if (ns < 0 && ns != -ENOENT)
		return mntns_fail(err, ns, "looking for the live namespace of uid %u: %s",
				  (unsigned)us->uid, strerror(-ns));
	return ns;
}

int mntns_us_register(struct mntns_us *us, bool fresh, const struct mntns_session_id *id,
		      struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct mntns_probes pr;

	if (procfd < 0)
		return mntns_fail(err, -errno, "/proc: %s", strerror(errno));
	mntns_proc_probes(&pr, &procfd);
	if (fresh) {
		unsigned long long ino, ns_id;
		int rc = mntns_self_ns(&ino, &ns_id);

		if (rc < 0)
			return mntns_fail(err, rc, "/proc/thread-self/ns/mnt: %s", strerror(-rc));
		mntns_registry_replace_ns(us->reg, ino, ns_id);
	}
	/* Full: only a shortcut is lost, the /proc pass finds the namespace all the same. */
	(void)mntns_registry_drop_dead_and_add(us->reg, id, &pr);
	return registry_write(us, err);
}

int mntns_us_close_session(uid_t uid, const struct mntns_session_id *id,
			   const struct mntns_log *log, struct mntns_err *err)
{
	struct mntns_us us = {.dir_fd = -1, .lock_fd = -1};
	struct mntns_guard guard;
	int rc, back;

	mntns_guard_begin(&guard);
	rc = mntns_us_lock(&us, uid, err);
	/* Not there: a later first login replaced the registry. */
	if (rc == 0 && mntns_registry_remove_session(us.reg, id))
		rc = registry_write(&us, err);
	mntns_us_unlock(&us);
	back = mntns_guard_end(&guard);
	if (back < 0) /* setresuid back to the caller's uids, by root: it does not fail */
		mntns_log_crit(log,
			       "closing a session of uid %u: the caller's uids could not be put "
			       "back: %s",
			       (unsigned)uid, strerror(-back));
	return rc;
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
	struct mntns_probes pr;
	struct mntns_live live;
	char name[32];
	ssize_t n;
	int rc;

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
	buf = malloc(MNTNS_REGISTRY_BYTES);
	if (!*reg || !buf)
		return mntns_fail(err, -ENOMEM, "out of memory");
	n = pread(lock, buf, MNTNS_REGISTRY_BYTES, 0);
	mntns_registry_parse(buf, n > 0 ? (size_t)n : 0, *reg);
	mntns_proc_probes(&pr, &procfd);
	rc = mntns_live_lookup(*reg, &pr, &live);
	if (rc < 0)
		return mntns_fail(err, rc, "looking through /proc: %s", strerror(-rc));
	if (live.ns >= 0 && mntns_ns_is_view_of(live.ns, uid) < 0)
		mntns_closep(&live.ns); /* its inode number, now another namespace's */
	else
		*ns = live.ns;
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

int mntns_us_status(uid_t uid, struct mntns_us_status *out, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ struct mntns_registry *reg = NULL;
	struct stat st;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = peek_live(uid, procfd, &reg, &st, err);
	if (rc <= 0)
		return rc;
	out->live = true;
	out->ns_ino = (unsigned long long)st.st_ino;
	out->sessions =
	    mntns_live_sessions(procfd, reg, &st, out->session_tids,
				sizeof(out->session_tids) / sizeof(out->session_tids[0]));
	rc = mntns_ns_count_procs(procfd, &st, &out->procs, &out->enter_pid);
	if (rc < 0)
		return mntns_fail(err, rc, "looking through /proc: %s", strerror(-rc));
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
	v->sessions = mntns_live_sessions(procfd, reg, &st, NULL, 0);
	rc = mntns_ns_procs(&st, &v->procs, err);
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
	mntns_registry_forget(us->reg);
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
