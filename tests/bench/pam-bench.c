/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* pam-bench: times session open+close in forked children, the way a login daemon forks one.
 * Each cycle is fork -> (work) -> _exit, reaped by the parent; the work is nothing, the raw
 * namespace syscalls, or a whole PAM session. Driven by tests/bench/run.sh inside its sandbox. */

#define _GNU_SOURCE
#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum work { WORK_FORK, WORK_RAW, WORK_PAM };

struct job {
	enum work work;
	const char *service;
	const char *user;
};

/* Exit codes of a child; the parent turns them into a message. */
enum { CHILD_OK = 0, CHILD_SYSCALL = 10, CHILD_PAM_START, CHILD_PAM_OPEN, CHILD_PAM_CLOSE };

static int no_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	return PAM_CONV_ERR;
}

/* What the module has to do at minimum: unshare, make / a recursive slave, mount one tmpfs. */
static int raw_syscalls(void)
{
	if (unshare(CLONE_NEWNS) != 0)
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
		return -errno;
	if (mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777") != 0)
		return -errno;
	return 0;
}

/* One login session as a PAM application sees it; on failure, says which call failed. */
static int pam_session(const struct job *job, int *pam_rc)
{
	const struct pam_conv conv = { no_conv, NULL };
	pam_handle_t *pamh = NULL;

	*pam_rc = pam_start(job->service, job->user, &conv, &pamh);
	if (*pam_rc != PAM_SUCCESS)
		return CHILD_PAM_START;
	*pam_rc = pam_open_session(pamh, 0);
	if (*pam_rc != PAM_SUCCESS) {
		pam_end(pamh, *pam_rc);
		return CHILD_PAM_OPEN;
	}
	*pam_rc = pam_close_session(pamh, 0);
	pam_end(pamh, *pam_rc);
	return *pam_rc == PAM_SUCCESS ? CHILD_OK : CHILD_PAM_CLOSE;
}

static const char *failed_call(int child_rc)
{
	switch (child_rc) {
	case CHILD_PAM_START:
		return "pam_start";
	case CHILD_PAM_OPEN:
		return "pam_open_session";
	default:
		return "pam_close_session";
	}
}

static int child_work(const struct job *job)
{
	int pam_rc;

	switch (job->work) {
	case WORK_FORK:
		return CHILD_OK;
	case WORK_RAW:
		return raw_syscalls() == 0 ? CHILD_OK : CHILD_SYSCALL;
	case WORK_PAM:
		return pam_session(job, &pam_rc);
	}
	return CHILD_SYSCALL;
}

static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("pam-bench: waitpid");
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK) {
		fprintf(stderr, "pam-bench: child failed (status %#x)\n", status);
		return -1;
	}
	return 0;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Runs up to `cycles` cycles, stopping early (after at least 3) once `budget_ms` is spent, and
 * prints "MICROSECONDS_PER_CYCLE CYCLES_DONE". */
static int time_cycles(const struct job *job, long cycles, long budget_ms)
{
	double start, elapsed = 0;
	long done;

	/* A login daemon has looked the user up before it opens the session (sshd, login and su
	 * all do), so glibc's NSS is already set up in the process that forks: do the same, or
	 * every child would pay for reading nsswitch.conf and trying nscd first. */
	if (job->work == WORK_PAM)
		(void)getpwnam(job->user);
	start = now_us();
	for (done = 0; done < cycles; done++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("pam-bench: fork");
			return 1;
		}
		if (pid == 0)
			_exit(child_work(job));
		if (reap(pid) != 0)
			return 1;
		elapsed = now_us() - start;
		if (done + 1 >= 3 && elapsed > budget_ms * 1e3) {
			done++;
			break;
		}
	}
	printf("%.1f %ld\n", elapsed / done, done);
	return 0;
}

static int same_file(const char *a, const struct stat *b)
{
	struct stat st;

	return stat(a, &st) == 0 && st.st_dev == b->st_dev && st.st_ino == b->st_ino;
}

/* One session in a child that reports what it saw, so a misconfigured sandbox cannot pass for
 * a fast module. Prints e.g. "session ok, new mount namespace, new /tmp". */
static int check(const struct job *job)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("pam-bench: fork");
		return 1;
	}
	if (pid == 0) {
		struct stat ns, tmp;
		int rc, pam_rc;

		if (stat("/proc/self/ns/mnt", &ns) != 0 || stat("/tmp", &tmp) != 0) {
			perror("pam-bench: stat");
			_exit(1);
		}
		rc = pam_session(job, &pam_rc);
		if (rc != CHILD_OK) {
			printf("session failed: %s: %s\n", failed_call(rc),
			       pam_strerror(NULL, pam_rc));
			fflush(stdout);
			_exit(1);
		}
		printf("session ok, %s mount namespace, %s /tmp\n",
		       same_file("/proc/self/ns/mnt", &ns) ? "same" : "new",
		       same_file("/tmp", &tmp) ? "same" : "new");
		fflush(stdout);
		_exit(0);
	}
	return reap(pid) == 0 ? 0 : 1;
}

/* Grows the caller's mount table: one tmpfs on DIR/0 .. DIR/COUNT-1 (directories created). */
static int add_mounts(const char *dir, long first, long count)
{
	char path[4096];

	for (long i = first; i < first + count; i++) {
		snprintf(path, sizeof(path), "%s/%ld", dir, i);
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "pam-bench: mkdir %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (mount("bench-many", path, "tmpfs", 0, "size=4k,mode=755") != 0) {
			fprintf(stderr, "pam-bench: mount %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int usage(void)
{
	fputs("usage: pam-bench time CYCLES BUDGET_MS fork|raw\n"
	      "       pam-bench time CYCLES BUDGET_MS pam SERVICE USER\n"
	      "       pam-bench check SERVICE USER\n"
	      "       pam-bench hold SERVICE USER     (a session open until stdin ends)\n"
	      "       pam-bench mounts DIR FIRST COUNT\n",
	      stderr);
	return 2;
}

static int parse_job(int argc, char **argv, struct job *job)
{
	if (argc == 1 && strcmp(argv[0], "fork") == 0)
		job->work = WORK_FORK;
	else if (argc == 1 && strcmp(argv[0], "raw") == 0)
		job->work = WORK_RAW;
	else if (argc == 3 && strcmp(argv[0], "pam") == 0)
		*job = (struct job){ WORK_PAM, argv[1], argv[2] };
	else
		return -1;
	return 0;
}

/* Opens a session in this process and keeps it open until stdin ends: for scope = user, a
 * login that the timed ones join. */
static int hold(const struct job *job)
{
	const struct pam_conv conv = { no_conv, NULL };
	pam_handle_t *pamh = NULL;
	char buf[64];
	int rc = pam_start(job->service, job->user, &conv, &pamh);

	if (rc == PAM_SUCCESS)
		rc = pam_open_session(pamh, 0);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pam-bench: hold: %s\n", pam_strerror(pamh, rc));
		if (pamh)
			pam_end(pamh, rc);
		return 1;
	}
	printf("held\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0)
		;
	rc = pam_close_session(pamh, 0);
	pam_end(pamh, rc);
	return rc == PAM_SUCCESS ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct job job = { WORK_FORK, NULL, NULL };

	if (argc >= 5 && strcmp(argv[1], "time") == 0) {
		long cycles = atol(argv[2]), budget_ms = atol(argv[3]);

		if (cycles < 1 || budget_ms < 1 || parse_job(argc - 4, argv + 4, &job) != 0)
			return usage();
		return time_cycles(&job, cycles, budget_ms);
	}
	if (argc == 4 && strcmp(argv[1], "check") == 0) {
		job = (struct job){ WORK_PAM, argv[2], argv[3] };
		return check(&job);
	}
	if (argc == 4 && strcmp(argv[1], "hold") == 0) {
		job = (struct job){ WORK_PAM, argv[2], argv[3] };
		return hold(&job);
	}
	if (argc == 5 && strcmp(argv[1], "mounts") == 0)
		return add_mounts(argv[2], atol(argv[3]), atol(argv[4]));
	return usage();
}
