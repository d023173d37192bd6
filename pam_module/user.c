/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* NSS lookups for the user being logged in: the only unit that asks passwd/group databases. */
#include "user.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

/* Runs a *_r lookup with a buffer that grows on ERANGE, as directory services can return
 * entries larger than sysconf() suggests. */
#define NSS_LOOKUP(call, buf, size, rc)                                                       \
	do {                                                                                   \
		for (size = 1024;; size *= 2) {                                               \
			char *nb = realloc(buf, size);                                         \
			if (!nb) {                                                             \
				rc = ENOMEM;                                                   \
				break;                                                         \
			}                                                                      \
			buf = nb;                                                              \
			rc = call;                                                             \
			if (rc != ERANGE || size > (1u << 24))                                 \
				break;                                                         \
		}                                                                              \
	} while (0)

int mntns_nss_group_name(void *ctx, gid_t gid, char **name)
{
	_cleanup_free_ char *buf = NULL;
	struct group gr, *res = NULL;
	size_t size;
	int rc;

	(void)ctx;
	NSS_LOOKUP(getgrgid_r(gid, &gr, buf, size, &res), buf, size, rc);
	if (rc != 0)
		return -rc;
	if (!res)
		return -ENOENT;
	*name = strdup(gr.gr_name);
	return *name ? 0 : -ENOMEM;
}

static int lookup_group_name(gid_t gid, char **name, struct mntns_err *err)
{
	int rc = mntns_nss_group_name(NULL, gid, name);

	if (rc == -ENOENT)
		return mntns_fail(err, rc, "primary group %u has no name in the group database",
				  (unsigned)gid);
	if (rc < 0)
		return mntns_fail(err, rc, "looking up group %u: %s", (unsigned)gid, strerror(-rc));
	return 0;
}

static int lookup_gids(struct mntns_user *u, mntns_grouplist_fn list, struct mntns_err *err)
{
	int n = 32;

	for (;;) {
		gid_t *gids = realloc(u->gids, (size_t)n * sizeof(*gids));
		int want = n, saved = errno;

		if (!gids)
			return mntns_fail(err, -ENOMEM, "out of memory");
		u->gids = gids;
		/* A service that fails leaves its errno (ENOENT is "not found", not a failure). */
		errno = 0;
		if (list(u->name, u->gid, gids, &want) >= 0) {
			u->groups_errno = errno == ENOENT ? 0 : errno;
			errno = saved;
			u->n_gids = (size_t)want;
			return 0;
		}
		errno = saved;
		/* getgrouplist reports the size it needs in want; grow at least by doubling. */
		if (want > 65536)
			return mntns_fail(err, -E2BIG, "user %s is in too many groups", u->name);
		n = want > n ? want : n * 2;
	}
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Names GID into NAMES[*N] (or nothing, for a gid without a name). */
static int name_gid(const struct mntns_user *u, gid_t gid, mntns_group_name_fn name_of, void *ctx,
		    char **names, size_t *n, struct mntns_err *err)
{
	int rc;

	if (gid == u->gid && u->group) {
		names[*n] = strdup(u->group);
		rc = names[*n] ? 0 : -ENOMEM;
	} else {
		names[*n] = NULL;
		rc = name_of(ctx, gid, &names[*n]);
	}
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return mntns_fail(err, rc, "looking up group %u: %s", (unsigned)gid, strerror(-rc));
	(*n)++;
	return 0;
}

int mntns_user_name_groups(struct mntns_user *u, mntns_group_name_fn name_of, void *ctx,
			   struct mntns_err *err)
{
	_cleanup_free_ gid_t *gids = NULL;
	char **names;
	size_t n = 0;
	int rc;

	/* A sorted copy, so that a gid listed twice costs one lookup; the primary gid first. */
	gids = malloc((u->n_gids + 1) * sizeof(*gids));
	names = calloc(u->n_gids + 1, sizeof(*names));
	if (!gids || !names) {
		free(names);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	if (u->n_gids)
		memcpy(gids, u->gids, u->n_gids * sizeof(*gids));
	qsort(gids, u->n_gids, sizeof(*gids), cmp_gid);
	rc = name_gid(u, u->gid, name_of, ctx, names, &n, err);
	for (size_t i = 0; i < u->n_gids && rc == 0; i++)
		if (gids[i] != u->gid && (i == 0 || gids[i] != gids[i - 1]))
			rc = name_gid(u, gids[i], name_of, ctx, names, &n, err);
	if (rc < 0) {
		free_names(names, n);
		return rc;
	}
	qsort(names, n, sizeof(*names), cmp_name);
	free_names(u->group_names, u->n_group_names);
	u->group_names = names;
	u->n_group_names = n;
	return 0;
}

int mntns_user_lookup(const char *name, unsigned need, struct mntns_user *u,
		      struct mntns_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct passwd pw, *res = NULL;
	size_t size;
	int rc;

	memset(u, 0, sizeof(*u));
	NSS_LOOKUP(getpwnam_r(name, &pw, buf, size, &res), buf, size, rc);
	if (rc != 0)
		return mntns_fail(err, -rc, "looking up user: %s", strerror(rc));
	if (!res)
		return mntns_fail(err, -ENOENT, "unknown user");

	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	u->name = strdup(pw.pw_name);
	u->home = strdup(pw.pw_dir ? pw.pw_dir : "");
	if (!u->name || !u->home) {
		mntns_user_free(u);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	rc = 0;
	if (need & MNTNS_NEED_GROUP_NAME)
		rc = lookup_group_name(u->gid, &u->group, err);
	if (rc == 0 && (need & MNTNS_NEED_GROUPS))
		rc = mntns_user_add_groups(u, err);
	if (rc < 0)
		mntns_user_free(u);
	return rc;
}

int mntns_user_groups(struct mntns_user *u, mntns_grouplist_fn list, mntns_group_name_fn name_of,
		      void *ctx, struct mntns_err *err)
{
	int rc = lookup_gids(u, list, err);

	return rc < 0 ? rc : mntns_user_name_groups(u, name_of, ctx, err);
}

int mntns_user_add_groups(struct mntns_user *u, struct mntns_err *err)
{
	return mntns_user_groups(u, getgrouplist, mntns_nss_group_name, NULL, err);
}

void mntns_user_free(struct mntns_user *u)
{
	free(u->name);
	free(u->group);
	free(u->home);
	free(u->gids);
	free_names(u->group_names, u->n_group_names);
	memset(u, 0, sizeof(*u));
}
