/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Selectors: who a [global] users= or a rule's users= applies to.
 * Tokens separated by spaces or commas: "*", NAME, @GROUP, each optionally negated with "!".
 * A selector matches when some positive token matches and no negated token does. */
#ifndef MNTNS_SELECT_H
#define MNTNS_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "user.h"

enum sel_kind { SEL_ALL, SEL_USER, SEL_GROUP };

struct sel_token {
	enum sel_kind kind;
	bool negated;
	char *name; /* user or group name; NULL for SEL_ALL */
};

struct mntns_selector {
	struct sel_token *tok;
	size_t n;
};

/* Parses TEXT; an empty selector, a lone "!" or "@", or a control character is an error
 * (the message names the token; the caller adds file and section). */
int mntns_selector_parse(const char *text, struct mntns_selector *sel, struct mntns_err *err);
void mntns_selector_free(struct mntns_selector *sel);
bool mntns_selector_has_groups(const struct mntns_selector *sel);

/* Does SEL select U? Pure: a @GROUP token is compared with U->group_names, which
 * mntns_user_lookup filled once for the login (one getgrgid per group of the user), so no
 * selector costs an NSS lookup.
 *
 * The one subtlety: NSS can give one gid several names (two /etc/group lines with the same
 * gid, or a local group and a directory group). getgrgid reports one of them, normally the
 * first, and only that name matches: "@alias" does not select the members of the gid it
 * shares. Catching it would take a getgrnam per token per login, which is what this avoids;
 * name the group as getent group GID shows it. */
bool mntns_selector_match(const struct mntns_selector *sel, const struct mntns_user *u);

/* Looks user NAME up for what NEED asks (MNTNS_NEED_*), the groups only when USERS selects
 * them: a USERS without @GROUP decides without them, so a user it leaves out (root, in the
 * shipped [global] users) costs no group lookup, and that login never waits on a directory
 * service for nothing. Returns 0 or -errno, as mntns_user_lookup. */
int mntns_user_lookup_selected(const char *name, unsigned need, const struct mntns_selector *users,
			       struct mntns_user *u, struct mntns_err *err);

#endif
