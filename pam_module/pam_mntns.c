/* PAM glue: arguments, the user, and the order load -> plan -> enter -> apply. Everything
 * else lives in the units it calls; this file only decides return codes and logs. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#define PAM_SM_SESSION
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "apply.h"
#include "cleanup.h"
#include "config.h"
#include "nested.h"
#include "plan.h"
#include "user.h"
#include "userscope.h"

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

#define DATA_NAME "pam_mntns_user_scope"

/* What pam_sm_close_session needs of a scope = user login: whose namespace, and which thread
 * of this process registered in it. */
struct session_data {
	uid_t uid;
	struct mntns_thread_id id;
};

static void free_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

/* Moves the calling thread (saved in SAVED) to the outer view, PID 1's. */
static int go_outer(struct mntns_saved *saved, struct mntns_err *err)
{
	int outer = mntns_outer_open(err);
	int rc = outer < 0 ? outer : mntns_ns_move(saved, outer, err);

	mntns_closep(&outer);
	return rc;
}

/* After a failure past the first namespace change: back to where the caller was. */
static int undo(pam_handle_t *pamh, struct mntns_saved *saved, enum mntns_on_error on_error,
		const char *msg)
{
	struct mntns_err err2;

	if (mntns_ns_leave(saved, &err2) < 0) {
		/* Half-built and stuck in it: never let the session go on. */
		pam_syslog(pamh, LOG_CRIT, "%s; %s", msg, err2.msg);
		return PAM_SESSION_ERR;
	}
	return failed(pamh, on_error, msg);
}

/* Builds a new view from the current one: unshare, the plan, and the record that marks it as
 * ours (without the record, su and sudo inside it would layer their view on this one). */
static int build_view(pam_handle_t *pamh, const struct mntns_config *cfg,
		      const struct mntns_plan *plan, const struct mntns_user *u, bool from_system,
		      int pin_in, struct mntns_saved *saved, const struct mntns_log *log)
{
	struct mntns_err err;
	int rc = mntns_ns_enter_new(saved, plan->propagation, pin_in, log, &err);

	if (rc == -ENOTRECOVERABLE) {
		pam_syslog(pamh, LOG_CRIT, "%s", err.msg);
		return PAM_SESSION_ERR;
	}
	if (rc < 0)
		return failed(pamh, cfg->on_error, err.msg);
	if (mntns_apply_plan(plan, u->uid, u->gid, log, &err) < 0)
		return undo(pamh, saved, cfg->on_error, err.msg);
	/* Without its record, sudo inside the session would take the view for a foreign one
	 * and leave root in it: no view made from the outer one goes without. (One built on a
	 * foreign view is left alone by nested logins either way.) */
	if (mntns_record_view(u->uid, from_system, &err) < 0 && from_system)
		return undo(pamh, saved, cfg->on_error, err.msg);
	return PAM_SUCCESS;
}

/* scope = user, in the outer view: under the user's lock, joins the live namespace, or builds
 * one and pins it; then registers this thread in it for pam_sm_close_session. */
static int user_view(pam_handle_t *pamh, const struct mntns_config *cfg,
		     const struct mntns_plan *plan, const struct mntns_user *u,
		     struct mntns_saved *saved, const struct mntns_log *log, bool debug)
{
	struct mntns_us us = { .dir_fd = -1, .lock_fd = -1 };
	struct session_data *data;
	struct mntns_err err;
	int ns, rc, outer;

	if (mntns_us_lock(&us, u->uid, &err) < 0)
		return undo(pamh, saved, cfg->on_error, err.msg);
	ns = mntns_us_live(&us, &err);
	if (ns >= 0) {
		rc = mntns_ns_move(saved, ns, &err);
		close(ns);
		if (rc < 0)
			goto fail;
		if (debug)
			pam_syslog(pamh, LOG_DEBUG, "joined the live namespace of %s",
				   printable(u->name));
	} else if (ns != -ENOENT) {
		goto fail;
	} else {
		/* The outer view, to come back to for the pin: where the thread is now. */
		outer = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
		if (outer < 0) {
			mntns_fail(&err, -errno, "/proc/thread-self/ns/mnt: %s", strerror(errno));
			goto fail;
		}
		rc = build_view(pamh, cfg, plan, u, true, outer, saved, log);
		if (rc != PAM_SUCCESS) {
			close(outer);
			mntns_us_unlock(&us);
			return rc;
		}
		/* An nsfs mount can only be made from an older namespace: pin from the outer. */
		ns = open("/proc/thread-self/ns/mnt", O_RDONLY | O_CLOEXEC);
		rc = ns < 0 ? mntns_fail(&err, -errno, "/proc/thread-self/ns/mnt: %s",
					 strerror(errno)) :
			      mntns_ns_move(saved, outer, &err);
		if (rc == 0)
			rc = mntns_us_pin(&us, ns, &err);
		if (rc == 0)
			rc = mntns_ns_move(saved, ns, &err);
		close(outer);
		mntns_closep(&ns);
		if (rc < 0)
			goto fail;
		if (debug)
			pam_syslog(pamh, LOG_DEBUG, "pinned a new namespace of %s at %s/%u",
				   printable(u->name), MNTNS_RUN_DIR, (unsigned)u->uid);
	}
	data = calloc(1, sizeof(*data));
	if (!data || mntns_thread_self(&data->id) < 0 ||
	    mntns_us_register(&us, &data->id, &err) < 0 ||
	    pam_set_data(pamh, DATA_NAME, data, free_data) != PAM_SUCCESS) {
		/* Only a shortcut is lost: the next login looks through /proc instead. */
		pam_syslog(pamh, LOG_WARNING, "user %s: this session is not registered in %s: %s",
			   printable(u->name), MNTNS_RUN_DIR, data ? err.msg : "out of memory");
		free(data);
	} else {
		data->uid = u->uid;
	}
	mntns_us_unlock(&us);
	mntns_ns_done(saved, plan, false, log);
	return PAM_SUCCESS;
fail:
	mntns_us_unlock(&us);
	return undo(pamh, saved, cfg->on_error, err.msg);
}

/* Gives the login of a selected user its view. A login opened inside a view of ours (su,
 * sudo) starts from the outer view; one opened in a view that is not ours stays in it. */
static int open_view(pam_handle_t *pamh, const struct mntns_config *cfg,
		     const struct mntns_plan *plan, const struct mntns_user *u,
		     const struct mntns_origin *origin, const struct mntns_log *log, bool debug)
{
	bool from_system = origin->where == MNTNS_AT_SYSTEM || origin->where == MNTNS_AT_OURS;
	struct mntns_saved saved;
	struct mntns_err err;
	int rc;

	if (mntns_ns_save(&saved, &err) < 0)
		return failed(pamh, cfg->on_error, err.msg);
	if (!from_system && cfg->scope == MNTNS_SCOPE_USER)
		pam_syslog(pamh, LOG_WARNING, "user %s: the session starts in %s; its view is built "
			   "on that one and is its own (scope = user needs the outer view)",
			   printable(u->name), origin->why);
	else if (!from_system && debug)
		pam_syslog(pamh, LOG_DEBUG, "user %s: the session starts in %s; its view is built "
			   "on that one", printable(u->name), origin->why);
	if (origin->where == MNTNS_AT_OURS) {
		if (go_outer(&saved, &err) < 0)
			return undo(pamh, &saved, cfg->on_error, err.msg);
		if (debug)
			pam_syslog(pamh, LOG_DEBUG, "nested login of %s: started from the outer view",
				   printable(u->name));
	}
	if (cfg->scope == MNTNS_SCOPE_USER && from_system)
		return user_view(pamh, cfg, plan, u, &saved, log, debug);
	/* The record goes on the run directory, which must exist before the view is made. */
	rc = mntns_us_open_dir(from_system, &err);
	if (rc < 0 && from_system)
		return undo(pamh, &saved, cfg->on_error, err.msg);
	mntns_closep(&rc);
	rc = build_view(pamh, cfg, plan, u, from_system, -1, &saved, log);
	if (rc == PAM_SUCCESS)
		mntns_ns_done(&saved, plan, false, log);
	return rc;
}

/* A user that is not selected, whose login opens inside a view of ours (sudo -i to root in a
 * session): back to the outer view, unless the config says to keep the caller's. */
static int unselected(pam_handle_t *pamh, const struct mntns_config *cfg,
		      const struct mntns_user *u, const struct mntns_origin *origin,
		      const struct mntns_log *log, bool debug)
{
	struct mntns_saved saved;
	struct mntns_err err;

	if (origin->where == MNTNS_AT_OURS_LOST && cfg->unselected == MNTNS_UNSELECTED_OUTER)
		pam_syslog(pamh, LOG_WARNING, "user %s is not selected, but stays in the caller's "
			   "view: it is %s", printable(u->name), origin->why);
	if (origin->where != MNTNS_AT_OURS || cfg->unselected == MNTNS_UNSELECTED_KEEP) {
		if (debug)
			pam_syslog(pamh, LOG_DEBUG, "user %s is not selected by [global] users; "
				   "session left unchanged", printable(u->name));
		return PAM_IGNORE;
	}
	if (mntns_ns_save(&saved, &err) < 0)
		return failed(pamh, cfg->on_error, err.msg);
	if (go_outer(&saved, &err) < 0)
		return undo(pamh, &saved, cfg->on_error, err.msg);
	if (debug)
		pam_syslog(pamh, LOG_DEBUG, "user %s is not selected: back in the outer view",
			   printable(u->name));
	mntns_ns_done(&saved, NULL, true, log);
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct mntns_log log = { .fn = debug_line, .warn = warn_line, .arg = pamh };
	struct mntns_config cfg;
	struct mntns_user u = { 0 };
	struct mntns_plan plan = { 0 };
	struct mntns_origin origin;
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
	mntns_origin_find(&origin);
	if (origin.where == MNTNS_AT_UNKNOWN) {
		/* Even with on_error = ignore: staying might mean root in a user's view. */
		pam_syslog(pamh, LOG_ERR, "user %s: the session starts in %s; refused",
			   printable(u.name), origin.why);
		rc = PAM_SESSION_ERR;
		goto out;
	}
	if (!plan.selected) {
		rc = unselected(pamh, &cfg, &u, &origin, &log, a.debug);
		goto out;
	}
	if (a.debug)
		for (size_t i = 0; i < plan.n; i++) {
			char line[4096];

			mntns_op_describe(&plan.ops[i], line, sizeof(line));
			pam_syslog(pamh, LOG_DEBUG, "plan for %s: %s", printable(u.name), line);
		}
	rc = open_view(pamh, &cfg, &plan, &u, &origin, &log, a.debug);
out:
	mntns_plan_free(&plan);
	mntns_user_free(&u);
	mntns_config_free(&cfg);
	return rc;
}

/* scope = user, at logout: unregisters the session and, after the last one with nothing else
 * left running, drops the pin. Runs in the outer view, coming back to where it was. */
PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct session_data *data = NULL;
	struct mntns_us us = { .dir_fd = -1, .lock_fd = -1 };
	struct mntns_origin origin;
	struct mntns_saved saved;
	struct mntns_err err, err2;
	bool dropped = false;
	struct args a;
	int rc = 0;

	(void)flags;
	(void)parse_args(pamh, argc, argv, &a, &err); /* only to report unknown options */
	/* scope = session: the namespace ends with the last process in it; nothing to undo. */
	if (pam_get_data(pamh, DATA_NAME, (const void **)&data) != PAM_SUCCESS || !data)
		return PAM_SUCCESS;
	mntns_origin_find(&origin);
	if (origin.where != MNTNS_AT_SYSTEM && origin.where != MNTNS_AT_OURS) {
		pam_syslog(pamh, LOG_WARNING, "closing a session of uid %u in %s: its namespace is "
			   "left to the next login to check", (unsigned)data->uid, origin.why);
		return PAM_SUCCESS;
	}
	if (mntns_ns_save(&saved, &err) < 0) {
		pam_syslog(pamh, LOG_ERR, "closing a session of uid %u: %s", (unsigned)data->uid,
			   err.msg);
		return PAM_SESSION_ERR;
	}
	if (origin.where == MNTNS_AT_OURS)
		rc = go_outer(&saved, &err);
	if (rc == 0)
		rc = mntns_us_lock(&us, data->uid, &err);
	if (rc == 0) {
		rc = mntns_us_release(&us, &data->id, &dropped, &err);
		mntns_us_unlock(&us);
	}
	if (rc < 0)
		pam_syslog(pamh, LOG_ERR, "closing a session of uid %u: %s", (unsigned)data->uid,
			   err.msg);
	else if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "closed a session of uid %u%s", (unsigned)data->uid,
			   dropped ? "; the last one: its namespace is dropped" : "");
	if (mntns_ns_leave(&saved, &err2) < 0) {
		pam_syslog(pamh, LOG_CRIT, "closing a session of uid %u: %s", (unsigned)data->uid,
			   err2.msg);
		return PAM_SESSION_ERR;
	}
	return rc < 0 ? PAM_SESSION_ERR : PAM_SUCCESS;
}
