/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Path templates: %u user, %U uid, %g primary group, %G gid, %h home, %% a literal '%'.
 * Checked when the config is loaded, expanded when a login is planned. */
#ifndef MNTNS_VARS_H
#define MNTNS_VARS_H

#include <stdbool.h>

#include "err.h"
#include "user.h"

/* Checks a template: absolute (or starting with %h), canonical (no empty, "." or ".."
 * component, no trailing '/'), only known variables, %h only at the start, not "/".
 * Adds MNTNS_NEED_* bits for the variables it uses to *need. */
int mntns_template_check(const char *tmpl, unsigned *need, struct mntns_err *err);

/* Expands a checked template for U into a newly allocated path. Fails if a name is empty,
 * ".", "..", contains '/' or a control character, or if the home directory is not an absolute
 * canonical path. */
int mntns_expand(const char *tmpl, const struct mntns_user *u, char **out, struct mntns_err *err);

/* True if PATH is absolute and canonical (see mntns_template_check); "/" is canonical. */
bool mntns_path_is_canonical(const char *path);

#endif
