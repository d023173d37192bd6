/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Where a login goes (see route.h). No syscalls: every fact was found before. */
#include "route.h"

#include "config.h"

enum mntns_config_state mntns_route_config(int load_rc, const struct mntns_config *cfg)
{
	if (load_rc == 0)
		return MNTNS_CONFIG_OK;
	if (!cfg->trusted)
		return MNTNS_CONFIG_UNTRUSTED;
	return cfg->global_ok ? MNTNS_CONFIG_BROKEN_GLOBAL_OK : MNTNS_CONFIG_BROKEN;
}

struct mntns_route_in mntns_route_in_load(enum mntns_where where, int load_rc,
					  const struct mntns_config *cfg)
{
	return (struct mntns_route_in){.where = where,
				       .config = mntns_route_config(load_rc, cfg),
				       .scope = cfg->scope,
				       .unselected = cfg->unselected};
}

void mntns_route_in_user(struct mntns_route_in *in, const struct mntns_config *cfg,
			 const struct mntns_user *u)
{
	in->root = u->uid == 0;
	in->selected = in->config != MNTNS_CONFIG_BROKEN && mntns_selector_match(&cfg->users, u);
}

static struct mntns_routing to(enum mntns_route where, enum mntns_route_why why, bool stranded)
{
	return (struct mntns_routing){.to = where, .why = why, .stranded = stranded};
}

/* A user whom the config leaves alone. A login opened inside a view of ours (sudo -i in a
 * session) goes back to the outer view, unless KEEP says to stay in the caller's; one in a
 * view of ours that does not lead there stays, and says so. */
static struct mntns_routing alone(enum mntns_where where, enum mntns_unselected keep,
				  enum mntns_route_why why)
{
	if (where == MNTNS_AT_OURS && keep == MNTNS_UNSELECTED_OUTER)
		return to(MNTNS_ROUTE_OUTER, why, false);
	return to(MNTNS_ROUTE_STAY, why,
		  where == MNTNS_AT_OURS_LOST && keep == MNTNS_UNSELECTED_OUTER);
}

/* A selected user: a login in PID 1's view or one of ours (which leads back there) gets its
 * view from the outer view; one in any other view gets it built on that one, never left. */
static struct mntns_routing selected(enum mntns_where where, enum mntns_scope scope)
{
	bool from_outer = where == MNTNS_AT_SYSTEM || where == MNTNS_AT_OURS;

	if (!from_outer)
		return to(MNTNS_ROUTE_NEW_VIEW, MNTNS_WHY_ON_CALLER, scope == MNTNS_SCOPE_USER);
	return to(scope == MNTNS_SCOPE_USER ? MNTNS_ROUTE_USER_VIEW : MNTNS_ROUTE_NEW_VIEW,
		  MNTNS_WHY_SELECTED, false);
}

struct mntns_routing mntns_route(const struct mntns_route_in *in)
{
	if (in->where == MNTNS_AT_UNKNOWN)
		return to(MNTNS_ROUTE_REFUSE, MNTNS_WHY_ORIGIN, false);
	switch (in->config) {
	case MNTNS_CONFIG_OK:
		if (!in->selected)
			return alone(in->where, in->unselected, MNTNS_WHY_UNSELECTED);
		return selected(in->where, in->scope);
	case MNTNS_CONFIG_BROKEN_GLOBAL_OK:
		/* A typo never locks root out, nor touches whom a clean [global] leaves out. */
		if (in->root)
			return alone(in->where, in->unselected, MNTNS_WHY_ROOT);
		if (!in->selected)
			return alone(in->where, in->unselected, MNTNS_WHY_BROKEN_UNSELECTED);
		return to(MNTNS_ROUTE_REFUSE, MNTNS_WHY_BROKEN, false);
	case MNTNS_CONFIG_BROKEN:
		/* Nothing of [global] holds, unselected = keep neither. */
		if (in->root)
			return alone(in->where, MNTNS_UNSELECTED_OUTER, MNTNS_WHY_ROOT);
		return to(MNTNS_ROUTE_REFUSE, MNTNS_WHY_BROKEN, false);
	case MNTNS_CONFIG_UNTRUSTED:
	default:
		return to(MNTNS_ROUTE_REFUSE, MNTNS_WHY_UNTRUSTED, false);
	}
}

bool mntns_route_forgiven(enum mntns_where where, enum mntns_on_error on_error, bool stuck)
{
	return on_error == MNTNS_ON_ERROR_IGNORE && !stuck && where != MNTNS_AT_UNKNOWN;
}
