/* Parsing and matching of user selectors (see select.h). Pure apart from the injected group
 * lookup, so it is unit-tested without NSS. */
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

static int resolve_group(struct mntns_group_cache *c, const char *name, gid_t *gid)
{
	void *ne;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->ent[i].name, name) == 0) {
			*gid = c->ent[i].gid;
			return c->ent[i].rc;
		}
	ne = realloc(c->ent, (c->n + 1) * sizeof(*c->ent));
	if (!ne)
		return -ENOMEM;
	c->ent = ne;
	c->ent[c->n].name = strdup(name);
	if (!c->ent[c->n].name)
		return -ENOMEM;
	c->ent[c->n].gid = (gid_t)-1;
	c->ent[c->n].rc = c->lookup ? c->lookup(c->ctx, name, &c->ent[c->n].gid) : -ENOENT;
	*gid = c->ent[c->n].gid;
	return c->ent[c->n++].rc;
}

static int token_matches(const struct sel_token *t, const struct mntns_user *u,
			 struct mntns_group_cache *groups, struct mntns_err *err)
{
	gid_t gid;
	int r;

	switch (t->kind) {
	case SEL_ALL:
		return 1;
	case SEL_USER:
		return strcmp(t->name, u->name) == 0;
	case SEL_GROUP:
		r = resolve_group(groups, t->name, &gid);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return mntns_fail(err, r, "looking up group \"%s\": %s", t->name,
					  strerror(-r));
		if (gid == u->gid)
			return 1;
		for (size_t i = 0; i < u->n_gids; i++)
			if (u->gids[i] == gid)
				return 1;
		return 0;
	}
	return 0;
}

/* Does any token of the given polarity match? Name tokens are tried before group tokens
 * so that the common case needs no NSS lookup at all. */
static int any_matches(const struct mntns_selector *sel, bool negated, const struct mntns_user *u,
		       struct mntns_group_cache *groups, struct mntns_err *err)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sel->n; i++) {
			const struct sel_token *t = &sel->tok[i];
			int r;

			if (t->negated != negated || (t->kind == SEL_GROUP) != (pass == 1))
				continue;
			r = token_matches(t, u, groups, err);
			if (r != 0)
				return r;
		}
	return 0;
}

int mntns_selector_match(const struct mntns_selector *sel, const struct mntns_user *u,
			 struct mntns_group_cache *groups, struct mntns_err *err)
{
	int r = any_matches(sel, false, u, groups, err);

	if (r <= 0)
		return r;
	r = any_matches(sel, true, u, groups, err);
	return r < 0 ? r : !r;
}

void mntns_group_cache_free(struct mntns_group_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->ent[i].name);
	free(c->ent);
	c->ent = NULL;
	c->n = 0;
}
