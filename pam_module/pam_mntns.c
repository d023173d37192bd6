/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* PAM glue: arguments, the user, and the phases load -> lookup -> plan -> route -> view, in
 * that order. The units do the work; this file logs once and picks the return codes. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "config.h"
#include "log.h"
#include "nested.h"
#include "plan.h"
#include "route.h"
#include "select.h"
#include "user.h"
#include "userscope.h"
#include "view.h"

struct args {
	const char *config;
	const char *config_dir; /* NULL: no drop-ins */
	bool debug;
};

/* Returns 0, or -EINVAL with ERR set for an argument that must not be used: a relative path
 * would be opened from whatever directory the application happens to be in. */
static int parse_args(pam_handle_t *pamh, int argc, const char **argv, struct args *a,
		      struct mntns_err *err)
{
	*a = (struct args){.config = MNTNS_CONFIG_FILE, .config_dir = MNTNS_CONFIG_DIR};
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "config=", 7) == 0)
			a->config = arg + 7;
		else if (strncmp(arg, "config_dir=", 11) == 0)
			a->config_dir = arg[11] ? arg + 11 : NULL; /* "": no drop-ins */
		else if (strcmp(arg, "debug") == 0)
			a->debug = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown option \"%s\" ignored", arg);
	}
	if (a->config[0] != '/')
		return mntns_fail(err, -EINVAL,
				  "module argument config=%.256s: not an absolute path", a->config);
	if (a->config_dir && a->config_dir[0] != '/')
		return mntns_fail(err, -EINVAL,
				  "module argument config_dir=%.256s: not an absolute path",
				  a->config_dir);
	return 0;
}

static void debug_line(void *arg, const char *line)
{
	pam_syslog(arg, LOG_DEBUG, "%s", line);
}

static void warn_line(void *arg, const char *line)
{
	pam_syslog(arg, LOG_WARNING, "%s", line);
}

static void crit_line(void *arg, const char *line)
{
	pam_syslog(arg, LOG_CRIT, "%s", line);
}

#define DATA_NAME "pam_mntns_user_scope"

/* What pam_sm_close_session needs of a scope = user login: whose namespace, and which
 * session of it (each has a token of its own: one application may open several). */
struct session_data {
	uid_t uid;
	struct mntns_session_id id;
	bool debug; /* the open's, config included: the close does not read the config */
};

static void free_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

/* One login, as the phases below see it. */
struct login {
	pam_handle_t *pamh;
	struct mntns_log log;
	bool debug;
	struct mntns_origin origin;
	struct mntns_view view;
};

/* Debug is on when the module argument or [global] debug says so: the config's can only turn
 * it on, once the config is read. */
static void set_debug(struct login *l, bool on)
{
	l->debug = on;
	l->log.fn = on ? debug_line : NULL;
}

/* The one place a failure becomes a PAM code: it logs MSG once, takes a nested login back to
 * the outer view, and picks the code on_error asks for. Nothing goes to the conversation: for
 * a session opened by sshd it ends up on the client's stdout, which sftp, scp and "ssh host
 * cmd" read as data; the application says that the session failed, syslog says why.
 * PAM_CODE: the code of a refusal that on_error = ignore does not forgive (0: none). Whether
 * the thread is stuck is mntns_view_enter's to say (l->view.stuck), never an error code's. */
static int refuse(struct login *l, enum mntns_on_error on_error, int pam_code, const char *msg)
{
	struct mntns_err err;

	if (l->view.stuck) { /* half-built and stuck in it: never let it go on */
		pam_syslog(l->pamh, LOG_CRIT, "user %s: %s", l->view.name, msg);
		return PAM_SESSION_ERR;
	}
	if (mntns_view_enter(&l->view, MNTNS_ROUTE_REFUSE, NULL, &err) < 0) {
		pam_syslog(l->pamh, LOG_CRIT,
			   "%s; and the thread cannot return to the outer view: %s", msg, err.msg);
		return PAM_SESSION_ERR;
	}
	if (!pam_code && mntns_route_forgiven(l->origin.where, on_error, l->view.stuck)) {
		pam_syslog(l->pamh, LOG_ERR, "%s (on_error = ignore: session left unchanged)", msg);
		return PAM_IGNORE;
	}
	pam_syslog(l->pamh, LOG_ERR, "%s", msg);
	return pam_code ? pam_code : PAM_SESSION_ERR;
}

/* What the log says of a route before the login is taken there. LOAD_MSG: why the config
 * failed to load. */
static void say(struct login *l, struct mntns_routing r, const char *load_msg)
{
	const char *name = l->view.name, *why = l->origin.why;

	if (r.why == MNTNS_WHY_ROOT)
		pam_syslog(l->pamh, LOG_CRIT, "%s; root's session opens unchanged", load_msg);
	else if (r.why == MNTNS_WHY_BROKEN_UNSELECTED)
		pam_syslog(l->pamh, LOG_ERR,
			   "%s; user %s is not selected by [global] users, so the session opens "
			   "unchanged",
			   load_msg, name);
	else if (r.why == MNTNS_WHY_ON_CALLER && r.stranded)
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s: the session starts in %s; its view is built on that one and "
			   "is its own (scope = user needs the outer view)",
			   name, why);
	else if (r.why == MNTNS_WHY_ON_CALLER && l->debug)
		pam_syslog(l->pamh, LOG_DEBUG,
			   "user %s: the session starts in %s; its view is built on that one", name,
			   why);
	if (r.to == MNTNS_ROUTE_STAY && r.stranded)
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s is not selected, but stays in the caller's view: it is %s",
			   name, why);
}

/* Takes the login where R says, and returns its code. */
static int go(struct login *l, struct mntns_routing r, const struct mntns_config *cfg,
	      const struct mntns_plan *plan, const char *load_msg)
{
	struct session_data *data = NULL;
	struct mntns_err err;
	int rc;

	say(l, r, load_msg);
	if (r.to == MNTNS_ROUTE_REFUSE)
		return refuse(l, cfg->on_error, 0, load_msg);
	if (r.to == MNTNS_ROUTE_USER_VIEW) {
		data = calloc(1, sizeof(*data));
		if (!data)
			return refuse(l, cfg->on_error, 0, "out of memory");
		data->uid = l->view.uid;
		data->debug = l->debug;
	}
	rc = mntns_view_enter(&l->view, r.to, plan, &err);
	if (rc < 0) {
		free(data);
		return refuse(l, cfg->on_error, 0, err.msg);
	}
	if (r.to == MNTNS_ROUTE_STAY) {
		if (l->debug)
			pam_syslog(l->pamh, LOG_DEBUG,
				   "user %s is not selected by [global] users; session left "
				   "unchanged",
				   l->view.name);
		return PAM_IGNORE;
	}
	if (r.to == MNTNS_ROUTE_OUTER && l->debug)
		pam_syslog(l->pamh, LOG_DEBUG, "user %s is not selected: back in the outer view",
			   l->view.name);
	if (data) {
		data->id = l->view.session;
		if (pam_set_data(l->pamh, DATA_NAME, data, free_data) != PAM_SUCCESS) {
			pam_syslog(l->pamh, LOG_WARNING,
				   "user %s: pam_set_data failed; the session's entry stays in "
				   "%s/%u.lock until its thread exits",
				   l->view.name, MNTNS_RUN_DIR, (unsigned)data->uid);
			free(data);
		}
	}
	return PAM_SUCCESS;
}

/* The user NAME, looked up for what the config (in STATE; LOAD_MSG: why it failed) asks of
 * them; a failure is refused. Returns 0 or a PAM code. */
static int lookup(struct login *l, const char *name, const struct mntns_config *cfg,
		  enum mntns_config_state state, const char *load_msg, struct mntns_user *u)
{
	char msg[sizeof(((struct mntns_err *)0)->msg) * 2 + 300];
	struct mntns_err err;
	int rc;

	/* Of a broken config, groups only for a [global] users that reads cleanly: nothing
	 * else will be matched. */
	if (state == MNTNS_CONFIG_OK)
		rc = mntns_user_lookup_selected(name, cfg->need, &cfg->users, u, &err);
	else
		rc = mntns_user_lookup(name, state == MNTNS_CONFIG_BROKEN ? 0 : cfg->need, u, &err);
	/* The groups the other group databases reported are matched. */
	if (rc == 0 && state == MNTNS_CONFIG_OK && u->groups_errno)
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s: group lookup failed: a group database service said: %s; "
			   "@GROUP selectors see only the groups the others reported",
			   mntns_log_printable(u->name), strerror(u->groups_errno));
	if (rc == 0) {
		l->view.uid = u->uid;
		l->view.gid = u->gid;
		l->view.name = mntns_log_printable(u->name);
		return 0;
	}
	if (state == MNTNS_CONFIG_OK)
		snprintf(msg, sizeof(msg), "user \"%.256s\": %s", mntns_log_printable(name),
			 err.msg);
	else
		snprintf(msg, sizeof(msg), "%s; and user \"%.256s\": %s", load_msg,
			 mntns_log_printable(name), err.msg);
	return refuse(l, cfg->on_error, 0, msg);
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct login l = {.pamh = pamh, .log = {.warn = warn_line, .crit = crit_line, .arg = pamh}};
	struct mntns_route_in in;
	struct mntns_config cfg;
	struct mntns_user u = {0};
	struct mntns_plan plan = {0};
	struct mntns_err err, load;
	const void *item = NULL;
	const char *name;
	struct args a;
	int rc;

	(void)flags; /* PAM_SILENT: the module never writes to the conversation anyway */
	mntns_origin_find(&l.origin);
	l.view = (struct mntns_view){.origin = &l.origin,
				     .log = &l.log,
				     .uid = (uid_t)-1,
				     .gid = (gid_t)-1,
				     .name = "(not known yet)"};
	if (l.origin.where == MNTNS_AT_UNKNOWN) {
		/* Even with on_error = ignore: staying might mean root in a user's view. The route
		 * says so too; this comes first, so that nothing before it is forgiven. */
		pam_syslog(pamh, LOG_ERR, "the session starts in %s; refused", l.origin.why);
		return PAM_SESSION_ERR;
	}
	/* The config has not been read, so on_error is not known yet: fail. */
	if (parse_args(pamh, argc, argv, &a, &err) < 0)
		return refuse(&l, MNTNS_ON_ERROR_FAIL, 0, err.msg);
	set_debug(&l, a.debug);
	/* PAM_USER, not pam_get_user: that prompts "login:" through the conversation when no
	 * user is set, and a session module has no business prompting. */
	if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item || !*(const char *)item)
		return refuse(&l, MNTNS_ON_ERROR_FAIL, PAM_USER_UNKNOWN,
			      "PAM_USER is not set (or empty): cannot tell whose session this is");
	name = item;

	rc = mntns_config_load(&cfg, a.config, a.config_dir, 0, &load);
	/* Of a config that failed, [global] debug counts when [global] read cleanly. */
	if (cfg.debug && cfg.global_ok)
		set_debug(&l, true);
	in = mntns_route_in_load(l.origin.where, rc, &cfg);
	/* A config that cannot be trusted says nothing of anyone: nobody is looked up. */
	if (in.config != MNTNS_CONFIG_UNTRUSTED) {
		rc = lookup(&l, name, &cfg, in.config, load.msg, &u);
		if (rc)
			goto out;
		mntns_route_in_user(&in, &cfg, &u);
	}
	if (in.config == MNTNS_CONFIG_OK) {
		rc = mntns_plan_build(&cfg, &u, &plan, &err);
		if (rc < 0) {
			rc = refuse(&l, cfg.on_error, 0, err.msg);
			goto out;
		}
		for (size_t i = 0; l.debug && i < plan.n; i++) {
			char line[4096];

			mntns_op_describe(&plan.ops[i], line, sizeof(line));
			pam_syslog(pamh, LOG_DEBUG, "plan for %s: %s", l.view.name, line);
		}
	}
	rc = go(&l, mntns_route(&in), &cfg, &plan, load.msg);
out:
	mntns_plan_free(&plan);
	mntns_user_free(&u);
	mntns_config_free(&cfg);
	return rc;
}

/* scope = user, at logout: this session's entry leaves the registry (userscope.h). */
PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct mntns_log log = {.warn = warn_line, .crit = crit_line, .arg = pamh};
	const struct session_data *data = NULL;
	struct mntns_err err;
	struct args a;

	(void)flags;
	(void)parse_args(pamh, argc, argv, &a, &err); /* only to report unknown options */
	/* scope = session: the namespace ends with the last process in it; nothing to undo. */
	if (pam_get_data(pamh, DATA_NAME, (const void **)&data) != PAM_SUCCESS || !data)
		return PAM_SUCCESS;
	a.debug |= data->debug;
	/* systemd's user@.service closes its session after dropping privileges: the entry of
	 * its thread goes by itself when that exits. */
	if (geteuid() != 0) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG,
				   "closing a session of uid %u without privileges; "
				   "its entry goes when its thread exits",
				   (unsigned)data->uid);
		return PAM_SUCCESS;
	}
	if (mntns_us_close_session(data->uid, &data->id, &log, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "closing a session of uid %u: %s", (unsigned)data->uid,
			   err.msg);
		return PAM_SESSION_ERR;
	}
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "closed a session of uid %u", (unsigned)data->uid);
	return PAM_SUCCESS;
}
