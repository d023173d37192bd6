/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The pure parts of userscope.c: who holds a lock, and which names are lock files. */
#include "testutil.h"

#include "userscope.h"

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
		cmocka_unit_test(test_locks_holder),
		cmocka_unit_test(test_lock_uid),
	};

	return cmocka_run_group_tests_name("userscope", tests, NULL, NULL);
}
