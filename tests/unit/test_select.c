/* Selectors: parsing and matching, with a fake group database. */
#include "testutil.h"

#include "select.h"

static int match(const char *text)
{
	struct mntns_group_cache groups = { .lookup = test_group_lookup };
	struct mntns_user u = test_user();
	struct mntns_selector sel;
	struct mntns_err err;
	int r;

	assert_int_equal(mntns_selector_parse(text, &sel, &err), 0);
	r = mntns_selector_match(&sel, &u, &groups, &err);
	mntns_selector_free(&sel);
	mntns_group_cache_free(&groups);
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

static void test_group_lookup_error(void **state)
{
	(void)state;
	assert_int_equal(match("@broken"), -EIO);
	/* A name token already decides; the broken group is never asked. */
	assert_int_equal(match("alice @broken"), 1);
}

static void test_group_cache(void **state)
{
	struct mntns_group_cache groups = { .lookup = test_group_lookup };
	struct mntns_user u = test_user();
	struct mntns_selector sel;
	struct mntns_err err;

	(void)state;
	assert_int_equal(mntns_selector_parse("@staff @students", &sel, &err), 0);
	test_lookups = 0;
	for (int i = 0; i < 100; i++)
		assert_int_equal(mntns_selector_match(&sel, &u, &groups, &err), 1);
	assert_int_equal(test_lookups, 2);
	mntns_selector_free(&sel);
	mntns_group_cache_free(&groups);
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
		cmocka_unit_test(test_group_lookup_error),
		cmocka_unit_test(test_group_cache),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_has_groups),
	};

	return cmocka_run_group_tests_name("select", tests, NULL, NULL);
}
