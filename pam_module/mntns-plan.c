/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* mntns-plan: loads and validates the configuration exactly as the module does and prints
 * what a login of USER would mount, in apply order, or what a login of USER does with the
 * config's error. It never mounts. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "path.h"
#include "plan.h"
#include "route.h"
#include "user.h"
#include "userscope.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mntns-plan [--config PATH] [--config-dir DIR] USER\n"
		   "Validates the pam_mntns configuration and prints what a login of USER would "
		   "mount.\n"
		   "  --config PATH      main file (default %s)\n"
		   "  --config-dir DIR   drop-in directory (default %s; \"\" for none)\n",
		MNTNS_CONFIG_FILE, MNTNS_CONFIG_DIR);
}

/* scope = user: is there a live namespace, and what keeps it? (Reads /run/mntns and /proc,
 * so only root gets an answer; nothing is changed.) */
static void print_live(const struct mntns_plan *plan, const struct mntns_user *u)
{
	struct mntns_us_status st;
	struct mntns_err err;

	if (mntns_us_status(u->uid, &st, &err) < 0) {
		if (plan->scope == MNTNS_SCOPE_USER)
			printf("live: unknown (%s)\n", err.msg);
		return;
	}
	if (!st.live) {
		if (plan->scope == MNTNS_SCOPE_USER)
			printf("live: no live namespace; the next login of %s makes one from this "
			       "plan\n", u->name);
		return;
	}
	printf("live: live namespace mnt:[%llu]: %zu session%s", st.ns_ino, st.sessions,
	       st.sessions == 1 ? "" : "s");
	for (size_t i = 0; i < st.sessions && i < sizeof(st.session_tids) / sizeof(pid_t); i++)
		printf("%s%d", i ? " " : " (thread ", (int)st.session_tids[i]);
	printf("%s, %zu process%s in it\n", st.sessions ? ")" : "", st.procs,
	       st.procs == 1 ? "" : "es");
	if (st.enter_pid > 0)
		printf("live: it was built from the config as it was then, and ends with its "
		       "last process; enter it with nsenter -t %d -m\n", (int)st.enter_pid);
	else
		printf("live: it was built from the config as it was then, and ends with its "
		       "last process, which has just exited\n");
}

/* Where PATH leads through root's symbolic links, as a login resolves it (its parent, when it
 * does not exist yet): said only when that is elsewhere. */
static void print_resolved(const char *what, const char *path, uid_t uid)
{
	struct mntns_trust t = { .uid = uid };
	struct mntns_path_verdict v;
	int fd = path ? mntns_path_open_trusted(path, MNTNS_WANT_ANY, &t, &v) : -EINVAL;
	char buf[sizeof(v.resolved) + 256];

	if (fd < 0 && path) {
		t.flags = MNTNS_TRUST_PARENT;
		fd = mntns_path_open_trusted(path, MNTNS_WANT_DIR, &t, &v);
		snprintf(buf, sizeof(buf), "%s%s%s", v.resolved, strcmp(v.resolved, "/") ? "/" : "",
			 strrchr(path, '/') + 1);
	} else if (fd >= 0) {
		snprintf(buf, sizeof(buf), "%s", v.resolved);
	}
	if (fd < 0)
		return;
	close(fd);
	if (strcmp(buf, path) != 0)
		printf("    %s %s resolves to %s (through root's symbolic links)\n", what, path, buf);
}

static int print_plan(const struct mntns_config *cfg, const struct mntns_user *u)
{
	struct mntns_plan plan;
	struct mntns_err err;

	if (mntns_plan_build(cfg, u, &plan, &err) < 0) {
		fprintf(stderr, "mntns-plan: %s\n", err.msg);
		return 1;
	}
	if (!plan.selected) {
		printf("mntns-plan: %s is not selected by [global] users; a login is left "
		       "untouched (opened inside a session's view, it returns to the outer view "
		       "unless unselected = keep)\n", u->name);
	} else {
		printf("mntns-plan: %s (uid %u, gid %u): %zu mount%s, scope %s, propagation %s\n",
		       u->name, (unsigned)u->uid, (unsigned)u->gid, plan.n, plan.n == 1 ? "" : "s",
		       plan.scope == MNTNS_SCOPE_USER ? "user" : "session",
		       plan.propagation == MNTNS_PROP_PRIVATE ? "private" : "slave");
		for (size_t i = 0; i < plan.n; i++) {
			char line[4096];

			mntns_op_describe(&plan.ops[i], line, sizeof(line));
			printf("%s\n", line);
			print_resolved("target", plan.ops[i].target, u->uid);
			print_resolved("source", plan.ops[i].source, u->uid);
		}
	}
	if (plan.selected)
		print_live(&plan, u);
	mntns_plan_free(&plan);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* After the error of a config that failed to load (LOAD_RC): what a login of NAME from the
 * outer view does with it, as the module's route decides (route.h): a config that cannot be
 * trusted or read is not used at all; otherwise root's login opens unchanged, a user whom a
 * clean [global] leaves out is left alone, and anyone else is refused (or left alone with
 * on_error = ignore). */
static int print_broken(int load_rc, const struct mntns_config *cfg, const char *name)
{
	struct mntns_route_in in = mntns_route_in_load(MNTNS_AT_SYSTEM, load_rc, cfg);
	bool forgiven = mntns_route_forgiven(in.where, cfg->on_error, false);
	const char *fate = forgiven ? "left unchanged (on_error = ignore)" : "refused";
	struct mntns_user u = {0};
	struct mntns_err err;

	/* As the module: a config that cannot be trusted says nothing of anyone. */
	if (in.config != MNTNS_CONFIG_UNTRUSTED) {
		if (mntns_user_lookup(name, in.config == MNTNS_CONFIG_BROKEN ? 0 : cfg->need, &u,
				      &err) < 0) {
			fprintf(stderr, "mntns-plan: user \"%s\": %s\n", name, err.msg);
			return 1;
		}
		mntns_route_in_user(&in, cfg, &u);
	}
	switch (mntns_route(&in).why) {
	case MNTNS_WHY_UNTRUSTED:
		printf("mntns-plan: a login of %s is %s: a config that cannot be trusted or read "
		       "%s\n",
		       name, fate,
		       forgiven ? "is used for no login" : "refuses every login, root's too");
		return 1;
	case MNTNS_WHY_ROOT:
		printf("mntns-plan: a login of %s (uid 0) is not refused: it opens unchanged, and "
		       "the module logs the error at LOG_CRIT\n",
		       u.name);
		break;
	case MNTNS_WHY_BROKEN_UNSELECTED:
		printf("mntns-plan: a login of %s is left unchanged: %s is not selected by [global] "
		       "users\n",
		       u.name, u.name);
		break;
	default: /* MNTNS_WHY_BROKEN */
		if (in.config == MNTNS_CONFIG_BROKEN_GLOBAL_OK)
			printf("mntns-plan: a login of %s is %s: [global] users selects %s\n",
			       u.name, fate, u.name);
		else
			printf("mntns-plan: a login of %s is %s: [global] does not read cleanly, "
			       "so it may select anyone\n",
			       u.name, fate);
	}
	mntns_user_free(&u);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
					      { "config-dir", required_argument, NULL, 'd' },
					      { "help", no_argument, NULL, 'h' },
					      { "version", no_argument, NULL, 'V' },
					      { NULL, 0, NULL, 0 } };
	const char *config = MNTNS_CONFIG_FILE, *dir = MNTNS_CONFIG_DIR;
	char *config_abs = NULL, *dir_abs = NULL;
	struct mntns_config cfg;
	struct mntns_user u;
	struct mntns_err err;
	int c, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			dir = *optarg ? optarg : NULL;
			break;
		default: /* --help, --version, or a bad option */
			return cli_common_option(c, "mntns-plan", usage);
		}
	}
	if (optind != argc - 1 || !*config) {
		usage(stderr);
		return 2;
	}
	config_abs = cli_absolute(config);
	if (!config_abs || (dir && !(dir_abs = cli_absolute(dir)))) {
		fprintf(stderr, "mntns-plan: %s: cannot make the path absolute: %s\n",
			config_abs ? dir : config, strerror(errno));
		free(config_abs);
		return 2;
	}
	rc = mntns_config_load(&cfg, config_abs, dir_abs, 0, &err);
	if (rc < 0) {
		fprintf(stderr, "mntns-plan: %s\n", err.msg);
		fflush(stderr);
		rc = print_broken(rc, &cfg, argv[optind]);
	} else {
		rc = mntns_user_lookup(argv[optind], cfg.need, &u, &err);
		if (rc < 0) {
			fprintf(stderr, "mntns-plan: user \"%s\": %s\n", argv[optind], err.msg);
			rc = 1;
		} else {
			if (u.groups_errno)
				fprintf(stderr,
					"mntns-plan: warning: user %s: group lookup failed: a "
					"group database service said: %s\n",
					u.name, strerror(u.groups_errno));
			rc = print_plan(&cfg, &u);
			mntns_user_free(&u);
		}
	}
	mntns_config_free(&cfg);
	free(config_abs);
	free(dir_abs);
	return rc;
}
