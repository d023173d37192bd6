/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The /proc probes' parsers: the start time, state, comm and uids of a thread, read from the
 * text of /proc/TID/stat and status; and the calling thread's own id. */
#include "testutil.h"

#include "probes.h"

static void test_starttime(void **state)
{
	unsigned long long t = 0;
	/* A comm with spaces and a ')' of its own: only the last ')' ends it. */
	const char *tricky =
	    "4242 (a) b) (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
	    "987654 1000 200 18446744073709551615\n";

	(void)state;
	assert_int_equal(mntns_stat_starttime(tricky, &t), 0);
	assert_true(t == 987654ULL);
	assert_int_equal(mntns_stat_starttime("1 (init) S 0 1 1 0 -1 4194560 1 2 3", &t), -EINVAL);
	assert_int_equal(mntns_stat_starttime("no parenthesis at all", &t), -EINVAL);
	assert_int_equal(
	    mntns_stat_starttime("1 (x) S 0 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 12x 1", &t),
	    -EINVAL);
}

/* The calling thread can be told apart from a later one with its id; every session gets a
 * token of its own. */
static void test_session_self(void **state)
{
	struct mntns_session_id a, b;

	(void)state;
	assert_int_equal(mntns_session_self(&a), 0);
	assert_int_equal(mntns_session_self(&b), 0);
	assert_int_equal(a.tid, b.tid);
	assert_true(a.start == b.start);
	assert_true(a.start > 0);
	assert_true(a.token != 0 && b.token != 0 && a.token != b.token);
}

/* mntnsctl's view of a process: its state and comm from /proc/PID/stat (a comm may hold
 * spaces and parentheses), its uids and thread group from /proc/PID/status. */
static void test_proc_fields(void **state)
{
	const char *stat = "4242 (a) b) (c) D 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
			   "987654 1000 200\n";
	const char *status = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\n"
			     "Ngid:\t0\nPid:\t4243\nPPid:\t1\nUid:\t1000\t0\t1001\t1000\n";
	char comm[16], st = 0;
	uid_t ids[3];
	pid_t tgid = 0;

	(void)state;
	assert_int_equal(mntns_stat_fields(stat, &st, comm, sizeof(comm)), 0);
	assert_int_equal(st, 'D');
	assert_string_equal(comm, "a) b) (c");
	assert_int_equal(mntns_stat_fields(stat, &st, comm, 4), 0);
	assert_string_equal(comm, "a) ");
	assert_int_equal(mntns_stat_fields("1 (init)", &st, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(mntns_stat_fields("no parenthesis", &st, comm, sizeof(comm)), -EINVAL);
	assert_int_equal(mntns_status_ids(status, ids, &tgid), 0);
	assert_true(ids[0] == 1000 && ids[1] == 0 && ids[2] == 1001 && tgid == 4242);
	assert_int_equal(mntns_status_ids("Name:\tx\nTgid:\t5\n", ids, &tgid), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_starttime),
	    cmocka_unit_test(test_session_self),
	    cmocka_unit_test(test_proc_fields),
	};

	return cmocka_run_group_tests_name("probes", tests, NULL, NULL);
}
