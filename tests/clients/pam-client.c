/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* pam-client: a small PAM application for the pam_mntns integration tests
 * (tests/integration/70-race.sh, 80-callers.sh).  Not installed.
 *
 *   pam-client [-2] [-t|-w] [-c DIR] [-s SECONDS|-H FILE] [-n N] [-a PATH]... [-f FILE] SERVICE USER
 *   pam-client -N [-t|-w] [-c DIR] SERVICE
 *
 * Single mode (default): optionally starts a thread (-t) and changes to DIR (-c), opens a
 * session for USER through SERVICE in this very process and prints a report (with -w, from
 * a worker thread, after the main thread has moved to a mount namespace of its own), one KEY=VALUE
 * a line: rc, ns_changed, cwd_before, cwd_after, cwd_dev_changed, cwd_entries, root_in_view,
 * cwd_in_view, new_fds (descriptors opened by pam_open_session and left open), fds_outside
 * (descriptors of a mount namespace, or new ones on a mount outside the new view),
 * new_mounts (but the module's record on /run/mntns: record=yes), ns_after, locale (LC_CTYPE
 * after setlocale(LC_ALL, ""), as login and su do), prompts
 * (how many prompts the conversation was asked to answer; a session
 * module must ask none).  Messages the module gives to the PAM conversation are printed on
 * stderr as "CONV: ...", and its syslog lines as "SYSLOG: ..." (this program interposes
 * syslog/vsyslog, so no /dev/log is needed). With -s, the session stays open SECONDS after
 * the report ("holding=PID"), then is closed ("close_rc=RC"); with -H, until FILE exists.
 *
 * -2: a second session of USER is opened first in the same thread, with a PAM handle of its
 * own, and closed right after the report ("closed_first=RC"): what one application with two
 * sessions does when it ends one of them.
 *
 * -N: no user: pam_start gets NULL, so PAM_USER is unset when the session opens (the
 * conversation answers any prompt with nothing).
 *
 * Loop mode (-n N): N logins, each in a forked child, each checked: a login that succeeded
 * must be in a new namespace whose new mounts all sit on one of the -a PATHs (and /etc must
 * be unchanged); a login that failed must have left the child in its original namespace with
 * the same mounts (by id; but those whose mount point was deleted meanwhile, see
 * mount_point_gone); with -f, FILE must exist in the view of a login that succeeded.
 * Prints "logins=N ok=X refused=Y bad=Z" and exits 1 if Z > 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <sched.h>
#include <security/pam_appl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif

/* ---- syslog interposition: the module's pam_syslog lines end up on stderr ---- */
void vsyslog(int pri, const char *fmt, va_list ap)
{
	(void)pri;
	fputs("SYSLOG: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}
void syslog(int pri, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;
	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

static int prompts;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *arg)
{
	(void)arg;
	*resp = calloc((size_t)n, sizeof(**resp));
	if (!*resp)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		fprintf(stderr, "CONV: %s\n", msg[i]->msg ? msg[i]->msg : "");
		prompts += msg[i]->msg_style == PAM_PROMPT_ECHO_ON ||
			   msg[i]->msg_style == PAM_PROMPT_ECHO_OFF;
	}
	return PAM_SUCCESS;
}

/* ---- mount table ---- */
struct mounts {
	char **mp;
	unsigned long long *id;
	size_t n;
};

static void mounts_read(struct mounts *m)
{
	FILE *f = fopen("/proc/thread-self/mountinfo", "re");
	char line[8192];

	m->mp = NULL;
	m->id = NULL;
	m->n = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long id;
		char mp[4096];

		if (sscanf(line, "%llu %*u %*s %*s %4095s", &id, mp) != 2)
			continue;
		m->mp = realloc(m->mp, (m->n + 1) * sizeof(*m->mp));
		m->id = realloc(m->id, (m->n + 1) * sizeof(*m->id));
		m->mp[m->n] = strdup(mp);
		m->id[m->n++] = id;
	}
	fclose(f);
}

static int mounts_has_id(const struct mounts *m, unsigned long long id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->id[i] == id)
			return 1;
	return 0;
}

/* Mount points in b that are not in a (as a multiset), printed into out separated by ' '. */
static int record_seen;

/* The mount points in B that A does not have (as a multiset), but the module's record. */
static size_t mounts_new(const struct mounts *a, const struct mounts *b, char ***out)
{
	char *used = calloc(a->n + 1, 1);
	size_t k = 0;

	*out = NULL;
	for (size_t i = 0; i < b->n; i++) {
		size_t j;

		for (j = 0; j < a->n; j++)
			if (!used[j] && strcmp(a->mp[j], b->mp[i]) == 0)
				break;
		if (j < a->n) {
			used[j] = 1;
			continue;
		}
		if (strcmp(b->mp[i], "/run/mntns") == 0) {
			record_seen = 1; /* the module's record of a view it made: not a rule's */
			continue;
		}
		*out = realloc(*out, (k + 1) * sizeof(**out));
		(*out)[k++] = b->mp[i];
	}
	free(used);
	return k;
}

/* Undoes mountinfo's escapes (\040 for a space, \134 for a backslash...) in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Was the mount point MP deleted?  When the host deletes a directory that is a mount point
 * only in other namespaces (someone's scratch mount below /var/tmp), the kernel detaches the
 * mounts on it in all of them, this sandbox's too: that is not the module's doing (see "the
 * sandbox's mount table" in tests/lib/sandbox.sh).  Link count 0: deleted, but still cached
 * by an overlay of the sandbox.  The module removes no directory it did not just make. */
static int mount_point_gone(const char *mp)
{
	char p[4096];
	struct stat st;

	snprintf(p, sizeof(p), "%s", mp);
	unescape(p);
	if (lstat(p, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR;
	return st.st_nlink == 0;
}

/* The first mount of A (by id) that B does not have, but those whose mount point was
 * deleted; NULL when there is none. */
static const char *mounts_lost(const struct mounts *a, const struct mounts *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (!mounts_has_id(b, a->id[i]) && !mount_point_gone(a->mp[i]))
			return a->mp[i];
	return NULL;
}

static int mnt_id_of(int dirfd, const char *path, int flags, unsigned long long *id)
{
	struct statx sx;

	if (statx(dirfd, path, flags | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0 ||
	    !(sx.stx_mask & STATX_MNT_ID))
		return -1;
	*id = sx.stx_mnt_id;
	return 0;
}

/* ---- descriptors ---- */
struct fds {
	int fd[1024];
	char *target[1024];
	size_t n;
};

static void fds_read(struct fds *f)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	f->n = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && f->n < 1024) {
		char p[64], t[PATH_MAX];
		ssize_t len;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		fd = atoi(e->d_name);
		if (fd == dirfd(d))
			continue;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		len = readlink(p, t, sizeof(t) - 1);
		t[len > 0 ? len : 0] = '\0';
		f->fd[f->n] = fd;
		f->target[f->n++] = strdup(t);
	}
	closedir(d);
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int open_session(const char *svc, const char *user, pam_handle_t **ph)
{
	struct pam_conv c = {conv, NULL};
	int rc = pam_start(svc, user, &c, ph);

	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pam-client: pam_start: %d\n", rc);
		exit(3);
	}
	return pam_open_session(*ph, 0);
}

static void readlink_str(const char *p, char *buf, size_t size)
{
	ssize_t n = readlink(p, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

/* One login in a forked child of loop mode: 0 right view, 1 refused cleanly, 2 bad. */
static const char *must_exist;
static int hold; /* -s: seconds to keep the session open after the report */
static const char *hold_file; /* -H: keep it open until this file exists */
static int twice; /* -2: a second session first, closed after the report */

static int one_login(const char *svc, const char *user, char **allowed, int nallowed)
{
	char ns0[128], ns1[128];
	struct mounts before, after;
	struct stat etc0, etc1;
	pam_handle_t *ph;
	char **added;
	size_t nadded;
	int rc;

	readlink_str("/proc/thread-self/ns/mnt", ns0, sizeof(ns0));
	mounts_read(&before);
	stat("/etc", &etc0);
	rc = open_session(svc, user, &ph);
	readlink_str("/proc/thread-self/ns/mnt", ns1, sizeof(ns1));
	mounts_read(&after);
	stat("/etc", &etc1);
	nadded = mounts_new(&before, &after, &added);
	if (etc0.st_dev != etc1.st_dev || etc0.st_ino != etc1.st_ino) {
		printf("BAD: /etc changed (mounted over?) rc=%d\n", rc);
		return 2;
	}
	if (rc != PAM_SUCCESS) {
		const char *lost = mounts_lost(&before, &after);

		if (strcmp(ns0, ns1) != 0 || nadded != 0 || lost) {
			printf("BAD: refused (rc=%d) but not back in the original namespace "
			       "(%s -> %s, %zu new mounts, %s%s)\n",
			       rc, ns0, ns1, nadded, lost ? "gone: " : "none gone",
			       lost ? lost : "");
			return 2;
		}
		return 1;
	}
	if (strcmp(ns0, ns1) == 0) {
		printf("BAD: session opened but namespace unchanged\n");
		return 2;
	}
	if (nadded == 0) {
		printf("BAD: session opened but no new mount\n");
		return 2;
	}
	for (size_t i = 0; i < nadded; i++) {
		int ok = 0;

		for (int j = 0; j < nallowed; j++)
			if (strcmp(added[i], allowed[j]) == 0)
				ok = 1;
		if (!ok) {
			printf("BAD: session has a mount on %s, outside the intended place\n",
			       added[i]);
			return 2;
		}
	}
	if (must_exist && access(must_exist, F_OK) < 0) {
		printf("BAD: session opened but %s is not in its view\n", must_exist);
		return 2;
	}
	pam_close_session(ph, 0);
	pam_end(ph, PAM_SUCCESS);
	return 0;
}

/* Single mode: one session in the calling thread, and the report. */
static int single(const char *svc, const char *user, const char *dir, int threads)
{
	char ns0[128], ns1[128], cwd0[PATH_MAX] = "", cwd1[PATH_MAX] = "";
	struct stat c0, c1;
	struct fds f0, f1;
	struct mounts m0, m1;
	pam_handle_t *ph, *first = NULL;
	int rc;

	if (dir && chdir(dir) < 0) {
		perror(dir);
		return 3;
	}
	struct pam_conv c = {conv, NULL};
	if (pam_start(svc, user, &c, &ph) != PAM_SUCCESS) {
		fprintf(stderr, "pam-client: pam_start failed\n");
		return 3;
	}
	if (twice) {
		if (pam_start(svc, user, &c, &first) != PAM_SUCCESS) {
			fprintf(stderr, "pam-client: pam_start failed\n");
			return 3;
		}
		printf("first_rc=%d\n", pam_open_session(first, 0));
	}
	readlink_str("/proc/thread-self/ns/mnt", ns0, sizeof(ns0));
	if (!getcwd(cwd0, sizeof(cwd0)))
		strcpy(cwd0, "(unreachable)");
	stat(".", &c0);
	mounts_read(&m0);
	fds_read(&f0);
	rc = pam_open_session(ph, 0);
	fds_read(&f1);
	mounts_read(&m1);
	readlink_str("/proc/thread-self/ns/mnt", ns1, sizeof(ns1));
	if (!getcwd(cwd1, sizeof(cwd1)))
		strcpy(cwd1, "(unreachable)");
	stat(".", &c1);

	printf("rc=%d\n", rc);
	printf("locale=%s\n", setlocale(LC_CTYPE, NULL));
	printf("threads=%d\n", threads);
	printf("ns_changed=%s\n", strcmp(ns0, ns1) ? "yes" : "no");
	printf("cwd_before=%s\ncwd_after=%s\n", cwd0, cwd1);
	printf("cwd_dev_changed=%s\n", c0.st_dev != c1.st_dev ? "yes" : "no");
	{
		DIR *d = opendir(".");
		struct dirent *e;
		int n = 0;

		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				n++;
		if (d)
			closedir(d);
		printf("cwd_entries=%d\n", d ? n : -1);
	}
	unsigned long long id;
	printf("root_in_view=%s\n",
	       mnt_id_of(AT_FDCWD, "/", 0, &id) == 0 && mounts_has_id(&m1, id) ? "yes" : "no");
	printf("cwd_in_view=%s\n",
	       mnt_id_of(AT_FDCWD, ".", 0, &id) == 0 && mounts_has_id(&m1, id) ? "yes" : "no");
	printf("new_fds=");
	for (size_t i = 0; i < f1.n; i++) {
		size_t j;

		for (j = 0; j < f0.n; j++)
			if (f0.fd[j] == f1.fd[i] && strcmp(f0.target[j], f1.target[i]) == 0)
				break;
		if (j == f0.n)
			printf("%d:%s ", f1.fd[i], f1.target[i]);
	}
	/* Descriptors the caller had before are its own business (stdin, stdout...); any
	 * descriptor of a mount namespace, and any new one on a mount outside the new view, is
	 * a way back into the original namespace. */
	printf("\nfds_outside=");
	for (size_t i = 0; i < f1.n; i++) {
		int existed = 0;

		if (strncmp(f1.target[i], "mnt:", 4) == 0) {
			printf("%d:%s ", f1.fd[i], f1.target[i]);
			continue;
		}
		for (size_t j = 0; j < f0.n; j++)
			if (f0.fd[j] == f1.fd[i] && strcmp(f0.target[j], f1.target[i]) == 0)
				existed = 1;
		if (existed || f1.target[i][0] != '/')
			continue; /* pipes, sockets, anon inodes: no mount to check */
		if (mnt_id_of(f1.fd[i], "", AT_EMPTY_PATH, &id) == 0 && !mounts_has_id(&m1, id))
			printf("%d:%s ", f1.fd[i], f1.target[i]);
	}
	char **added;
	size_t nadded = mounts_new(&m0, &m1, &added);
	printf("\nnew_mounts=");
	for (size_t i = 0; i < nadded; i++)
		printf("%s ", added[i]);
	printf("\nprompts=%d\n", prompts);
	printf("record=%s\n", record_seen ? "yes" : "no");
	printf("ns_after=%s\n", ns1);
	if (first) {
		printf("closed_first=%d\n", pam_close_session(first, 0));
		pam_end(first, PAM_SUCCESS);
	}
	if (hold > 0 || hold_file) {
		printf("holding=%d\n", (int)getpid());
		if (hold_file)
			while (access(hold_file, F_OK) < 0)
				usleep(50000);
		else
			sleep((unsigned)hold);
	}
	if (rc == PAM_SUCCESS)
		printf("close_rc=%d\n", pam_close_session(ph, 0));
	pam_end(ph, rc);
	return 0;
}

struct worker_args {
	const char *svc, *user, *dir;
	int go[2];
	int rc;
};

/* -w: waits until the main thread has left for a namespace of its own, then runs single(). */
static void *worker(void *arg)
{
	struct worker_args *w = arg;
	char c;

	if (read(w->go[0], &c, 1) != 1)
		w->rc = 3;
	else
		w->rc = single(w->svc, w->user, w->dir, 2);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: pam-client [-2] [-t|-w] [-c DIR] [-s SECONDS|-H FILE] [-n N] "
			"[-a PATH]... [-f FILE] SERVICE USER\n"
			"       pam-client -N [-t|-w] [-c DIR] SERVICE\n");
}

int main(int argc, char **argv)
{
	char *allowed[16], *dir = NULL;
	int nallowed = 0, thread = 0, worker_mode = 0, loops = 0, no_user = 0, opt;

	/* As login and su do: the module must read its config the same under any LANG. */
	setlocale(LC_ALL, "");

	while ((opt = getopt(argc, argv, "2Ntwc:n:a:f:s:H:")) != -1) {
		switch (opt) {
		case '2':
			twice = 1;
			break;
		case 'N':
			no_user = 1;
			break;
		case 't':
			thread = 1;
			break;
		case 'w':
			worker_mode = 1;
			break;
		case 'c':
			dir = optarg;
			break;
		case 'n':
			loops = atoi(optarg);
			break;
		case 'f':
			must_exist = optarg;
			break;
		case 's':
			hold = atoi(optarg);
			break;
		case 'H':
			hold_file = optarg;
			break;
		case 'a':
			if (nallowed < 16)
				allowed[nallowed++] = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	if (argc - optind != (no_user ? 1 : 2)) {
		usage();
		return 2;
	}
	const char *svc = argv[optind], *user = no_user ? NULL : argv[optind + 1];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (loops > 0) {
		int ok = 0, refused = 0, bad = 0;

		for (int i = 0; i < loops; i++) {
			pid_t pid;
			int st;

			fflush(NULL);
			pid = fork();
			if (pid < 0) {
				perror("fork");
				return 3;
			}
			if (pid == 0)
				_exit(one_login(svc, user, allowed, nallowed));
			if (waitpid(pid, &st, 0) < 0) {
				perror("waitpid");
				return 3;
			}
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				ok++;
			else if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
				refused++;
			else {
				bad++;
				if (!WIFEXITED(st))
					printf("BAD: login %d died (status 0x%x)\n", i, st);
			}
		}
		printf("logins=%d ok=%d refused=%d bad=%d\n", loops, ok, refused, bad);
		return bad ? 1 : 0;
	}

	if (worker_mode) {
		struct worker_args w = { svc, user, dir, { -1, -1 }, 0 };
		pthread_t t;

		if (pipe2(w.go, O_CLOEXEC) < 0 || pthread_create(&t, NULL, worker, &w) != 0) {
			fprintf(stderr, "pam-client: cannot start the worker thread\n");
			return 3;
		}
		/* The main thread moves to a namespace of its own: a module that saved the
		 * process's namespace (/proc/self) instead of the calling thread's would send
		 * the worker there on failure. */
		if (unshare(CLONE_NEWNS) < 0) {
			perror("pam-client: unshare");
			return 3;
		}
		if (write(w.go[1], "x", 1) != 1 || pthread_join(t, NULL) != 0)
			return 3;
		return w.rc;
	}
	if (thread) {
		pthread_t t;

		if (pthread_create(&t, NULL, sleeper, NULL) != 0) {
			fprintf(stderr, "pam-client: pthread_create failed\n");
			return 3;
		}
	}
	return single(svc, user, dir, thread ? 2 : 1);
}
