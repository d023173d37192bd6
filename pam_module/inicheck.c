/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The INI reader (see inicheck.h): iniparser 4.1's line grammar, stricter where iniparser is
 * silent. */
#include "inicheck.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* ASCII only, whatever the locale of the process the module is loaded into: a config must
 * not read differently in sshd started under another LANG. (iniparser uses isspace() and
 * tolower(); in the C locale and glibc's UTF-8 locales they agree with these.) */
static bool is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

bool inicheck_is_space(char c)
{
	return is_space(c);
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool inicheck_eq_nocase(const char *a, const char *b)
{
	for (; *a && ascii_lower(*a) == ascii_lower(*b); a++, b++)
		;
	return ascii_lower(*a) == ascii_lower(*b);
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && is_space(*s))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && is_space(end[-1]))
		end--;
	return end;
}

/* Copies [s, e) lowercased into out (size INICHECK_MAX_LINE + 1) and checks that every
 * character is a letter, a digit, '_', or with SECTION also '.' or '-'; returns the length,
 * or -1. */
static int lower_name(const char *s, const char *e, bool section, char *out)
{
	int n = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_' &&
		    !(section && (c == '.' || c == '-')))
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* The value of a key line, [s, e) being what follows the '=', as iniparser 4.1 stores it. Its
 * sscanf patterns, in order: a quote and at least one other character start a quoted value,
 * which ends at the same quote or at the end of the line; anything else ends at ';' or '#' and
 * loses the spaces around it, and "" or '' left alone mean the empty string. */
static void ini_value(const char *s, const char *e, char *out)
{
	const char *v = skip_space(s, e), *ve;

	if (e - v >= 2 && (*v == '"' || *v == '\'') && v[1] != *v) {
		ve = memchr(v + 1, *v, (size_t)(e - v - 1));
		if (!ve)
			ve = e;
		v++;
	} else {
		for (ve = v; ve < e && *ve != ';' && *ve != '#'; ve++)
			;
		ve = trim_end(v, ve);
		if (ve - v == 2 && (*v == '"' || *v == '\'') && v[1] == *v)
			ve = v;
	}
	memcpy(out, v, (size_t)(ve - v));
	out[ve - v] = '\0';
}

static void bad_line(const struct inicheck_ops *ops, void *ctx, unsigned lineno, bool in_section)
{
	if (ops->bad_line)
		ops->bad_line(ctx, lineno, in_section);
}

static int scan_line(const char *name, unsigned lineno, const char *s, const char *e,
		     const struct inicheck_ops *ops, void *ctx, struct mntns_err *err)
{
	char a[INICHECK_MAX_LINE + 1], b[INICHECK_MAX_LINE + 1];
	const char *eq;

	s = skip_space(s, e);
	e = trim_end(s, e);
	if (s == e || *s == '#' || *s == ';') {
		/* iniparser would join the next line to a comment ending in '\' too. */
		if (s != e && e[-1] == '\\')
			goto continuation;
		return 0;
	}
	if (e[-1] == '\\')
		goto continuation;
	if (*s == '[' && e[-1] == ']') {
		const char *ns = skip_space(s + 1, e - 1), *ne = trim_end(ns, e - 1);

		if (lower_name(ns, ne, true, a) < 0) {
			/* Lines below a broken header belong to no section. */
			ops->section(ctx, NULL, lineno, NULL);
			return mntns_fail(err, -EINVAL,
					  "%s:%u: invalid section name \"%.*s\" (use letters, digits, "
					  "'_', '.', '-')",
					  name, lineno, (int)(e - s), s);
		}
		return ops->section(ctx, a, lineno, err);
	}
	eq = memchr(s, '=', (size_t)(e - s));
	if (!eq || eq == s) {
		bad_line(ops, ctx, lineno, false);
		return mntns_fail(err, -EINVAL,
				  "%s:%u: syntax error: expected [section] or key = value", name,
				  lineno);
	}
	if (lower_name(s, trim_end(s, eq), false, a) < 0) {
		/* "[global] = x" may be a header with a typo, as much as a key. */
		bad_line(ops, ctx, lineno, *s != '[');
		return mntns_fail(err, -EINVAL, "%s:%u: invalid key name \"%.*s\"", name, lineno,
				  (int)(trim_end(s, eq) - s), s);
	}
	ini_value(eq + 1, e, b);
	return ops->key(ctx, a, b, lineno, err);

continuation:
	bad_line(ops, ctx, lineno, false);
	return mntns_fail(err, -EINVAL,
			  "%s:%u: line ends with '\\' (line continuation is not supported)", name,
			  lineno);
}

int inicheck_scan(const char *name, const char *buf, size_t len, const struct inicheck_ops *ops,
		  void *ctx, struct mntns_err *err)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;
	int first = 0;

	if (memchr(buf, '\0', len)) {
		bad_line(ops, ctx, 0, false);
		return mntns_fail(err, -EINVAL, "%s: contains a NUL byte (binary data?)", name);
	}
	/* Keep going after the first error (reporting only that one), so that the callbacks see
	 * every well-formed line: on_error must be honoured wherever it stands in the file. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		struct mntns_err *to = first ? NULL : err;
		int r;

		lineno++;
		if (e - p > INICHECK_MAX_LINE) {
			bad_line(ops, ctx, lineno, false);
			r = mntns_fail(to, -EINVAL, "%s:%u: line longer than %d bytes", name, lineno,
				       INICHECK_MAX_LINE);
		} else
			r = scan_line(name, lineno, p, e, ops, ctx, to);
		if (r < 0 && !first)
			first = r;
		p = nl ? nl + 1 : end;
	}
	return first;
}
