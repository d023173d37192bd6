/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Parsing and matching of user selectors (see select.h). Pure: the user's groups were
 * resolved before, so it is unit-tested without NSS. */
#include "select.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',';
}

/* Fills T from the token [s, s + len) and NUL-terminates its name in place. */
static int parse_token(struct sel_token *t, char *s, size_t len, struct mntns_err *err)
{
	memset(t, 0, sizeof(*t));
	if (*s == '!') {
		t->negated = true;
		s++;
		len--;
	}
	if (len == 1 && *s == '*') {
		t->kind = SEL_ALL;
		return 0;
	}
	t->kind = SEL_USER;
	if (len > 0 && *s == '@') {
		t->kind = SEL_GROUP;
		s++;
		len--;
	}
	if (len == 0 || memchr(s, '!', len) || memchr(s, '@', len) || memchr(s, '*', len))
		return mntns_fail(err, -EINVAL, "invalid selector token \"%s%s%.*s\"",
				  t->negated ? "!" : "", t->kind == SEL_GROUP ? "@" : "", (int)len,
				  s);
	s[len] = '\0';
	t->name = s;
	return 0;
}

/* One allocation holds the tokens and, after them, a copy of TEXT that their names point
 * into: a config of 10,000 rules parses 10,000 selectors per login. */
int mntns_selector_parse(const char *text, struct mntns_selector *sel, struct mntns_err *err)
{
	size_t n = 0, len = strlen(text);
	char *copy, *p;

	memset(sel, 0, sizeof(*sel));
	for (const char *c = text; *c; c++) {
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return mntns_fail(err, -EINVAL, "selector contains a control character");
		n += !is_sep(*c) && (c == text || is_sep(c[-1]));
	}
	if (n == 0)
		return mntns_fail(err, -EINVAL, "empty selector (use \"!*\" to match nobody)");
	sel->tok = malloc(n * sizeof(*sel->tok) + len + 1);
	if (!sel->tok)
		return mntns_fail(err, -ENOMEM, "out of memory");
	copy = (char *)(sel->tok + n);
	memcpy(copy, text, len + 1);
	for (p = copy; sel->n < n; sel->n++) {
		size_t tl;
		int r;

		while (is_sep(*p))
			p++;
		for (tl = 0; p[tl] && !is_sep(p[tl]); tl++)
			;
		r = parse_token(&sel->tok[sel->n], p, tl, err);
		if (r < 0) {
			mntns_selector_free(sel);
			return r;
		}
		p += tl + 1; /* past the NUL that ended the name, or the separator */
	}
	return 0;
}

void mntns_selector_free(struct mntns_selector *sel)
{
	free(sel->tok); /* the names live in the same block */
	sel->tok = NULL;
	sel->n = 0;
}

bool mntns_selector_has_groups(const struct mntns_selector *sel)
{
	for (size_t i = 0; i < sel->n; i++)
		if (sel->tok[i].kind == SEL_GROUP)
			return true;
	return false;
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(*(const char *const *)key, *(char *const *)elem);
}

static bool token_matches(const struct sel_token *t, const struct mntns_user *u)
{
	switch (t->kind) {
	case SEL_ALL:
		return true;
	case SEL_USER:
		return strcmp(t->name, u->name) == 0;
	case SEL_GROUP:
		return u->n_group_names && bsearch(&t->name, u->group_names, u->n_group_names,
						   sizeof(*u->group_names), cmp_name);
	}
	return false;
}

static bool any_matches(const struct mntns_selector *sel, bool negated, const struct mntns_user *u)
{
	for (size_t i = 0; i < sel->n; i++)
		if (sel->tok[i].negated == negated && token_matches(&sel->tok[i], u))
			return true;
	return false;
}

bool mntns_selector_match(const struct mntns_selector *sel, const struct mntns_user *u)
{
	return any_matches(sel, false, u) && !any_matches(sel, true, u);
}

int mntns_user_lookup_selected(const char *name, unsigned need, const struct mntns_selector *users,
			       struct mntns_user *u, struct mntns_err *err)
{
	bool later = (need & MNTNS_NEED_GROUPS) && !mntns_selector_has_groups(users);
	int rc =
	    mntns_user_lookup(name, later ? need & ~(unsigned)MNTNS_NEED_GROUPS : need, u, err);

	if (rc == 0 && later && mntns_selector_match(users, u)) {
		rc = mntns_user_add_groups(u, err);
		if (rc < 0)
			mntns_user_free(u);
	}
	return rc;
}
