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
};

/* Answers "which gid has group NAME" for @GROUP selectors; returns 0, -ENOENT or -errno. */
typedef int (*mntns_group_lookup_fn)(void *ctx, const char *name, gid_t *gid);

enum {
	MNTNS_NEED_GROUPS = 1, /* supplementary groups, for @GROUP selectors */
	MNTNS_NEED_GROUP_NAME = 2, /* primary group name, for %g */
};

/* Looks NAME up with getpwnam_r (and getgrgid_r / getgrouplist as NEED asks).
 * Returns 0, -ENOENT for an unknown user, or -errno. */
int mntns_user_lookup(const char *name, unsigned need, struct mntns_user *u,
		      struct mntns_err *err);
void mntns_user_free(struct mntns_user *u);

/* The NSS implementation of mntns_group_lookup_fn (ctx unused). */
int mntns_nss_group_lookup(void *ctx, const char *name, gid_t *gid);

#endif
