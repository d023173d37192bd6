/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* mntnsctl list: every live view of scope = user, found from the lock files of the run
 * directory (never from NSS, so a user who no longer exists is listed too), with what keeps
 * it and what its tmpfs mounts hold. Read without any lock, changing nothing. The tmpfs
 * mounts are measured through a thread of the view: its mountinfo names them, its root
 * leads to them, and no mount a user made is entered on the way (its server is asked
 * nothing). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "ctl.h"
#include "path.h"
#include "userscope.h"

/* One line of a view's mountinfo, as much of it as the measuring needs. */
struct mnt {
	unsigned long long id;
	char dev[32];	/* MAJ:MIN of its superblock */
	char *point;	/* relative to the thread's root, unescaped */
	bool ours;	/* a tmpfs of the module's (source pam_mntns), not the view's record */
	bool user_fuse; /* a FUSE mount a user made: never entered */
};

struct table {
	struct mnt *m;
	size_t n;
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->m[i].point);
	free(t->m);
	t->m = NULL;
	t->n = 0;
}

/* mountinfo writes space, tab, newline and backslash as \OOO. */
static void unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* Does the comma list OPTS hold OPT? */
static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* "ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER" */
static int parse_line(char *line, struct mnt *m)
{
	char *sep = strstr(line, " - "), *f[6], *save = NULL, *type, *source, *super;
	int k = 0;

	if (!sep)
		return -EINVAL;
	*sep = '\0';
	for (char *t = strtok_r(line, " ", &save); t && k < 6; t = strtok_r(NULL, " ", &save))
		f[k++] = t;
	type = strtok_r(sep + 3, " ", &save);
	source = strtok_r(NULL, " ", &save);
	super = strtok_r(NULL, " \n", &save);
	if (k < 6 || !type || !source)
		return -EINVAL;
	m->id = strtoull(f[0], NULL, 10);
	snprintf(m->dev, sizeof(m->dev), "%s", f[2]);
	unescape(f[4]);
	m->point = strdup(f[4]);
	if (!m->point)
		return -ENOMEM;
	m->ours = strcmp(type, "tmpfs") == 0 && strcmp(source, "pam_mntns") == 0 &&
		  strcmp(m->point, MNTNS_RUN_DIR) != 0;
	/* fusermount3 sets user_id to the real uid of the user who mounts (see path.c). */
	m->user_fuse = strncmp(type, "fuse", 4) == 0 && !(super && has_opt(super, "user_id=0"));
	return 0;
}

/* Reads the mountinfo of the thread whose /proc directory is TASK. */
static int read_table(int task, struct table *t)
{
	_cleanup_close_ int fd = openat(task, "mountinfo", O_RDONLY | O_CLOEXEC);
	FILE *f;
	char *line = NULL;
	size_t cap = 0, size = 0;
	int rc = 0;

	if (fd < 0)
		return -errno;
	f = fdopen(fd, "r");
	if (!f)
		return -errno;
	fd = -1; /* fclose closes it */
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		if (t->n == size) {
			struct mnt *more =
			    realloc(t->m, (size = size ? size * 2 : 64) * sizeof(*more));

			if (!more) {
				rc = -ENOMEM;
				break;
			}
			t->m = more;
		}
		memset(&t->m[t->n], 0, sizeof(t->m[t->n]));
		rc = parse_line(line, &t->m[t->n]);
		if (rc == 0)
			t->n++;
		else if (rc == -EINVAL)
			rc = 0;
	}
	free(line);
	fclose(f);
	return rc;
}

static const struct mnt *by_id(const struct table *t, unsigned long long id)
{
	for (size_t i = 0; id && i < t->n; i++)
		if (t->m[i].id == id)
			return &t->m[i];
	return NULL;
}

/* Opens mount point M from ROOT, one component at a time, never through a symlink and never
 * into a mount the table does not know or that a user made: opening a component only asks the
 * filesystem of the directory it is in, so a user's server is never reached. Returns an O_PATH
 * descriptor of M's root, or -errno (-EXDEV: something else is mounted over it). */
static int open_mount(int root, const struct table *t, const struct mnt *m)
{
	_cleanup_close_ int dir = fcntl(root, F_DUPFD_CLOEXEC, 3);
	char path[4096], *save = NULL;
	unsigned long long id;

	if (dir < 0)
		return -errno;
	snprintf(path, sizeof(path), "%s", m->point);
	for (char *c = strtok_r(path, "/", &save);; c = strtok_r(NULL, "/", &save)) {
		const struct mnt *on;
		int fd;

		id = mntns_path_mount_id(dir);
		on = by_id(t, id);
		if (!on || on->user_fuse)
			return -EPERM;
		if (!c)
			break;
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			return -EINVAL;
		fd = openat(dir, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		close(dir);
		dir = fd;
	}
	return id == m->id ? mntns_take_fd(&dir) : -EXDEV;
}

struct usage {
	unsigned long long bytes;
	unsigned measured, unmeasured;
};

/* What the module's tmpfs mounts in the view of thread TASK hold, each superblock once. */
static void measure(int task, struct usage *u)
{
	_cleanup_close_ int root = openat(task, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct table t = {0};

	memset(u, 0, sizeof(*u));
	if (root < 0 || read_table(task, &t) < 0) {
		u->unmeasured = 1;
		table_free(&t);
		return;
	}
	for (size_t i = 0; i < t.n; i++) {
		_cleanup_close_ int fd = -1;
		struct statfs sf;
		bool seen = false;

		if (!t.m[i].ours)
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = t.m[k].ours && strcmp(t.m[k].dev, t.m[i].dev) == 0;
		if (seen)
			continue;
		fd = open_mount(root, &t, &t.m[i]);
		if (fd < 0 || fstatfs(fd, &sf) < 0) {
			u->unmeasured++;
			continue;
		}
		u->bytes +=
		    (unsigned long long)(sf.f_blocks - sf.f_bfree) * (unsigned long long)sf.f_bsize;
		u->measured++;
	}
	table_free(&t);
}

/* Opens the /proc directory of a thread of V that is still in its namespace. */
static int view_task(const struct mntns_us_view *v)
{
	for (size_t i = 0; i < v->procs.n; i++) {
		char name[32];
		struct stat st;
		int fd;

		snprintf(name, sizeof(name), "/proc/%d", (int)v->procs.p[i].tid);
		fd = open(name, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstatat(fd, "ns/mnt", &st, 0) == 0 &&
		    (unsigned long long)st.st_ino == v->ns_ino &&
		    (unsigned long long)st.st_dev == v->ns_dev)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/* Seconds since the epoch at which the system booted (/proc/stat "btime"), or -1. */
static long long boot_time(void)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[256];
	long long bt = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %lld", &bt) == 1)
			break;
	fclose(f);
	return bt;
}

struct row {
	uid_t uid;
	char *name; /* NULL: not in NSS */
	unsigned long long ns_ino;
	size_t sessions, procs;
	struct usage use;
	long long since; /* seconds since the epoch, or -1 */
};

static void human(unsigned long long b, char *buf, size_t size)
{
	const char *unit = "KMGTPE";
	double v = (double)b;
	int k = -1;

	if (b < 1024) {
		snprintf(buf, size, "%llu", b);
		return;
	}
	while (v >= 1024 && k < 5) {
		v /= 1024;
		k++;
	}
	snprintf(buf, size, v < 10 ? "%.1f%c" : "%.0f%c", v, unit[k]);
}

static void date(long long t, bool iso, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char off[8];

	if (t < 0 || !localtime_r(&tt, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	if (!iso) {
		strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
		return;
	}
	strftime(off, sizeof(off), "%z", &tm); /* +0100; ISO 8601 wants +01:00 */
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + strlen(buf), size - strlen(buf), "%.3s:%.2s", off, off + 3);
}

static void print_json(const struct row *r, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		char since[64];

		date(r[i].since, true, since, sizeof(since));
		printf("%s\n  {\"user\": ", i ? "," : "");
		if (r[i].name)
			cli_put_json(stdout, r[i].name);
		else
			printf("null");
		printf(", \"uid\": %u, \"namespace\": \"mnt:[%llu]\", \"sessions\": %zu, "
		       "\"processes\": %zu, \"tmpfs_bytes\": %llu, \"tmpfs_unmeasured\": %u, "
		       "\"since\": ",
		       (unsigned)r[i].uid, r[i].ns_ino, r[i].sessions, r[i].procs, r[i].use.bytes,
		       r[i].use.unmeasured);
		if (r[i].since >= 0)
			printf("\"%s\", \"since_epoch\": %lld}", since, r[i].since);
		else
			printf("null, \"since_epoch\": null}");
	}
	printf("%s]\n", n ? "\n" : "");
}

/* The USER column of R: its name, or what stands for it. */
static int user_width(const struct row *r)
{
	char label[64];

	if (r->name)
		return (int)strlen(r->name);
	return snprintf(label, sizeof(label), "(uid %u, not in NSS)", (unsigned)r->uid);
}

static void print_text(const struct row *r, size_t n)
{
	int w = 4; /* "USER" */

	for (size_t i = 0; i < n; i++) {
		int l = user_width(&r[i]);

		if (l > w && l <= 32)
			w = l;
	}
	printf("%-*s %10s %-18s %8s %9s %7s  %s\n", w, "USER", "UID", "NAMESPACE", "SESSIONS",
	       "PROCESSES", "TMPFS", "SINCE");
	for (size_t i = 0; i < n; i++) {
		char ns[40], use[32], since[64];
		int l = user_width(&r[i]);

		snprintf(ns, sizeof(ns), "mnt:[%llu]", r[i].ns_ino);
		human(r[i].use.bytes, use, sizeof(use));
		if (r[i].use.unmeasured)
			snprintf(use + strlen(use), sizeof(use) - strlen(use), "+?");
		date(r[i].since, false, since, sizeof(since));
		if (r[i].name)
			cli_put_safe(stdout, r[i].name);
		else
			printf("(uid %u, not in NSS)", (unsigned)r[i].uid);
		printf("%*s", l < w ? w - l : 0, "");
		printf(" %10u %-18s %8zu %9zu %7s  %s\n", (unsigned)r[i].uid, ns, r[i].sessions,
		       r[i].procs, use, since);
	}
}

/* One user's row; false when the user has no live view. */
static bool read_row(uid_t uid, long long btime, long ticks, struct row *r, struct mntns_err *err,
		     int *rc)
{
	struct mntns_us_view v;
	unsigned long long oldest = ~0ULL;
	_cleanup_close_ int task = -1;

	*rc = mntns_us_view_read(uid, &v, err);
	if (*rc < 0 || !v.live) {
		mntns_procs_free(&v.procs);
		return false;
	}
	memset(r, 0, sizeof(*r));
	r->uid = uid;
	r->ns_ino = v.ns_ino;
	r->sessions = v.sessions;
	r->procs = v.procs.n;
	for (size_t i = 0; i < v.procs.n; i++)
		if (v.procs.p[i].start < oldest)
			oldest = v.procs.p[i].start;
	r->since =
	    btime >= 0 && ticks > 0 ? btime + (long long)(oldest / (unsigned long long)ticks) : -1;
	task = view_task(&v);
	if (task >= 0)
		measure(task, &r->use);
	else
		r->use.unmeasured = 1;
	mntns_procs_free(&v.procs);
	r->name = cli_user_name(uid);
	return true;
}

int ctl_list(bool json)
{
	long long btime = boot_time();
	long ticks = sysconf(_SC_CLK_TCK);
	struct mntns_err err;
	struct row *rows = NULL;
	uid_t *uids = NULL;
	size_t n = 0, k = 0;
	int status = 0;

	if (mntns_us_uids(&uids, &n, &err) < 0) {
		fprintf(stderr, "mntnsctl list: %s\n", err.msg);
		return 1;
	}
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		free(uids);
		fprintf(stderr, "mntnsctl list: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (read_row(uids[i], btime, ticks, &rows[k], &err, &rc))
			k++;
		else if (rc < 0) {
			fprintf(stderr, "mntnsctl list: uid %u: %s\n", (unsigned)uids[i], err.msg);
			status = 1;
		}
	}
	if (json)
		print_json(rows, k);
	else if (k)
		print_text(rows, k);
	for (size_t i = 0; i < k; i++)
		free(rows[i].name);
	free(rows);
	free(uids);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
