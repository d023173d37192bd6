/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Applying a plan: the rule mounts, made with the new mount API, always on descriptors that
 * were resolved without following symlinks (see apply.h). */
#include "apply.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "mounts.h"
#include "path.h"
#include "strmap.h"
#include "view.h"

/* The caller's log (log.h) by its old short names, which open_target() and attach() still
 * use; everything else here calls mntns_log_step and mntns_log_warn. */
#define log_step mntns_log_step
#define log_warn mntns_log_warn

/* ---- mounting ---- */

/* The per-op state of one apply: descriptors of cloned sources, and what was skipped. */
struct op_state {
	int tree_fd; /* bind: the detached clone of the source */
	int mnt_fd; /* tmpfs: the mount just made, for creating the targets of ops below it */
	bool src_is_dir;
	bool skipped; /* optional rule whose source or target is missing or planted */
	bool applied;
	/* mntns_check_plan only. DRY: nothing is created (a missing create= source is said, not
	 * made). NEED: a later target lies below this one, so the check attaches it in its own
	 * namespace, where that target's walk crosses it as a login's does. */
	bool dry, need;
	bool would_apply; /* a login would mount it */
	bool refused;
	/* The target as resolved, through root's links: where the mount really goes (below a
	 * fresh tmpfs, its holder's, then the rest as written). Set by open_target. */
	char *resolved;
};

static void states_free(struct op_state *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		mntns_closep(&st[i].tree_fd);
		mntns_closep(&st[i].mnt_fd);
		free(st[i].resolved);
	}
	free(st);
}

/* Describes a failed syscall on an op: "FILE: [RULE]: WHAT PATH: strerror". */
static int op_fail(struct mntns_err *err, const struct mntns_op *op, int rc, const char *what,
		   const char *path)
{
	const char *why = strerror(-rc);

	if (rc == -ELOOP)
		why = "a path component is a symbolic link; refusing to follow it";
	return mntns_fail(err, rc, "%s: [%s]: %s %s: %s", op->file, op->name, what, path, why);
}

/* A component that a user other than the login's may have planted (see mntns_path_judge):
 * using it would hand, say, every session's X11 sockets to that user, or let them deny the
 * login. The message names the component and what is wrong with it. */
static int planted_fail(struct mntns_err *err, const struct mntns_op *op, const char *what,
			const char *path, const struct mntns_path_verdict *v)
{
	char why[MNTNS_VERDICT_TEXT_MAX];

	return mntns_fail(err, -EPERM, "%s: [%s]: %s %s: %s %s", op->file, op->name, what, path,
			  v->resolved, mntns_path_verdict_text(v, why, sizeof(why)));
}

/* A planted component fails a rule, or skips an optional one with a warning: any user can
 * plant /tmp/.X11-unix where it is missing, and must not deny everyone's login that way. */
static int planted(const struct mntns_op *op, struct op_state *st, const char *what,
		   const char *path, const struct mntns_path_verdict *v, const struct mntns_log *log,
		   struct mntns_err *err)
{
	struct mntns_err why;

	if (!op->optional)
		return planted_fail(err, op, what, path, v);
	planted_fail(&why, op, what, path, v);
	mntns_log_warn(log, "%s; rule skipped (optional)", why.msg);
	st->skipped = true;
	return 0;
}

/* The copies of the view that one source's walk stacked, to leave users' mounts out of it. */
struct copies {
	int fd[MNTNS_MAX_BENEATH]; /* each the root of a copy, stacked on a directory of the view */
	size_t n;
	unsigned left_out; /* users' mounts detached from them */
};

/* Detaches the mount whose root FD is, by the descriptor itself (umount2 takes only a path). */
static int detach(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", fd);
	return umount2(path, MNT_DETACH) < 0 ? -errno : 0;
}

/* mntns_trust.beneath for sources: a FUSE mount of a user covers NAME in DIRFD. A copy of the view
 * from DIRFD down, every mount in it, is stacked on DIRFD itself in the login's namespace
 * (nobody else is in it yet, and copies_drop takes it away before any rule is applied), and
 * the user's mount is detached from the copy: the walk goes on in the copy, to the directory
 * the mount covers, with root's mounts below it (NFS, autofs) as they were. Only a copy ever
 * loses a mount, never the view itself; and a copy in the namespace, unlike a detached clone,
 * may lose one on every kernel. Nothing of it asks the user's server anything. */
static int go_beneath(void *arg, int dirfd, const char *name)
{
	struct copies *c = arg;
	_cleanup_close_ int copy = -1;
	int root, rc;

	if (c->n == MNTNS_MAX_BENEATH)
		return -E2BIG; /* the walk calls no more often */
	copy = open_tree(dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
			 AT_RECURSIVE);
	if (copy < 0)
		return -errno;
	if (move_mount(copy, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	root = c->fd[c->n++] = mntns_take_fd(&copy);
	/* One component, not followed if a symlink; crossing into the mount on it asks the
	 * mounted filesystem nothing. If NAME changed meanwhile, nothing is detached: the walk
	 * judges what is there now. Every user's mount stacked on NAME goes, in this one copy,
	 * the top one first: a copy per layer would let a user deny the walk with
	 * MNTNS_MAX_BENEATH + 1 mounts. */
	for (unsigned i = 0;; i++) {
		_cleanup_close_ int top = mntns_path_open_component_unchecked(root, name, O_PATH);

		if (top < 0 || !mntns_mount_is_users(top))
			break;
		if (i == MNTNS_MAX_LAYERS)
			return -E2BIG;
		rc = detach(top);
		if (rc < 0)
			return rc;
		c->left_out++;
	}
	rc = fcntl(root, F_DUPFD_CLOEXEC, 3);
	return rc < 0 ? -errno : rc;
}

/* Takes the copies away again, the last one first (it may be stacked in the one before), so
 * that the view is as it was. Returns 0 or the first -errno. */
static int copies_drop(struct copies *c)
{
	int rc = 0;

	while (c->n > 0) {
		int fd = c->fd[--c->n], r = detach(fd);

		if (r < 0 && rc == 0)
			rc = r;
		close(fd);
	}
	return rc;
}

/* A tmpfs that stands, in the check's own namespace, for the directory create= would make: an
 * empty directory of UID:GID with MODE, so that a later target below it is judged and looked
 * up as at login. */
static int stand_in(const struct mntns_op *op, uid_t uid, gid_t gid, struct mntns_err *err)
{
	_cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	char mode[16], u[16], g[16];
	int mfd;

	snprintf(mode, sizeof(mode), "%04o", (unsigned)op->create_mode);
	snprintf(u, sizeof(u), "%u", (unsigned)uid);
	snprintf(g, sizeof(g), "%u", (unsigned)gid);
	if (fsfd < 0 || fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", mode, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "uid", u, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "gid", g, 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return op_fail(err, op, -errno, "making a stand-in for the new source", op->source);
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, op->attrs);
	if (mfd < 0)
		return op_fail(err, op, -errno, "making a stand-in for the new source", op->source);
	return mfd;
}

/* create= in a check, where the trust call (MNTNS_TRUST_DRY) found the source missing: a login
 * makes it (says so, and returns 0). */
static int would_make(const struct mntns_op *op, struct op_state *st, uid_t uid, gid_t gid,
		      const struct mntns_log *log, struct mntns_err *err)
{
	mntns_log_step(log, "[%s]: source %s: created, owned by uid %u gid %u, mode %04o", op->name,
		       op->source, (unsigned)uid, (unsigned)gid, (unsigned)op->create_mode);
	st->src_is_dir = true;
	if (st->need) {
		st->tree_fd = stand_in(op, uid, gid, err);
		if (st->tree_fd < 0)
			return st->tree_fd;
	}
	return 0;
}

/* create=: makes the last component of the source as the user's directory, or checks that the
 * existing one is a directory the user owns; sets *OUT to a descriptor of it, or leaves it -1
 * with st->skipped for an optional rule that met something planted. Existing objects are never
 * chowned or chmodded. Returns 0 or -errno. */
static int create_source(const struct mntns_op *op, struct op_state *st, uid_t uid, gid_t gid,
			 struct copies *c, const struct mntns_log *log, struct mntns_err *err,
			 int *out)
{
	struct mntns_trust t = { .uid = uid, .gid = gid, .mode = (mode_t)op->create_mode,
				 .flags = MNTNS_TRUST_MKDIR_OWNED | (st->dry ? MNTNS_TRUST_DRY : 0),
				 .beneath = go_beneath, .beneath_arg = c };
	struct mntns_path_verdict v;
	int fd;

	/* fchown(fd, -1, -1) changes nothing: the directory would stay root's. */
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return mntns_fail(err, -EINVAL,
				  "%s: [%s]: source %s: the user's uid or gid is 4294967295, which "
				  "cannot own a file; refusing create=",
				  op->file, op->name, op->source);
	fd = mntns_path_open_trusted(op->source, MNTNS_WANT_DIR, &t, &v);
	if (fd == -EPERM && v.refusal == MNTNS_REFUSE_NOT_USERS && !v.hostile)
		/* Where only root can write, this is the administrator's object, not a trap. */
		return mntns_fail(err, -EPERM,
				  "%s: [%s]: source %s exists but is not a directory owned by uid "
				  "%u; refusing to use it",
				  op->file, op->name, op->source, (unsigned)uid);
	if (fd < 0 && v.refusal)
		return planted(op, st, "source", op->source, &v, log, err);
	if (fd == -ENOENT && st->dry && v.at_last)
		return would_make(op, st, uid, gid, log, err);
	if (fd == -ENOENT && op->optional) {
		mntns_log_step(log, "[%s]: parent of source %s does not exist; skipped (optional)",
			       op->name, op->source);
		st->skipped = true;
		return 0;
	}
	if (fd == -EROFS)
		return op_fail(err, op, fd, "creating source", op->source);
	if (fd < 0 && !v.at_last)
		return op_fail(err, op, fd, "opening the parent of source", op->source);
	if (fd < 0)
		return op_fail(err, op, fd, "creating source", op->source);
	*out = fd;
	return 0;
}

/* Resolves the source of OP and clones it into st->tree_fd (see prepare_source). */
static int clone_source(const struct mntns_op *op, struct op_state *st, uid_t uid, gid_t gid,
			struct copies *c, const struct mntns_log *log, struct mntns_err *err)
{
	_cleanup_close_ int fd = -1;
	unsigned rec = op->recursive ? AT_RECURSIVE : 0;
	/* Private: the clone receives no mount events from its source after login, so its flags
	 * and norbind hold for every mount the session ever sees through it (a slave clone would
	 * show later mounts below the source read-write, with devices and setuid). */
	struct mount_attr attr = {.attr_set = op->attrs, .propagation = MS_PRIVATE};
	struct mntns_trust t = { .uid = uid, .beneath = go_beneath, .beneath_arg = c };
	struct mntns_path_verdict v;

	if (op->create_mode >= 0) {
		int rc = create_source(op, st, uid, gid, c, log, err, &fd);

		if (rc < 0 || st->skipped)
			return rc; /* create_source has said why */
		st->src_is_dir = true;
		if (fd < 0)
			return 0; /* a check, and the login would make it: would_make is done */
	} else {
		fd = mntns_path_open_trusted(op->source, MNTNS_WANT_ANY, &t, &v);
		if (fd < 0 && v.refusal)
			return planted(op, st, "source", op->source, &v, log, err);
		if (fd == -ENOENT && op->optional) {
			mntns_log_step(log, "[%s]: source %s does not exist; skipped (optional)",
				       op->name, op->source);
			st->skipped = true;
			return 0;
		}
		if (fd < 0)
			return op_fail(err, op, fd, "opening source", op->source);
		st->src_is_dir = S_ISDIR(v.st.st_mode);
	}
	if (st->dry && !st->need)
		return 0; /* a check clones a source only to look below where it is bound */
	/* Recursive (unless norbind), it holds the mounts below the source as the view has them,
	 * a FUSE mount of a user inside it too: its server is asked nothing here, it cannot move
	 * the bind, and where a member may mount, they may write anyway. */
	st->tree_fd = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
	if (st->tree_fd < 0)
		return op_fail(err, op, -errno, "cloning source", op->source);
	/* Applied to the detached clone before it is attached: there is never a moment when the
	 * session sees the bind without its flags. */
	if (mount_setattr(st->tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return op_fail(err, op, -errno, "setting flags on the clone of", op->source);
	return 0;
}

/* Phase 1: clones every bind source from the view as it is before any rule is applied. A FUSE
 * mount of a user on the way is left out (go_beneath): the clone is of what it covers. */
static int prepare_source(const struct mntns_op *op, struct op_state *st, uid_t uid, gid_t gid,
			  const struct mntns_log *log, struct mntns_err *err)
{
	struct copies c = { .n = 0 };
	int rc = clone_source(op, st, uid, gid, &c, log, err);
	int back = copies_drop(&c);

	if (rc == 0 && back < 0)
		return op_fail(err, op, back, "taking away the copy of the view made to look below "
			       "a user's mount on the way to source", op->source);
	if (rc == 0 && c.left_out)
		mntns_log_step(log,
			       "[%s]: source %s: %u FUSE mount(s) of users on the way left out; "
			       "bound what they cover",
			       op->name, op->source, c.left_out);
	return rc;
}

/* Reads what the filesystem context said about a failure, for a useful message, without the
 * kernel's "e " (error), "w " or "i " prefix. */
static void fs_log(int fsfd, char *buf, size_t size)
{
	ssize_t n = read(fsfd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (n > 2 && strchr("ewi", buf[0]) && buf[1] == ' ')
		memmove(buf, buf + 2, strlen(buf + 2) + 1);
}

/* Gives the tmpfs context FSFD each "key=value" of op->fsdata. */
static int set_fsdata(int fsfd, const struct mntns_op *op, struct mntns_err *err)
{
	_cleanup_free_ char *buf = op->fsdata ? strdup(op->fsdata) : NULL;
	char *save = NULL, log[256];

	if (op->fsdata && !buf)
		return mntns_fail(err, -ENOMEM, "out of memory");
	for (char *kv = buf ? strtok_r(buf, ",", &save) : NULL; kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			return mntns_fail(err, -EINVAL, "%s: [%s]: tmpfs option %s has no value",
					  op->file, op->name, kv);
		*eq = '\0';
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, kv, eq + 1, 0) < 0) {
			int e = errno;

			fs_log(fsfd, log, sizeof(log));
			return mntns_fail(err, -e, "%s: [%s]: tmpfs option %s=%s: %s%s%s", op->file,
					  op->name, kv, eq + 1, strerror(e), *log ? ": " : "", log);
		}
	}
	return 0;
}

static int make_tmpfs(const struct mntns_op *op, struct mntns_err *err)
{
	_cleanup_close_ int fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	char log[256];
	int mfd, rc;

	if (fsfd < 0)
		return op_fail(err, op, -errno, "fsopen(tmpfs) for", op->target);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "source", "pam_mntns", 0) < 0)
		return op_fail(err, op, -errno, "configuring tmpfs for", op->target);
	rc = set_fsdata(fsfd, op, err);
	if (rc < 0)
		return rc;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int e = errno;

		fs_log(fsfd, log, sizeof(log));
		return mntns_fail(err, -e, "%s: [%s]: creating tmpfs for %s: %s%s%s", op->file,
				  op->name, op->target, strerror(e), *log ? ": " : "", log);
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, op->attrs);
	if (mfd < 0)
		return op_fail(err, op, -errno, "fsmount for", op->target);
	return mfd;
}

/* Is PATH at or below TOP (both as resolved, canonical)? */
static bool at_or_below(const char *path, const char *top)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0)
		return path[0] == '/';
	return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The plan orders ops by the depth of their targets as written, parents first; through a link
 * of root's a target may lead anywhere. An op whose resolved target is at or above that of an
 * op mounted before it would cover that mount (a bind over a hide, and the hidden is there to
 * read): the plan is refused. (A holder always comes before the ops it holds.) */
static int check_order(const struct mntns_plan *plan, size_t i, const struct op_state *st,
		       struct mntns_err *err)
{
	const struct mntns_op *op = &plan->ops[i];

	for (size_t j = 0; j < i; j++) {
		const struct mntns_op *o = &plan->ops[j];

		if (!(st[j].applied || st[j].would_apply) || !st[j].resolved ||
		    !at_or_below(st[j].resolved, st[i].resolved))
			continue;
		return mntns_fail(err, -EINVAL,
				  "%s: [%s]: target %s leads to %s, at or above %s, where [%s] "
				  "(%s, target %s) is mounted before it (rules are applied by the "
				  "depth of their targets as written): [%s] would cover it; "
				  "refusing the plan",
				  op->file, op->name, op->target, st[i].resolved, st[j].resolved,
				  o->name, o->file, o->target, op->name);
	}
	return 0;
}

/* Resolves the target of op I: below the fresh tmpfs of its holder through that mount's
 * descriptor (creating what is missing), elsewhere from "/" through the trusted walk. Sets *OUT
 * to a descriptor, or leaves it -1 with st[i].skipped; returns 0 or -errno with ERR set. Keeps
 * the target as resolved in st[i].resolved, and refuses it where it would cover an op mounted
 * before it (check_order). */
static int open_target(const struct mntns_plan *plan, size_t i, struct op_state *st,
		       const struct mntns_trust *made, bool want_dir, const struct mntns_log *log,
		       struct mntns_err *err, int *out)
{
	const struct mntns_op *op = &plan->ops[i];
	struct mntns_trust t = *made; /* uid, and the mounts this login made so far */
	const char *path = op->target, *base = "";
	struct mntns_path_verdict v;
	int fd, rc;

	if (op->holder >= 0 && st[op->holder].applied) {
		t.flags = MNTNS_TRUST_BELOW_FRESH;
		t.at = st[op->holder].mnt_fd;
		path += strlen(plan->ops[op->holder].target);
		base = strcmp(st[op->holder].resolved, "/") ? st[op->holder].resolved : "";
	} else {
		t.flags = MNTNS_TRUST_NO_COVER;
	}
	fd = mntns_path_open_trusted(path, want_dir ? MNTNS_WANT_DIR : MNTNS_WANT_FILE, &t, &v);
	if (fd < 0 && v.refusal)
		return planted(op, &st[i], "target", op->target, &v, log, err);
	if (fd == -ENOENT && op->optional) {
		log_step(log, "[%s]: target %s does not exist; skipped (optional)", op->name,
			 op->target);
		st[i].skipped = true;
		return 0;
	}
	if (fd == -EINVAL)
		return mntns_fail(err, -EINVAL,
				  "%s: [%s]: target %s is neither a directory nor "
				  "a regular file",
				  op->file, op->name, op->target);
	if (fd == -ENOTDIR || fd == -EISDIR ||
	    (fd >= 0 && want_dir != !!S_ISDIR(v.st.st_mode))) {
		if (fd >= 0)
			close(fd);
		return mntns_fail(err, -EINVAL, "%s: [%s]: target %s is %sa directory but %s",
				  op->file, op->name, op->target, want_dir ? "not " : "",
				  op->kind == MNTNS_OP_BIND
				      ? (want_dir ? "the source is one" : "the source is not")
				      : "must be");
	}
	if (fd < 0)
		return op_fail(err, op, fd, "opening target", op->target);
	free(st[i].resolved);
	if (asprintf(&st[i].resolved, "%s%s", base,
		     t.flags & MNTNS_TRUST_BELOW_FRESH ? path : v.resolved) < 0) {
		st[i].resolved = NULL;
		close(fd);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	rc = check_order(plan, i, st, err);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*out = fd;
	return 0;
}

/* A recursive clone takes along a mount stacked on the source directory itself (the kernel's
 * copy_tree counts the directory as below itself): one that a user made there after the walk
 * judged it, or after go_beneath took theirs out of the copy. Once the clone, private, is on
 * its target, whatever the target's name leads to above the clone's root is such a mount, in
 * this login's own namespace: it is detached, by descriptor. Nobody else can rename or mount
 * in the target's parent (no_cover), and crossing a mount asks its filesystem nothing. The name
 * is the last of the target as RESOLVED: as written it may be a link of root's, which leads
 * elsewhere than to the mount. */
static int uncover(int mfd, const char *resolved)
{
	const char *name = strrchr(resolved, '/') + 1;
	unsigned long long id = mntns_path_mount_id(mfd);
	_cleanup_close_ int up =
	    mntns_path_open_component_unchecked(mfd, "..", O_PATH | O_DIRECTORY);

	if (up < 0 || !id)
		return up < 0 ? up : -ENODATA;
	for (unsigned i = 0; i < MNTNS_MAX_LAYERS; i++) {
		_cleanup_close_ int top = mntns_path_open_component_unchecked(up, name, O_PATH);
		int rc;

		if (top < 0)
			return top;
		if (mntns_path_mount_id(top) == id)
			return 0;
		rc = detach(top);
		if (rc < 0)
			return rc;
	}
	return -E2BIG;
}

/* Mounts op I on TFD, its target: the clone of its source, or a tmpfs made now. MADE gets the
 * mount's id. */
static int mount_on(const struct mntns_plan *plan, size_t i, struct op_state *st, int tfd,
		    struct mntns_trust *made, struct mntns_err *err)
{
	const struct mntns_op *op = &plan->ops[i];
	_cleanup_close_ int mfd = -1;

	if (op->kind == MNTNS_OP_BIND) {
		mfd = mntns_take_fd(&st[i].tree_fd);
	} else {
		mfd = make_tmpfs(op, err);
		if (mfd < 0)
			return mfd;
	}
	if (move_mount(mfd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return op_fail(err, op, -errno, "mounting on", op->target);
	st[i].applied = true;
	if (op->kind == MNTNS_OP_BIND && st[i].src_is_dir) {
		/* Directories only: a file's clone has no "..", and its target's parent would
		 * have to come from open_target (a narrower window, left for now). */
		int rc = uncover(mfd, st[i].resolved);

		if (rc < 0)
			return op_fail(err, op, rc, "taking off what came along on the root of the "
				       "clone of source", op->source);
	}
	made->own[made->n_own++] = mntns_path_mount_id(mfd);
	/* The descriptor now stands for the attached mount: targets below it are made through
	 * it, never by looking its path up again (a user could swap a parent meanwhile). */
	if (op->kind != MNTNS_OP_BIND)
		st[i].mnt_fd = mntns_take_fd(&mfd);
	return 0;
}

/* Phase 2: attaches one op onto its target, resolved now (after its parents were mounted).
 * MADE holds the user and the ids of the mounts made so far, to which this one is added: a
 * target may lie inside one of them (a bind on %h/data, a tmpfs on %h/data/cache), and those
 * are crossed even where the user's own mounts are not. */
static int attach(const struct mntns_plan *plan, size_t i, struct op_state *st,
		  struct mntns_trust *made, const struct mntns_log *log, struct mntns_err *err)
{
	const struct mntns_op *op = &plan->ops[i];
	bool want_dir = op->kind != MNTNS_OP_BIND || st[i].src_is_dir;
	_cleanup_close_ int tfd = -1;
	int rc = open_target(plan, i, st, made, want_dir, log, err, &tfd);

	if (rc < 0 || st[i].skipped)
		return rc;
	rc = mount_on(plan, i, st, tfd, made, err);
	if (rc < 0)
		return rc;
	log_step(log, "[%s]: mounted %s on %s", op->name,
		 op->kind == MNTNS_OP_BIND ? op->source : mntns_op_kind_name(op->kind), op->target);
	return 0;
}

int mntns_apply_plan(const struct mntns_plan *plan, uid_t uid, gid_t gid,
		     const struct mntns_log *log, struct mntns_err *err)
{
	struct op_state *st = calloc(plan->n ? plan->n : 1, sizeof(*st));
	_cleanup_free_ unsigned long long *own = calloc(plan->n ? plan->n : 1, sizeof(*own));
	struct mntns_trust made = { .uid = uid, .own = own };
	int rc = 0;

	if (!st || !own) {
		free(st);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->n; i++)
		st[i].tree_fd = st[i].mnt_fd = -1;
	for (size_t i = 0; i < plan->n && rc == 0; i++)
		if (plan->ops[i].kind == MNTNS_OP_BIND)
			rc = prepare_source(&plan->ops[i], &st[i], uid, gid, log, err);
	for (size_t i = 0; i < plan->n && rc == 0; i++)
		if (!st[i].skipped)
			rc = attach(plan, i, st, &made, log, err);
	states_free(st, plan->n);
	return rc;
}

/* ---- mntns_check_plan: the dry walk of mntnsctl check ---- */

/* Marks the ops a check must attach: the nearest op above a later target, where the login's
 * walk of that target crosses it. A fresh tmpfs that only holds targets it would create
 * need not be (the check says what the login creates there), unless one of them must be. */
static int mark_needed(const struct mntns_plan *plan, struct op_state *st, struct mntns_err *err)
{
	struct strmap by_target = {0};
	int rc = 0;

	for (size_t i = 0; i < plan->n && rc == 0; i++)
		if (strmap_put(&by_target, plan->ops[i].target, i, NULL) < 0)
			rc = mntns_fail(err, -ENOMEM, "out of memory");
	/* In apply order (by depth) every op below op K comes after it: going backwards, what
	 * those need is known when K is reached. */
	for (size_t k = plan->n; k-- > 0 && rc == 0;) {
		char *p = strdup(plan->ops[k].target), *slash;
		size_t a;

		if (!p) {
			rc = mntns_fail(err, -ENOMEM, "out of memory");
			break;
		}
		while ((slash = strrchr(p, '/')) && slash != p) {
			*slash = '\0';
			if (!strmap_get(&by_target, p, &a))
				continue;
			if (plan->ops[k].holder == (ssize_t)a)
				st[a].need |= st[k].need;
			else
				st[a].need = true;
			break;
		}
		free(p);
	}
	strmap_free(&by_target);
	return rc;
}

/* Where a check puts the lines a login would log for the op being looked at: every one in
 * NOTES; the one that says the rule is skipped becomes its WHY. */
struct capture {
	struct mntns_check *cur;
};

static void capture_line(void *arg, const char *line)
{
	struct mntns_check *c = ((struct capture *)arg)->cur;
	size_t n = strlen(c->notes);

	if (strstr(line, "skipped (optional)")) {
		snprintf(c->why, sizeof(c->why), "%s", line);
		return;
	}
	snprintf(c->notes + n, sizeof(c->notes) - n, "%s%s", n ? "\n" : "", line);
}

/* Phase 2 of a check, for op I: its target is looked up as a login looks it up, and the op is
 * attached (in the check's own namespace) only where a later target lies below it. */
static int check_target(const struct mntns_plan *plan, size_t i, struct op_state *st,
			struct mntns_trust *made, const struct mntns_log *log, struct mntns_err *err)
{
	const struct mntns_op *op = &plan->ops[i];
	bool want_dir = op->kind != MNTNS_OP_BIND || st[i].src_is_dir;
	_cleanup_close_ int tfd = -1;
	int rc;

	if (op->holder >= 0 && st[op->holder].would_apply) {
		mntns_log_step(log, "[%s]: target %s: created in the fresh tmpfs of [%s]", op->name,
			       op->target, plan->ops[op->holder].name);
		if (!st[op->holder].applied) { /* nothing to look at: the tmpfs is not made */
			st[i].would_apply = true;
			return 0;
		}
	}
	rc = open_target(plan, i, st, made, want_dir, log, err, &tfd);
	if (rc < 0 || st[i].skipped)
		return rc;
	st[i].would_apply = true;
	if (!st[i].need || (op->kind == MNTNS_OP_BIND && st[i].tree_fd < 0))
		return 0;
	return mount_on(plan, i, st, tfd, made, err);
}

/* Records what the walk of op I said; the first refusal, in the order a login meets them, is
 * the login's. */
static void verdict(struct mntns_check *c, struct op_state *st, int rc, const struct mntns_err *e,
		    int *first, struct mntns_err *err)
{
	if (rc < 0) {
		c->verdict = MNTNS_CHECK_REFUSED;
		snprintf(c->why, sizeof(c->why), "%s", e->msg);
		st->refused = true;
		if (*first == 0) {
			*first = rc;
			snprintf(err->msg, sizeof(err->msg), "%s", e->msg);
		}
	} else {
		c->verdict = st->skipped ? MNTNS_CHECK_SKIPPED : MNTNS_CHECK_OK;
	}
}

int mntns_check_plan(const struct mntns_plan *plan, uid_t uid, gid_t gid,
		     struct mntns_check *checks, struct mntns_err *err)
{
	struct capture cap = {.cur = NULL};
	struct mntns_log log = {.fn = capture_line, .warn = capture_line, .arg = &cap};
	struct op_state *st = calloc(plan->n ? plan->n : 1, sizeof(*st));
	_cleanup_free_ unsigned long long *own = calloc(plan->n ? plan->n : 1, sizeof(*own));
	struct mntns_trust made = {.uid = uid, .own = own};
	struct mntns_saved saved;
	struct mntns_err e, back;
	int rc, first = 0;

	if (!st || !own) {
		free(st);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	memset(checks, 0, plan->n * sizeof(*checks));
	for (size_t i = 0; i < plan->n; i++) {
		st[i].tree_fd = st[i].mnt_fd = -1;
		st[i].dry = true;
	}
	rc = mark_needed(plan, st, err);
	if (rc == 0)
		rc = mntns_view_enter_scratch(&saved, err);
	if (rc < 0) {
		free(st);
		return rc;
	}
	for (size_t i = 0; i < plan->n; i++) {
		if (plan->ops[i].kind != MNTNS_OP_BIND)
			continue;
		cap.cur = &checks[i];
		rc = prepare_source(&plan->ops[i], &st[i], uid, gid, &log, &e);
		verdict(&checks[i], &st[i], rc, &e, &first, err);
	}
	for (size_t i = 0; i < plan->n; i++) {
		if (st[i].skipped || st[i].refused)
			continue;
		cap.cur = &checks[i];
		rc = check_target(plan, i, st, &made, &log, &e);
		verdict(&checks[i], &st[i], rc, &e, &first, err);
	}
	states_free(st, plan->n);
	if (mntns_view_leave(&saved, &back) < 0)
		return mntns_fail(err, -ENOTRECOVERABLE, "%s", back.msg);
	return first < 0;
}
