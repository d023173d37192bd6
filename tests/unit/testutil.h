/* Shared fixtures of the unit tests: configs from strings, a fake user, a fake group database. */
#ifndef MNTNS_TESTUTIL_H
#define MNTNS_TESTUTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "user.h"

/* Loads TEXT as the only file "test.conf"; returns what loading returned. */
static inline int load_str(struct mntns_config *cfg, const char *text, struct mntns_err *err)
{
	int r;

	mntns_config_init(cfg);
	r = mntns_config_add_buffer(cfg, "test.conf", text, strlen(text), err);
	if (r == 0)
		r = mntns_config_finish(cfg, err);
	return r;
}

/* Asserts that TEXT is refused with a message containing NEEDLE. */
#define assert_config_error(text, needle)                                                    \
	do {                                                                                  \
		struct mntns_config c_;                                                       \
		struct mntns_err e_ = { "" };                                                 \
		assert_true(load_str(&c_, (text), &e_) < 0);                                  \
		if (!strstr(e_.msg, (needle)))                                                \
			fail_msg("message \"%s\" lacks \"%s\"", e_.msg, (needle));            \
		mntns_config_free(&c_);                                                       \
	} while (0)

static gid_t test_gids[] = { 1000, 100, 27 };

static inline struct mntns_user test_user(void)
{
	struct mntns_user u = {
		.name = (char *)"alice",
		.uid = 1000,
		.gid = 1000,
		.group = (char *)"alice",
		.home = (char *)"/home/alice",
		.gids = test_gids,
		.n_gids = 3,
	};
	return u;
}

/* students -> 100 (alice is a supplementary member), staff -> 50, broken -> EIO. */
static int test_lookups;

static inline int test_group_lookup(void *ctx, const char *name, gid_t *gid)
{
	(void)ctx;
	test_lookups++;
	if (strcmp(name, "students") == 0)
		*gid = 100;
	else if (strcmp(name, "staff") == 0)
		*gid = 50;
	else if (strcmp(name, "alice") == 0)
		*gid = 1000;
	else if (strcmp(name, "broken") == 0)
		return -EIO;
	else
		return -ENOENT;
	return 0;
}

#endif
