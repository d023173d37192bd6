/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Building the configuration from the text of mntns.conf and its drop-ins: one pass of the INI
 * reader (inicheck.c) whose callbacks validate and build every rule. Reading the files, and
 * deciding whether to trust them, is configfile.c's. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "inicheck.h"
#include "strmap.h"
#include "vars.h"

enum { K_GLOBAL_USERS, K_SCOPE, K_PROPAGATION, K_ON_ERROR, K_UNSELECTED, K_DEBUG, N_GLOBAL_KEYS };
enum { K_TYPE, K_TARGET, K_SOURCE, K_OPTIONS, K_CREATE, K_USERS, K_OPTIONAL, N_RULE_KEYS };

static const char *const global_keys[N_GLOBAL_KEYS] = {"users",	   "scope",	 "propagation",
						       "on_error", "unselected", "debug"};
static const char *const rule_keys[N_RULE_KEYS] = { "type",   "target", "source",  "options",
						     "create", "users",  "optional" };
/* A section's values are kept in one array of N_RULE_KEYS, whichever section it is. */
_Static_assert((int)N_GLOBAL_KEYS <= (int)N_RULE_KEYS,
	       "scan_ctx.vals holds the keys of [global] too");

static int key_index(bool global, const char *key)
{
	const char *const *keys = global ? global_keys : rule_keys;
	int n = global ? N_GLOBAL_KEYS : N_RULE_KEYS;

	for (int i = 0; i < n; i++)
		if (strcmp(keys[i], key) == 0)
			return i;
	return -1;
}

const char *mntns_type_name(enum mntns_type t)
{
	switch (t) {
	case MNTNS_TMPFS:
		return "tmpfs";
	case MNTNS_BIND:
		return "bind";
	case MNTNS_HIDE:
		return "hide";
	}
	return "?";
}

void mntns_config_init(struct mntns_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->scope = MNTNS_SCOPE_SESSION;
	cfg->propagation = MNTNS_PROP_SLAVE;
	cfg->on_error = MNTNS_ON_ERROR_FAIL;
	cfg->unselected = MNTNS_UNSELECTED_OUTER;
	cfg->trusted = true;
	cfg->global_ok = true;
}

/* Records what an error means to the caller of a failed load (see config.h): one in [global]
 * leaves [global] unknown, and out of memory leaves everything unknown. */
static void note_error(struct mntns_config *cfg, bool global, int rc)
{
	if (rc == -ENOMEM)
		cfg->trusted = false;
	if (global || rc == -ENOMEM)
		cfg->global_ok = false;
}

static void rule_free(struct mntns_rule *r)
{
	free(r->name);
	free(r->target);
	free(r->source);
	free(r->options);
	free(r->fsdata);
	mntns_selector_free(&r->users);
	memset(r, 0, sizeof(*r));
}

void mntns_config_free(struct mntns_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rules; i++)
		rule_free(&cfg->rules[i]);
	free(cfg->rules);
	for (size_t i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	mntns_selector_free(&cfg->users);
	strmap_free(&cfg->names);
	mntns_config_init(cfg);
}

/* ---- validation of values ---- */

static bool all_digits(const char *s, size_t n, int base)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > (base == 8 ? '7' : '9'))
			return false;
	return true;
}

static int parse_mode(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > 5 || !all_digits(s, n, 8))
		return -1;
	long m = strtol(s, NULL, 8);

	return m > 07777 ? -1 : (int)m;
}

/* A decimal number as tmpfs will read it, with a k/m/g/t/p/e suffix (powers of 1024) where
 * SUFFIX allows one; stores the rest of the string in *REST. The kernel's memparse() and
 * kstrtouint() take "010" as octal and "0x10" as hex, and wrap silently past 64 bits: only
 * plain decimal without a leading zero is accepted here, and an overflow is an error. */
static bool parse_number(const char *v, bool suffix, unsigned long long *out, const char **rest)
{
	static const char units[] = "kmgtpe";
	unsigned long long n = 0;
	const char *p = v;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (ULLONG_MAX - (unsigned)(*p - '0')) / 10)
			return false;
		n = n * 10 + (unsigned)(*p - '0');
	}
	if (suffix && *p) {
		const char *u = strchr(units, *p | 0x20);

		if (!u || !*u)
			return false;
		for (int shift = 10 * (int)(u - units + 1); shift > 0; shift -= 10) {
			if (n > ULLONG_MAX >> 10)
				return false;
			n <<= 10;
		}
		p++;
	}
	*out = n;
	*rest = p;
	return true;
}

/* size=N[kmgtpe] or N%, nr_inodes=N[kmgtpe], mode=octal, uid=N, gid=N: checked here as the
 * kernel will read them, so that what mntns-plan accepts also mounts, and no value means "no
 * limit" by accident (tmpfs takes 0, and anything that wraps to 0, as unlimited). Returns
 * NULL or why the value is refused. */
static const char *tmpfs_value_error(const char *key, const char *v)
{
	unsigned long long n;
	const char *rest;

	if (strcmp(key, "mode") == 0)
		return parse_mode(v) >= 0 ? NULL : "expected an octal mode such as 1777";
	if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0)
		/* (uid_t)-1 is no one's id: the kernel refuses it. */
		return parse_number(v, false, &n, &rest) && !*rest && n < 0xffffffffULL
			       ? NULL
			       : "expected a decimal id below 4294967295";
	if (strcmp(key, "size") == 0 && *v && v[strlen(v) - 1] == '%')
		return parse_number(v, false, &n, &rest) && strcmp(rest, "%") == 0 && n >= 1 &&
				       n <= 100
			       ? NULL
			       : "expected a percentage of RAM from 1% to 100%";
	if (!parse_number(v, true, &n, &rest) || *rest)
		return "expected a decimal number, optionally followed by k, m, g, t, p or e";
	if (n == 0)
		return "0 would mean no limit at all; leave the option out for the kernel's default";
	/* Sizes are rounded up to pages, and inodes counted in 1 KiB units: keep both far from
	 * wrapping. */
	if (strcmp(key, "size") == 0 && n > (1ULL << 62))
		return "larger than 4 EiB";
	if (strcmp(key, "nr_inodes") == 0 && n > ULONG_MAX / 1024)
		return "more inodes than the kernel accepts";
	return NULL;
}

static int append_fsdata(struct mntns_rule *r, const char *opt)
{
	size_t old = r->fsdata ? strlen(r->fsdata) : 0;
	char *n = realloc(r->fsdata, old + strlen(opt) + 2);

	if (!n)
		return -ENOMEM;
	if (old)
		n[old++] = ',';
	strcpy(n + old, opt);
	r->fsdata = n;
	return 0;
}

static int parse_options(struct mntns_rule *r, const char *opts, struct mntns_err *err)
{
	static const struct {
		const char *name;
		unsigned flag;
	} flags[] = { { "ro", MNTNS_F_RDONLY },
		      { "nosuid", MNTNS_F_NOSUID },
		      { "nodev", MNTNS_F_NODEV },
		      { "noexec", MNTNS_F_NOEXEC } };
	char copy[INICHECK_MAX_LINE + 1], *save = NULL;

	/* Values come from one line of at most INICHECK_MAX_LINE bytes. */
	snprintf(copy, sizeof(copy), "%s", opts);
	if (r->type == MNTNS_HIDE)
		return mntns_fail(err, -EINVAL, "type hide takes no options");
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq;
		bool known = false;

		while (inicheck_is_space(*o))
			o++;
		for (char *e = o + strlen(o); e > o && inicheck_is_space(e[-1]);)
			*--e = '\0';
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (inicheck_eq_nocase(o, flags[i].name)) {
				r->flags |= flags[i].flag;
				known = true;
			}
		if (known)
			continue;
		if (r->type == MNTNS_BIND && inicheck_eq_nocase(o, "norbind")) {
			r->recursive = false;
			continue;
		}
		eq = strchr(o, '=');
		if (r->type == MNTNS_TMPFS && eq) {
			*eq = '\0';
			if (strcmp(o, "size") == 0 || strcmp(o, "nr_inodes") == 0 ||
			    strcmp(o, "mode") == 0 || strcmp(o, "uid") == 0 ||
			    strcmp(o, "gid") == 0) {
				const char *why = tmpfs_value_error(o, eq + 1);

				if (why)
					return mntns_fail(err, -EINVAL,
							  "invalid value \"%s\" for tmpfs option %s: %s",
							  eq + 1, o, why);
				*eq = '=';
				if (append_fsdata(r, o) < 0)
					return mntns_fail(err, -ENOMEM, "out of memory");
				continue;
			}
			*eq = '=';
		}
		return mntns_fail(err, -EINVAL, "unknown option \"%s\" for type %s", o,
				  mntns_type_name(r->type));
	}
	return 0;
}

static int parse_yes_no(const char *v, bool *out)
{
	if (inicheck_eq_nocase(v, "yes"))
		*out = true;
	else if (inicheck_eq_nocase(v, "no"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int check_template(struct mntns_config *cfg, const char *what, const char *v,
			  struct mntns_err *err)
{
	struct mntns_err e;

	if (mntns_template_check(v, &cfg->need, &e) < 0)
		return mntns_fail(err, -EINVAL, "%s: %s", what, e.msg);
	return 0;
}

static int parse_selector(struct mntns_config *cfg, const char *v, struct mntns_selector *sel,
			  struct mntns_err *err)
{
	struct mntns_err e;
	int r = mntns_selector_parse(v, sel, &e);

	if (r < 0)
		return mntns_fail(err, r, "users: %s", e.msg);
	if (mntns_selector_has_groups(sel))
		cfg->need |= MNTNS_NEED_GROUPS;
	return 0;
}

/* Builds a rule from the values of one section. Messages leave out "FILE: [SECTION]: ", which
 * finish_section adds. */
static int build_rule(struct mntns_config *cfg, struct mntns_rule *r, const char *const *v,
		      struct mntns_err *err)
{
	int rc;

	r->recursive = true;
	r->create_mode = -1;
	if (!v[K_TYPE])
		return mntns_fail(err, -EINVAL, "missing required key \"type\"");
	if (inicheck_eq_nocase(v[K_TYPE], "tmpfs"))
		r->type = MNTNS_TMPFS;
	else if (inicheck_eq_nocase(v[K_TYPE], "bind"))
		r->type = MNTNS_BIND;
	else if (inicheck_eq_nocase(v[K_TYPE], "hide"))
		r->type = MNTNS_HIDE;
	else
		return mntns_fail(err, -EINVAL,
				  "unknown type \"%s\" (expected tmpfs, bind or hide)", v[K_TYPE]);

	if (!v[K_TARGET])
		return mntns_fail(err, -EINVAL, "missing required key \"target\"");
	rc = check_template(cfg, "target", v[K_TARGET], err);
	if (rc < 0)
		return rc;
	r->target = strdup(v[K_TARGET]);

	if (r->type == MNTNS_BIND) {
		if (!v[K_SOURCE])
			return mntns_fail(err, -EINVAL,
					  "missing required key \"source\" for type bind");
		rc = check_template(cfg, "source", v[K_SOURCE], err);
		if (rc < 0)
			return rc;
		r->source = strdup(v[K_SOURCE]);
	} else if (v[K_SOURCE]) {
		return mntns_fail(err, -EINVAL, "\"source\" is only valid for type bind");
	}

	if (v[K_CREATE]) {
		if (r->type != MNTNS_BIND)
			return mntns_fail(err, -EINVAL, "\"create\" is only valid for type bind");
		r->create_mode = parse_mode(v[K_CREATE]);
		if (r->create_mode < 0)
			return mntns_fail(err, -EINVAL,
					  "create: bad mode \"%s\" (expected octal, e.g. 0700)",
					  v[K_CREATE]);
	}
	if (v[K_OPTIONAL] && parse_yes_no(v[K_OPTIONAL], &r->optional) < 0)
		return mntns_fail(err, -EINVAL, "optional must be \"yes\" or \"no\", not \"%s\"",
				  v[K_OPTIONAL]);
	if (v[K_OPTIONS]) {
		rc = parse_options(r, v[K_OPTIONS], err);
		if (rc < 0)
			return rc;
		r->options = strdup(v[K_OPTIONS]);
	}
	rc = parse_selector(cfg, v[K_USERS] ? v[K_USERS] : "*", &r->users, err);
	if (rc < 0)
		return rc;
	if (!r->target || (r->type == MNTNS_BIND && !r->source) || (v[K_OPTIONS] && !r->options))
		return mntns_fail(err, -ENOMEM, "out of memory");
	return 0;
}

static int set_global(struct mntns_config *cfg, const char *const *v, struct mntns_err *err)
{
	if (v[K_GLOBAL_USERS]) {
		struct mntns_selector sel;
		int rc = parse_selector(cfg, v[K_GLOBAL_USERS], &sel, err);

		if (rc < 0)
			return rc;
		mntns_selector_free(&cfg->users);
		cfg->users = sel;
	}
	if (v[K_SCOPE]) {
		if (inicheck_eq_nocase(v[K_SCOPE], "session"))
			cfg->scope = MNTNS_SCOPE_SESSION;
		else if (inicheck_eq_nocase(v[K_SCOPE], "user"))
			cfg->scope = MNTNS_SCOPE_USER;
		else
			return mntns_fail(err, -EINVAL,
					  "scope must be \"session\" or \"user\", not \"%s\"",
					  v[K_SCOPE]);
	}
	if (v[K_PROPAGATION]) {
		if (inicheck_eq_nocase(v[K_PROPAGATION], "slave"))
			cfg->propagation = MNTNS_PROP_SLAVE;
		else if (inicheck_eq_nocase(v[K_PROPAGATION], "private"))
			cfg->propagation = MNTNS_PROP_PRIVATE;
		else
			return mntns_fail(err, -EINVAL,
					  "propagation must be \"slave\" or \"private\", not \"%s\"",
					  v[K_PROPAGATION]);
	}
	if (v[K_UNSELECTED]) {
		if (inicheck_eq_nocase(v[K_UNSELECTED], "outer"))
			cfg->unselected = MNTNS_UNSELECTED_OUTER;
		else if (inicheck_eq_nocase(v[K_UNSELECTED], "keep"))
			cfg->unselected = MNTNS_UNSELECTED_KEEP;
		else
			return mntns_fail(err, -EINVAL,
					  "unselected must be \"outer\" or \"keep\", not \"%s\"",
					  v[K_UNSELECTED]);
	}
	if (v[K_DEBUG] && parse_yes_no(v[K_DEBUG], &cfg->debug) < 0)
		return mntns_fail(err, -EINVAL, "debug must be \"yes\" or \"no\", not \"%s\"",
				  v[K_DEBUG]);
	return 0;
}

/* Adds a finished rule; a rule of the same name from an earlier file is dropped (its slot is
 * left without a name and compacted away by mntns_config_finish). */
static int add_rule(struct mntns_config *cfg, struct mntns_rule *r, struct mntns_err *err)
{
	size_t old;
	int replaces;

	if (cfg->n_rules == cfg->cap_rules) {
		size_t cap = cfg->cap_rules ? cfg->cap_rules * 2 : 16;
		struct mntns_rule *n = realloc(cfg->rules, cap * sizeof(*n));

		if (!n)
			return mntns_fail(err, -ENOMEM, "out of memory");
		cfg->rules = n;
		cfg->cap_rules = cap;
	}
	cfg->rules[cfg->n_rules] = *r;
	memset(r, 0, sizeof(*r));
	/* The map points at the old rule's name until this put: free that rule only after. */
	replaces = strmap_put(&cfg->names, cfg->rules[cfg->n_rules].name, cfg->n_rules, &old);
	if (replaces < 0) {
		*r = cfg->rules[cfg->n_rules];
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	if (replaces)
		rule_free(&cfg->rules[old]);
	cfg->n_rules++;
	return 0;
}

/* Builds a section that has ended, from the values V of its keys. Messages get their
 * "FILE: [SECTION]: " here, on failure only: a large file must not pay to format them. ERR
 * is NULL once the file has an error; only [global] is built then. */
static int finish_section(struct mntns_config *cfg, const char *file, const char *section,
			  const char *const *v, struct mntns_err *err)
{
	struct mntns_rule r = { 0 };
	bool global = strcmp(section, "global") == 0;
	int rc;

	if (global) {
		rc = set_global(cfg, v, err);
	} else {
		r.name = strdup(section);
		r.file = file;
		rc = r.name ? build_rule(cfg, &r, v, err) : mntns_fail(err, -ENOMEM, "out of memory");
		if (rc == 0)
			rc = add_rule(cfg, &r, err);
		rule_free(&r);
	}
	if (rc < 0)
		note_error(cfg, global, rc);
	if (rc < 0 && err) {
		char reason[sizeof(err->msg)];

		memcpy(reason, err->msg, sizeof(reason));
		/* File and section are capped so that the reason always fits in the message. */
		mntns_fail(err, rc, "%.300s: [%.256s]: %s", file, section, reason);
	}
	return rc;
}

/* ---- reading a file: the scan's callbacks build each section when it ends ---- */

struct scan_ctx {
	struct mntns_config *cfg;
	const char *file;
	char section[INICHECK_MAX_LINE + 1]; /* "" before the first header or after a broken one */
	bool global; /* section is [global] */
	bool global_seen;
	unsigned seen; /* bit per key index of the current section */
	char vals[N_RULE_KEYS][INICHECK_MAX_LINE + 1]; /* values of the keys in seen */
};

/* Builds the section that ends here, if any: after an error in the file (ERR is NULL) only a
 * [global], which must be known whatever else is broken. */
static int end_section(struct scan_ctx *ctx, struct mntns_err *err)
{
	const char *v[N_RULE_KEYS];

	if (!ctx->section[0] || (!err && !ctx->global))
		return 0;
	for (int k = 0; k < N_RULE_KEYS; k++)
		v[k] = (ctx->seen & (1u << k)) ? ctx->vals[k] : NULL;
	return finish_section(ctx->cfg, ctx->file, ctx->section, v, err);
}

/* ERR is NULL once the file has an error: then nothing is built (see inicheck.h). */
static int scan_section(void *c, const char *name, unsigned line, struct mntns_err *err)
{
	struct scan_ctx *ctx = c;
	size_t old;
	int rc = end_section(ctx, err);

	/* The file has failed, but this header still starts a section of its own: an on_error
	 * or a [global] below it must count, and its keys must not go to the failed one. */
	if (rc < 0)
		err = NULL;
	ctx->section[0] = '\0';
	ctx->global = false;
	ctx->seen = 0;
	if (!name) {
		/* The lines below a broken header may have been meant for [global]. */
		ctx->cfg->global_ok = false;
		return rc;
	}
	ctx->global = strcmp(name, "global") == 0;
	/* A rule of this name from this file is the same section again; one from an earlier
	 * file is replaced, as drop-ins do. */
	if (ctx->global ? ctx->global_seen
			: strmap_get(&ctx->cfg->names, name, &old) &&
				  ctx->cfg->rules[old].file == ctx->file) {
		int dup = mntns_fail(err, -EINVAL, "%s:%u: section [%s] appears twice in this file",
				     ctx->file, line, name);

		/* Which [global] is meant is unknown, and an on_error below it does not count.
		 * A rule stays a rule, never built: the file has failed now. */
		if (ctx->global) {
			ctx->cfg->global_ok = false;
			ctx->global = false;
		} else {
			memcpy(ctx->section, name, strlen(name) + 1);
		}
		return rc < 0 ? rc : dup;
	}
	ctx->global_seen |= ctx->global;
	memcpy(ctx->section, name, strlen(name) + 1); /* both at most a line */
	return rc;
}

static int parse_on_error(const char *v, enum mntns_on_error *out)
{
	if (inicheck_eq_nocase(v, "fail"))
		*out = MNTNS_ON_ERROR_FAIL;
	else if (inicheck_eq_nocase(v, "ignore"))
		*out = MNTNS_ON_ERROR_IGNORE;
	else
		return -EINVAL;
	return 0;
}

static int scan_key(void *c, const char *key, const char *value, unsigned line,
		    struct mntns_err *err)
{
	struct scan_ctx *ctx = c;
	int k;

	/* A key above every header may have been meant for [global]. */
	if (!ctx->section[0]) {
		ctx->cfg->global_ok = false;
		return mntns_fail(err, -EINVAL, "%s:%u: key \"%s\" outside of any section",
				  ctx->file, line, key);
	}
	k = key_index(ctx->global, key);
	if (k < 0 || (ctx->seen & (1u << k)))
		note_error(ctx->cfg, ctx->global, -EINVAL);
	if (k < 0)
		return mntns_fail(err, -EINVAL, "%s:%u: [%s]: unknown key \"%s\"", ctx->file, line,
				  ctx->section, key);
	if (ctx->seen & (1u << k))
		return mntns_fail(err, -EINVAL, "%s:%u: [%s]: key \"%s\" is given twice", ctx->file,
				  line, ctx->section, key);
	ctx->seen |= 1u << k;
	/* on_error takes effect at once, so that it is known even when another line of the
	 * file is broken; that is when it matters. */
	if (ctx->global && k == K_ON_ERROR && parse_on_error(value, &ctx->cfg->on_error) < 0) {
		ctx->cfg->global_ok = false;
		return mntns_fail(err, -EINVAL,
				  "%s:%u: [global]: on_error must be \"fail\" or \"ignore\", "
				  "not \"%s\"",
				  ctx->file, line, value);
	}
	memcpy(ctx->vals[k], value, strlen(value) + 1); /* both at most a line */
	return 0;
}

/* A line the reader refused (see inicheck.h): [global] is still known when the line is a key
 * of a rule section; otherwise the lines after it may have been meant for [global]. */
static void scan_bad_line(void *c, unsigned line, bool in_section)
{
	struct scan_ctx *ctx = c;

	(void)line;
	if (!in_section || ctx->global || !ctx->section[0])
		ctx->cfg->global_ok = false;
}

static int add_file_name(struct mntns_config *cfg, const char *name, const char **stored)
{
	char **n = realloc(cfg->files, (cfg->n_files + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	cfg->files = n;
	cfg->files[cfg->n_files] = strdup(name);
	if (!cfg->files[cfg->n_files])
		return -ENOMEM;
	*stored = cfg->files[cfg->n_files++];
	return 0;
}

int mntns_config_add_buffer(struct mntns_config *cfg, const char *name, const char *buf,
			    size_t len, struct mntns_err *err)
{
	static const struct inicheck_ops ops = { scan_section, scan_key, scan_bad_line };
	_cleanup_free_ struct scan_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc, last;

	if (!ctx || add_file_name(cfg, name, &ctx->file) < 0) {
		note_error(cfg, true, -ENOMEM);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	ctx->cfg = cfg;
	rc = inicheck_scan(ctx->file, buf, len, &ops, ctx, err);
	last = end_section(ctx, rc < 0 ? NULL : err);
	return rc < 0 ? rc : last;
}

int mntns_config_finish(struct mntns_config *cfg, struct mntns_err *err)
{
	size_t n = 0;

	/* Drop the slots of rules that a later file replaced. */
	for (size_t i = 0; i < cfg->n_rules; i++)
		if (cfg->rules[i].name)
			cfg->rules[n++] = cfg->rules[i];
	cfg->n_rules = n;
	strmap_free(&cfg->names);
	if (!cfg->users.n) {
		int rc = mntns_selector_parse("*", &cfg->users, err);

		if (rc < 0) {
			note_error(cfg, true, rc);
			return rc;
		}
	}
	return 0;
}
