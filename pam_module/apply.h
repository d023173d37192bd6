/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Applying a plan: the only unit that changes namespaces or mounts anything. */
#ifndef MNTNS_APPLY_H
#define MNTNS_APPLY_H

#include <sys/types.h>

#include "err.h"
#include "plan.h"

/* Receives one line for every step, when the caller wants them (PAM "debug"). */
struct mntns_log {
	void (*fn)(void *arg, const char *line);   /* debug lines; NULL: none */
	void (*warn)(void *arg, const char *line); /* warnings (a rule skipped); NULL: none */
	void *arg;
};

/* What is needed to put the caller back where it was if anything fails. */
struct mntns_saved {
	int ns_fd; /* the original mount namespace */
	int root_fd; /* the original root and working directories */
	int cwd_fd;
	char *cwd; /* path of the working directory, to re-enter it in the new view */
	bool entered; /* the caller is no longer in its original namespace */
	bool moved; /* it went through setns(), which put it at that namespace's root */
};

/* Records where the calling thread is (namespace, root, working directory), so that it can be
 * put back. Returns 0 or -errno; S must then be released by one of the functions below. */
int mntns_ns_save(struct mntns_saved *s, struct mntns_err *err);

/* Moves the calling thread into the namespace NS_FD (a user's live one, or the outer view);
 * mntns_ns_done re-enters the working directory there by path. Returns 0 or -errno. */
int mntns_ns_move(struct mntns_saved *s, int ns_fd, struct mntns_err *err);

/* Moves the calling thread (saved in S) into a new mount namespace, made from the one it is in,
 * whose "/" is recursively slave (or private). On failure the caller is back in its original
 * namespace; only -ENOTRECOVERABLE means it could not be put back (the session must not go on). */
int mntns_ns_enter_new(struct mntns_saved *s, enum mntns_prop prop, const struct mntns_log *log,
		       struct mntns_err *err);

/* Applies PLAN in the current (new) namespace: first every bind source is resolved and cloned
 * from the view as it is before any rule, then the mounts are attached in plan order.
 * UID/GID own directories made for create=. */
int mntns_apply_plan(const struct mntns_plan *plan, uid_t uid, gid_t gid,
		     const struct mntns_log *log, struct mntns_err *err);

/* What mntns_check_plan says a login would do with one op of a plan. */
enum mntns_verdict { MNTNS_CHECK_OK, MNTNS_CHECK_SKIPPED, MNTNS_CHECK_REFUSED };
struct mntns_check {
	enum mntns_verdict verdict;
	char why[1024]; /* skipped, refused: the line the module logs for it */
	/* what the login does on the way, a line each, as the module's debug log says
	 * it: a create= source it makes, a target it creates in a fresh tmpfs of the plan, the
	 * users' FUSE mounts it looks beneath */
	char notes[1024];
};

/* The dry walk of mntnsctl check: every source and target of PLAN is opened and judged by the
 * very functions a login's apply uses, in the same order, for UID and GID, and CHECKS
 * (PLAN->n of them) says per op what a login would do. Nothing is created: a create= source
 * that is missing is reported as made, a target in a fresh tmpfs of the plan as created there.
 * It runs in a mount namespace of its own, copied from the outer view and made private, where
 * copies of the view are stacked to look beneath users' FUSE mounts as a login does, and an
 * op is attached only where a later target lies below it; the calling thread is back in its
 * own namespace when it returns. Returns 0 when a login would succeed, 1 when it would be
 * refused (ERR: the first refusal, as the module logs it), or -errno when the check could not
 * be made (-ENOTRECOVERABLE: and the thread could not be put back). */
int mntns_check_plan(const struct mntns_plan *plan, uid_t uid, gid_t gid,
		     struct mntns_check *checks, struct mntns_err *err);

/* After a failure: returns the caller to its original namespace, root and working directory.
 * Returns 0, or -errno if that was impossible (then the caller must not continue). */
int mntns_ns_leave(struct mntns_saved *s, struct mntns_err *err);

/* After success: re-enters the working directory through the new view if a mount of PLAN (may
 * be NULL) covers it (so the session keeps no handle on what a mount hides) or the thread
 * went through setns(), and releases S. SAME_ONLY: only if the path still names the same
 * directory there (else "/"), for a view that is not the user's own. The path is walked as
 * every path of the module is, for UID (see mntns_path_open_safe); on any doubt, "/". */
void mntns_ns_done(struct mntns_saved *s, const struct mntns_plan *plan, bool same_only,
		   uid_t uid, const struct mntns_log *log);

/* Releases S without changing namespaces. */
void mntns_saved_release(struct mntns_saved *s);

#endif
