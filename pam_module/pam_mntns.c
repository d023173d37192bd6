/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
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
	bool in_outer; /* a nested login whose thread is already back in the outer view */
};

/* Debug is on when the module argument or [global] debug says so: the config's can only turn
 * it on, once the config is read. */
static void set_debug(struct login *l, bool on)
{
	l->debug = on;
	l->log.fn = on ? debug_line : NULL;
}

/* A login opened inside a view of ours (su, sudo in a session) goes back to the outer view
 * before anything else is done in it, and on every way out: sudo runs its command even when
 * the session fails, and must never run it inside the caller's view. The working directory
 * is kept only if its path names the same directory there. UID: the login's user. */
static int to_outer(struct login *l, uid_t uid, struct mntns_err *err)
{
	struct mntns_saved saved;
	int outer, rc;

	if (l->origin.where != MNTNS_AT_OURS || l->in_outer)
		return 0;
	if (l->origin.listed)
		pam_syslog(l->pamh, LOG_WARNING,
			   "the session starts in %s; it is known for ours "
			   "from the list in %s/views",
			   l->origin.why, MNTNS_RUN_DIR);
	if (mntns_ns_save(&saved, err) < 0)
		return -ENOTRECOVERABLE;
	outer = mntns_outer_open(err);
	rc = outer < 0 ? outer : mntns_ns_move(&saved, outer, err);
	mntns_closep(&outer);
	if (rc < 0) {
		struct mntns_err err2;

		/* Still in the caller's view, or halfway: either way it must not go on. */
		if (mntns_ns_leave(&saved, &err2) < 0)
			mntns_fail(err, -ENOTRECOVERABLE, "%s; %s", err->msg, err2.msg);
		return -ENOTRECOVERABLE;
	}
	mntns_ns_done(&saved, NULL, true, uid, &l->log);
	l->in_outer = true;
	if (l->debug)
		pam_syslog(l->pamh, LOG_DEBUG, "nested login: back in the outer view");
	return 0;
}

/* Every refusal: logs MSG once, takes a nested login back to the outer view, and picks the
 * return code on_error asks for. Nothing goes to the conversation: for a session opened by
 * sshd it ends up on the client's stdout, which sftp, scp and "ssh host cmd" read as data;
 * the application says that the session failed, syslog says why. PAM_CODE: the code of a
 * refusal that on_error = ignore does not turn into PAM_IGNORE (0: PAM_SESSION_ERR). */
static int refuse(struct login *l, uid_t uid, enum mntns_on_error on_error, int pam_code,
		  const char *msg)
{
	struct mntns_err err;

	if (to_outer(l, uid, &err) < 0) {
		pam_syslog(l->pamh, LOG_CRIT,
			   "%s; and the thread cannot return to the outer view: "
			   "%s",
			   msg, err.msg);
		return PAM_SESSION_ERR;
	}
	if (on_error == MNTNS_ON_ERROR_IGNORE && !pam_code) {
		pam_syslog(l->pamh, LOG_ERR, "%s (on_error = ignore: session left unchanged)", msg);
		return PAM_IGNORE;
	}
	pam_syslog(l->pamh, LOG_ERR, "%s", msg);
	return pam_code ? pam_code : PAM_SESSION_ERR;
}

/* After a failure past the first namespace change: back to where the thread was (the outer
 * view, for a nested login), then refused. */
static int undo(struct login *l, uid_t uid, struct mntns_saved *saved, enum mntns_on_error on_error,
		const char *msg)
{
	struct mntns_err err2;

	if (mntns_ns_leave(saved, &err2) < 0) {
		/* Half-built and stuck in it: never let the session go on. */
		pam_syslog(l->pamh, LOG_CRIT, "%s; %s", msg, err2.msg);
		return PAM_SESSION_ERR;
	}
	return refuse(l, uid, on_error, 0, msg);
}

/* Builds a new view from the current one: unshare, the plan, and the record that marks it as
 * ours (without the record, su and sudo inside it would layer their view on this one). On
 * failure the thread is back where it was; returns 0 or a PAM code. */
static int build_view(struct login *l, const struct mntns_config *cfg,
		      const struct mntns_plan *plan, const struct mntns_user *u, int outer_dir,
		      struct mntns_saved *saved)
{
	struct mntns_err err;
	int rc = mntns_ns_enter_new(saved, plan->propagation, &l->log, &err);

	if (rc == -ENOTRECOVERABLE) {
		pam_syslog(l->pamh, LOG_CRIT, "%s", err.msg);
		return PAM_SESSION_ERR;
	}
	if (rc < 0) /* enter_new has put the thread back and released SAVED */
		return refuse(l, u->uid, cfg->on_error, 0, err.msg);
	if (mntns_apply_plan(plan, u->uid, u->gid, &l->log, &err) < 0)
		return undo(l, u->uid, saved, cfg->on_error, err.msg);
	/* Without its record, sudo inside the session would take the view for a foreign one
	 * and leave root in it: no view made from the outer one goes without. (One built on a
	 * foreign view is left alone by nested logins either way.) */
	if (mntns_record_view(u->uid, outer_dir, &err) < 0 && outer_dir >= 0)
		return undo(l, u->uid, saved, cfg->on_error, err.msg);
	return 0;
}

/* Out of a view joined too early: back to where SAVED says, saved again there. Returns 0, or
 * -ENOTRECOVERABLE when the thread could not go back. */
static int back_out(struct mntns_saved *saved, struct mntns_err *err)
{
	if (mntns_ns_leave(saved, err) < 0)
		return -ENOTRECOVERABLE;
	return mntns_ns_save(saved, err);
}

/* Joins the namespace the registry of US leads to, if once in it its record says it is U's
 * view. Returns 1 when joined; 0 when there is none (the thread is where SAVED was, saved
 * again); -ENOTRECOVERABLE when it could not go back; another -errno with ERR set, the thread
 * still where SAVED says (undo it). */
static int try_join(struct mntns_us *us, struct mntns_saved *saved, uid_t uid,
		    struct mntns_err *err)
{
	int ns = mntns_us_find_live_or_forget(us, err), rc;

	if (ns == -ENOENT)
		return 0;
	if (ns < 0)
		return ns;
	rc = mntns_ns_move(saved, ns, err);
	close(ns);
	if (rc < 0)
		return rc;
	if (mntns_view_is(uid) == 0)
		return 1;
	/* An inode number given to a namespace that is not this user's view: theirs is gone. */
	us->reg->ns_ino = us->reg->ns_id = 0;
	us->reg->n = 0;
	return back_out(saved, err);
}

/* Is the calling thread in the namespace US's registry names? */
static bool in_registered(const struct mntns_us *us)
{
	struct stat st;

	return stat("/proc/thread-self/ns/mnt", &st) == 0 &&
	       (unsigned long long)st.st_ino == us->reg->ns_ino;
}

/* scope = user, in the outer view: joins the live namespace, or, under the user's lock, builds
 * one; and registers this session in it for pam_sm_close_session. A join takes the lock only
 * to register (a login that cannot get it still joins), so the lock is held long only by a
 * first login; it is held only inside the guard, so the user who runs the su or sudo cannot
 * stop it with a signal while it holds the lock. */
static int user_view(struct login *l, const struct mntns_config *cfg, const struct mntns_plan *plan,
		     const struct mntns_user *u)
{
	struct mntns_us us = {.dir_fd = -1, .lock_fd = -1};
	struct session_data *data = calloc(1, sizeof(*data));
	struct mntns_saved saved;
	struct mntns_guard guard;
	struct mntns_err err, err2;
	bool fresh = false, locked = false;
	int rc, joined;

	if (!data)
		return refuse(l, u->uid, cfg->on_error, 0, "out of memory");
	data->uid = u->uid;
	data->debug = l->debug;
	if (mntns_session_self(&data->id) < 0) {
		free(data);
		return refuse(l, u->uid, cfg->on_error, 0, "reading /proc/thread-self/stat failed");
	}
	mntns_guard_begin(&guard);
	if (mntns_us_peek(&us, u->uid, &err) < 0 || mntns_ns_save(&saved, &err) < 0) {
		rc = refuse(l, u->uid, cfg->on_error, 0, err.msg);
		goto out_nosaved;
	}
	joined = try_join(&us, &saved, u->uid, &err);
	/* Still the registered view once in it? The administrator's reset forgets a view before
	 * it ends its processes: a login that read the registry before must not stay. */
	if (joined > 0 && (mntns_us_reread(&us, &err2) < 0 || !in_registered(&us))) {
		joined = back_out(&saved, &err);
		if (joined == 0)
			goto locked_path;
	}
	if (joined > 0) {
		/* Registered under the lock, in the namespace the registry names then: if the
		 * view emptied and another login built a new one meanwhile, go there instead. */
		locked = mntns_us_relock(&us, &err2) == 0;
		/* Unregistered, it may stay only in the view the registry still names (a reset
		 * forgets a view before it ends it); else out, and refused as on_error says. */
		if (!locked && (mntns_us_reread(&us, &err) < 0 || !in_registered(&us))) {
			rc = undo(l, u->uid, &saved, cfg->on_error, err2.msg);
			goto out_nosaved;
		}
		if (!locked)
			pam_syslog(l->pamh, LOG_WARNING, "user %s: this session is not registered: %s",
				   printable(u->name), err2.msg);
		else if (!in_registered(&us)) {
			joined = back_out(&saved, &err);
			if (joined == 0)
				joined = try_join(&us, &saved, u->uid, &err);
		}
	} else if (joined == 0) {
locked_path:
		if (mntns_us_relock(&us, &err) < 0) {
			mntns_saved_release(&saved);
			rc = refuse(l, u->uid, cfg->on_error, 0, err.msg);
			goto out_nosaved;
		}
		locked = true;
		/* Another login may have built it while this one waited. */
		joined = try_join(&us, &saved, u->uid, &err);
	}
	if (joined == -ENOTRECOVERABLE) {
		pam_syslog(l->pamh, LOG_CRIT, "user %s: %s", printable(u->name), err.msg);
		rc = PAM_SESSION_ERR;
		goto out_nosaved;
	}
	if (joined < 0) {
		rc = undo(l, u->uid, &saved, cfg->on_error, err.msg);
		goto out_nosaved;
	}
	if (joined == 0) {
		rc = build_view(l, cfg, plan, u, us.dir_fd, &saved);
		if (rc)
			goto out_nosaved; /* build_view has put the thread back and released SAVED */
		fresh = true;
	} else if (l->debug) {
		pam_syslog(l->pamh, LOG_DEBUG, "joined the live namespace of %s", printable(u->name));
	}
	/* Only a shortcut is lost without it: the next login looks through /proc instead. */
	if (locked && mntns_us_register(&us, fresh, &data->id, &err) < 0)
		pam_syslog(l->pamh, LOG_WARNING, "user %s: this session is not registered: %s",
			   printable(u->name), err.msg);
	rc = 0;
out_nosaved:
	mntns_us_unlock(&us);
	joined = mntns_guard_end(&guard);
	if (joined < 0) /* setresuid back to the caller's uids, by root: it does not fail */
		pam_syslog(l->pamh, LOG_CRIT, "user %s: the caller's uids could not be put back: %s",
			   printable(u->name), strerror(-joined));
	if (rc) {
		free(data);
		return rc;
	}
	if (fresh && l->debug)
		pam_syslog(l->pamh, LOG_DEBUG, "built a new namespace for %s", printable(u->name));
	if (pam_set_data(l->pamh, DATA_NAME, data, free_data) != PAM_SUCCESS) {
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s: pam_set_data failed; the session's entry "
			   "stays in %s/%u.lock until its thread exits",
			   printable(u->name), MNTNS_RUN_DIR, (unsigned)u->uid);
		free(data);
	}
	/* The working directory, by its path, outside the lock: it walks paths. */
	mntns_ns_done(&saved, plan, false, u->uid, &l->log);
	return PAM_SUCCESS;
}

/* Gives the login of a selected user its view. A login opened inside a view of ours (su,
 * sudo) starts from the outer view; one opened in a view that is not ours stays in it. */
static int open_view(struct login *l, const struct mntns_config *cfg, const struct mntns_plan *plan,
		     const struct mntns_user *u)
{
	bool from_system = l->origin.where == MNTNS_AT_SYSTEM || l->origin.where == MNTNS_AT_OURS;
	struct mntns_saved saved;
	struct mntns_err err;
	int rc, dir;

	if (!from_system && cfg->scope == MNTNS_SCOPE_USER)
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s: the session starts in %s; its view is "
			   "built on that one and is its own (scope = user needs the outer view)",
			   printable(u->name), l->origin.why);
	else if (!from_system && l->debug)
		pam_syslog(l->pamh, LOG_DEBUG,
			   "user %s: the session starts in %s; its view is "
			   "built on that one",
			   printable(u->name), l->origin.why);
	if (to_outer(l, u->uid, &err) < 0) {
		pam_syslog(l->pamh, LOG_CRIT, "user %s: %s", printable(u->name), err.msg);
		return PAM_SESSION_ERR;
	}
	if (cfg->scope == MNTNS_SCOPE_USER && from_system)
		return user_view(l, cfg, plan, u);
	/* The record goes on the run directory, which must exist before the view is made. */
	dir = mntns_us_open_dir(from_system, &err);
	if (dir < 0 && from_system)
		return refuse(l, u->uid, cfg->on_error, 0, err.msg);
	if (!from_system) {
		mntns_closep(&dir); /* it may not exist in a foreign view; not listed there */
		dir = -1;
	}
	if (mntns_ns_save(&saved, &err) < 0) {
		mntns_closep(&dir);
		return refuse(l, u->uid, cfg->on_error, 0, err.msg);
	}
	rc = build_view(l, cfg, plan, u, from_system ? dir : -1, &saved);
	mntns_closep(&dir);
	if (rc)
		return rc;
	mntns_ns_done(&saved, plan, false, u->uid, &l->log);
	return PAM_SUCCESS;
}

/* A user whom the config leaves alone. A login opened inside a view of ours (sudo -i in a
 * session) goes back to the outer view, unless the config keeps the caller's. */
static int unselected(struct login *l, enum mntns_unselected keep, const struct mntns_user *u)
{
	struct mntns_err err;

	if (l->origin.where == MNTNS_AT_OURS_LOST && keep == MNTNS_UNSELECTED_OUTER)
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s is not selected, but stays in the "
			   "caller's view: it is %s",
			   printable(u->name), l->origin.why);
	if (l->origin.where != MNTNS_AT_OURS || keep == MNTNS_UNSELECTED_KEEP) {
		if (l->debug)
			pam_syslog(l->pamh, LOG_DEBUG,
				   "user %s is not selected by [global] users; "
				   "session left unchanged",
				   printable(u->name));
		return PAM_IGNORE;
	}
	if (to_outer(l, u->uid, &err) < 0) {
		pam_syslog(l->pamh, LOG_CRIT, "user %s: %s", printable(u->name), err.msg);
		return PAM_SESSION_ERR;
	}
	if (l->debug)
		pam_syslog(l->pamh, LOG_DEBUG, "user %s is not selected: back in the outer view",
			   printable(u->name));
	return PAM_SUCCESS;
}

/* The config could not be loaded. An untrusted or unreadable one refuses everyone; one that
 * is trusted but has an error (a typo) never locks root out, and leaves alone the users that
 * a [global] section that reads cleanly leaves out. Everyone else is refused. */
static int broken_config(struct login *l, const struct mntns_config *cfg, const char *name,
			 const char *msg)
{
	enum mntns_unselected keep = cfg->global_ok ? cfg->unselected : MNTNS_UNSELECTED_OUTER;
	struct mntns_user u = {0};
	struct mntns_err err;
	int rc;

	if (!cfg->trusted)
		return refuse(l, (uid_t)-1, cfg->on_error, 0, msg);
	/* Groups only for a [global] users that reads cleanly: nothing else will be matched. */
	if (mntns_user_lookup(name, cfg->global_ok ? cfg->need : 0, &u, &err) < 0) {
		char line[sizeof(err.msg) * 2 + 300];

		snprintf(line, sizeof(line), "%s; and user \"%.256s\": %s", msg, printable(name),
			 err.msg);
		return refuse(l, (uid_t)-1, cfg->on_error, 0, line);
	}
	if (u.uid == 0) {
		pam_syslog(l->pamh, LOG_CRIT, "%s; root's session opens unchanged", msg);
		rc = unselected(l, keep, &u);
	} else if (cfg->global_ok && !mntns_selector_match(&cfg->users, &u)) {
		pam_syslog(l->pamh, LOG_ERR,
			   "%s; user %s is not selected by [global] users, so "
			   "the session opens unchanged",
			   msg, printable(u.name));
		rc = unselected(l, keep, &u);
	} else {
		rc = refuse(l, u.uid, cfg->on_error, 0, msg);
	}
	mntns_user_free(&u);
	return rc;
}

/* Looks the user up for a config that loaded. The groups only when [global] users selects
 * the user: a [global] users without @GROUP decides without them, so a user it leaves out
 * (root, in the shipped file) costs no group lookup, and that login never waits on a
 * directory service for the module's sake. A group database that failed is logged; the
 * groups the others reported are matched. */
static int lookup_user(struct login *l, const struct mntns_config *cfg, const char *name,
		       struct mntns_user *u, struct mntns_err *err)
{
	bool later = (cfg->need & MNTNS_NEED_GROUPS) && !mntns_selector_has_groups(&cfg->users);
	unsigned need = later ? cfg->need & ~(unsigned)MNTNS_NEED_GROUPS : cfg->need;
	int rc = mntns_user_lookup(name, need, u, err);

	if (rc == 0 && later && mntns_selector_match(&cfg->users, u)) {
		rc = mntns_user_add_groups(u, err);
		if (rc < 0)
			mntns_user_free(u);
	}
	if (rc == 0 && u->groups_errno)
		pam_syslog(l->pamh, LOG_WARNING,
			   "user %s: group lookup failed: a group database service said: %s; "
			   "@GROUP selectors see only the groups the others reported",
			   printable(u->name), strerror(u->groups_errno));
	return rc;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct login l = {.pamh = pamh, .log = {.warn = warn_line}};
	struct mntns_config cfg;
	struct mntns_user u = {0};
	struct mntns_plan plan = {0};
	struct mntns_err err;
	const void *item = NULL;
	const char *name;
	struct args a;
	int rc;

	(void)flags; /* PAM_SILENT: the module never writes to the conversation anyway */
	l.log.arg = pamh;
	mntns_origin_find(&l.origin);
	if (l.origin.where == MNTNS_AT_UNKNOWN) {
		/* Even with on_error = ignore: staying might mean root in a user's view. */
		pam_syslog(pamh, LOG_ERR, "the session starts in %s; refused", l.origin.why);
		return PAM_SESSION_ERR;
	}
	/* The config has not been read, so on_error is not known yet: fail. */
	if (parse_args(pamh, argc, argv, &a, &err) < 0)
		return refuse(&l, (uid_t)-1, MNTNS_ON_ERROR_FAIL, 0, err.msg);
	set_debug(&l, a.debug);
	/* PAM_USER, not pam_get_user: that prompts "login:" through the conversation when no
	 * user is set, and a session module has no business prompting. */
	if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || !item || !*(const char *)item)
		return refuse(&l, (uid_t)-1, MNTNS_ON_ERROR_FAIL, PAM_USER_UNKNOWN,
			      "PAM_USER is not set (or empty): cannot tell whose session this is");
	name = item;
	rc = mntns_config_load(&cfg, a.config, a.config_dir, 0, &err);
	/* Of a config that failed, [global] debug counts when [global] read cleanly. */
	if (cfg.debug && cfg.global_ok)
		set_debug(&l, true);
	if (rc < 0) {
		rc = broken_config(&l, &cfg, name, err.msg);
		goto out;
	}
	rc = lookup_user(&l, &cfg, name, &u, &err);
	if (rc < 0) {
		char msg[sizeof(err.msg) + 300];

		snprintf(msg, sizeof(msg), "user \"%.256s\": %s", printable(name), err.msg);
		rc = refuse(&l, (uid_t)-1, cfg.on_error, 0, msg);
		goto out;
	}
	if (mntns_plan_build(&cfg, &u, &plan, &err) < 0) {
		rc = refuse(&l, u.uid, cfg.on_error, 0, err.msg);
		goto out;
	}
	if (!plan.selected) {
		rc = unselected(&l, cfg.unselected, &u);
		goto out;
	}
	if (l.debug)
		for (size_t i = 0; i < plan.n; i++) {
			char line[4096];

			mntns_op_describe(&plan.ops[i], line, sizeof(line));
			pam_syslog(pamh, LOG_DEBUG, "plan for %s: %s", printable(u.name), line);
		}
	rc = open_view(&l, &cfg, &plan, &u);
out:
	mntns_plan_free(&plan);
	mntns_user_free(&u);
	mntns_config_free(&cfg);
	return rc;
}

/* scope = user, at logout: removes this session's entry from the registry. Nothing is
 * dropped: the namespace ends with its last process. Works from any view (the run directory
 * is reached through PID 1's root). */
PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct session_data *data = NULL;
	struct mntns_us us = {.dir_fd = -1, .lock_fd = -1};
	struct mntns_guard guard;
	struct mntns_err err;
	struct args a;
	int rc;

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
	mntns_guard_begin(&guard);
	rc = mntns_us_lock(&us, data->uid, &err);
	if (rc == 0)
		rc = mntns_us_unregister(&us, &data->id, &err);
	mntns_us_unlock(&us);
	if (mntns_guard_end(&guard) < 0)
		pam_syslog(pamh, LOG_CRIT, "closing a session of uid %u: the caller's uids could not "
			   "be put back: %s", (unsigned)data->uid, strerror(errno));
	if (rc < 0) {
		pam_syslog(pamh, LOG_ERR, "closing a session of uid %u: %s", (unsigned)data->uid,
			   err.msg);
		return PAM_SESSION_ERR;
	}
	if (a.debug)
		pam_syslog(pamh, LOG_DEBUG, "closed a session of uid %u", (unsigned)data->uid);
	return PAM_SUCCESS;
}
