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

/* Group names resolved while planning one login, so that 10,000 rules naming @staff cost one
 * NSS lookup, not 10,000. */
struct mntns_group_cache {
	mntns_group_lookup_fn lookup;
	void *ctx;
	struct {
		char *name;
		int rc; /* result of lookup: 0 or -errno */
		gid_t gid;
	} *ent;
	size_t n;
};

/* Parses TEXT; an empty selector, a lone "!" or "@", or a control character is an error
 * (the message names the token; the caller adds file and section). */
int mntns_selector_parse(const char *text, struct mntns_selector *sel, struct mntns_err *err);
void mntns_selector_free(struct mntns_selector *sel);
bool mntns_selector_has_groups(const struct mntns_selector *sel);

/* Returns 1 on a match, 0 on none, or -errno when a group lookup failed for another reason
 * than "no such group" (an unknown group simply matches nobody). */
int mntns_selector_match(const struct mntns_selector *sel, const struct mntns_user *u,
			 struct mntns_group_cache *groups, struct mntns_err *err);
void mntns_group_cache_free(struct mntns_group_cache *c);

#endif
