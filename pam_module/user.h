/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Who is logging in: the facts about a user that selection and variables need, as NSS reports
 * them (so LDAP/SSSD users and groups work), gathered once per login. */
#ifndef MNTNS_USER_H
#define MNTNS_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct mntns_user {
	char *name;
	uid_t uid;
	gid_t gid;
	char *group; /* primary group name; NULL unless asked for */
	char *home;
	gid_t *gids; /* primary and supplementary groups; NULL unless asked for */
	size_t n_gids;
	/* The names of gid and gids, sorted by strcmp: what @GROUP selectors are compared with.
	 * A gid the group database has no entry for has no name here. NULL unless asked for. */
	char **group_names;
	size_t n_group_names;
	/* Not 0 when a group database service failed while the groups were listed (sssd or
	 * nslcd not answering: glibc's getgrouplist goes on with the services that did, and the
	 * failing one's errno is all that is left of it). gids then hold only the groups the
	 * others reported, as the session's own credentials (initgroups) do. */
	int groups_errno;
};

/* Answers "what is group GID called": 0 with *NAME allocated, -ENOENT when the group database
 * has no such gid, or -errno. */
typedef int (*mntns_group_name_fn)(void *ctx, gid_t gid, char **name);

enum {
	MNTNS_NEED_GROUPS = 1, /* gids and group_names, for @GROUP selectors */
	MNTNS_NEED_GROUP_NAME = 2, /* primary group name, for %g */
};

/* Looks NAME up with getpwnam_r (and getgrgid_r / getgrouplist as NEED asks).
 * Returns 0, -ENOENT for an unknown user, or -errno. */
int mntns_user_lookup(const char *name, unsigned need, struct mntns_user *u,
		      struct mntns_err *err);

/* What getgrouplist(3) does; a test passes its own. */
typedef int (*mntns_grouplist_fn)(const char *user, gid_t group, gid_t *groups, int *ngroups);

/* Fills U->gids (and U->groups_errno) with LIST, then U->group_names with NAME_OF: the
 * MNTNS_NEED_GROUPS part of mntns_user_lookup, for a caller that looked U up without it and
 * found that it needs the groups after all. Returns 0 or -errno. */
int mntns_user_groups(struct mntns_user *u, mntns_grouplist_fn list, mntns_group_name_fn name_of,
		      void *ctx, struct mntns_err *err);
/* mntns_user_groups with NSS (getgrouplist, getgrgid_r). */
int mntns_user_add_groups(struct mntns_user *u, struct mntns_err *err);
void mntns_user_free(struct mntns_user *u);

/* Fills U->group_names from U->gid and U->gids, asking NAME_OF once per distinct gid (not at
 * all for the primary group when U->group is already known): the cost of a login grows with
 * the user's groups, never with the number of @GROUP selectors in the config. A gid without
 * a name is left out; any other lookup error fails, since an exclusion ("!@banned") must not
 * be missed. Returns 0 or -errno. */
int mntns_user_name_groups(struct mntns_user *u, mntns_group_name_fn name_of, void *ctx,
			   struct mntns_err *err);

/* The NSS implementation of mntns_group_name_fn (getgrgid_r; ctx unused). */
int mntns_nss_group_name(void *ctx, gid_t gid, char **name);

#endif
