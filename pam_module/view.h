/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The calling thread's mount namespace: the one unit that changes it. A login is taken where
 * its route says (route.h): back to the outer view, into a new view (unshare, / recursively
 * slave, the plan applied, the record mounted) or into the user's live view; and on any
 * failure back to where it was, in one place. */
#ifndef MNTNS_VIEW_H
#define MNTNS_VIEW_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "log.h"
#include "nested.h"
#include "plan.h"
#include "route.h"
#include "userscope.h"

/* Where the calling thread was, to put it back: namespace, root and working directory. */
struct mntns_saved {
	int ns_fd;
	int root_fd;
	int cwd_fd;
	char *cwd;    /* path of the working directory, to re-enter it in the new view */
	bool entered; /* the thread is no longer in the namespace NS_FD */
	bool moved;   /* it went through setns(), which put it at that namespace's root */
};

/* One login, as the namespace code sees it. */
struct mntns_view {
	const struct mntns_origin *origin; /* where it starts (mntns_origin_find) */
	const struct mntns_log *log;
	uid_t uid; /* the user's, for the plan, the record and the walk of the working directory */
	gid_t gid;
	const char *name; /* the user's name, as the log may show it */
	/* MNTNS_ROUTE_USER_VIEW: this session, as the registry has it (filled in) */
	struct mntns_session_id session;
	bool in_outer; /* view.c's: a login that started in ours is in the outer view now */
	/* view.c's: the last mntns_view_enter could not put the thread back (it returned
	 * -ENOTRECOVERABLE): the session must not go on. The one word on it: an error code that
	 * reaches the glue from elsewhere (a name service's errno) says nothing of the thread. */
	bool stuck;
};

/* Takes the calling thread where TO says, PLAN (a selected user's) applied for a new view.
 * A login that starts in a view of ours first goes back to the outer view, for every TO but
 * MNTNS_ROUTE_STAY, and stays there on failure: so MNTNS_ROUTE_REFUSE does just that, and
 * can be asked for again after an error. Returns 0; or -errno with ERR set, the thread back
 * where it was (the outer view, for a login that started in ours); -ENOTRECOVERABLE, with
 * V->stuck set, when it could not be put back: the session must not go on, whatever on_error
 * says. */
int mntns_view_enter(struct mntns_view *v, enum mntns_route to, const struct mntns_plan *plan,
		     struct mntns_err *err);

/* Opens the calling thread's mount namespace, the one place that does. Returns a descriptor, or
 * -errno with errno set too. */
int mntns_view_ns_open(void);

/* For mntnsctl check: a namespace of the calling thread's own, copied from the outer view and
 * made private, so that nothing done in it reaches any other. S: where to come back with
 * mntns_view_leave. Returns 0 or -errno (the thread then back where it was). */
int mntns_view_enter_scratch(struct mntns_saved *s, struct mntns_err *err);
/* Back to where S says, and S released. Returns 0, or -errno when that was impossible (the
 * caller must not go on). */
int mntns_view_leave(struct mntns_saved *s, struct mntns_err *err);

#endif
