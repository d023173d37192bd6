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

static int lookup_group_name(gid_t gid, char **name, struct mntns_err *err)
{
	_cleanup_free_ char *buf = NULL;
	struct group gr, *res = NULL;
	size_t size;
	int rc;

	NSS_LOOKUP(getgrgid_r(gid, &gr, buf, size, &res), buf, size, rc);
	if (rc != 0)
		return mntns_fail(err, -rc, "looking up group %u: %s", (unsigned)gid, strerror(rc));
	if (!res)
		return mntns_fail(err, -ENOENT, "primary group %u has no name in the group database",
				  (unsigned)gid);
	*name = strdup(gr.gr_name);
	return *name ? 0 : mntns_fail(err, -ENOMEM, "out of memory");
}

static int lookup_gids(const char *name, gid_t gid, struct mntns_user *u, struct mntns_err *err)
{
	int n = 32;

	for (;;) {
		gid_t *gids = realloc(u->gids, (size_t)n * sizeof(*gids));
		int want = n;

		if (!gids)
			return mntns_fail(err, -ENOMEM, "out of memory");
		u->gids = gids;
		if (getgrouplist(name, gid, gids, &want) >= 0) {
			u->n_gids = (size_t)want;
			return 0;
		}
		/* getgrouplist reports the size it needs in want; grow at least by doubling. */
		if (want > 65536)
			return mntns_fail(err, -E2BIG, "user %s is in too many groups", name);
		n = want > n ? want : n * 2;
	}
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
		rc = lookup_gids(u->name, u->gid, u, err);
	if (rc < 0)
		mntns_user_free(u);
	return rc;
}

void mntns_user_free(struct mntns_user *u)
{
	free(u->name);
	free(u->group);
	free(u->home);
	free(u->gids);
	memset(u, 0, sizeof(*u));
}

int mntns_nss_group_lookup(void *ctx, const char *name, gid_t *gid)
{
	_cleanup_free_ char *buf = NULL;
	struct group gr, *res = NULL;
	size_t size;
	int rc;

	(void)ctx;
	NSS_LOOKUP(getgrnam_r(name, &gr, buf, size, &res), buf, size, rc);
	if (rc != 0)
		return -rc;
	if (!res)
		return -ENOENT;
	*gid = gr.gr_gid;
	return 0;
}
