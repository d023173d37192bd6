/* PAM glue: arguments, the user, and the order load -> plan -> enter -> apply. Everything
 * else lives in the units it calls; this file only decides return codes and logs. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "apply.h"
#include "config.h"
#include "plan.h"
#include "user.h"

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
	a->config = MNTNS_CONFIG_FILE;
	a->config_dir = MNTNS_CONFIG_DIR;
	a->debug = false;
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "config=", 7) == 0)
			a->config = argv[i] + 7;
		else if (strncmp(argv[i], "config_dir=", 11) == 0)
			a->config_dir = argv[i][11] ? argv[i] + 11 : NULL; /* "": no drop-ins */
		else if (strcmp(argv[i], "debug") == 0)
			a->debug = true;
		else
			pam_syslog(pamh, LOG_ERR, "unknown option \"%s\" ignored", argv[i]);
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

/* A name as it may appear in the log: user names come from outside, and a newline in one
 * must not forge a log line. */
static const char *printable(const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "(a name with control characters)";
	return s;
}

/* Logs an error once and picks the return code that on_error asks for. Nothing goes to the
 * conversation: for a session opened by sshd it ends up on the client's stdout, which sftp,
 * scp and "ssh host cmd" read as data ("Received message too long"); the application says
 * that the session failed, syslog says why. */
static int failed(pam_handle_t *pamh, enum mntns_on_error on_error, const char *msg)
{
	if (on_error == MNTNS_ON_ERROR_IGNORE) {
		pam_syslog(pamh, LOG_ERR, "%s (on_error = ignore: session left unchanged)", msg);
		return PAM_IGNORE;
	}
	pam_syslog(pamh, LOG_ERR, "%s", msg);
	return PAM_SESSION_ERR;
}

/* Enters a new namespace and applies the plan; on failure the caller is back where it was. */
static int setup_namespace(pam_handle_t *pamh, const struct mntns_config *cfg,
			   const struct mntns_plan *plan, const struct mntns_user *u,
			   const struct mntns_log *log)
{
	struct mntns_saved saved;
	struct mntns_err err, err2;
	int rc = mntns_ns_enter_new(&saved, plan->propagation, log, &err);

	if (rc == -ENOTRECOVERABLE) {
		pam_syslog(pamh, LOG_CRIT, "%s", err.msg);
		return PAM_SESSION_ERR;
	}
	if (rc < 0)
		return failed(pamh, cfg->on_error, err.msg);
	if (mntns_apply_plan(plan, u->uid, u->gid, log, &err) < 0) {
		if (mntns_ns_leave(&saved, &err2) < 0) {
			/* Half-built and stuck in it: never let the session go on. */
			pam_syslog(pamh, LOG_CRIT, "%s; %s", err.msg, err2.msg);
			return PAM_SESSION_ERR;
		}
		return failed(pamh, cfg->on_error, err.msg);
	}
	mntns_ns_done(&saved, plan, log);
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct mntns_log log = { .fn = debug_line, .warn = warn_line, .arg = pamh };
	struct mntns_config cfg;
	struct mntns_user u = { 0 };
	struct mntns_plan plan = { 0 };
	struct mntns_err err;
	const void *item = NULL;
	const char *name;
	struct args a;
	int rc;

	(void)flags; /* PAM_SILENT: the module never writes to the conversation anyway */
	/* The config has not been read, so on_error is not known yet: fail. */
	if (parse_args(pamh, argc, argv, &a, &err) < 0)
		return failed(pamh, MNTNS_ON_ERROR_FAIL, err.msg);
	if (!a.debug)
		log.fn = NULL;
	/* PAM_USER, not pam_get_user: that prompts "login:" through the conversation when no
	 * user is set, and a session module has no business prompting. */
	if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item || !*(const char *)item) {
		pam_syslog(pamh, LOG_ERR,
			   "PAM_USER is not set (or empty): cannot tell whose session this is");
		return PAM_USER_UNKNOWN;
	}
	name = item;
	if (mntns_config_load(&cfg, a.config, a.config_dir, 0, &err) < 0) {
		rc = failed(pamh, cfg.on_error, err.msg);
		goto out;
	}
	rc = mntns_user_lookup(name, cfg.need, &u, &err);
	if (rc < 0) {
		char msg[sizeof(err.msg) + 300];

		snprintf(msg, sizeof(msg), "user \"%.256s\": %s", printable(name), err.msg);
		rc = failed(pamh, cfg.on_error, msg);
		goto out;
	}
	if (mntns_plan_build(&cfg, &u, &plan, &err) < 0) {
		rc = failed(pamh, cfg.on_error, err.msg);
		goto out;
	}
	if (!plan.selected) {
		if (a.debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s is not selected by [global] users; "
				   "session left unchanged", printable(u.name));
		rc = PAM_IGNORE;
		goto out;
	}
	if (a.debug)
		for (size_t i = 0; i < plan.n; i++) {
			char line[4096];

			mntns_op_describe(&plan.ops[i], line, sizeof(line));
			pam_syslog(pamh, LOG_DEBUG, "plan for %s: %s", printable(u.name), line);
		}
	rc = setup_namespace(pamh, &cfg, &plan, &u, &log);
out:
	mntns_plan_free(&plan);
	mntns_user_free(&u);
	mntns_config_free(&cfg);
	return rc;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct mntns_err err;
	struct args a;

	(void)flags;
	(void)parse_args(pamh, argc, argv, &a, &err); /* only to report unknown options */
	/* scope = session: the namespace ends with the last process in it; nothing to undo. */
	return PAM_SUCCESS;
}
