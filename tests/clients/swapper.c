/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* swapper: rename(2) tight loop for tests/integration/70-race.sh.  Not installed.
 *
 *   swapper PATH OTHER
 *
 * Exchanges PATH and OTHER (renameat2 RENAME_EXCHANGE) forever, so PATH is by turns what
 * OTHER was (e.g. a directory) and the other one (e.g. a symlink to /etc).  Runs until
 * killed; exits 1 if the very first swap fails (the race test then fails: it needs
 * RENAME_EXCHANGE, which every local filesystem of Debian 12's kernel has).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long n = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: swapper PATH OTHER\n");
		return 2;
	}
	for (;;) {
		if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
			if (n == 0) {
				fprintf(stderr, "swapper: renameat2(%s, %s): %s\n", argv[1],
					argv[2], strerror(errno));
				return 1;
			}
		}
		n++;
	}
}
