/* The pure parts of userscope.c: the registry of sessions, as a crash or a concurrent writer
 * may leave it, and the start time of a thread read from /proc/TID/stat. */
#include "testutil.h"

#include "userscope.h"

#include <stdio.h>

static void test_starttime(void **state)
{
	unsigned long long t = 0;
	/* A comm with spaces and a ')' of its own: only the last ')' ends it. */
	const char *tricky = "4242 (a) b) (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			     "987654 1000 200 18446744073709551615\n";

	(void)state;
	assert_int_equal(mntns_stat_starttime(tricky, &t), 0);
	assert_true(t == 987654ULL);
	assert_int_equal(mntns_stat_starttime("1 (init) S 0 1 1 0 -1 4194560 1 2 3", &t), -EINVAL);
	assert_int_equal(mntns_stat_starttime("no parenthesis at all", &t), -EINVAL);
	assert_int_equal(mntns_stat_starttime("1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x 1",
					      &t), -EINVAL);
}

static void test_registry_parse(void **state)
{
	struct mntns_thread_id ids[4];
	const char *text;
	size_t n;

	text = "101 695532\n"
	       "garbage line\n"
	       "\n"
	       "0 5\n"           /* no thread 0 */
	       "102 7 extra\n"   /* trailing junk */
	       "-3 9\n"          /* negative */
	       "103 695582\n"
	       "99999999999 1\n" /* beyond pid_max */
	       "104 1\n"
	       "105 2\n"
	       "106 3"; /* torn last line: ignored */

	(void)state;
	n = mntns_registry_parse(text, strlen(text), ids, 4);
	assert_int_equal(n, 4);
	assert_int_equal(ids[0].tid, 101);
	assert_true(ids[0].start == 695532ULL);
	assert_int_equal(ids[1].tid, 103);
	assert_int_equal(ids[2].tid, 104);
	assert_int_equal(ids[3].tid, 105); /* and no more than asked for */
	assert_false(ids[0].closed);
	text = "7 8 closed\n9 10 open\n11 12 closed extra\n13 14\n";
	n = mntns_registry_parse(text, strlen(text), ids, 4);
	assert_int_equal(n, 2);
	assert_true(ids[0].tid == 7 && ids[0].start == 8 && ids[0].closed);
	assert_true(ids[1].tid == 13 && !ids[1].closed);
	assert_int_equal(mntns_registry_parse("", 0, ids, 4), 0);
	assert_int_equal(mntns_registry_parse("106 3", 5, ids, 4), 0);
}

/* The calling thread can be told apart from a later one with its id. */
static void test_thread_self(void **state)
{
	struct mntns_thread_id a, b;

	(void)state;
	assert_int_equal(mntns_thread_self(&a), 0);
	assert_int_equal(mntns_thread_self(&b), 0);
	assert_int_equal(a.tid, b.tid);
	assert_true(a.start == b.start);
	assert_true(a.start > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttime),
		cmocka_unit_test(test_registry_parse),
		cmocka_unit_test(test_thread_self),
	};

	return cmocka_run_group_tests_name("userscope", tests, NULL, NULL);
}
