/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Selectors: parsing and matching; the user's group names, from a fake group database. */
#include "testutil.h"

#include "select.h"

static int match(const char *text)
{
	struct mntns_user u = test_user();
	struct mntns_selector sel;
	struct mntns_err err;
	bool r;

	assert_int_equal(mntns_selector_parse(text, &sel, &err), 0);
	r = mntns_selector_match(&sel, &u);
	mntns_selector_free(&sel);
	return r;
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(match("*"), 1);
	assert_int_equal(match("alice"), 1);
	assert_int_equal(match("bob"), 0);
	assert_int_equal(match("bob alice"), 1);
	assert_int_equal(match("bob,alice"), 1);
	assert_int_equal(match(" bob ,\talice "), 1);
	assert_int_equal(match("* !alice"), 0);
	assert_int_equal(match("* !bob"), 1);
	assert_int_equal(match("!bob"), 0); /* no positive token */
	assert_int_equal(match("!*"), 0);
	assert_int_equal(match("alice !*"), 0);
}

static void test_groups(void **state)
{
	(void)state;
	assert_int_equal(match("@students"), 1); /* supplementary */
	assert_int_equal(match("@alice"), 1); /* primary */
	assert_int_equal(match("@staff"), 0);
	assert_int_equal(match("@nosuchgroup"), 0);
	assert_int_equal(match("* !@students"), 0);
	assert_int_equal(match("@staff alice"), 1);
	assert_int_equal(match("* !@staff"), 1);
}

/* A name matches only as getgrgid reports it: an alias sharing gid 100 with students does not
 * (see mntns_selector_match). */
static void test_group_alias(void **state)
{
	(void)state;
	assert_int_equal(match("@pupils"), 0);
	assert_int_equal(match("* !@pupils"), 1);
}

/* The user's groups are named once each, the primary from u->group, and sorted. */
static void test_name_groups(void **state)
{
	gid_t gids[] = { 4242, 100, 27, 1000, 100, 27 };
	struct mntns_user u = test_user();
	struct mntns_err err;

	(void)state;
	u.gids = gids;
	u.n_gids = 6;
	u.group_names = NULL;
	u.n_group_names = 0;
	test_lookups = 0;
	assert_int_equal(mntns_user_name_groups(&u, test_group_name, NULL, &err), 0);
	assert_int_equal(test_lookups, 3); /* 27, 100, 4242 (no name); 1000 is u.group */
	assert_int_equal(u.n_group_names, 3);
	assert_string_equal(u.group_names[0], "alice");
	assert_string_equal(u.group_names[1], "students");
	assert_string_equal(u.group_names[2], "sudo");
	test_free_group_names(&u);

	/* Without u->group the primary gid is asked too; a primary gid missing from gids
	 * (getgrouplist always adds it, a caller might not) still counts. */
	u.group = NULL;
	u.gid = 50;
	test_lookups = 0;
	assert_int_equal(mntns_user_name_groups(&u, test_group_name, NULL, &err), 0);
	assert_int_equal(test_lookups, 5);
	assert_int_equal(u.n_group_names, 4);
	assert_string_equal(u.group_names[1], "staff");
	test_free_group_names(&u);
}

/* A group of the user that cannot be looked up fails the login: "!@banned" must not be
 * skipped because NSS was down. */
static void test_name_groups_error(void **state)
{
	gid_t gids[] = { 1000, 666 };
	struct mntns_user u = test_user();
	struct mntns_err err = { "" };

	(void)state;
	u.gids = gids;
	u.n_gids = 2;
	u.group_names = NULL;
	u.n_group_names = 0;
	assert_int_equal(mntns_user_name_groups(&u, test_group_name, NULL, &err), -EIO);
	assert_non_null(strstr(err.msg, "looking up group 666"));
	assert_null(u.group_names);
	assert_int_equal(u.n_group_names, 0);
}

/* Fake getgrouplist(3)s: alice in students and sudo; one that needs 40 slots (the caller's
 * first 32 are too few); and one whose second service fails, as libnss_sss does when sssd does
 * not answer: the groups of files, and the failing service's errno left behind. */
static int list_alice(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	gid_t g[] = { group, 100, 27 };

	(void)user;
	if (*ngroups < 3) {
		*ngroups = 3;
		return -1;
	}
	memcpy(groups, g, sizeof(g));
	*ngroups = 3;
	errno = ENOENT; /* a service that found nothing says so; not a failure */
	return 3;
}

static int list_many(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	(void)user;
	if (*ngroups < 40) {
		*ngroups = 40;
		errno = ERANGE;
		return -1;
	}
	groups[0] = group;
	for (int i = 1; i < 40; i++)
		groups[i] = (gid_t)(20000 + i);
	*ngroups = 40;
	return 40;
}

static int list_sss_down(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	(void)user;
	groups[0] = group;
	groups[1] = 100;
	*ngroups = 2;
	errno = ECONNREFUSED;
	return 2;
}

static void test_user_groups(void **state)
{
	struct mntns_user u = test_user();
	struct mntns_err err = { "" };

	(void)state;
	u.gids = NULL;
	u.n_gids = 0;
	u.group_names = NULL;
	u.n_group_names = 0;
	errno = EBADF;
	assert_int_equal(mntns_user_groups(&u, list_alice, test_group_name, NULL, &err), 0);
	assert_int_equal(errno, EBADF); /* the caller's errno is left alone */
	assert_int_equal(u.groups_errno, 0);
	assert_int_equal(u.n_gids, 3);
	assert_int_equal(u.n_group_names, 3);
	assert_string_equal(u.group_names[1], "students");
	test_free_group_names(&u);

	assert_int_equal(mntns_user_groups(&u, list_many, test_group_name, NULL, &err), 0);
	assert_int_equal(u.groups_errno, 0);
	assert_int_equal(u.n_gids, 40);
	assert_int_equal(u.gids[39], 20039);
	test_free_group_names(&u);

	/* The directory's service failed: reported, and the groups the others gave are kept. */
	assert_int_equal(mntns_user_groups(&u, list_sss_down, test_group_name, NULL, &err), 0);
	assert_int_equal(u.groups_errno, ECONNREFUSED);
	assert_int_equal(u.n_group_names, 2);
	assert_string_equal(u.group_names[0], "alice");
	assert_string_equal(u.group_names[1], "students");
	test_free_group_names(&u);

	/* A later listing that succeeds clears it. */
	assert_int_equal(mntns_user_groups(&u, list_alice, test_group_name, NULL, &err), 0);
	assert_int_equal(u.groups_errno, 0);
	test_free_group_names(&u);
	free(u.gids);
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = { "", "   ", ",", "!", "@", "!@", "a!b", "@a@b",
					   "al*ce", "bob\n", "**" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mntns_selector sel;
		struct mntns_err err = { "" };

		if (mntns_selector_parse(bad[i], &sel, &err) == 0)
			fail_msg("selector \"%s\" was accepted", bad[i]);
		assert_true(err.msg[0] != '\0');
	}
}

static void test_has_groups(void **state)
{
	struct mntns_selector sel;
	struct mntns_err err;

	(void)state;
	assert_int_equal(mntns_selector_parse("* !root", &sel, &err), 0);
	assert_false(mntns_selector_has_groups(&sel));
	mntns_selector_free(&sel);
	assert_int_equal(mntns_selector_parse("* !@wheel", &sel, &err), 0);
	assert_true(mntns_selector_has_groups(&sel));
	mntns_selector_free(&sel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_group_alias),
		cmocka_unit_test(test_name_groups),
		cmocka_unit_test(test_name_groups_error),
		cmocka_unit_test(test_user_groups),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_has_groups),
	};

	return cmocka_run_group_tests_name("select", tests, NULL, NULL);
}
