/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The trust decision of path.c on made-up stat results: which directories are hostile ground,
 * which a user could cover, and what is refused as planted there; and the modes of what it
 * makes. */
#include "testutil.h"

#include "err.h"
#include "path.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static struct stat st(uid_t uid, gid_t gid, mode_t mode, nlink_t nlink)
{
	struct stat s;

	memset(&s, 0, sizeof(s));
	s.st_uid = uid;
	s.st_gid = gid;
	s.st_mode = mode;
	s.st_nlink = nlink;
	return s;
}

#define DIR_(u, g, m) st(u, g, S_IFDIR | (m), 2)
#define REG_(u, n) st(u, u, S_IFREG | 0644, n)

static void test_hostile(void **state)
{
	(void)state;
	assert_false(mntns_path_hostile(&(struct stat){ .st_mode = S_IFDIR | 0755 }));
	struct stat tmp = DIR_(0, 0, 01777), rootgrp = DIR_(0, 0, 0775), proj = DIR_(0, 100, 02770),
		    home = DIR_(1000, 1000, 0755);

	assert_true(mntns_path_hostile(&tmp));
	assert_true(mntns_path_hostile(&rootgrp)); /* the group bits may be an ACL's mask */
	assert_true(mntns_path_hostile(&proj));
	assert_true(mntns_path_hostile(&home));
}

static void test_coverable(void **state)
{
	struct stat tmp = DIR_(0, 0, 01777), proj = DIR_(0, 100, 02770),
		    sticky_proj = DIR_(0, 100, 03770), own = DIR_(1000, 1000, 0777),
		    home = DIR_(1000, 1000, 0755),
		    other = DIR_(1001, 1001, 0755), etc = DIR_(0, 0, 0755);

	(void)state;
	assert_false(mntns_path_coverable(&tmp, 1000));
	assert_true(mntns_path_coverable(&proj, 1000));
	assert_false(mntns_path_coverable(&sticky_proj, 1000));
	assert_true(mntns_path_coverable(&own, 1000)); /* 0777: shared with everyone */
	assert_false(mntns_path_coverable(&home, 1000));
	assert_true(mntns_path_coverable(&other, 1000));
	assert_false(mntns_path_coverable(&etc, 1000));
}

static int judge(const struct stat *dir, struct stat obj, enum mntns_want want, bool strict,
		 uid_t uid, const char *needle)
{
	struct mntns_trust t = { .uid = uid, .flags = strict ? MNTNS_TRUST_STRICT : 0 };
	struct mntns_path_verdict v;
	int rc = mntns_path_judge(dir, &obj, want, &t, &v);
	char why[MNTNS_VERDICT_TEXT_MAX];

	mntns_path_verdict_text(&v, why, sizeof(why));
	if (needle && (rc != -EPERM || !v.refusal || !strstr(why, needle)))
		fail_msg("expected -EPERM \"%s\", got %d \"%s\"", needle, rc, why);
	if (!needle && v.refusal)
		fail_msg("expected no refusal, got %d \"%s\"", rc, why);
	return rc;
}

static void test_judge_hostile(void **state)
{
	struct stat tmp = DIR_(0, 0, 01777), home = DIR_(1000, 1000, 0700);

	(void)state;
	judge(&tmp, st(1001, 1001, S_IFLNK | 0777, 1), MNTNS_WANT_ANY, false, 1000,
	      "is a symbolic link");
	judge(&tmp, st(1000, 1000, S_IFLNK | 0777, 1), MNTNS_WANT_ANY, false, 1000,
	      "is a symbolic link"); /* her own too: it is never followed */
	judge(&tmp, DIR_(1001, 1001, 0777), MNTNS_WANT_DIR, false, 1000, "is owned by uid 1001");
	assert_int_equal(judge(&tmp, DIR_(1000, 1000, 0700), MNTNS_WANT_DIR, false, 1000, NULL), 0);
	assert_int_equal(judge(&tmp, DIR_(0, 0, 01777), MNTNS_WANT_DIR, false, 1000, NULL), 0);
	judge(&tmp, st(1000, 1000, S_IFIFO | 0600, 1), MNTNS_WANT_ANY, false, 1000, "is a FIFO");
	judge(&tmp, st(1000, 1000, S_IFSOCK | 0600, 1), MNTNS_WANT_ANY, false, 1000, "is a socket");
	judge(&tmp, REG_(1000, 2), MNTNS_WANT_ANY, false, 1000, "with 2 hard links");
	judge(&tmp, REG_(0, 1), MNTNS_WANT_ANY, false, 1000, "regular file of root's");
	assert_int_equal(judge(&tmp, REG_(1000, 1), MNTNS_WANT_FILE, false, 1000, NULL), 0);
	judge(&tmp, REG_(1000, 1), MNTNS_WANT_DIR, false, 1000, "not a directory");
	judge(&tmp, DIR_(1000, 1000, 0700), MNTNS_WANT_FILE, false, 1000, "not a regular file");
	/* In her own home her files are hers, and the owner of a directory controls it anyway. */
	assert_int_equal(judge(&home, REG_(1000, 1), MNTNS_WANT_ANY, false, 1000, NULL), 0);
	assert_int_equal(judge(&home, DIR_(1000, 1000, 0755), MNTNS_WANT_DIR, false, 1001, NULL),
			 0);
}

static void test_judge_trusted(void **state)
{
	struct stat etc = DIR_(0, 0, 0755);

	(void)state;
	assert_int_equal(judge(&etc, st(0, 0, S_IFLNK | 0777, 1), MNTNS_WANT_ANY, false, 1000, NULL),
			 -ELOOP);
	assert_int_equal(judge(&etc, REG_(0, 3), MNTNS_WANT_DIR, false, 1000, NULL), -ENOTDIR);
	assert_int_equal(judge(&etc, DIR_(0, 0, 0755), MNTNS_WANT_FILE, false, 1000, NULL), -EISDIR);
	assert_int_equal(judge(&etc, REG_(0, 3), MNTNS_WANT_ANY, false, 1000, NULL), 0);
	assert_int_equal(judge(&etc, DIR_(1001, 0, 0777), MNTNS_WANT_DIR, false, 1000, NULL), 0);
}

/* The config: every directory and the file root's (or, for a tester, the file theirs), and
 * writable by nobody else. */
static void test_judge_strict(void **state)
{
	struct stat root = DIR_(0, 0, 0755);

	(void)state;
	assert_int_equal(judge(&root, DIR_(0, 0, 0755), MNTNS_WANT_DIR, true, 0, NULL), 0);
	assert_int_equal(judge(&root, st(0, 0, S_IFREG | 0644, 1), MNTNS_WANT_FILE, true, 0, NULL),
			 0);
	judge(&root, DIR_(0, 0, 0775), MNTNS_WANT_DIR, true, 0, "writable by group or others");
	judge(&root, st(0, 0, S_IFREG | 0646, 1), MNTNS_WANT_FILE, true, 0, "(mode 0646)");
	judge(&root, st(1000, 1000, S_IFREG | 0644, 1), MNTNS_WANT_FILE, true, 0,
	      "owned by uid 1000");
	assert_int_equal(judge(&root, DIR_(0, 0, 0755), MNTNS_WANT_DIR, true, 1000, NULL), 0);
	judge(&root, st(0, 0, S_IFREG | 0644, 1), MNTNS_WANT_FILE, true, 1000, "owned by uid 0");
	assert_int_equal(judge(&root, st(0, 0, S_IFLNK | 0777, 1), MNTNS_WANT_FILE, true, 0, NULL),
			 -ELOOP);
}

/* Asserts that V says exactly WANT. */
static void text_is(const struct mntns_path_verdict *v, const char *want)
{
	char why[MNTNS_VERDICT_TEXT_MAX];

	mntns_path_verdict_text(v, why, sizeof(why));
	if (strcmp(why, want) != 0)
		fail_msg("verdict text \"%s\", expected \"%s\"", why, want);
}

/* The text of a verdict: "it may have been planted" only for what was found in a directory
 * others can write to, not for a refusal of a link, of the way to it or of ".." (whose
 * directory the walk left before); the link of root's whose target held what failed. */
static void test_verdict_text(void **state)
{
	struct mntns_path_verdict v;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.hostile = true; /* left over from the component before, as a walk leaves it */
	v.refusal = MNTNS_REFUSE_DOTDOT;
	snprintf(v.resolved, sizeof(v.resolved), "/top/src/sub");
	snprintf(v.link, sizeof(v.link), "/top/l2");
	text_is(&v, "is \"..\" from or into a directory that someone other than root can write to "
		    "(in the target of root's link /top/l2); refusing to use it");
	v.link[0] = '\0';
	text_is(&v, "is \"..\" (in a symbolic link's target) from or into a directory that "
		    "someone other than root can write to; refusing to use it");
	v.refusal = MNTNS_REFUSE_LINK_WAY;
	snprintf(v.resolved, sizeof(v.resolved), "/top/ww/rootdir/l");
	v.way_len = strlen("/top/ww");
	text_is(&v, "is a symbolic link below a directory that someone other than root can write "
		    "to (/top/ww); refusing to use it");
	v.refusal = MNTNS_REFUSE_LOOP;
	snprintf(v.link, sizeof(v.link), "/top/l");
	text_is(&v, "is one symbolic link too many (at most 40 are followed) (in the target of "
		    "root's link /top/l); refusing to use it");
	v.refusal = MNTNS_REFUSE_LINK_OWNER;
	v.st.st_uid = 1000;
	text_is(&v, "is a symbolic link owned by uid 1000, not by root (in the target of root's "
		    "link /top/l); refusing to use it");
	v.refusal = MNTNS_REFUSE_LINK_PROC;
	v.link[0] = '\0';
	text_is(&v, "is a symbolic link of /proc: it leads where a process points it, not where "
		    "root made it; refusing to use it");
	/* Planted: the link goes before "; refusing", the place stays next to the reason. */
	v.refusal = MNTNS_REFUSE_SYMLINK;
	snprintf(v.link, sizeof(v.link), "/top/l");
	text_is(&v, "is a symbolic link in a directory that others can write to (in the target of "
		    "root's link /top/l); refusing to use it (it may have been planted)");
}

static mode_t mode_at(int dirfd, const char *name)
{
	struct stat s;

	if (fstatat(dirfd, name, &s, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return s.st_mode;
}

static int below(int base, const char *rel, enum mntns_want want)
{
	struct mntns_trust t = { .flags = MNTNS_TRUST_BELOW_FRESH, .at = base };
	struct mntns_path_verdict v;

	return mntns_path_open_trusted(rel, want, &t, &v);
}

/* What path.c makes has the modes it promises, whatever the caller's umask (pam_umask earlier
 * in the stack): the parents of nested targets 0755, a file target 0644, a create= directory
 * the rule's mode. */
static void test_modes_under_umask(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096], cmd[4200];
	mode_t old;
	int base, fd;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/mntns-path-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	base = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(base >= 0);
	old = umask(077);
	fd = below(base, "/a/b/f", MNTNS_WANT_FILE);
	assert_true(fd >= 0);
	close(fd);
	fd = below(base, "a/c", MNTNS_WANT_DIR);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mntns_path_mkdir_owned(base, "own", geteuid(), getegid(), 0770), 0);
	umask(old);
	assert_int_equal(mode_at(base, "a"), S_IFDIR | 0755);
	assert_int_equal(mode_at(base, "a/b"), S_IFDIR | 0755);
	assert_int_equal(mode_at(base, "a/b/f"), S_IFREG | 0644);
	assert_int_equal(mode_at(base, "a/c"), S_IFDIR | 0755);
	assert_int_equal(mode_at(base, "own"), S_IFDIR | 0770);
	close(base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A directory of root's alone below $HOME (root's), for walks that follow root's links; NULL
 * (the test skips) when the tester is not root. */
static char *root_base(char *buf, size_t size)
{
	const char *home = getenv("HOME");

	if (geteuid() != 0 || !home || home[0] != '/')
		return NULL;
	snprintf(buf, size, "%s/mntns-path-XXXXXX", home);
	return mkdtemp(buf);
}

static void rm_rf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Walks BASE/REL with flags FLAGS for uid 1000; returns the descriptor or -errno, and V. */
static int walk(const char *base, const char *rel, unsigned flags, struct mntns_path_verdict *v)
{
	struct mntns_trust t = { .uid = 1000, .gid = 1000, .mode = 0700, .flags = flags };
	char p[4400];

	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return mntns_path_open_trusted(p, MNTNS_WANT_ANY, &t, v);
}

#define IN(b, r) (snprintf(path_buf, sizeof(path_buf), "%s/%s", b, r), path_buf)
static char path_buf[4400];

/* A verdict text with a link near PATH_MAX fits its buffer whole; a message too long for struct
 * mntns_err is cut at its end, and says so. */
static void test_text_sizes(void **state)
{
	struct mntns_path_verdict v = {.refusal = MNTNS_REFUSE_LINK_WAY, .hostile = true};
	char why[MNTNS_VERDICT_TEXT_MAX];
	struct mntns_err err;

	(void)state;
	memset(v.resolved, 'r', sizeof(v.resolved) - 1);
	memset(v.link, 'l', sizeof(v.link) - 1);
	v.way_len = sizeof(v.resolved) - 1;
	mntns_path_verdict_text(&v, why, sizeof(why));
	assert_non_null(strstr(why, "; refusing to use it"));
	mntns_fail(&err, -EPERM, "%s: %s", v.resolved, why);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_string_equal(err.msg + sizeof(err.msg) - 4, "\xe2\x80\xa6");
	mntns_fail(&err, -EPERM, "%s", "short");
	assert_string_equal(err.msg, "short");
}

/* Root's links where only root can write are followed; anyone else's, or one below ground
 * that others can write to, refused, saying which link and why. */
static void test_links(void **state)
{
	struct mntns_path_verdict v;
	char base[4096], why[MNTNS_VERDICT_TEXT_MAX], target[4400];
	int fd;

	(void)state;
	if (!root_base(base, sizeof(base)))
		skip();
	assert_int_equal(mkdir(IN(base, "real"), 0755), 0);
	assert_int_equal(mkdir(IN(base, "real/x"), 0755), 0);
	assert_int_equal(symlink("real", IN(base, "rel")), 0);
	snprintf(target, sizeof(target), "%s/real", base);
	assert_int_equal(symlink(target, IN(base, "abs")), 0);
	/* Relative, from the link's directory; absolute, from "/"; the path as resolved. */
	fd = walk(base, "rel/x", 0, &v);
	assert_true(fd >= 0);
	close(fd);
	snprintf(target, sizeof(target), "%s/real/x", base);
	assert_string_equal(v.resolved, target);
	fd = walk(base, "abs/x", MNTNS_TRUST_NO_COVER, &v);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(v.resolved, target);
	/* A link of uid 1's, even where only root can write. */
	assert_int_equal(symlink("real", IN(base, "theirs")), 0);
	assert_int_equal(lchown(IN(base, "theirs"), 1, 1), 0);
	assert_int_equal(walk(base, "theirs/x", 0, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_LINK_OWNER);
	snprintf(target, sizeof(target), "%s/theirs", base);
	assert_string_equal(v.resolved, target);
	assert_non_null(strstr(mntns_path_verdict_text(&v, why, sizeof(why)),
			       "is a symbolic link owned by uid 1, not by root"));
	/* Root's link in a directory everyone can write to: as planted, as ever. */
	assert_int_equal(mkdir(IN(base, "tmp"), 01777), 0);
	assert_int_equal(chmod(IN(base, "tmp"), 01777), 0);
	snprintf(target, sizeof(target), "%s/real", base);
	assert_int_equal(symlink(target, IN(base, "tmp/l")), 0);
	assert_int_equal(walk(base, "tmp/l", 0, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_SYMLINK);
	assert_non_null(strstr(mntns_path_verdict_text(&v, why, sizeof(why)),
			       "is a symbolic link in a directory that others can write to"));
	/* Root's link in root's directory, below a directory of uid 1's. */
	assert_int_equal(mkdir(IN(base, "home"), 0755), 0);
	assert_int_equal(chown(IN(base, "home"), 1, 1), 0);
	assert_int_equal(mkdir(IN(base, "home/rootdir"), 0755), 0);
	assert_int_equal(symlink(target, IN(base, "home/rootdir/l")), 0);
	assert_int_equal(walk(base, "home/rootdir/l", 0, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_LINK_WAY);
	snprintf(target, sizeof(target), "(%s/home); refusing", base);
	assert_non_null(strstr(mntns_path_verdict_text(&v, why, sizeof(why)), target));
	/* ".." in a link's target: among root's directories, and not out of uid 1's. */
	assert_int_equal(symlink("../real", IN(base, "real/up")), 0);
	fd = walk(base, "real/up/x", 0, &v);
	assert_true(fd >= 0);
	close(fd);
	assert_string_equal(v.resolved, IN(base, "real/x"));
	assert_int_equal(mkdir(IN(base, "home/rootdir/sub"), 0755), 0);
	snprintf(target, sizeof(target), "%s/home/rootdir/sub", base);
	assert_int_equal(symlink(target, IN(base, "real/tosub")), 0);
	fd = walk(base, "real/tosub", 0, &v); /* what it leads to is judged as any path is */
	assert_true(fd >= 0);
	close(fd);
	snprintf(target, sizeof(target), "%s/home/rootdir/../../real", base);
	assert_int_equal(symlink(target, IN(base, "real/dd")), 0);
	assert_int_equal(walk(base, "real/dd", 0, &v), -EPERM); /* ".." below uid 1's */
	assert_int_equal(v.refusal, MNTNS_REFUSE_DOTDOT);
	assert_string_equal(v.link, IN(base, "real/dd"));
	assert_null(strstr(mntns_path_verdict_text(&v, why, sizeof(why)), "planted"));
	/* Through a chain (a -> dd): the link whose target holds the "..". */
	assert_int_equal(symlink("real/dd", IN(base, "a")), 0);
	assert_int_equal(walk(base, "a", 0, &v), -EPERM);
	assert_string_equal(v.link, IN(base, "real/dd"));
	/* After an inner target (real/up) the rest is the outer link's (b) again. */
	assert_int_equal(symlink("real/x/../up/../home/rootdir/..", IN(base, "b")), 0);
	assert_int_equal(walk(base, "b", 0, &v), -EPERM);
	assert_string_equal(v.link, IN(base, "b"));
	/* A target as long as the kernel allows (4095 bytes), when nothing follows it. */
	{
		char max[4096];
		size_t n = 0;

		while (n < 4090)
			n += (size_t)snprintf(max + n, sizeof(max) - n, "./");
		snprintf(max + n, sizeof(max) - n, "/real");
		assert_int_equal(strlen(max), 4095);
		assert_int_equal(symlink(max, IN(base, "max")), 0);
		fd = walk(base, "max", 0, &v);
		assert_true(fd >= 0);
		close(fd);
		assert_string_equal(v.resolved, IN(base, "real"));
		assert_int_equal(walk(base, "max/x", 0, &v), -ENAMETOOLONG);
	}
	/* A loop, bounded. */
	assert_int_equal(symlink("loop2", IN(base, "loop1")), 0);
	assert_int_equal(symlink("loop1", IN(base, "loop2")), 0);
	assert_int_equal(walk(base, "loop1", 0, &v), -ELOOP);
	assert_int_equal(v.refusal, MNTNS_REFUSE_LOOP);
	/* The create= directory itself is never a link. */
	assert_int_equal(walk(base, "rel", MNTNS_TRUST_MKDIR_OWNED, &v), -ELOOP);
	rm_rf(base);
}

/* The links of /proc lead where a process points them: refused, /proc/self the first. */
static void test_proc_links(void **state)
{
	struct mntns_path_verdict v;
	struct mntns_trust t = { .uid = 1000 };
	struct statfs fs;
	struct stat s;

	(void)state;
	/* In a user namespace /proc/self may be nobody's: then it is refused as that. */
	if (statfs("/proc", &fs) < 0 || fs.f_type != PROC_SUPER_MAGIC ||
	    lstat("/proc/self", &s) < 0 || s.st_uid != 0)
		skip();
	assert_int_equal(mntns_path_open_trusted("/proc/self/cwd", MNTNS_WANT_DIR, &t, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_LINK_PROC);
	assert_string_equal(v.resolved, "/proc/self");
	if (lstat("/dev/fd", &s) < 0 || !S_ISLNK(s.st_mode) || s.st_uid != 0)
		return;
	assert_int_equal(mntns_path_open_trusted("/dev/fd/0", MNTNS_WANT_ANY, &t, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_LINK_PROC);
	assert_string_equal(v.link, "/dev/fd");
}

/* What the flags add: a target below a directory others can mount on, create= in one, a dry
 * create= that makes nothing, and the run directory's root-only rule. */
static void test_flags(void **state)
{
	struct mntns_path_verdict v;
	char base[4096], why[MNTNS_VERDICT_TEXT_MAX];
	struct stat s;
	int fd;

	(void)state;
	if (!root_base(base, sizeof(base)))
		skip();
	assert_int_equal(mkdir(IN(base, "shared"), 0777), 0);
	assert_int_equal(chmod(IN(base, "shared"), 0777), 0);
	assert_int_equal(mkdir(IN(base, "shared/t"), 0755), 0);
	assert_int_equal(walk(base, "shared/t", MNTNS_TRUST_NO_COVER, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_COVERABLE);
	assert_string_equal(v.resolved, IN(base, "shared"));
	assert_non_null(strstr(mntns_path_verdict_text(&v, why, sizeof(why)),
			       "another user could mount on it"));
	assert_int_equal(walk(base, "shared/new", MNTNS_TRUST_MKDIR_OWNED, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_COVERABLE);
	/* DRY: -ENOENT for what a login would make, and nothing made. */
	assert_int_equal(walk(base, "new", MNTNS_TRUST_MKDIR_OWNED | MNTNS_TRUST_DRY, &v), -ENOENT);
	assert_true(v.at_last);
	assert_int_equal(stat(IN(base, "new"), &s), -1);
	fd = walk(base, "new", MNTNS_TRUST_MKDIR_OWNED, &v);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(IN(base, "new"), &s), 0);
	assert_int_equal(s.st_uid, 1000);
	assert_int_equal(s.st_mode, S_IFDIR | 0700);
	/* A directory of root's where the user's is wanted. */
	assert_int_equal(mkdir(IN(base, "roots"), 0755), 0);
	assert_int_equal(walk(base, "roots", MNTNS_TRUST_MKDIR_OWNED, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_NOT_USERS);
	assert_false(v.hostile);
	/* ROOT_ONLY: the object root's with no bits for anyone else; on the way, 022. */
	{
		struct mntns_trust t = { .flags = MNTNS_TRUST_ROOT_ONLY };

		t.at = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
		assert_true(t.at >= 0);
		assert_int_equal(mntns_path_open_trusted("roots", MNTNS_WANT_DIR, &t, &v), -EPERM);
		assert_int_equal(v.refusal, MNTNS_REFUSE_NOT_ROOTS);
		assert_int_equal(chmod(IN(base, "roots"), 0700), 0);
		fd = mntns_path_open_trusted("roots", MNTNS_WANT_DIR, &t, &v);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(mntns_path_open_trusted("shared/t", MNTNS_WANT_DIR, &t, &v),
				 -EPERM);
		/* A file in it: root's, one name, whatever its mode (a lock made 0644). */
		assert_int_equal(close(open(IN(base, "roots/lock"), O_CREAT | O_WRONLY, 0644)), 0);
		fd = mntns_path_open_trusted("roots/lock", MNTNS_WANT_FILE, &t, &v);
		assert_true(fd >= 0);
		close(fd);
		char lock[4400];

		snprintf(lock, sizeof(lock), "%s/roots/lock", base);
		assert_int_equal(link(lock, IN(base, "roots/lock2")), 0);
		assert_int_equal(mntns_path_open_trusted("roots/lock", MNTNS_WANT_FILE, &t, &v),
				 -EPERM);
		/* Never through a link, root's as it is: not at the end, not on the way. */
		assert_int_equal(symlink("roots", IN(base, "rl")), 0);
		assert_int_equal(mntns_path_open_trusted("rl", MNTNS_WANT_DIR, &t, &v), -ELOOP);
		assert_int_equal(mntns_path_open_trusted("rl/lock2", MNTNS_WANT_FILE, &t, &v),
				 -ELOOP);
		assert_int_equal(v.refusal, MNTNS_TRUSTED);
		close(t.at);
	}
	rm_rf(base);
}

/* ROOT_ONLY's two modifiers: OBJECT_ONLY judges the object alone (the view's record, below a
 * /run a group may write to), END_AS_WAY a directory at the end as one on the way (the list of
 * views, made 0755 by hand). Neither follows a link. */
static void test_root_only_modifiers(void **state)
{
	const unsigned only = MNTNS_TRUST_ROOT_ONLY | MNTNS_TRUST_OBJECT_ONLY;
	const unsigned way = MNTNS_TRUST_ROOT_ONLY | MNTNS_TRUST_END_AS_WAY;
	struct mntns_trust t = {.flags = MNTNS_TRUST_ROOT_ONLY};
	struct mntns_path_verdict v;
	char base[4096], rec[4400];
	int fd;

	(void)state;
	if (!root_base(base, sizeof(base)))
		skip();
	assert_int_equal(mkdir(IN(base, "run"), 0775), 0);
	assert_int_equal(chmod(IN(base, "run"), 0775), 0);
	assert_int_equal(mkdir(IN(base, "run/mntns"), 0700), 0);
	assert_int_equal(close(open(IN(base, "run/mntns/view"), O_CREAT | O_WRONLY, 0400)), 0);
	t.at = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t.at >= 0);
	assert_int_equal(mntns_path_open_trusted("run/mntns/view", MNTNS_WANT_FILE, &t, &v),
			 -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_NOT_ROOTS);
	t.flags = only;
	fd = mntns_path_open_trusted("run/mntns/view", MNTNS_WANT_FILE, &t, &v);
	assert_true(fd >= 0);
	close(fd);
	/* The object is judged all the same: one name, a file, and never a link on the way. */
	snprintf(rec, sizeof(rec), "%s/run/mntns/view", base);
	assert_int_equal(link(rec, IN(base, "run/mntns/view2")), 0);
	assert_int_equal(mntns_path_open_trusted("run/mntns/view", MNTNS_WANT_FILE, &t, &v),
			 -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_NOT_ROOTS);
	assert_int_equal(unlink(IN(base, "run/mntns/view2")), 0);
	assert_int_equal(mntns_path_open_trusted("run/mntns", MNTNS_WANT_FILE, &t, &v), -EISDIR);
	assert_int_equal(symlink("run", IN(base, "rl")), 0);
	assert_int_equal(mntns_path_open_trusted("rl/mntns/view", MNTNS_WANT_FILE, &t, &v),
			 -ELOOP);
	/* The list of views: 0755 is root's alone, as a directory on the way is; 0775 is not. */
	assert_int_equal(mkdir(IN(base, "run/mntns/views"), 0755), 0);
	assert_int_equal(chmod(IN(base, "run/mntns/views"), 0755), 0);
	t.flags = MNTNS_TRUST_ROOT_ONLY;
	assert_int_equal(mntns_path_open_trusted("run/mntns/views", MNTNS_WANT_DIR, &t, &v),
			 -EPERM);
	close(t.at);
	t.at = open(IN(base, "run/mntns"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t.at >= 0);
	assert_int_equal(mntns_path_open_trusted("views", MNTNS_WANT_DIR, &t, &v), -EPERM);
	t.flags = way;
	fd = mntns_path_open_trusted("views", MNTNS_WANT_DIR, &t, &v);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(IN(base, "run/mntns/views"), 0775), 0);
	assert_int_equal(mntns_path_open_trusted("views", MNTNS_WANT_DIR, &t, &v), -EPERM);
	assert_int_equal(v.refusal, MNTNS_REFUSE_NOT_ROOTS);
	assert_int_equal(chmod(IN(base, "run/mntns/views"), 0755), 0);
	assert_int_equal(lchown(IN(base, "run/mntns/views"), 1, 1), 0);
	assert_int_equal(mntns_path_open_trusted("views", MNTNS_WANT_DIR, &t, &v), -EPERM);
	close(t.at);
	rm_rf(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_coverable),
		cmocka_unit_test(test_judge_hostile),
		cmocka_unit_test(test_judge_trusted),
		cmocka_unit_test(test_judge_strict),
		cmocka_unit_test(test_modes_under_umask),
		cmocka_unit_test(test_verdict_text),
		cmocka_unit_test(test_text_sizes),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_proc_links),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_root_only_modifiers),
	};

	return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
