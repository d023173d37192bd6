/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Variable expansion in source and target paths (see vars.h). Pure code. */
#include "vars.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool mntns_path_is_canonical(const char *path)
{
	const char *p = path;

	if (*p != '/')
		return false;
	if (p[1] == '\0')
		return true;
	while (*p == '/') {
		const char *c = p + 1;
		size_t len = strcspn(c, "/");

		if (len == 0) /* "//" or a trailing '/' */
			return false;
		if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		p = c + len;
	}
	return true;
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int mntns_template_check(const char *tmpl, unsigned *need, struct mntns_err *err)
{
	/* Substitute every variable by a harmless placeholder, then check the result as a path:
	 * expansion only ever produces single safe components (names) or numbers, and %h
	 * produces a checked absolute path, so a canonical shape stays canonical. */
	char shape[PATH_MAX + 1]; /* never longer than the template */
	char *o = shape;

	if (strlen(tmpl) > PATH_MAX)
		return mntns_fail(err, -EINVAL, "path longer than %d bytes", PATH_MAX);
	if (has_control(tmpl))
		return mntns_fail(err, -EINVAL, "path contains a control character");
	for (const char *p = tmpl; *p; p++) {
		if (*p != '%') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'h':
			/* "%h.bak" would name a sibling of the home, which another user may own. */
			if (p != tmpl + 1 || (p[1] != '/' && p[1] != '\0'))
				return mntns_fail(err, -EINVAL,
						  "%%h may only stand at the start of a path, followed "
						  "by / or nothing: %s",
						  tmpl);
			*o++ = '/';
			*o++ = 'h';
			break;
		case 'u':
		case 'U':
		case 'g':
		case 'G':
			if (*p == 'g')
				*need |= MNTNS_NEED_GROUP_NAME;
			*o++ = 'x';
			break;
		case '%':
			*o++ = '%';
			break;
		case '\0':
			return mntns_fail(err, -EINVAL, "path ends with a lone %%: %s", tmpl);
		default:
			return mntns_fail(err, -EINVAL, "unknown variable %%%c in %s", *p, tmpl);
		}
	}
	*o = '\0';
	if (!mntns_path_is_canonical(shape) || strcmp(shape, "/") == 0)
		return mntns_fail(err, -EINVAL,
				  "path must be absolute and canonical (no \"//\", \".\", \"..\" or "
				  "trailing \"/\") and not \"/\": %s",
				  tmpl);
	return 0;
}

static int check_name(const char *what, const char *name, struct mntns_err *err)
{
	if (!name || !*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strchr(name, '/') || has_control(name))
		return mntns_fail(err, -EINVAL,
				  "%s name is empty, \".\", \"..\" or contains '/' or a control "
				  "character; refusing to use it in a path",
				  what);
	/* No path component can be longer; refuse it here rather than after a failed mkdir. */
	if (strlen(name) > NAME_MAX)
		return mntns_fail(err, -ENAMETOOLONG,
				  "%s name is longer than %d bytes; refusing to use it in a path", what,
				  NAME_MAX);
	return 0;
}

/* Appends s to the growing buffer. */
static int put(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *nb = realloc(*buf, ncap);

		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return 0;
}

int mntns_expand(const char *tmpl, const struct mntns_user *u, char **out, struct mntns_err *err)
{
	char *buf = NULL, num[24], one[2] = { 0 };
	size_t len = 0, cap = 0;
	int r = 0;

	for (const char *p = tmpl; *p && r == 0; p++) {
		const char *s = one;

		one[0] = *p;
		if (*p == '%') {
			switch (*++p) {
			case 'u':
				r = check_name("user", u->name, err);
				s = u->name;
				break;
			case 'g':
				r = check_name("primary group", u->group, err);
				s = u->group;
				break;
			case 'U':
				snprintf(num, sizeof(num), "%u", (unsigned)u->uid);
				s = num;
				break;
			case 'G':
				snprintf(num, sizeof(num), "%u", (unsigned)u->gid);
				s = num;
				break;
			case 'h':
				/* A home of "/" contributes nothing: "%h/x" becomes "/x". */
				if (u->home && has_control(u->home))
					r = mntns_fail(err, -EINVAL,
						       "home directory contains a control "
						       "character; refusing to use it in a path");
				else if (!u->home || !mntns_path_is_canonical(u->home))
					r = mntns_fail(err, -EINVAL,
						       "home directory \"%s\" is not an absolute "
						       "canonical path",
						       u->home ? u->home : "");
				s = (u->home && strcmp(u->home, "/") != 0) ? u->home : "";
				break;
			default: /* "%%"; templates were checked at load time */
				s = "%";
				break;
			}
		}
		if (r == 0 && put(&buf, &len, &cap, s) < 0)
			r = mntns_fail(err, -ENOMEM, "out of memory");
	}
	if (r == 0 && (!buf || !mntns_path_is_canonical(buf) || strcmp(buf, "/") == 0))
		r = mntns_fail(err, -EINVAL, "%s expands to \"%s\", not an absolute canonical path",
			       tmpl, buf ? buf : "");
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	return 0;
}
