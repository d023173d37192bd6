/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* libFuzzer target over config loading and planning: the bytes are a main file and drop-ins
 * (split at lines "#--8<--"), loaded as mntns_config_load loads them, then planned for a few
 * fixed users, some with hostile names and homes. Checks what the plan promises, that the
 * INI reader reads every accepted file as iniparser does, and that a config that fails with
 * global_ok has the [global] settings iniparser reads, not just that nothing crashes.
 * Built and run by tests/fuzz/run.sh. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "config.h"
#include "inicheck.h"
#include "inioracle.h"
#include "plan.h"
#include "vars.h"

/* A line of exactly this text ends one file and starts the next: a comment to everything
 * else, so a seed with drop-ins is still a valid single file for mntns-plan. */
#define SPLIT_LINE "#--8<--"
#define MAX_FILES  4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_config: invariant failed: %s%s%s\n", what, detail ? ": " : "",
		detail ? detail : "");
	abort();
}

/* ---- users and groups ---- */

struct fake_user {
	const char *name, *group, *home;
	uid_t uid;
	gid_t gid;
	gid_t gids[5];
	size_t n_gids;
	const char *group_names[5]; /* sorted, as mntns_user_name_groups leaves them */
	size_t n_group_names;
};

/* Normal users, and the hostile ones: names with '/' or "..", homes "/", relative or not
 * canonical, empty or control-character names, an enormous uid. Groups: students 100,
 * staff 50, wheel 10; 65534 has no name. */
static const struct fake_user users[] = {
    {"alice", "alice", "/home/alice", 1000, 1000, {1000, 100}, 2, {"alice", "students"}, 2},
    {"root", "root", "/root", 0, 0, {0, 10}, 2, {"root", "wheel"}, 2},
    {"bob", "staff", "/", 1001, 50, {50, 100, 10, 65534}, 4, {"staff", "students", "wheel"}, 3},
    {"a/b", "..", "/home/a", 1002, 1002, {1002}, 1, {".."}, 1},
    {"..", "students", "relative", 1003, 100, {100}, 1, {"students"}, 1},
    {"carol", "", "/home//carol/", 4294967294u, 65534, {0}, 0, {NULL}, 0},
    {".", "grp\x01", "/home/x/..", 5, 5, {5, 50}, 2, {"grp\x01", "staff"}, 2},
    {"", NULL, NULL, 6, 6, {0}, 0, {NULL}, 0},
};

/* The user as mntns_user_lookup fills it: everything, or only what cfg->need asks for. */
static void make_user(const struct fake_user *f, unsigned need, bool all, struct mntns_user *u)
{
	memset(u, 0, sizeof(*u));
	u->name = (char *)f->name;
	u->uid = f->uid;
	u->gid = f->gid;
	u->home = (char *)f->home;
	if (all || (need & MNTNS_NEED_GROUP_NAME))
		u->group = (char *)f->group;
	if (all || (need & MNTNS_NEED_GROUPS)) {
		u->gids = (gid_t *)f->gids;
		u->n_gids = f->n_gids;
		u->group_names = (char **)f->group_names;
		u->n_group_names = f->n_group_names;
	}
}

/* ---- the reader and iniparser must read an accepted file alike ---- */

static void check_scan(const char *buf, size_t len)
{
	char why[1024];
	char *scan = inioracle_scan(buf, len, why, sizeof(why)), *ini;

	if (!scan)
		fail("the reader fails on a file that loaded", why);
	ini = inioracle_iniparser(buf, len);
	if (!ini)
		fail("iniparser rejects a file that loaded", scan);
	if (strcmp(scan, ini) != 0) {
		fprintf(stderr, "the reader reads:\n%s\niniparser reads:\n%s\n", scan, ini);
		fail("the reader and iniparser read an accepted file differently", NULL);
	}
	free(scan);
	free(ini);
}

/* ---- checks on a finished config and a plan ---- */

static bool is_rule_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789_.-", *s))
			return false;
	return true;
}

static void check_config(const struct mntns_config *cfg)
{
	if (!cfg->users.n)
		fail("no [global] users selector after finish", NULL);
	for (size_t i = 0; i < cfg->n_rules; i++) {
		const struct mntns_rule *r = &cfg->rules[i];
		bool file_known = false;

		if (!r->name || !is_rule_name(r->name))
			fail("rule without a valid name", r->name);
		for (size_t j = 0; j < cfg->n_files; j++)
			file_known |= r->file == cfg->files[j];
		if (!file_known)
			fail("rule file is not one of the files read", r->name);
		if (!r->target || !r->users.n)
			fail("rule without target or users", r->name);
		if ((r->type == MNTNS_BIND) != (r->source != NULL))
			fail("source set for a non-bind rule, or missing for a bind rule", r->name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->rules[j].name, r->name) == 0)
				fail("two rules with one name after finish", r->name);
	}
}

static bool is_ancestor(const char *a, const char *path)
{
	size_t n = strlen(a);

	return strncmp(a, path, n) == 0 && path[n] == '/';
}

/* What OP mounts is what its rule R says: a hide is an empty, read-only tmpfs of mode 000. */
static void check_op_mount(const struct mntns_rule *r, const struct mntns_op *op)
{
	unsigned attrs = ((r->flags & MNTNS_F_RDONLY) ? MOUNT_ATTR_RDONLY : 0) |
			 ((r->flags & MNTNS_F_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
			 ((r->flags & MNTNS_F_NODEV) ? MOUNT_ATTR_NODEV : 0) |
			 ((r->flags & MNTNS_F_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
	const char *fsdata = r->fsdata;

	if (r->type == MNTNS_HIDE) {
		attrs =
		    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
		fsdata = "mode=000,size=4k";
	}
	if (op->kind != (r->type == MNTNS_BIND ? MNTNS_OP_BIND : MNTNS_OP_TMPFS))
		fail("op kind is not its rule's type", op->target);
	if (op->attrs != attrs)
		fail("op mount attributes are not its rule's flags", op->target);
	if (op->optional != r->optional)
		fail("op optional is not its rule's", op->target);
	if (r->type == MNTNS_BIND) {
		if (op->recursive != r->recursive || op->create_mode != r->create_mode ||
		    op->fsdata)
			fail("bind op does not mount what its rule says", op->target);
	} else if (op->recursive || op->create_mode != -1 ||
		   (fsdata ? !op->fsdata || strcmp(op->fsdata, fsdata) : op->fsdata != NULL)) {
		fail("tmpfs op does not mount what its rule says", op->target);
	}
}

static void check_op(const struct mntns_config *cfg, const struct mntns_plan *plan, size_t i)
{
	const struct mntns_op *op = &plan->ops[i];
	const struct mntns_rule *r;
	ssize_t nearest = -1;
	size_t depth = 0;

	if (op->order >= cfg->n_rules)
		fail("op order is not the position of a rule of the config", op->target);
	r = &cfg->rules[op->order];
	if (op->name != r->name || op->file != r->file)
		fail("op name or file is not its rule's", op->target);
	check_op_mount(r, op);
	if (!op->target || !mntns_path_is_canonical(op->target) || strcmp(op->target, "/") == 0)
		fail("op target is not an absolute canonical path other than /", op->target);
	if ((r->type == MNTNS_BIND) != (op->source != NULL))
		fail("op source does not match the rule type", op->target);
	if (op->source && (!mntns_path_is_canonical(op->source) || strcmp(op->source, "/") == 0))
		fail("op source is not an absolute canonical path other than /", op->source);
	for (const char *p = op->target; *p; p++)
		depth += *p == '/';
	if (op->depth != depth)
		fail("op depth is wrong", op->target);
	if (i > 0) {
		const struct mntns_op *prev = &plan->ops[i - 1];

		if (prev->depth > op->depth ||
		    (prev->depth == op->depth && prev->order >= op->order))
			fail("ops are not ordered by depth, then config order", op->target);
	}
	for (size_t j = 0; j < plan->n; j++) {
		if (j == i)
			continue;
		if (strcmp(plan->ops[j].target, op->target) == 0)
			fail("two ops on one target", op->target);
		if (is_ancestor(plan->ops[j].target, op->target) &&
		    (nearest < 0 ||
		     strlen(plan->ops[j].target) > strlen(plan->ops[nearest].target)))
			nearest = (ssize_t)j;
	}
	/* The holder is the op on the nearest ancestor, if that is a writable tmpfs. */
	if (nearest >= 0 && (cfg->rules[plan->ops[nearest].order].type != MNTNS_TMPFS ||
			     (cfg->rules[plan->ops[nearest].order].flags & MNTNS_F_RDONLY)))
		nearest = -1;
	if (op->holder != nearest)
		fail("op holder is not the op on the nearest ancestor, a writable tmpfs",
		     op->target);
	if (nearest >= 0 && (size_t)nearest >= i)
		fail("op holder is applied after the op", op->target);
}

/* Plans one login and returns its result as text (rc, message or one line per op), so that
 * two logins can be compared. */
static char *plan_text(const struct mntns_config *cfg, const struct mntns_user *u)
{
	struct mntns_plan plan;
	struct mntns_err err = {.msg = ""};
	char line[4096], small[24];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		abort();
	rc = mntns_plan_build(cfg, u, &plan, &err);
	if (rc > 0)
		fail("mntns_plan_build returned a positive value", NULL);
	if (rc < 0) {
		if (!err.msg[0])
			fail("mntns_plan_build failed without a message", NULL);
		if (plan.n || plan.ops)
			fail("failed plan still holds ops", NULL);
		fprintf(f, "error %d: %s\n", rc, err.msg);
	} else {
		if (!plan.selected && plan.n)
			fail("unselected user has ops", NULL);
		if (plan.scope != cfg->scope || plan.propagation != cfg->propagation)
			fail("plan scope or propagation differs from the config", NULL);
		fprintf(f, "selected %d, %zu ops\n", plan.selected, plan.n);
		for (size_t i = 0; i < plan.n; i++) {
			check_op(cfg, &plan, i);
			mntns_op_describe(&plan.ops[i], line, sizeof(line));
			mntns_op_describe(&plan.ops[i], small, sizeof(small));
			if (strncmp(line, small, sizeof(small) - 1) != 0)
				fail("truncated description differs", line);
			fprintf(f, "%s\n", line);
		}
	}
	mntns_plan_free(&plan);
	if (fclose(f) != 0)
		abort();
	return text;
}

/* A login gets only what cfg->need asked of NSS; it must plan exactly as a user whose every
 * field is known, or the need bits computed while loading are wrong. */
static void plan_users(const struct mntns_config *cfg)
{
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct mntns_user full, asked;
		char *a, *b;

		make_user(&users[i], cfg->need, true, &full);
		make_user(&users[i], cfg->need, false, &asked);
		a = plan_text(cfg, &full);
		b = plan_text(cfg, &asked);
		if (strcmp(a, b) != 0) {
			fprintf(stderr, "user %s, every field known:\n%s", users[i].name, a);
			fprintf(stderr, "user %s, only the fields cfg->need asks for (%u):\n%s",
				users[i].name, cfg->need, b);
			fail("plan depends on a user field that cfg->need does not ask for", NULL);
		}
		free(a);
		free(b);
	}
}

/* ---- a failed config: what it still says ---- */

/* The [global] settings as iniparser reads FILES (N of them, with lengths LENS), the last file
 * that sets a key winning; false when iniparser cannot load one of them. */
struct ini_global {
	char *val[6]; /* users, scope, propagation, unselected, on_error, debug */
};

static const char *const global_key[6] = {"users",	"scope",    "propagation",
					  "unselected", "on_error", "debug"};

static bool ini_global_read(const char *const *files, const size_t *lens, size_t n,
			    struct ini_global *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n; i++) {
		char *text = inioracle_iniparser(files[i], lens[i]), *save = NULL;

		if (!text)
			return false;
		for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			for (size_t k = 0; k < 6; k++) {
				size_t kl = strlen(global_key[k]);

				if (strncmp(l, "global:", 7) != 0 ||
				    strncmp(l + 7, global_key[k], kl) != 0 ||
				    strncmp(l + 7 + kl, " = ", 3) != 0)
					continue;
				free(g->val[k]);
				g->val[k] = strdup(l + 7 + kl + 3);
				if (!g->val[k])
					abort();
			}
		}
		free(text);
	}
	return true;
}

static void ini_global_free(struct ini_global *g)
{
	for (size_t k = 0; k < 6; k++)
		free(g->val[k]);
}

static bool same_selector(const struct mntns_selector *a, const struct mntns_selector *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->tok[i].kind != b->tok[i].kind || a->tok[i].negated != b->tok[i].negated ||
		    (a->tok[i].name ? !b->tok[i].name || strcmp(a->tok[i].name, b->tok[i].name)
				    : b->tok[i].name != NULL))
			return false;
	return true;
}

/* VAL as iniparser read it names WANT, one of the two values of a key (the default when
 * VAL is NULL, FIRST). */
static bool is_value(const char *val, const char *first, const char *second, bool want_first)
{
	if (!val)
		return want_first;
	return inicheck_eq_nocase(val, want_first ? first : second);
}

/* A config that failed: its flags hold together, and with global_ok its [global] settings are
 * the ones iniparser reads from the same files (rule sections and all), its need bits what
 * users asks for. */
static void check_failed(const struct mntns_config *cfg, const char *const *files,
			 const size_t *lens, size_t n)
{
	struct ini_global g;
	struct mntns_selector sel;
	struct mntns_err err;

	if (!cfg->trusted)
		fail("a buffer that failed is not trusted (out of memory?)", NULL);
	if (!cfg->global_ok)
		return;
	if (!cfg->users.n)
		fail("global_ok without a users selector", NULL);
	if (mntns_selector_has_groups(&cfg->users) && !(cfg->need & MNTNS_NEED_GROUPS))
		fail("global_ok, [global] users has @GROUP, but need lacks MNTNS_NEED_GROUPS", NULL);
	if (!ini_global_read(files, lens, n, &g)) {
		ini_global_free(&g);
		return; /* not an oracle for files iniparser refuses */
	}
	if (mntns_selector_parse(g.val[0] ? g.val[0] : "*", &sel, &err) < 0)
		fail("global_ok, but iniparser's [global] users does not parse", g.val[0]);
	if (!same_selector(&sel, &cfg->users))
		fail("global_ok, but [global] users differs from iniparser's", g.val[0]);
	mntns_selector_free(&sel);
	if (!is_value(g.val[1], "session", "user", cfg->scope == MNTNS_SCOPE_SESSION) ||
	    !is_value(g.val[2], "slave", "private", cfg->propagation == MNTNS_PROP_SLAVE) ||
	    !is_value(g.val[3], "outer", "keep", cfg->unselected == MNTNS_UNSELECTED_OUTER) ||
	    !is_value(g.val[4], "fail", "ignore", cfg->on_error == MNTNS_ON_ERROR_FAIL) ||
	    !is_value(g.val[5], "no", "yes", !cfg->debug))
		fail("global_ok, but a [global] setting differs from iniparser's", NULL);
	ini_global_free(&g);
}

/* ---- the entry point ---- */

/* Length of the next file in [p, end) and where the one after it starts. */
static size_t next_file(const char *p, const char *end, const char **next)
{
	static const char split[] = "\n" SPLIT_LINE "\n";
	size_t n = (size_t)(end - p);
	const char *s;

	if (n >= sizeof(split) - 2 && memcmp(p, split + 1, sizeof(split) - 2) == 0) {
		*next = p + sizeof(split) - 2;
		return 0;
	}
	s = memmem(p, n, split, sizeof(split) - 1);
	if (!s) {
		*next = NULL;
		return n;
	}
	*next = s + sizeof(split) - 2; /* the file keeps its last newline */
	return (size_t)(s + 1 - p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[MAX_FILES] = {"fuzz.conf", "mntns.d/10-a.conf",
						     "mntns.d/20-b.conf", "mntns.d/30-c.conf"};
	const char *p = (const char *)data, *end = p + size;
	const char *files[MAX_FILES];
	size_t lens[MAX_FILES], n = 0;
	struct mntns_config cfg;
	struct mntns_err err = {.msg = ""}, later;
	int rc = 0, r;

	mntns_config_init(&cfg);
	/* As mntns_config_load does: files in order, the first error reported, every file read. */
	for (; n < MAX_FILES && p; n++) {
		const char *next = NULL;
		size_t len = n + 1 < MAX_FILES ? next_file(p, end, &next) : (size_t)(end - p);

		files[n] = p;
		lens[n] = len;
		r = mntns_config_add_buffer(&cfg, names[n], p, len, rc < 0 ? &later : &err);
		if (r > 0)
			fail("mntns_config_add_buffer returned a positive value", NULL);
		if (r == 0)
			check_scan(p, len);
		if (rc == 0)
			rc = r;
		p = next;
	}
	r = mntns_config_finish(&cfg, rc < 0 ? &later : &err);
	if (rc == 0)
		rc = r;
	if (rc < 0 && !err.msg[0])
		fail("loading failed without a message", NULL);
	if (rc == 0 && (!cfg.trusted || !cfg.global_ok))
		fail("a config that loaded is not trusted and global_ok", NULL);
	if (rc == 0) {
		check_config(&cfg);
		plan_users(&cfg);
	} else {
		check_failed(&cfg, files, lens, n);
	}
	mntns_config_free(&cfg);
	return 0;
}
