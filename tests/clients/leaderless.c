/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* leaderless SECONDS: a process whose main thread exits (pthread_exit) while another thread
 * sleeps SECONDS; /proc/PID/ns/mnt of such a process is gone, its thread's is not. For
 * tests/integration/85-scope-user.sh: it must still keep its namespace alive. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
	sleep((unsigned)atoi(arg));
	exit(0);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 2 || pthread_create(&t, NULL, sleeper, argv[1]) != 0) {
		fprintf(stderr, "usage: leaderless SECONDS\n");
		return 2;
	}
	pthread_exit(NULL);
}
