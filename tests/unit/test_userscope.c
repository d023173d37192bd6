/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The pure parts of userscope.c: the registry of sessions, as a crash or a torn write may
 * leave it, who holds a lock, and the start time of a thread read from /proc/TID/stat. */
#include "testutil.h"

#include "userscope.h"

#include <stdio.h>
#include <stdlib.h>

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
	struct mntns_registry *reg = malloc(sizeof(*reg));
	const char *text;

	(void)state;
	assert_non_null(reg);
	text = "ns 4026532900 17\n"
	       "101 695532 11\n"
	       "garbage line\n"
	       "\n"
	       "0 5 1\n"            /* no thread 0 */
	       "102 7 8 extra\n"    /* trailing junk */
	       "-3 9 1\n"           /* negative */
	       "103 695582 0\n"     /* token 0: a process the /proc pass found */
	       "99999999999 1 1\n"  /* beyond pid_max */
	       "104 1\n"            /* an old line without its token */
	       "105  2 3\n"         /* two spaces */
	       "106 3 4"; /* torn last line: ignored */
	mntns_registry_parse(text, strlen(text), reg);
	assert_true(reg->ns_ino == 4026532900ULL && reg->ns_id == 17);
	assert_int_equal(reg->n, 2);
	assert_int_equal(reg->ids[0].tid, 101);
	assert_true(reg->ids[0].start == 695532ULL && reg->ids[0].token == 11);
	assert_int_equal(reg->ids[1].tid, 103);
	assert_true(reg->ids[1].token == 0);
	/* Without its "ns" line first nothing is known to belong to one namespace. */
	text = "101 695532 11\nns 1 2\n";
	mntns_registry_parse(text, strlen(text), reg);
	assert_true(reg->ns_ino == 0 && reg->n == 0);
	mntns_registry_parse("ns 5 0", 6, reg); /* torn */
	assert_true(reg->ns_ino == 0);
	mntns_registry_parse("", 0, reg);
	assert_true(reg->ns_ino == 0 && reg->n == 0);
	/* A NUL in the file (a torn write) spoils only its line. */
	mntns_registry_parse("ns 5 0\n7 8 9\0\n10 11 12\n", 24, reg);
	assert_true(reg->ns_ino == 5 && reg->n == 1 && reg->ids[0].tid == 10);
	free(reg);
}

/* What is written is what is read back; a full registry stays within the buffer. */
static void test_registry_roundtrip(void **state)
{
	struct mntns_registry *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	size_t size = MNTNS_REGISTRY_MAX * 64 + 64, len;
	char *buf = malloc(size);

	(void)state;
	assert_true(a && b && buf);
	a->ns_ino = 4026531841ULL;
	a->ns_id = 0;
	for (size_t i = 0; i < MNTNS_REGISTRY_MAX; i++) {
		a->ids[i].tid = (pid_t)(4194303 - i);
		a->ids[i].start = 18446744073709551615ULL - i;
		a->ids[i].token = 18446744073709551615ULL;
	}
	a->n = MNTNS_REGISTRY_MAX;
	len = mntns_registry_format(a, buf, size);
	assert_true(len < size);
	mntns_registry_parse(buf, len, b);
	assert_true(b->ns_ino == a->ns_ino && b->n == a->n);
	assert_memory_equal(a->ids, b->ids, sizeof(a->ids));
	/* No namespace: the entries are not written. */
	a->ns_ino = 0;
	len = mntns_registry_format(a, buf, size);
	mntns_registry_parse(buf, len, b);
	assert_true(b->ns_ino == 0 && b->n == 0);
	free(a);
	free(b);
	free(buf);
}

/* Who holds a lock, from /proc/locks: the holder, never a waiter; the device and inode must
 * match. */
static void test_locks_holder(void **state)
{
	const char *locks = "1: POSIX  ADVISORY  WRITE 500 00:1a:77 0 EOF\n"
			    "2: FLOCK  ADVISORY  WRITE 4242 00:1a:77 0 EOF\n"
			    "2: -> FLOCK  ADVISORY  WRITE 4343 00:1a:77 0 EOF\n"
			    "3: FLOCK  ADVISORY  WRITE 999 00:1b:77 0 EOF\n"
			    "4: FLOCK  ADVISORY  WRITE 1000 fd:01:78 0 EOF\n";

	(void)state;
	assert_int_equal(mntns_locks_holder(locks, 0, 0x1a, 77), 4242);
	assert_int_equal(mntns_locks_holder(locks, 0, 0x1b, 77), 999);
	assert_int_equal(mntns_locks_holder(locks, 0xfd, 1, 78), 1000);
	assert_int_equal(mntns_locks_holder(locks, 0, 0x1a, 78), 0);
	assert_int_equal(mntns_locks_holder("", 0, 0x1a, 77), 0);
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

/* Only the names mntns_us_lock makes are lock files of a user. */
static void test_lock_uid(void **state)
{
	uid_t uid = 1;

	(void)state;
	assert_true(mntns_lock_uid("1000.lock", &uid) && uid == 1000);
	assert_true(mntns_lock_uid("0.lock", &uid) && uid == 0);
	assert_true(mntns_lock_uid("4294967294.lock", &uid) && uid == 4294967294U);
	assert_false(mntns_lock_uid("4294967295.lock", &uid)); /* (uid_t)-1 */
	assert_false(mntns_lock_uid("99999999999999999999.lock", &uid));
	assert_false(mntns_lock_uid("01000.lock", &uid));
	assert_false(mntns_lock_uid("-1.lock", &uid));
	assert_false(mntns_lock_uid("1000.lock.tmp", &uid));
	assert_false(mntns_lock_uid("1000", &uid));
	assert_false(mntns_lock_uid(".lock", &uid));
	assert_false(mntns_lock_uid("views", &uid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starttime),
		cmocka_unit_test(test_registry_parse),
		cmocka_unit_test(test_registry_roundtrip),
		cmocka_unit_test(test_locks_holder),
		cmocka_unit_test(test_session_self),
		cmocka_unit_test(test_proc_fields),
		cmocka_unit_test(test_lock_uid),
	};

	return cmocka_run_group_tests_name("userscope", tests, NULL, NULL);
}
