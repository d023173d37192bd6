/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Variables: template checks at load time, expansion at login time. */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "vars.h"

static void test_template_ok(void **state)
{
	static const char *const ok[] = { "/tmp", "/var/lib/x/%u", "%h/scratch", "%h",
					  "/srv/%g/%u-%U.%G", "/a/100%%", "/a/%u%u" };
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct mntns_err err = { "" };
		unsigned need = 0;

		if (mntns_template_check(ok[i], &need, &err) != 0)
			fail_msg("template \"%s\" refused: %s", ok[i], err.msg);
	}
}

static void test_template_bad(void **state)
{
	static const char *const bad[] = { "tmp", "", "/", "/tmp/", "//tmp", "/a//b", "/a/./b",
					   "/a/../b", "/..", "/a/.", "/a/%x", "/a/%", "/a/%h",
					   "x%h", "/a/b\n", "%h/../etc", "%hx" };
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mntns_err err = { "" };
		unsigned need = 0;

		if (mntns_template_check(bad[i], &need, &err) == 0)
			fail_msg("template \"%s\" accepted", bad[i]);
		assert_true(err.msg[0] != '\0');
	}
}

static void test_template_needs(void **state)
{
	struct mntns_err err;
	unsigned need = 0;

	(void)state;
	assert_int_equal(mntns_template_check("/a/%u/%U/%G", &need, &err), 0);
	assert_int_equal(need, 0);
	assert_int_equal(mntns_template_check("/a/%g", &need, &err), 0);
	assert_int_equal(need, MNTNS_NEED_GROUP_NAME);
}

static void expect(const struct mntns_user *u, const char *tmpl, const char *want)
{
	struct mntns_err err = { "" };
	char *out = NULL;

	if (mntns_expand(tmpl, u, &out, &err) != 0)
		fail_msg("%s: %s", tmpl, err.msg);
	assert_string_equal(out, want);
	free(out);
}

static void expect_error(const struct mntns_user *u, const char *tmpl)
{
	struct mntns_err err = { "" };
	char *out = NULL;

	if (mntns_expand(tmpl, u, &out, &err) == 0)
		fail_msg("%s expanded to %s", tmpl, out);
	assert_null(out);
	assert_true(err.msg[0] != '\0');
}

static void test_expand(void **state)
{
	struct mntns_user u = test_user();

	(void)state;
	expect(&u, "/var/lib/x/%u", "/var/lib/x/alice");
	expect(&u, "/a/%U/%G", "/a/1000/1000");
	expect(&u, "/srv/%g", "/srv/alice");
	expect(&u, "%h/scratch", "/home/alice/scratch");
	expect(&u, "%h", "/home/alice");
	expect(&u, "/a/50%%", "/a/50%");
	u.home = (char *)"/";
	expect(&u, "%h/x", "/x");
	expect_error(&u, "%h");
}

static void test_expand_bad_names(void **state)
{
	static const char *const names[] = { "", ".", "..", "a/b", "/", "new\nline", "tab\t" };
	struct mntns_user u = test_user();

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		u.name = (char *)names[i];
		expect_error(&u, "/var/%u");
		u.name = (char *)"alice";
		u.group = (char *)names[i];
		expect_error(&u, "/var/%g");
		u.group = (char *)"alice";
	}
	/* A name that is fine in a path when it is not a whole component on its own. */
	u.name = (char *)"a.b";
	expect(&u, "/var/%u", "/var/a.b");
	u.name = (char *)"..x";
	expect(&u, "/var/%u", "/var/..x");
	/* The name is checked only where it is used. */
	u.name = (char *)"../../etc";
	expect(&u, "/var/%U", "/var/1000");
	/* NAME_MAX bytes fit in a path component; one more does not. */
	char longname[NAME_MAX + 2], want[sizeof(longname) + 5];

	memset(longname, 'l', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	u.name = longname;
	expect_error(&u, "/var/%u");
	longname[NAME_MAX] = '\0';
	snprintf(want, sizeof(want), "/var/%s", longname);
	expect(&u, "/var/%u", want);
}

static void test_expand_bad_home(void **state)
{
	static const char *const homes[] = { "", "relative", "/home/alice/", "/home/../etc",
					     "/home//alice", "/home/./a", "/home/a\nb", "/home/a\tb" };
	struct mntns_user u = test_user();

	(void)state;
	for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
		u.home = (char *)homes[i];
		expect_error(&u, "%h/x");
	}
}

static void test_canonical(void **state)
{
	(void)state;
	assert_true(mntns_path_is_canonical("/"));
	assert_true(mntns_path_is_canonical("/a/b"));
	assert_true(mntns_path_is_canonical("/a/.b/..c"));
	assert_false(mntns_path_is_canonical("a"));
	assert_false(mntns_path_is_canonical("/a/"));
	assert_false(mntns_path_is_canonical("//"));
	assert_false(mntns_path_is_canonical("/a/.."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_ok),	 cmocka_unit_test(test_template_bad),
		cmocka_unit_test(test_template_needs),	 cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_bad_names), cmocka_unit_test(test_expand_bad_home),
		cmocka_unit_test(test_canonical),
	};

	return cmocka_run_group_tests_name("vars", tests, NULL, NULL);
}
