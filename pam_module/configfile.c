/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Reading mntns.conf and its drop-ins: every directory from / and every file judged through
 * the descriptor that is read (path.c's strict walk), a file that changes while it is read
 * read again or refused, drop-ins in byte order of name. The text goes to config.c. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "inicheck.h"
#include "path.h"

#define MAX_CONFIG_SIZE (16 << 20)

/* A file or directory that cannot be trusted or read: every login must be refused, so the
 * rest of the config need not be looked at (see config.h). Returns RC. */
static int untrusted(struct mntns_config *cfg, int rc)
{
	cfg->trusted = false;
	cfg->global_ok = false;
	return rc;
}

/* Folds the result R of one more step into RC, the result so far. The first error in what a
 * file says stays the one reported; a trust or read failure after it is reported instead,
 * since that is what refuses every login (and it ends the loading). LATER holds R's message
 * when RC was already an error. */
static int fold(const struct mntns_config *cfg, int rc, int r, const struct mntns_err *later,
		struct mntns_err *err)
{
	if (r == 0 || (rc < 0 && cfg->trusted))
		return rc;
	if (rc < 0)
		*err = *later;
	return r;
}

/* Says why a config path was refused: V (of a strict walk) names the component and the
 * reason. */
static int walk_error(const char *what, int rc, const struct mntns_path_verdict *v,
		      struct mntns_err *err)
{
	/* Named when it is not WHAT itself: a directory on the way, or where a link led. */
	bool above = !v->at_last || strcmp(v->resolved, what) != 0;
	char why[MNTNS_VERDICT_TEXT_MAX];

	if (v->refusal && above)
		return mntns_fail(err, rc, "%s: %s %s", what, v->resolved,
				  mntns_path_verdict_text(v, why, sizeof(why)));
	if (v->refusal)
		return mntns_fail(err, rc, "%s: %s", what, mntns_path_verdict_text(v, why, sizeof(why)));
	if (rc == -ELOOP)
		return mntns_fail(err, rc, "%s: %s a symbolic link; refusing to follow it", what,
				  above ? "a component of the path is" : "is");
	if (rc == -EINVAL && what[0] != '/')
		return mntns_fail(err, rc, "%s: not an absolute path", what);
	return mntns_fail(err, rc, "%s: cannot open: %s", what, strerror(-rc));
}

static bool same_file_state(const struct stat *a, const struct stat *b)
{
	return mntns_same_inode(a, b) && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* How long a file must have been left alone before it is believed whole. One write() of a
 * few pages extends the file a page at a time but sets its mtime once, at the start: a read
 * between two of those pages sees a shorter file with the same size, mtime and ctime before
 * and after; a program that writes in pieces leaves such a file between two of them. This
 * catches writers that pause for less than this; only a rename over the file is atomic. */
#define QUIET_NS (100 * 1000 * 1000LL)

/* Waits, before the file of ST is read, until its last change (mtime, or ctime, which nobody
 * can set back) is QUIET_NS old; a change in the future (clock skew) waits QUIET_NS once.
 * Returns whether it waited. Only right after root changes the config. */
static bool wait_quiet(const struct stat *st)
{
	const struct timespec *t = &st->st_mtim;
	struct timespec now, left;
	long long age;

	if (st->st_ctim.tv_sec > t->tv_sec ||
	    (st->st_ctim.tv_sec == t->tv_sec && st->st_ctim.tv_nsec > t->tv_nsec))
		t = &st->st_ctim;
	if (clock_gettime(CLOCK_REALTIME, &now) < 0)
		return false;
	age = (long long)(now.tv_sec - t->tv_sec) * 1000000000LL + (now.tv_nsec - t->tv_nsec);
	if (age >= QUIET_NS)
		return false;
	left.tv_sec = 0;
	left.tv_nsec = (long)(age < 0 ? QUIET_NS : QUIET_NS - age);
	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
	return true;
}

/* Reads all of FD into *BUF. A file that root rewrites in place while logins run ("cat new >
 * mntns.conf", an editor that truncates first) is read short or empty, which would be a valid
 * config that mounts nothing: the file must have been left alone for a moment, look the same
 * before and after the read, and be read to its end at exactly its size; or it is read again
 * (a few times) and then refused. */
static int read_whole(int fd, const char *what, char **buf, size_t *len, struct mntns_err *err)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		struct stat before, after;
		size_t n = 0;
		ssize_t r = 1;

		if (fstat(fd, &before) < 0)
			return mntns_fail(err, -errno, "%s: fstat: %s", what, strerror(errno));
		/* Changed while we waited: not quiet yet, look again. */
		if (wait_quiet(&before)) {
			if (fstat(fd, &after) < 0)
				return mntns_fail(err, -errno, "%s: fstat: %s", what,
						  strerror(errno));
			if (!same_file_state(&before, &after))
				continue;
		}
		if (before.st_size > MAX_CONFIG_SIZE)
			return mntns_fail(err, -EFBIG, "%s: larger than %d bytes", what,
					  MAX_CONFIG_SIZE);
		free(*buf);
		*buf = malloc((size_t)before.st_size + 2);
		if (!*buf)
			return mntns_fail(err, -ENOMEM, "out of memory");
		/* One byte more than the size: reading it shows that the file grew meanwhile. */
		while (r != 0 && n <= (size_t)before.st_size) {
			r = pread(fd, *buf + n, (size_t)before.st_size + 1 - n, (off_t)n);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return mntns_fail(err, -errno, "%s: read: %s", what, strerror(errno));
			n += (size_t)r;
		}
		if (fstat(fd, &after) < 0)
			return mntns_fail(err, -errno, "%s: fstat: %s", what, strerror(errno));
		if (n == (size_t)before.st_size && same_file_state(&before, &after)) {
			*len = n;
			return 0;
		}
	}
	return mntns_fail(err, -EAGAIN,
			  "%s: the file changed while it was being read; refusing a config that "
			  "may be half-written (replace it by renaming a new file over it)",
			  what);
}

/* A file with no section at all (empty, or only comments) is what a reader sees while the file
 * is being rewritten, far more often than a config that means "nothing to do". */
static bool has_section(const char *buf, size_t len)
{
	bool line_start = true;

	for (size_t i = 0; i < len; i++) {
		if (line_start && buf[i] == '[')
			return true;
		if (buf[i] == '\n')
			line_start = true;
		else if (!inicheck_is_space(buf[i]))
			line_start = false;
	}
	return false;
}

/* The config's paths: root's (or TRUSTED's) alone, from "/" down. */
static struct mntns_trust strict(uid_t trusted)
{
	return (struct mntns_trust){ .uid = trusted, .flags = MNTNS_TRUST_STRICT };
}

/* Reads the file WHAT into *BUF, through the descriptor that the trust call judged. Every
 * directory from "/" down to it must be root's alone (a member of a group that may write to
 * /etc/security could otherwise move the file away). */
static int read_trusted(const char *what, uid_t trusted, char **buf, size_t *len,
			struct mntns_err *err)
{
	struct mntns_trust t = strict(trusted);
	struct mntns_path_verdict v;
	_cleanup_close_ int path_fd = mntns_path_open_trusted(what, MNTNS_WANT_FILE, &t, &v);
	_cleanup_close_ int fd = -1;

	if ((path_fd == -EINVAL || path_fd == -EISDIR) && what[0] == '/' && v.at_last)
		return mntns_fail(err, -EINVAL, "%s: not a regular file", what);
	if (path_fd < 0)
		return walk_error(what, path_fd, &v, err);
	/* O_NONBLOCK: nothing but a regular file gets here, but nothing must hang a login. */
	fd = mntns_path_reopen(path_fd, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return walk_error(what, fd, &v, err);
	return read_whole(fd, what, buf, len, err);
}

/* Reads and adds one file (see read_trusted). */
static int load_file(struct mntns_config *cfg, const char *what, uid_t trusted, bool main,
		     struct mntns_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int rc = read_trusted(what, trusted, &buf, &len, err);

	if (rc < 0)
		return untrusted(cfg, rc);
	/* Root's own doing, not a trust failure; but whatever [global] it is about to say is
	 * not known. */
	if (!has_section(buf, len)) {
		cfg->global_ok = false;
		return mntns_fail(err, -EINVAL,
				  "%s: no section in the file (empty, or being rewritten?); %s", what,
				  main ? "a config that selects nobody says so: [global] users = !*"
				       : "to turn a drop-in off, rename it to a name without .conf");
	}
	return mntns_config_add_buffer(cfg, what, buf, len, err);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dropin(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Lists the drop-in names of D, sorted by byte order. */
static int list_dropins(DIR *d, const char *dir, char ***out, size_t *n_out, struct mntns_err *err)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	errno = 0;
	while ((de = readdir(d))) {
		char **nn;

		if (!is_dropin(de->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			free_names(nn ? nn : names, n);
			return mntns_fail(err, -ENOMEM, "out of memory");
		}
		names = nn;
		n++;
		errno = 0;
	}
	if (errno) {
		int e = errno;

		free_names(names, n);
		return mntns_fail(err, -e, "%s: readdir: %s", dir, strerror(e));
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*n_out = n;
	return 0;
}

/* Opens the drop-in directory DIR, judged as the main file's directories are, and lists its
 * drop-ins; *D stays NULL when it is missing. */
static int open_dir(const char *dir, uid_t trusted, DIR **d, char ***names, size_t *n,
		    struct mntns_err *err)
{
	struct mntns_trust t = strict(trusted);
	struct mntns_path_verdict v;
	_cleanup_close_ int path_fd = mntns_path_open_trusted(dir, MNTNS_WANT_DIR, &t, &v);
	_cleanup_close_ int fd = -1;
	bool itself = v.at_last;

	/* Missing is "no drop-ins" only because the parent is trusted: nobody else can have
	 * moved the directory aside. */
	if (path_fd == -ENOENT && itself)
		return 0;
	if (path_fd == -ENOTDIR && itself)
		return mntns_fail(err, -ENOTDIR, "%s: not a directory", dir);
	if (path_fd < 0)
		return walk_error(dir, path_fd, &v, err);
	fd = openat(path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mntns_fail(err, -errno, "%s: cannot open: %s", dir, strerror(errno));
	*d = fdopendir(fd);
	if (!*d)
		return mntns_fail(err, -errno, "%s: fdopendir: %s", dir, strerror(errno));
	fd = -1; /* owned by *d now */
	return list_dropins(*d, dir, names, n, err);
}

/* Reads the drop-ins of DIR in order; after an error in what one says, the others are still
 * read (see config.h), after a trust or read failure none. Each is walked from "/" again, by
 * its whole path, so that the file judged is the file read. */
static int load_dir(struct mntns_config *cfg, const char *dir, uid_t trusted,
		    struct mntns_err *err)
{
	__attribute__((cleanup(closedirp))) DIR *d = NULL;
	struct mntns_err later;
	char **names = NULL;
	size_t n = 0;
	int rc = open_dir(dir, trusted, &d, &names, &n, err);

	if (rc < 0)
		return untrusted(cfg, rc);
	for (size_t i = 0; cfg->trusted && i < n; i++) {
		char what[4096 + 256 + 2]; /* DIR, "/" and a name */
		int r;

		snprintf(what, sizeof(what), "%s/%s", dir, names[i]);
		r = load_file(cfg, what, trusted, false, rc < 0 ? &later : err);
		rc = fold(cfg, rc, r, &later, err);
	}
	free_names(names, n);
	return rc;
}

/* Copies PATH into BUF without trailing slashes ("/etc/security/mntns.d/" would otherwise
 * name an empty last component, which does not exist: no drop-ins at all). */
static const char *without_trailing_slash(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= size)
		return path; /* refused by the walk as too long anyway */
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

int mntns_config_load(struct mntns_config *cfg, const char *path, const char *dir,
		      uid_t trusted_uid, struct mntns_err *err)
{
	struct mntns_err later;
	char buf[4096];
	int rc, r;

	mntns_config_init(cfg);
	rc = load_file(cfg, without_trailing_slash(path, buf, sizeof(buf)), trusted_uid, true, err);
	/* After an error in what the main file says, the drop-ins still tell their [global]. */
	if (cfg->trusted && dir) {
		r = load_dir(cfg, without_trailing_slash(dir, buf, sizeof(buf)), trusted_uid,
			     rc < 0 ? &later : err);
		rc = fold(cfg, rc, r, &later, err);
	}
	if (cfg->trusted) {
		r = mntns_config_finish(cfg, rc < 0 ? &later : err);
		rc = fold(cfg, rc, r, &later, err);
	}
	return rc;
}
