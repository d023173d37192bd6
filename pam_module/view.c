/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The calling thread's mount namespace (see view.h). mntns_view_enter keeps where the thread
 * was in two saved states, the caller's view and the view a new one is made from, and puts it
 * back from either in its one fail: path; the steps below it never undo anything. */
#include "view.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "cleanup.h"
#include "nsmount.h"
#include "path.h"
#include "registry.h"

/* Nothing saved: leaving it does nothing. */
static const struct mntns_saved saved_none = {.ns_fd = -1, .root_fd = -1, .cwd_fd = -1};

int mntns_view_ns_open(void)
{
	int fd = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* ---- saving, moving, leaving ---- */

static void saved_release(struct mntns_saved *s)
{
	mntns_closep(&s->ns_fd);
	mntns_closep(&s->root_fd);
	mntns_closep(&s->cwd_fd);
	free(s->cwd);
	s->ns_fd = s->root_fd = s->cwd_fd = -1;
	s->cwd = NULL;
	s->entered = false;
}

/* Records where the calling thread is, into S (which must then be left or released). */
static int save(struct mntns_saved *s, struct mntns_err *err)
{
	s->entered = false;
	s->moved = false;
	s->cwd = NULL;
	s->ns_fd = mntns_view_ns_open();
	s->root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	s->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->ns_fd < 0 || s->root_fd < 0 || s->cwd_fd < 0) {
		int e = errno;

		saved_release(s);
		return mntns_fail(err, -e,
				  "opening the current namespace, root and working "
				  "directory (is /proc mounted?): %s",
				  strerror(e));
	}
	s->cwd = getcwd(NULL, 0); /* NULL is fine: a deleted cwd is left alone */
	return 0;
}

/* A failed unshare or setns of CALL, from errno; the log says when the process lacks the
 * capability, the most common reason. */
static int ns_fail(struct mntns_err *err, const char *call)
{
	int e = errno;

	return mntns_fail(err, -e, "%s: %s%s", call, strerror(e),
			  e == EPERM ? ": the process lacks CAP_SYS_ADMIN" : "");
}

/* Moves the thread (saved in S) into the namespace NS_FD; done() re-enters the working
 * directory there by path. */
static int move(struct mntns_saved *s, int ns_fd, struct mntns_err *err)
{
	/* setns() into a mount namespace refuses a thread whose fs_struct is shared with other
	 * threads; unsharing it first lets multithreaded callers in (and leaves the others). */
	if (unshare(CLONE_FS) < 0 || setns(ns_fd, CLONE_NEWNS) < 0)
		return ns_fail(err, "setns(CLONE_NEWNS)");
	s->entered = true;
	s->moved = true; /* root and working directory are now that namespace's root */
	return 0;
}

/* Moves the thread (saved in S) into a new mount namespace, made from the one it is in, whose
 * "/" is recursively slave (or private). */
static int unshare_new(struct mntns_saved *s, enum mntns_prop prop, const struct mntns_log *log,
		       struct mntns_err *err)
{
	const char *how = prop == MNTNS_PROP_PRIVATE ? "private" : "slave";
	struct mount_attr attr = {
	    .propagation = prop == MNTNS_PROP_PRIVATE ? MS_PRIVATE : MS_SLAVE,
	};

	if (unshare(CLONE_NEWNS) < 0)
		return ns_fail(err, "unshare(CLONE_NEWNS)");
	s->entered = true;
	mntns_log_step(log, "entered a new mount namespace");
	/* Without this, "/" may be shared with the host (systemd makes it so) and every mount of
	 * the session would appear on the host. Slave keeps host mounts flowing in. */
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return mntns_fail(err, -errno, "making / recursively %s: %s", how, strerror(errno));
	mntns_log_step(log, "made / recursively %s", how);
	return 0;
}

int mntns_view_leave(struct mntns_saved *s, struct mntns_err *err)
{
	int rc = 0;

	if (s->entered) {
		/* As in move(): multithreaded callers need their own fs_struct first. */
		if (unshare(CLONE_FS) < 0 || setns(s->ns_fd, CLONE_NEWNS) < 0)
			rc = mntns_fail(err, -errno,
					"cannot return to the original mount namespace: %s",
					strerror(errno));
		/* setns() moved root and cwd to the namespace's root; put back the caller's. */
		else if (fchdir(s->root_fd) < 0 || chroot(".") < 0 || fchdir(s->cwd_fd) < 0)
			rc = mntns_fail(err, -errno,
					"cannot restore the root and working directory: %s",
					strerror(errno));
	}
	saved_release(s);
	return rc;
}

static bool path_covers(const char *target, const char *path)
{
	size_t n = strlen(target);

	return strncmp(target, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Is FD the same directory as the one S->cwd_fd names? */
static bool same_dir(int fd, const struct mntns_saved *s)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && fstat(s->cwd_fd, &b) == 0 && mntns_same_inode(&a, &b);
}

/* After success: re-enters the working directory through the new view if a mount of PLAN (may
 * be NULL) covers it (so the session keeps no handle on what a mount hides) or the thread
 * went through setns(), and releases S. SAME_ONLY: only if the path still names the same
 * directory there (else "/"), for a view that is not the user's own. The path is walked as
 * every path of the module is, for UID; on any doubt, "/". */
static void done(struct mntns_saved *s, const struct mntns_plan *plan, bool same_only, uid_t uid,
		 const struct mntns_log *log)
{
	bool covered = false;

	/* After setns() the thread stands at the namespace's root: go back to the same path. */
	covered = s->moved;
	for (size_t i = 0; s->cwd && plan && i < plan->n && !covered; i++)
		covered = path_covers(plan->ops[i].target, s->cwd);
	if (covered && s->cwd) {
		/* The old cwd would keep the session inside what the new mount hides. It is
		 * looked up with the walk every other path takes: a user's FUSE mount on the way
		 * is never entered (its server could stall the login for ever), a symlink swapped
		 * in is not followed, and on any doubt the login starts at "/". */
		struct mntns_trust t = {.uid = uid};
		struct mntns_path_verdict v;
		_cleanup_close_ int fd = mntns_path_open_trusted(s->cwd, MNTNS_WANT_DIR, &t, &v);
		char why[MNTNS_VERDICT_TEXT_MAX];

		/* Into a view that is not the user's own (root back in the outer view), the same
		 * path may name a directory of someone else's: /tmp/build of another user, where
		 * "sudo make install" from a private /tmp would otherwise run. */
		if (fd >= 0 && same_only && !same_dir(fd, s)) {
			mntns_log_warn(log,
				       "working directory %s is another directory in the outer "
				       "view; now /",
				       s->cwd);
			mntns_closep(&fd);
			fd = -1;
			if (chdir("/") < 0)
				mntns_log_warn(log, "chdir(\"/\") failed: %s", strerror(errno));
		} else if (fd < 0 || fchdir(fd) < 0) {
			int e = fd < 0 ? fd : -errno;

			if (v.refusal)
				mntns_log_warn(log, "working directory %s: %s %s; now /", s->cwd,
					       v.resolved,
					       mntns_path_verdict_text(&v, why, sizeof(why)));
			if (chdir("/") < 0)
				mntns_log_warn(log,
					       "working directory %s is hidden by a mount of the "
					       "session, and chdir(\"/\") failed: %s",
					       s->cwd, strerror(errno));
			/* A directory of the caller's private /tmp is not in the outer view, nor
			 * one of the host's /tmp in a new view: "su -" or "sudo -i" from there is
			 * an ordinary login (they change to the home directory anyway). */
			else if (e == -ENOENT)
				mntns_log_step(log,
					       "working directory %s is not in the new view; now /",
					       s->cwd);
			else if (!v.refusal)
				mntns_log_warn(log,
					       "working directory %s: %s in the new view; now /",
					       s->cwd, strerror(-e));
		} else {
			mntns_log_step(log, "re-entered working directory %s in the new view",
				       s->cwd);
		}
	}
	saved_release(s);
}

/* ---- the steps of a login ---- */

/* Can the login get to the outer view: is it there, or in a view of ours made from it? */
static bool reaches_outer(const struct mntns_view *v)
{
	return v->origin->where == MNTNS_AT_SYSTEM || v->origin->where == MNTNS_AT_OURS;
}

/* A login in a view of ours, to the outer view: saved in S, which is released once there. The
 * working directory is kept only if its path names the same directory there. */
static int to_outer(struct mntns_view *v, struct mntns_saved *s, struct mntns_err *err)
{
	int outer, rc;

	if (v->origin->listed)
		mntns_log_warn(v->log,
			       "the session starts in %s; it is known for ours from the list in "
			       "%s/views",
			       v->origin->why, MNTNS_RUN_DIR);
	rc = save(s, err);
	if (rc < 0)
		return rc;
	outer = mntns_outer_open(err);
	rc = outer < 0 ? outer : move(s, outer, err);
	mntns_closep(&outer);
	if (rc < 0)
		return rc;
	done(s, NULL, true, v->uid, v->log);
	v->in_outer = true;
	mntns_log_step(v->log, "nested login: back in the outer view");
	return 0;
}

/* A new view for PLAN from the one the thread is in (saved in S): unshare, "/" recursively
 * slave, the plan, and the record that marks it as ours. OUTER_DIR: the outer view's run
 * directory, for a view made from there; -1 for one built on another view. */
static int build(struct mntns_view *v, const struct mntns_plan *plan, int outer_dir,
		 struct mntns_saved *s, struct mntns_err *err)
{
	int rc = unshare_new(s, plan->propagation, v->log, err);

	if (rc == 0)
		rc = mntns_apply_plan(plan, v->uid, v->gid, v->log, err);
	/* Without its record, sudo inside the session would take the view for a foreign one
	 * and leave root in it: no view made from the outer one goes without. (One built on a
	 * foreign view is left alone by nested logins either way.) */
	if (rc == 0) {
		rc = mntns_record_view(v->uid, outer_dir, err);
		if (outer_dir < 0)
			rc = 0;
	}
	return rc;
}

/* scope = session, or a view built on the caller's: a new one, saved in S. */
static int new_view(struct mntns_view *v, const struct mntns_plan *plan, struct mntns_saved *s,
		    struct mntns_err *err)
{
	/* The record goes on the run directory, which must exist before the view is made. A
	 * view built on another is not listed in the outer one. */
	_cleanup_close_ int dir = reaches_outer(v) ? mntns_us_open_dir(true, err) : -1;
	int rc;

	if (reaches_outer(v) && dir < 0)
		return dir;
	rc = save(s, err);
	return rc < 0 ? rc : build(v, plan, dir, s, err);
}

/* Out of a view joined too early: back to where S says, saved again there. Returns 0, or
 * -ENOTRECOVERABLE when the thread could not go back. */
static int back_out(struct mntns_saved *s, struct mntns_err *err)
{
	if (mntns_view_leave(s, err) < 0)
		return -ENOTRECOVERABLE;
	return save(s, err);
}

/* Joins the namespace the registry of US leads to, if once in it its record says it is UID's
 * view. Returns 1 when joined; 0 when there is none (the thread is where S was, saved again);
 * -ENOTRECOVERABLE when it could not go back; another -errno, the thread where S says. */
static int try_join(struct mntns_us *us, struct mntns_saved *s, uid_t uid, struct mntns_err *err)
{
	int ns = mntns_us_find_live_or_forget(us, err), rc;

	if (ns == -ENOENT)
		return 0;
	if (ns < 0)
		return ns;
	rc = move(s, ns, err);
	close(ns);
	if (rc < 0)
		return rc;
	if (mntns_view_is(uid) == 0)
		return 1;
	/* An inode number given to a namespace that is not this user's view: theirs is gone. */
	mntns_registry_forget(us->reg);
	return back_out(s, err);
}

/* Is the calling thread in the namespace US's registry names? */
static bool in_registered(const struct mntns_us *us)
{
	_cleanup_close_ int fd = mntns_view_ns_open();
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && (unsigned long long)st.st_ino == us->reg->ns_ino;
}

/* The user's live view, joined, or built under their lock; this session registered in it.
 * A join takes the lock only to register (a login that cannot get it still joins), so the
 * lock is held long only by a first login. Sets *FRESH when the view was built. */
static int join_or_build(struct mntns_view *v, const struct mntns_plan *plan, struct mntns_us *us,
			 struct mntns_saved *s, bool *fresh, struct mntns_err *err)
{
	struct mntns_err err2;
	bool locked = false;
	int rc = mntns_us_peek(us, v->uid, err), joined;

	if (rc == 0)
		rc = save(s, err);
	if (rc < 0)
		return rc;
	joined = try_join(us, s, v->uid, err);
	/* Still the registered view once in it? The administrator's reset forgets a view before
	 * it ends its processes: a login that read the registry before must not stay. */
	if (joined > 0 && (mntns_us_reread(us, &err2) < 0 || !in_registered(us))) {
		joined = back_out(s, err);
	} else if (joined > 0) {
		/* Registered under the lock, in the namespace the registry names then: if the
		 * view emptied and another login built a new one meanwhile, go there instead. */
		rc = mntns_us_relock(us, &err2);
		locked = rc == 0;
		/* Unregistered, it may stay only in the view the registry still names (a reset
		 * forgets a view before it ends it); else out, and refused as on_error says. */
		if (!locked && (mntns_us_reread(us, err) < 0 || !in_registered(us)))
			return mntns_fail(err, rc, "%s", err2.msg);
		if (!locked)
			mntns_log_warn(v->log, "user %s: this session is not registered: %s",
				       v->name, err2.msg);
		else if (!in_registered(us)) {
			joined = back_out(s, err);
			if (joined == 0)
				joined = try_join(us, s, v->uid, err);
		}
	}
	if (joined == 0 && !locked) {
		rc = mntns_us_relock(us, err);
		if (rc < 0)
			return rc;
		locked = true;
		/* Another login may have built it while this one waited. */
		joined = try_join(us, s, v->uid, err);
	}
	if (joined < 0)
		return joined;
	if (joined == 0) {
		rc = build(v, plan, us->dir_fd, s, err);
		if (rc < 0)
			return rc;
		*fresh = true;
	} else {
		mntns_log_step(v->log, "joined the live namespace of %s", v->name);
	}
	/* Only a shortcut is lost without it: the next login looks through /proc instead. */
	if (locked && mntns_us_register(us, *fresh, &v->session, &err2) < 0)
		mntns_log_warn(v->log, "user %s: this session is not registered: %s", v->name,
			       err2.msg);
	return 0;
}

/* scope = user: the lock is held only inside the guard, so the user who runs the su or sudo
 * cannot stop it with a signal while it holds the lock. */
static int user_view(struct mntns_view *v, const struct mntns_plan *plan, struct mntns_saved *s,
		     struct mntns_err *err)
{
	struct mntns_us us = {.dir_fd = -1, .lock_fd = -1};
	struct mntns_guard guard;
	bool fresh = false;
	int rc, back;

	if (mntns_session_self(&v->session) < 0)
		return mntns_fail(err, -EIO, "reading /proc/thread-self/stat failed");
	mntns_guard_begin(&guard);
	rc = join_or_build(v, plan, &us, s, &fresh, err);
	mntns_us_unlock(&us);
	back = mntns_guard_end(&guard);
	if (back < 0) /* setresuid back to the caller's uids, by root: it does not fail */
		mntns_log_crit(v->log, "user %s: the caller's uids could not be put back: %s",
			       v->name, strerror(-back));
	if (rc == 0 && fresh)
		mntns_log_step(v->log, "built a new namespace for %s", v->name);
	return rc;
}

/* Adds why the thread could not be put back to ERR's message. */
static int stuck(struct mntns_err *err, const struct mntns_err *back)
{
	size_t n = strlen(err->msg);

	snprintf(err->msg + n, sizeof(err->msg) - n, "; %s", back->msg);
	return -ENOTRECOVERABLE;
}

int mntns_view_enter(struct mntns_view *v, enum mntns_route to, const struct mntns_plan *plan,
		     struct mntns_err *err)
{
	struct mntns_saved caller = saved_none, here = saved_none;
	struct mntns_err back1, back2;
	int rc = 0, b1, b2;

	v->stuck = false;
	if (to == MNTNS_ROUTE_STAY)
		return 0;
	/* A login opened inside a view of ours (su, sudo in a session) goes back to the outer
	 * view before anything else is done in it, and stays there on every way out: sudo runs
	 * its command even when the session fails, and must never run it in the caller's view. */
	if (v->origin->where == MNTNS_AT_OURS && !v->in_outer && to_outer(v, &caller, err) < 0) {
		rc = -ENOTRECOVERABLE; /* in the caller's view, or halfway: it must not go on */
		goto fail;
	}
	if (to == MNTNS_ROUTE_REFUSE || to == MNTNS_ROUTE_OUTER)
		return 0;
	if (to == MNTNS_ROUTE_USER_VIEW)
		rc = user_view(v, plan, &here, err);
	else
		rc = new_view(v, plan, &here, err);
	if (rc < 0)
		goto fail;
	/* The working directory, by its path, outside the lock: it walks paths. */
	done(&here, plan, false, v->uid, v->log);
	return 0;
fail:
	/* From a view being built or joined, back to where it was made from; from a move to
	 * the outer view that failed, back to the caller's view. */
	b1 = mntns_view_leave(&here, &back1);
	b2 = mntns_view_leave(&caller, &back2);
	if (b1 < 0 || b2 < 0)
		rc = stuck(err, b1 < 0 ? &back1 : &back2);
	/* -ENOTRECOVERABLE is this unit's own word for it (to_outer, back_out, stuck): no call
	 * made here, syscalls included, gives that errno otherwise. */
	v->stuck = rc == -ENOTRECOVERABLE;
	return rc;
}

int mntns_view_enter_scratch(struct mntns_saved *s, struct mntns_err *err)
{
	struct mntns_err back;
	int outer, rc = save(s, err);

	if (rc < 0)
		return rc;
	outer = mntns_outer_open(err);
	rc = outer < 0 ? outer : move(s, outer, err);
	mntns_closep(&outer);
	if (rc == 0 && unshare(CLONE_NEWNS) < 0)
		rc = ns_fail(err, "unshare(CLONE_NEWNS)");
	/* mount(2) rather than mount_setattr, which valgrind 3.19 does not know, for "/" needs
	 * no walk. */
	if (rc == 0 && mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		rc = mntns_fail(err, -errno, "making / recursively private: %s", strerror(errno));
	if (rc < 0)
		mntns_view_leave(s, &back);
	return rc;
}
