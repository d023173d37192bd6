/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Loading and validating mntns.conf and its drop-ins into rules. Nothing here mounts. */
#ifndef MNTNS_CONFIG_H
#define MNTNS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "global.h"
#include "select.h"
#include "strmap.h"

enum mntns_type { MNTNS_TMPFS, MNTNS_BIND, MNTNS_HIDE };

/* Mount flags of a rule (the module maps them to MOUNT_ATTR_*). */
enum {
	MNTNS_F_RDONLY = 1,
	MNTNS_F_NOSUID = 2,
	MNTNS_F_NODEV = 4,
	MNTNS_F_NOEXEC = 8,
};

struct mntns_rule {
	char *name; /* section name, lowercased as iniparser does */
	const char *file; /* points into mntns_config.files */
	enum mntns_type type;
	char *target; /* template, see vars.h */
	char *source; /* template; bind only */
	char *options; /* as written, for display */
	unsigned flags; /* MNTNS_F_* */
	char *fsdata; /* tmpfs: "key=value" pairs separated by ',' (size, nr_inodes, mode, uid, gid) */
	bool recursive; /* bind: false with "norbind" */
	int create_mode; /* bind: mode for create=, or -1 */
	bool optional;
	struct mntns_selector users;
};

struct mntns_config {
	struct mntns_selector users;
	enum mntns_scope scope;
	enum mntns_prop propagation;
	enum mntns_unselected unselected;
	enum mntns_on_error on_error;
	bool debug; /* [global] debug = yes: log every step, as the module argument does */
	struct mntns_rule *rules;
	size_t n_rules, cap_rules;
	struct strmap names; /* rule name -> index, while files are being added */
	unsigned need; /* MNTNS_NEED_* bits: what the planner will ask of the user */
	char **files; /* every file read, for messages */
	size_t n_files;
	/* Set by mntns_config_load, meaningful when it fails (both true when it succeeds):
	 * what its caller may still rely on, so that a typo never locks root out, nor touches
	 * a user whom a [global] section that reads cleanly leaves out. */
	/* Every file and directory looked at passed the trust checks and was read whole: the
	 * failure is in what they say (a typo), not a trust or read failure (nor out of
	 * memory). When false, every login is to be refused (as on_error says). */
	bool trusted;
	/* trusted, and every [global] section of every file (the main file and every drop-in)
	 * read cleanly: users, scope, propagation, unselected, on_error, debug and the need bits
	 * that [global] users asks for (@GROUP) are what they would be if the rule sections were
	 * right. False after an error in [global] (a bad value, an unknown or repeated key,
	 * [global] twice in a file), a key outside any section, a line after which it is
	 * unclear which section the next ones belong to (a broken header, a line that is
	 * neither a header nor a key, one that ends in '\', one too long, a NUL byte), or a
	 * file without any section (empty, or being rewritten). */
	bool global_ok;
};

/* Loads PATH, then every "*.conf" in DIR (may be NULL, or missing below a trusted parent) in
 * byte order of name (configfile.c). Both must be absolute. Each file, the directory and every
 * directory above them must be owned by root (the files by TRUSTED_UID, root for the module),
 * not be writable by group or others, and not be a symlink; the descriptor that is checked is
 * the one that is read. On error, the message names file, line or section and reason, and
 * cfg->on_error holds the on_error setting as far as it could be read from trusted files
 * (so the caller can honour "on_error = ignore").
 *
 * An error in what a file says does not end the loading: the message is the first such
 * error, but the other files are still read for their [global] sections and on_error, to
 * decide cfg->trusted and cfg->global_ok. Of a failed config only these and on_error may be
 * used, and with global_ok also users, need and the other [global] settings. A trust or
 * read failure ends the loading, and is the message even after an error in what a file
 * says: it refuses every login.
 * cfg must be freed in every case. */
int mntns_config_load(struct mntns_config *cfg, const char *path, const char *dir,
		      uid_t trusted_uid, struct mntns_err *err);

/* Adds the rules of one file's content (NAME is used in messages). For tests and fuzzing;
 * mntns_config_load uses it after its checks. Call mntns_config_init first. Returns the
 * file's first error; the rest of the file is still read for its [global] sections and
 * on_error, and clears cfg->global_ok as said above. */
void mntns_config_init(struct mntns_config *cfg);
int mntns_config_add_buffer(struct mntns_config *cfg, const char *name, const char *buf,
			    size_t len, struct mntns_err *err);
/* Completes what spans files (the default users = *); call once after the last file, even
 * when a file failed, for the [global] settings to be complete. */
int mntns_config_finish(struct mntns_config *cfg, struct mntns_err *err);
void mntns_config_free(struct mntns_config *cfg);

const char *mntns_type_name(enum mntns_type t);

#endif
