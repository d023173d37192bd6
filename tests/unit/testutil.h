/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Shared fixtures of the unit tests: configs from strings, a fake user, a fake group database. */
#ifndef MNTNS_TESTUTIL_H
#define MNTNS_TESTUTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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
static char *test_group_names[] = { (char *)"alice", (char *)"students", (char *)"sudo" };

/* alice: primary group alice (1000), a member of students (100) and sudo (27). */
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
		.group_names = test_group_names, /* sorted, as mntns_user_name_groups leaves them */
		.n_group_names = 3,
	};
	return u;
}

/* A fake group database by gid: 1000 alice, 100 students, 27 sudo, 50 staff, 666 fails with
 * EIO, anything else has no entry. Counts its calls in test_lookups. */
static int test_lookups;

static inline int test_group_name(void *ctx, gid_t gid, char **name)
{
	const char *s;

	(void)ctx;
	test_lookups++;
	switch (gid) {
	case 1000:
		s = "alice";
		break;
	case 100:
		s = "students";
		break;
	case 27:
		s = "sudo";
		break;
	case 50:
		s = "staff";
		break;
	case 666:
		return -EIO;
	default:
		return -ENOENT;
	}
	*name = strdup(s);
	return *name ? 0 : -ENOMEM;
}

/* Frees what mntns_user_name_groups added to a user whose other fields are not allocated. */
static inline void test_free_group_names(struct mntns_user *u)
{
	for (size_t i = 0; i < u->n_group_names; i++)
		free(u->group_names[i]);
	free(u->group_names);
	u->group_names = NULL;
	u->n_group_names = 0;
}

#endif
