/* Structural INI scan (see inicheck.h). It follows iniparser 4.1's line grammar so that the
 * two never disagree on what a line is, and is stricter where iniparser is silent. */
#include "inicheck.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return end;
}

/* Copies [s, e) lowercased into out (size INICHECK_MAX_LINE + 1) and checks that every
 * character is allowed; returns the length, or -1. */
static int lower_name(const char *s, const char *e, const char *extra, char *out)
{
	int n = 0;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		char c = (char)tolower((unsigned char)*s);

		if (!isalnum((unsigned char)c) && c != '_' && !strchr(extra, c))
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

/* The value as iniparser stores it, for the simple forms on_error takes. */
static void simple_value(const char *s, const char *e, char *out)
{
	const char *v = skip_space(s, e), *ve;

	if (v < e && (*v == '"' || *v == '\'')) {
		ve = memchr(v + 1, *v, (size_t)(e - v - 1));
		if (ve) {
			memcpy(out, v + 1, (size_t)(ve - v - 1));
			out[ve - v - 1] = '\0';
			return;
		}
	}
	for (ve = v; ve < e && *ve != ';' && *ve != '#'; ve++)
		;
	ve = trim_end(v, ve);
	memcpy(out, v, (size_t)(ve - v));
	out[ve - v] = '\0';
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

		if (lower_name(ns, ne, ".-", a) < 0) {
			struct mntns_err ignored;

			/* Lines below a broken header belong to no section. */
			ops->section(ctx, NULL, lineno, &ignored);
			return mntns_fail(err, -EINVAL,
					  "%s:%u: invalid section name \"%.*s\" (use letters, digits, "
					  "'_', '.', '-')",
					  name, lineno, (int)(e - s), s);
		}
		return ops->section(ctx, a, lineno, err);
	}
	eq = memchr(s, '=', (size_t)(e - s));
	if (!eq || eq == s)
		return mntns_fail(err, -EINVAL, "%s:%u: syntax error: expected [section] or key = value",
				  name, lineno);
	if (lower_name(s, trim_end(s, eq), "", a) < 0)
		return mntns_fail(err, -EINVAL, "%s:%u: invalid key name \"%.*s\"", name, lineno,
				  (int)(trim_end(s, eq) - s), s);
	simple_value(eq + 1, e, b);
	return ops->key(ctx, a, b, lineno, err);

continuation:
	return mntns_fail(err, -EINVAL,
			  "%s:%u: line ends with '\\' (line continuation is not supported)", name,
			  lineno);
}

int inicheck_scan(const char *name, const char *buf, size_t len, const struct inicheck_ops *ops,
		  void *ctx, struct mntns_err *err)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;
	struct mntns_err later;
	int first = 0;

	if (memchr(buf, '\0', len))
		return mntns_fail(err, -EINVAL, "%s: contains a NUL byte (binary data?)", name);
	/* Keep going after the first error (reporting only that one), so that the callbacks see
	 * every well-formed line: on_error must be honoured wherever it stands in the file. */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		struct mntns_err *to = first ? &later : err;
		int r;

		lineno++;
		if (e - p > INICHECK_MAX_LINE)
			r = mntns_fail(to, -EINVAL, "%s:%u: line longer than %d bytes", name, lineno,
				       INICHECK_MAX_LINE);
		else
			r = scan_line(name, lineno, p, e, ops, ctx, to);
		if (r < 0 && !first)
			first = r;
		p = nl ? nl + 1 : end;
	}
	return first;
}
