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
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_has_groups),
	};

	return cmocka_run_group_tests_name("select", tests, NULL, NULL);
}
