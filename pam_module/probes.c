/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The /proc probes (see probes.h). A thread is named by the descriptor of its /proc directory
 * once it has been shown to be the registered one (its start time): once it has exited,
 * nothing can be opened through that descriptor, even if its id has been given to a new one. */
#include "probes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "nested.h"
#include "path.h"
#include "view.h"

/* ---- the text of /proc files ---- */

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

int mntns_proc_read(int dirfd, const char *name, char *buf, size_t size)
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

/* ---- threads ---- */

/* The start time of the thread whose /proc directory is TASKFD. */
static int task_start(int taskfd, unsigned long long *start)
{
	char buf[1024];
	int rc = mntns_proc_read(taskfd, "stat", buf, sizeof(buf));

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

int mntns_self_ns(unsigned long long *ino, unsigned long long *id)
{
	_cleanup_close_ int ns = mntns_view_ns_open();
	struct stat st;

	if (ns < 0 || fstat(ns, &st) < 0)
		return -errno;
	*ino = (unsigned long long)st.st_ino;
	*id = mntns_ns_id(ns);
	return 0;
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
	    (reg->ns_id && mntns_ns_id(ns) != reg->ns_id) || mntns_ns_owned_by_init(ns) != 1)
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

bool mntns_task_in(int taskfd, const struct stat *ns)
{
	struct stat st;

	return fstatat(taskfd, "ns/mnt", &st, 0) == 0 && mntns_same_inode(&st, ns);
}

int mntns_task_open(pid_t tid, unsigned long long start)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct mntns_session_id id = {.tid = tid, .start = start};

	return procfd < 0 ? -errno : task_open(procfd, &id);
}

/* A process whose main thread has exited (pthread_exit in main) has no namespace any more;
 * its other threads do. Opens the /proc directory of a thread of process PID (directory
 * PIDFD) that is in namespace NS and sets *TID to its id, or returns -ENOENT. */
static int thread_in(int pidfd, pid_t pid, const struct stat *ns, bool all, pid_t *tid)
{
	_cleanup_close_ int tasks = openat(pidfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	int found = -ENOENT;
	DIR *d;

	struct stat st;

	*tid = pid;
	if (fstatat(pidfd, "ns/mnt", &st, 0) == 0) {
		if (mntns_same_inode(&st, ns))
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
		if (fd >= 0 && mntns_task_in(fd, ns)) {
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
	struct stat ns;	  /* the namespace: its st_dev and st_ino */
	bool count;	  /* count every process in it, not only find the first */
	bool all_threads; /* ask every thread, not only when the main one has exited (tools) */
	size_t procs;
	int first;	 /* /proc directory of a thread of the first process found, or -1 */
	pid_t first_tid; /* and that thread's id */
	/* When set, called for every process found (its /proc directory, and that of its
	 * thread in the namespace); a negative return ends the pass with it. */
	int (*each)(void *arg, int pidfd, pid_t pid, int taskfd, pid_t tid);
	void *arg;
};

/* One pass over /proc: the processes in namespace P->NS, other than the caller. The only
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
		if (pidfd < 0 ||
		    (taskfd = thread_in(pidfd, (pid_t)pid, &p->ns, p->all_threads, &tid)) < 0)
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

size_t mntns_live_sessions(int procfd, const struct mntns_registry *reg, const struct stat *ns,
			   pid_t *tids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < reg->n; i++) {
		_cleanup_close_ int task = task_open(procfd, &reg->ids[i]);

		if (task < 0 || !reg->ids[i].token || !mntns_task_in(task, ns))
			continue;
		if (n < max)
			tids[n] = reg->ids[i].tid;
		n++;
	}
	return n;
}

int mntns_ns_count_procs(int procfd, const struct stat *ns, size_t *procs, pid_t *enter)
{
	struct pass p = {.ns = *ns, .count = true};
	int rc = proc_pass(procfd, &p);

	*procs = p.procs;
	*enter = p.first >= 0 ? p.first_tid : 0;
	mntns_closep(&p.first);
	return rc;
}

/* ---- the probes of the lifetime decision ---- */

static bool probe_alive(void *arg, const struct mntns_session_id *id)
{
	_cleanup_close_ int task = task_open(*(int *)arg, id);

	return task >= 0;
}

static int probe_open_ns_of(void *arg, const struct mntns_session_id *id,
			    const struct mntns_registry *reg)
{
	_cleanup_close_ int task = task_open(*(int *)arg, id);

	return task < 0 ? -ENOENT : task_ns(task, reg);
}

static int probe_open_ns_of_any(void *arg, const struct mntns_registry *reg,
				struct mntns_session_id *found)
{
	_cleanup_close_ int task = -1, self = mntns_view_ns_open();
	struct pass p = {.count = false};
	struct stat nsfs;
	int rc, ns;

	/* Every namespace is on the one nsfs: its device is that of our own. */
	if (self < 0 || fstat(self, &nsfs) < 0)
		return -errno;
	p.ns.st_dev = nsfs.st_dev;
	p.ns.st_ino = (ino_t)reg->ns_ino;
	rc = proc_pass(*(int *)arg, &p);
	if (rc < 0)
		return rc;
	if (p.first < 0)
		return -ENOENT;
	task = p.first;
	ns = task_ns(task, reg);
	if (ns < 0 || task_start(task, &found->start) < 0) {
		mntns_closep(&ns);
		return -ENOENT;
	}
	found->tid = p.first_tid;
	found->token = 0;
	return ns;
}

void mntns_proc_probes(struct mntns_probes *pr, int *procfd)
{
	pr->alive = probe_alive;
	pr->open_ns_of = probe_open_ns_of;
	pr->open_ns_of_any = probe_open_ns_of_any;
	pr->arg = procfd;
}

/* ---- the processes in a namespace, for the administrator's tools ---- */

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

	if (mntns_proc_read(pidfd, "stat", buf, sizeof(buf)) < 0 ||
	    mntns_stat_starttime(buf, &p.start) < 0 ||
	    mntns_stat_fields(buf, &p.state, p.comm, sizeof(p.comm)) < 0)
		return 0;
	/* The state of the thread in the namespace: a leader that has exited is a zombie, the
	 * process is not. */
	if (tid != pid && mntns_proc_read(taskfd, "stat", buf, sizeof(buf)) == 0 &&
	    mntns_stat_fields(buf, &state, comm, sizeof(comm)) == 0)
		p.state = state;
	if (mntns_proc_read(pidfd, "status", buf, sizeof(buf)) < 0 ||
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

int mntns_ns_procs(const struct stat *ns, struct mntns_procs *out, struct mntns_err *err)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct pass p = {
	    .ns = *ns, .count = true, .all_threads = true, .each = add_proc, .arg = out};
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
		if (task < 0 || mntns_proc_read(task, "status", buf, sizeof(buf)) < 0 ||
		    mntns_status_ids(buf, ids, &tgid) < 0)
			continue;
		for (size_t k = 0; k < procs->n; k++)
			if (procs->p[k].pid == tgid)
				procs->p[k].login = true;
	}
}
