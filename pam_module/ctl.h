/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* mntnsctl: what an administrator does with the views of scope = user (list them, check what
 * a login of a user would do, reset a user's view). One file per verb; mntnsctl.c parses the
 * command line. Each returns the tool's exit status: 0, 1, or 2 for bad usage. */
#ifndef MNTNS_CTL_H
#define MNTNS_CTL_H

#include <stdbool.h>

int ctl_list(bool json);
int ctl_check(const char *user, const char *config, const char *config_dir);
int ctl_reset(const char *user, bool yes, bool force);

#endif
