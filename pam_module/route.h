/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Where a login goes: a pure decision from what is known when the config has been read (where
 * the login starts, what state the config is in, who the user is), tested as a table. view.c
 * takes the thread there; the PAM glue logs and picks the return code. */
#ifndef MNTNS_ROUTE_H
#define MNTNS_ROUTE_H

#include <stdbool.h>

#include "global.h"
#include "nested.h"
#include "user.h"

struct mntns_config; /* config.h */

enum mntns_route {
	MNTNS_ROUTE_REFUSE,    /* the login fails as on_error says; one opened in a view of ours
				* is taken back to the outer view first (sudo runs its command
				* anyway) */
	MNTNS_ROUTE_STAY,      /* left where it is, untouched (PAM_IGNORE) */
	MNTNS_ROUTE_OUTER,     /* back to the outer view from a view of ours; nothing mounted */
	MNTNS_ROUTE_NEW_VIEW,  /* a view of its own, built from the outer view when the login can
				* reach it, else on the view it starts in */
	MNTNS_ROUTE_USER_VIEW, /* scope = user: the user's live view, joined or built */
};

/* Why, for the log. */
enum mntns_route_why {
	MNTNS_WHY_SELECTED,   /* NEW_VIEW, USER_VIEW: [global] users selects the user */
	MNTNS_WHY_ON_CALLER,  /* NEW_VIEW: selected, and the login starts in a view that is not
			       * PID 1's nor leads there: the view is built on that one */
	MNTNS_WHY_UNSELECTED, /* STAY, OUTER: [global] users leaves the user out */
	MNTNS_WHY_ROOT,	      /* STAY, OUTER: the config is broken, but root is never locked out */
	MNTNS_WHY_BROKEN_UNSELECTED, /* STAY, OUTER: the config is broken, but its clean [global]
				      * leaves the user out */
	MNTNS_WHY_BROKEN, /* REFUSE: a trusted config with an error, and it may select the user */
	MNTNS_WHY_UNTRUSTED, /* REFUSE: a config that cannot be trusted or read: every login */
	MNTNS_WHY_ORIGIN,    /* REFUSE: where the login starts cannot be told */
};

/* What a config that was loaded lets a login rely on (see mntns_config.trusted, global_ok). */
enum mntns_config_state {
	MNTNS_CONFIG_OK,	       /* loaded */
	MNTNS_CONFIG_BROKEN_GLOBAL_OK, /* an error, but every [global] read cleanly: its users,
					* scope and unselected hold */
	MNTNS_CONFIG_BROKEN,	       /* an error in [global] too: only root is let through */
	MNTNS_CONFIG_UNTRUSTED,	       /* not trusted, or not read: nothing of it holds */
};

struct mntns_route_in {
	enum mntns_where where;		/* mntns_origin_find */
	enum mntns_config_state config; /* mntns_route_config */
	bool root;			/* the user is uid 0 (UNTRUSTED: not looked up, ignored) */
	bool selected;			/* by [global] users (only OK and BROKEN_GLOBAL_OK) */
	enum mntns_scope scope;		/* only OK */
	enum mntns_unselected unselected; /* only OK and BROKEN_GLOBAL_OK */
};

struct mntns_routing {
	enum mntns_route to;
	enum mntns_route_why why;
	/* The outer view is where the login would go (unselected = outer) or be built (scope =
	 * user), but it starts in a view that does not lead there: it stays in that one, or its
	 * view is built on it and is its own. The glue warns. */
	bool stranded;
};

/* The state of a config from what mntns_config_load returned (LOAD_RC) and left in CFG. */
enum mntns_config_state mntns_route_config(int load_rc, const struct mntns_config *cfg);

/* The route's input for a login that starts at WHERE, from what mntns_config_load returned
 * (LOAD_RC) and left in CFG; nothing of the user yet (mntns_route_in_user). */
struct mntns_route_in mntns_route_in_load(enum mntns_where where, int load_rc,
					  const struct mntns_config *cfg);
/* Adds user U to IN (not for MNTNS_CONFIG_UNTRUSTED, which looks nobody up): whether they are
 * root, and whether [global] users selects them (never when [global] did not read cleanly). */
void mntns_route_in_user(struct mntns_route_in *in, const struct mntns_config *cfg,
			 const struct mntns_user *u);

struct mntns_routing mntns_route(const struct mntns_route_in *in);

/* A refusal (the route's, or an error met on the way) with on_error = ON_ERROR: may the login
 * go on unchanged (PAM_IGNORE)? Never when the thread could not be put back (STUCK, which only
 * mntns_view_enter says: an error code alone does not, as a lookup passes on what a name
 * service said), nor from an origin that cannot be told: staying might mean root in a user's
 * view. */
bool mntns_route_forgiven(enum mntns_where where, enum mntns_on_error on_error, bool stuck);

#endif
