/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* mntnsctl check USER: loads the config as the module does, plans for USER, and has apply.c
 * walk every path of the plan as a login would (mntns_check_plan: the same functions decide,
 * nothing is created or mounted where anyone could see it), then says per rule what a login
 * would do, with the texts the module logs. Also what the plan does to USER's home, and
 * whether a login would rather join a live view. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "cli.h"
#include "config.h"
#include "ctl.h"
#include "path.h"
#include "plan.h"
#include "user.h"
#include "userscope.h"

static const char *verdict_name(enum mntns_verdict v)
{
	return v == MNTNS_CHECK_OK ? "ok" : v == MNTNS_CHECK_SKIPPED ? "skipped" : "refused";
}

/* Does PATH lie at or below DIR? */
static bool below(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Prints the lines of TEXT indented, each as the module logs it. */
static void print_lines(const char *text)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		printf("    ");
		cli_put_safe(stdout, line);
		printf("\n");
		p += n + (p[n] == '\n');
	}
}

/* For a create= source that is refused or skipped: who owns what is there, which the module's
 * message leaves out. An account removed and made again under the same name with a new uid
 * leaves its old directory behind. */
static void owner_hint(const struct mntns_op *op, uid_t uid)
{
	struct mntns_trust t = {.uid = uid};
	struct mntns_path_verdict v;
	int fd = mntns_path_open_trusted(op->source, MNTNS_WANT_ANY, &t, &v);
	char *name;

	if (fd < 0)
		return;
	close(fd);
	if (v.st.st_uid == uid)
		return;
	name = cli_user_name(v.st.st_uid);
	printf("    %s is owned by uid %u", op->source, (unsigned)v.st.st_uid);
	if (name) {
		printf(" (");
		cli_put_safe(stdout, name);
		printf(")");
	} else {
		printf(", which NSS does not know (left by an earlier account?)");
	}
	printf(": remove it, or give it to uid %u if it is this user's\n", (unsigned)uid);
	free(name);
}

/* A target at or above the home directory: the login sees the rule's mount there instead
 * (useradd -d /var/tmp/hank, and the /var/tmp rule). */
static void home_warning(const struct mntns_op *op, const struct mntns_user *u)
{
	if (!u->home || !below(op->target, u->home))
		return;
	printf("warning [%s]: target %s is ", op->name, op->target);
	if (strcmp(op->target, u->home) == 0)
		printf("the home directory of ");
	else {
		printf("above the home directory ");
		cli_put_safe(stdout, u->home);
		printf(" of ");
	}
	cli_put_safe(stdout, u->name);
	printf(": a login sees the rule's mount there, not the home directory\n");
}

static void print_op(const struct mntns_op *op, const struct mntns_check *c)
{
	printf("%s [%s]: %s", verdict_name(c->verdict), op->name, mntns_op_kind_name(op->kind));
	if (op->kind == MNTNS_OP_BIND)
		printf(" %s", op->source);
	printf(" on %s%s\n", op->target, op->optional ? " (optional)" : "");
	if (c->verdict != MNTNS_CHECK_OK)
		print_lines(c->why);
	if (c->notes[0])
		print_lines(c->notes);
}

/* scope = user: a login now joins the live view, if there is one, and mounts nothing. */
static void print_live(const struct mntns_plan *plan, const struct mntns_user *u)
{
	struct mntns_us_status st;
	struct mntns_err err;

	if (plan->scope != MNTNS_SCOPE_USER || mntns_us_status(u->uid, &st, &err) < 0 || !st.live)
		return;
	printf("live: ");
	cli_put_safe(stdout, u->name);
	printf(" has a live view mnt:[%llu] (%zu process%s): a login now joins it and mounts "
	       "nothing; the above is what the next fresh view gets (mntnsctl reset ends the live "
	       "one)\n",
	       st.ns_ino, st.procs, st.procs == 1 ? "" : "es");
}

static int check_plan(const struct mntns_plan *plan, const struct mntns_user *u)
{
	struct mntns_check *checks = calloc(plan->n ? plan->n : 1, sizeof(*checks));
	struct mntns_err err;
	int rc;

	if (!checks) {
		fprintf(stderr, "mntnsctl check: out of memory\n");
		return 1;
	}
	rc = mntns_check_plan(plan, u->uid, u->gid, checks, &err);
	if (rc < 0) {
		fprintf(stderr, "mntnsctl check: %s\n", err.msg);
		free(checks);
		return 1;
	}
	for (size_t i = 0; i < plan->n; i++) {
		print_op(&plan->ops[i], &checks[i]);
		if (checks[i].verdict != MNTNS_CHECK_OK && plan->ops[i].create_mode >= 0)
			owner_hint(&plan->ops[i], u->uid);
	}
	for (size_t i = 0; i < plan->n; i++)
		if (checks[i].verdict == MNTNS_CHECK_OK)
			home_warning(&plan->ops[i], u);
	print_live(plan, u);
	printf("mntnsctl check: a login of ");
	cli_put_safe(stdout, u->name);
	if (rc == 0)
		printf(" would succeed\n");
	else {
		printf(" would be refused: ");
		cli_put_safe(stdout, err.msg);
		printf("\n");
	}
	free(checks);
	return rc;
}

int ctl_check(const char *name, const char *config, const char *config_dir)
{
	char *config_abs = cli_absolute(config), *dir_abs = NULL;
	struct mntns_config cfg;
	struct mntns_plan plan;
	struct mntns_user u;
	struct mntns_err err;
	int rc = 1;

	if (!config_abs || (config_dir && !(dir_abs = cli_absolute(config_dir)))) {
		fprintf(stderr, "mntnsctl check: %s: cannot make the path absolute: %s\n",
			config_abs ? config_dir : config, strerror(errno));
		free(config_abs);
		return 2;
	}
	if (mntns_config_load(&cfg, config_abs, dir_abs, 0, &err) < 0) {
		fprintf(stderr, "mntnsctl check: %s\n", err.msg);
		printf(
		    "mntnsctl check: the configuration has an error (mntns-plan says what a login "
		    "does with it)\n");
	} else if (mntns_user_lookup(name, cfg.need, &u, &err) < 0) {
		fprintf(stderr, "mntnsctl check: user \"%s\": %s\n", name, err.msg);
	} else {
		if (mntns_plan_build(&cfg, &u, &plan, &err) < 0) {
			fprintf(stderr, "mntnsctl check: %s\n", err.msg);
		} else if (!plan.selected) {
			printf("mntnsctl check: ");
			cli_put_safe(stdout, u.name);
			printf(" is not selected by [global] users; a login is left untouched\n");
			rc = 0;
		} else {
			printf("mntnsctl check: ");
			cli_put_safe(stdout, u.name);
			printf(" (uid %u, gid %u): %zu mount%s, scope %s\n", (unsigned)u.uid,
			       (unsigned)u.gid, plan.n, plan.n == 1 ? "" : "s",
			       plan.scope == MNTNS_SCOPE_USER ? "user" : "session");
			rc = check_plan(&plan, &u);
		}
		mntns_plan_free(&plan);
		mntns_user_free(&u);
	}
	mntns_config_free(&cfg);
	free(config_abs);
	free(dir_abs);
	return fflush(stdout) == 0 ? rc : 1;
}
