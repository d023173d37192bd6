/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* fakefs: a FUSE filesystem a local user can mount, for the attacker cases of the integration
 * tests (tests/lib/sandbox.sh: sb_fuse_mount).  Not installed.
 *
 *   fakefs MODE MOUNTPOINT [FUSE OPTIONS, e.g. -o allow_other]
 *
 * Serves a root directory holding a directory "X0" and an empty regular file "sock", in the
 * foreground, single-threaded.  MODE says how it answers:
 *   plain  honestly: everything belongs to the user running the server (0755 dirs, 0644 file);
 *   root   with a lie: everything, the root directory too, claims uid 0 / gid 0, so a tree the
 *          user controls looks root-owned to whoever trusts stat();
 *   hang   never: every request after INIT blocks until the server is told to stop, so a
 *          process that stats, opens or lists anything on the mount (the mount point itself
 *          included) sleeps in the kernel, uninterruptibly once the request was read;
 *   badroot  (review h-rev2) says its root directory is a regular file, so the first stat
 *          of the mount point makes the kernel mark the root inode bad: from then on every
 *          statx of it, root's with AT_STATX_DONT_SYNC too, fails with EIO.
 * Prints "ready" on stdout once the kernel's INIT is answered, i.e. the mount is usable.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fuse.h>
#include <fuse_lowlevel.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum mode { PLAIN, ROOT, HANG, BADROOT };
static enum mode mode;

/* Blocks the (only) server thread, so no later request is read either.  Ends when libfuse's
 * SIGTERM/SIGINT/SIGHUP handler marks the session exited (the signal also interrupts pause()),
 * so the test's cleanup stops the server with SIGTERM instead of waiting for SIGKILL; the
 * request that waited then fails with EIO. */
static int hang(void)
{
	struct fuse_session *se = fuse_get_session(fuse_get_context()->fuse);

	while (!fuse_session_exited(se))
		pause();
	return -EIO;
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	/* No caching in the kernel: every stat() reaches the server, so each one lies or hangs. */
	cfg->attr_timeout = 0;
	cfg->entry_timeout = 0;
	cfg->negative_timeout = 0;
	/* INIT itself must be answered (libfuse does that after this returns), or the mount
	 * would never become usable and every mode would look like "hang". */
	printf("ready\n");
	fflush(stdout);
	return NULL;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	if (mode == HANG)
		return hang();
	memset(st, 0, sizeof(*st));
	if (mode == BADROOT && strcmp(path, "/") == 0) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
	} else if (strcmp(path, "/") == 0 || strcmp(path, "/X0") == 0) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (strcmp(path, "/sock") == 0) {
		st->st_mode = S_IFREG | 0644;
		st->st_nlink = 1;
	} else {
		return -ENOENT;
	}
	st->st_uid = mode == ROOT ? 0 : getuid();
	st->st_gid = mode == ROOT ? 0 : getgid();
	return 0;
}

static int fs_access(const char *path, int mask)
{
	(void)path;
	(void)mask;
	if (mode == HANG)
		return hang();
	return 0;
}

static int fs_opendir(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if (mode == HANG)
		return hang();
	return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (mode == HANG)
		return hang();
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	if (strcmp(path, "/") == 0) {
		fill(buf, "X0", NULL, 0, 0);
		fill(buf, "sock", NULL, 0, 0);
	}
	return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	if (mode == HANG)
		return hang();
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)buf;
	(void)size;
	(void)off;
	(void)fi;
	if (mode == HANG)
		return hang();
	return 0; /* "sock" is empty */
}

static int fs_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	if (mode == HANG)
		return hang();
	memset(st, 0, sizeof(*st));
	st->f_bsize = 4096;
	st->f_namemax = 255;
	return 0;
}

static const struct fuse_operations ops = {
    .init = fs_init,
    .getattr = fs_getattr,
    .access = fs_access,
    .opendir = fs_opendir,
    .readdir = fs_readdir,
    .open = fs_open,
    .read = fs_read,
    .statfs = fs_statfs,
};

int main(int argc, char **argv)
{
	char *args[64];
	char fsname[64];
	int n = 0, i;

	if (argc < 3 || argc > 50) {
		fprintf(stderr, "usage: fakefs plain|root|hang MOUNTPOINT [FUSE OPTIONS]\n");
		return 2;
	}
	if (strcmp(argv[1], "plain") == 0)
		mode = PLAIN;
	else if (strcmp(argv[1], "root") == 0)
		mode = ROOT;
	else if (strcmp(argv[1], "hang") == 0)
		mode = HANG;
	else if (strcmp(argv[1], "badroot") == 0)
		mode = BADROOT;
	else {
		fprintf(stderr, "fakefs: unknown mode %s\n", argv[1]);
		return 2;
	}
	/* Foreground, so the test's pid is the server's; single-threaded, so one hung request
	 * stalls the whole mount.  The source field in mountinfo names the mode. */
	snprintf(fsname, sizeof(fsname), "fsname=fakefs-%s", argv[1]);
	args[n++] = argv[0];
	args[n++] = "-f";
	args[n++] = "-s";
	args[n++] = "-o";
	args[n++] = fsname;
	for (i = 3; i < argc; i++)
		args[n++] = argv[i];
	args[n++] = argv[2];
	args[n] = NULL;
	return fuse_main(n, args, &ops, NULL);
}
