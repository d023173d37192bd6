/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Applying a plan: the only unit that mounts rule mounts (the thread's namespace is view.c's). */
#ifndef MNTNS_APPLY_H
#define MNTNS_APPLY_H

#include <sys/types.h>

#include "err.h"
#include "log.h"
#include "plan.h"

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

#endif
