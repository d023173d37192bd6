/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* mntnsctl reset USER: ends USER's view now, so that the next login builds a fresh one from
 * the current config, and never leaves USER split between two views: the user's lock is held
 * from the first look at the view until its registry is cleared, so no login joins the old
 * view meanwhile (logins wait at most MNTNS_LOCK_TIMEOUT_MS for the lock: ending takes at
 * most END_MS). Every process in the view gets SIGTERM, then SIGKILL, each through a pidfd
 * opened on the very process that was listed, so a pid that was given to another process
 * meanwhile is never hit. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "ctl.h"
#include "user.h"
#include "userscope.h"

#define TERM_MS 2000 /* the processes have this long to end after SIGTERM */
#define END_MS	3000 /* from the first SIGTERM until the last /proc pass */

struct victim {
	struct mntns_proc p;
	int pidfd; /* -1 until it is signalled */
	bool gone;
};

struct victims {
	struct victim *v;
	size_t n, cap;
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Is P one of UID's own processes? A process that opened one of UID's sessions (sshd, su,
 * cron, which run as root) is: it is the login. */
static bool owned(const struct mntns_proc *p, uid_t uid)
{
	return p->login || (p->ruid == uid && p->euid == uid && p->suid == uid);
}

/* A uid written out, for a user NSS no longer knows ("mntnsctl reset 1005"). */
static bool decimal_uid(const char *s, uid_t *uid)
{
	unsigned long long v = 0;

	if (!*s)
		return false;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (unsigned)(*s - '0')) >= (uid_t)-1)
			return false;
	*uid = (uid_t)v;
	return *s == '\0';
}

/* The victim that is P, if P was signalled before. */
static struct victim *known(struct victims *vs, const struct mntns_proc *p)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i].p.pid == p->pid && vs->v[i].p.start == p->start)
			return &vs->v[i];
	return NULL;
}

static struct victim *victim_of(struct victims *vs, const struct mntns_proc *p)
{
	struct victim *v = known(vs, p);

	if (v)
		return v;
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 32;
		struct victim *more = realloc(vs->v, cap * sizeof(*more));

		if (!more)
			return NULL;
		vs->v = more;
		vs->cap = cap;
	}
	vs->v[vs->n] = (struct victim){.p = *p, .pidfd = -1};
	return &vs->v[vs->n++];
}

static void victims_free(struct victims *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		mntns_closep(&vs->v[i].pidfd);
	free(vs->v);
}

/* Is the process with pid P->pid still the one that was listed (the same start time)? */
/* 1: still P; 0: gone (or its pid taken by another); -errno: cannot be told (out of
 * descriptors, say), which must not be taken for gone. */
static int same_process(const struct mntns_proc *p)
{
	char path[64], buf[1024];
	unsigned long long start;
	FILE *f;
	int same;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT || errno == ESRCH ? 0 : -errno;
	same = fgets(buf, sizeof(buf), f) && mntns_stat_starttime(buf, &start) == 0 &&
	       start == p->start;
	fclose(f);
	return same;
}

/* Sends SIG to V. The pidfd is opened first and the process checked after: a pidfd names one
 * process for ever, so if the pid was reused before it was opened the check sees the new
 * process, and if after, the signal goes nowhere (ESRCH). Returns 0 or -errno (no pidfds: a
 * kernel before 5.3, or valgrind 3.19; no other way to signal is safe). */
static int hit(struct victim *v, int sig, bool keep, struct mntns_err *err)
{
	if (v->gone)
		return 0;
	if (v->pidfd < 0) {
		int fd = pidfd_open(v->p.pid, 0);

		if (fd < 0 && errno != ESRCH)
			return mntns_fail(err, -errno, "pidfd_open(%d): %s", (int)v->p.pid,
					  strerror(errno));
		int same = fd < 0 ? 0 : same_process(&v->p);

		if (same < 0) {
			close(fd);
			return mntns_fail(err, same, "/proc/%d/stat: %s", (int)v->p.pid,
					  strerror(-same));
		}
		if (fd >= 0 && !same) {
			close(fd);
			fd = -1;
		}
		if (fd < 0) {
			v->gone = true; /* it has exited */
			return 0;
		}
		v->pidfd = fd;
	}
	if (pidfd_send_signal(v->pidfd, sig, NULL, 0) == 0) {
		/* Not kept (past the first KEEP_FDS, and after SIGKILL): a view may hold more
		 * processes than the descriptors a process may have; the /proc pass finds what
		 * is left, and it is opened again, and checked again, to be hit again. */
		if (!keep) {
			close(v->pidfd);
			v->pidfd = -1;
		}
		return 0;
	}
	if (errno == ESRCH) {
		v->gone = true;
		return 0;
	}
	return mntns_fail(err, -errno, "pidfd_send_signal(%d): %s", (int)v->p.pid, strerror(errno));
}

/* Processes whose pidfd is kept between SIGTERM and the wait for them (the rest are found
 * again by the /proc pass): well below the 1024 descriptors of a default shell. */
#define KEEP_FDS 512

/* Waits until every signalled process has exited (its pidfd reads as ready) or DEADLINE. */
static void wait_gone(struct victims *vs, long long deadline)
{
	struct pollfd *fds = calloc(vs->n ? vs->n : 1, sizeof(*fds));
	size_t *of = calloc(vs->n ? vs->n : 1, sizeof(*of));

	while (fds && of) {
		long long left = deadline - now_ms();
		nfds_t n = 0;

		for (size_t i = 0; i < vs->n; i++)
			if (!vs->v[i].gone && vs->v[i].pidfd >= 0) {
				fds[n] = (struct pollfd){.fd = vs->v[i].pidfd, .events = POLLIN};
				of[n++] = i;
			}
		if (n == 0 && left > 0)
			(void)poll(NULL, 0, (int)left); /* nothing to wait on: the /proc pass looks */
		if (n == 0 || left <= 0 || poll(fds, n, (int)left) <= 0)
			break;
		for (nfds_t k = 0; k < n; k++)
			if (fds[k].revents)
				vs->v[of[k]].gone = true;
	}
	free(fds);
	free(of);
}

/* Ends every process of UID (every one, with FORCE) in namespace NS: SIGTERM to those
 * listed in PROCS, up to TERM_MS for them to go, then SIGKILL to whatever a /proc pass still
 * finds there, until a pass finds nothing or END_MS have passed. LEFT: what the last pass
 * found. Returns 0 or -errno. */
static int end_all(const struct stat *ns, const struct mntns_us *us, bool force,
		   const struct mntns_procs *procs, struct mntns_procs *left, struct mntns_err *err)
{
	struct victims vs = {.v = NULL};
	long long t0 = now_ms();
	int rc = 0;

	for (size_t i = 0; i < procs->n && rc == 0; i++) {
		struct victim *v = victim_of(&vs, &procs->p[i]);

		rc = v ? hit(v, SIGTERM, i < KEEP_FDS, err) : mntns_fail(err, -ENOMEM, "out of memory");
	}
	if (rc == 0)
		wait_gone(&vs, t0 + TERM_MS);
	while (rc == 0) {
		size_t mine = 0;

		rc = mntns_ns_procs(ns, left, err);
		if (rc == 0)
			mntns_procs_mark_logins(us->reg, left);
		for (size_t i = 0; rc == 0 && i < left->n; i++) {
			struct victim *v = known(&vs, &left->p[i]);

			/* One that came in meanwhile is ended only if it is the user's. */
			if (!v && !force && !owned(&left->p[i], us->uid))
				continue;
			mine++;
			if (!v && now_ms() < t0 + END_MS)
				v = victim_of(&vs, &left->p[i]);
			if (v) {
				v->gone = false; /* listed again: it has not gone yet */
				rc = hit(v, SIGKILL, false, err);
			}
		}
		if (rc < 0 || mine == 0 || now_ms() >= t0 + END_MS)
			break;
		wait_gone(&vs, now_ms() + 100 < t0 + END_MS ? now_ms() + 100 : t0 + END_MS);
	}
	victims_free(&vs);
	return rc;
}

static void print_procs(const struct mntns_procs *procs, uid_t uid, const char *who)
{
	printf("    %7s %-12s %5s %s\n", "PID", "USER", "STATE", "COMMAND");
	for (size_t i = 0; i < procs->n; i++) {
		const struct mntns_proc *p = &procs->p[i];
		char *name = cli_user_name(p->euid);

		printf("    %7d ", (int)p->pid);
		if (name) {
			int l = (int)strlen(name);

			cli_put_safe(stdout, name);
			printf("%*s", l < 12 ? 12 - l : 0, "");
		} else {
			printf("%-12u", (unsigned)p->euid);
		}
		printf(" %5c ", p->state);
		cli_put_safe(stdout, p->comm);
		if (p->login)
			printf("  (opened a session of %s)", who);
		else if (!owned(p, uid))
			printf("  (not %s's: uids %u %u %u)", who, (unsigned)p->ruid,
			       (unsigned)p->euid, (unsigned)p->suid);
		printf("\n");
		free(name);
	}
}

/* What reset does once the lock is held and the view found (NS). Returns the exit status. */
static int reset_view(struct mntns_us *us, int ns, bool yes, bool force, const char *who,
		      struct mntns_procs *procs, struct mntns_procs *left, size_t *foreign)
{
	struct mntns_err err;
	struct stat st;

	if (fstat(ns, &st) < 0)
		mntns_fail(&err, -errno, "the namespace: %s", strerror(errno));
	else if (mntns_ns_procs(&st, procs, &err) == 0)
		err.msg[0] = '\0';
	if (err.msg[0]) {
		fprintf(stderr, "mntnsctl reset: %s: %s\n", who, err.msg);
		return 1;
	}
	mntns_procs_mark_logins(us->reg, procs);
	*foreign = 0;
	for (size_t i = 0; i < procs->n; i++)
		*foreign += !owned(&procs->p[i], us->uid);
	if (!yes || (*foreign && !force) || procs->n == 0)
		return -1; /* nothing is ended: the caller says why, outside the lock */
	/* Forgotten before anything is ended, so that a login that joins without the lock (as
	 * logins do) finds no view to join from now on, and waits for the lock to build one;
	 * and, even with a process stuck in the kernel (SIGKILL pending), the next login builds
	 * a fresh one rather than join the old view. */
	if (mntns_us_forget(us, &err) < 0) {
		fprintf(stderr, "mntnsctl reset: %s: %s\n", who, err.msg);
		return 1;
	}
	if (end_all(&st, us, force, procs, left, &err) < 0) {
		fprintf(stderr, "mntnsctl reset: %s: %s\n", who, err.msg);
		return 1;
	}
	return 0;
}

int ctl_reset(const char *name, bool yes, bool force)
{
	struct mntns_us us = {.dir_fd = -1, .lock_fd = -1};
	struct mntns_procs procs = {.p = NULL}, left = {.p = NULL};
	struct mntns_us_status pre;
	struct mntns_user u;
	struct mntns_guard guard;
	struct mntns_err err;
	unsigned long long ino = 0;
	size_t foreign = 0;
	char who[300];
	uid_t uid;
	int ns, rc;

	/* One pidfd for every process of the view is open at once: a view may hold more
	 * processes than an administrator's shell allows descriptors by default. */
	struct rlimit nofile;

	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &nofile);
	}
	/* A user who is gone from NSS is named by uid, as mntnsctl list shows them. */
	if (mntns_user_lookup(name, 0, &u, &err) == 0) {
		uid = u.uid;
		snprintf(who, sizeof(who), "%s", u.name);
		mntns_user_free(&u);
		for (char *c = who; *c; c++) /* it is printed often: no terminal controls in it */
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
	} else if (decimal_uid(name, &uid)) {
		snprintf(who, sizeof(who), "uid %u", (unsigned)uid);
	} else {
		fprintf(stderr, "mntnsctl reset: user \"%s\": %s\n", name, err.msg);
		return 1;
	}
	/* Without a live view there is nothing to lock for (nor a lock file to make). */
	if (mntns_us_status(uid, &pre, &err) == 0 && !pre.live) {
		printf("mntnsctl reset: %s has no live view; nothing to do\n", who);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	/* Stop signals of the terminal are held off while the user's logins wait on us. */
	mntns_guard_begin(&guard);
	if (mntns_us_lock(&us, uid, &err) < 0) {
		mntns_guard_end(&guard);
		fprintf(stderr, "mntnsctl reset: %s\n", err.msg);
		return 1;
	}
	ns = mntns_us_find_live_or_forget(&us, &err);
	/* Never another user's: an inode number is given again once its namespace is gone. */
	if (ns >= 0 && mntns_ns_is_view_of(ns, uid) < 0) {
		close(ns);
		ns = -ENOENT;
	}
	if (ns >= 0) {
		struct stat st;

		ino = fstat(ns, &st) == 0 ? (unsigned long long)st.st_ino : 0;
		rc = reset_view(&us, ns, yes, force, who, &procs, &left, &foreign);
		close(ns);
	} else {
		rc = ns == -ENOENT ? 0 : 1;
	}
	mntns_us_unlock(&us);
	mntns_guard_end(&guard);
	if (ns < 0 && ns != -ENOENT)
		fprintf(stderr, "mntnsctl reset: %s\n", err.msg);
	if (ns == -ENOENT || (ns >= 0 && procs.n == 0)) {
		printf("mntnsctl reset: %s has no live view; nothing to do\n", who);
		rc = 0;
	} else if (rc == -1) {
		printf("mntnsctl reset: the view mnt:[%llu] of %s: %zu process%s in it\n", ino, who,
		       procs.n, procs.n == 1 ? "" : "es");
		print_procs(&procs, uid, who);
		if (foreign && !force)
			printf(
			    "mntnsctl reset: refused: %zu of them %s not %s's; nothing was ended "
			    "(--force ends them too)\n",
			    foreign, foreign == 1 ? "is" : "are", who);
		else
			printf("mntnsctl reset: with --yes, each gets SIGTERM, then SIGKILL after "
			       "%d s, and the next login of %s builds a fresh view from the "
			       "current config\n",
			       TERM_MS / 1000, who);
		rc = 1;
	} else if (rc == 0 && left.n) {
		printf(
		    "mntnsctl reset: %zu process%s of the view mnt:[%llu] did not end within %d s "
		    "(state D is a wait in the kernel; the user's have SIGKILL pending):\n",
		    left.n, left.n == 1 ? "" : "es", ino, END_MS / 1000);
		print_procs(&left, uid, who);
		printf("mntnsctl reset: the view is forgotten all the same: the next login of %s "
		       "builds a fresh view from the current config\n",
		       who);
		rc = 1;
	} else if (rc == 0) {
		printf("mntnsctl reset: ended the view mnt:[%llu] of %s (%zu process%s); the next "
		       "login of %s builds a fresh view from the current config\n",
		       ino, who, procs.n, procs.n == 1 ? "" : "es", who);
	}
	mntns_procs_free(&procs);
	mntns_procs_free(&left);
	return fflush(stdout) == 0 ? rc : 1;
}
