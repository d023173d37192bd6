/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
/* go_beneath's copy, where root's mount on the way below the holder is unbindable (as a
 * Debian 12 login namespace keeps it from the host): the copy lacks it. */
int main(void)
{
	char buf[64] = "";
	system("mkdir -p /tmp/rev2/H/proj/data && echo on-disk > /tmp/rev2/H/proj/data/WHICH &&"
	       "mount -t tmpfs proj /tmp/rev2/H/proj && mkdir /tmp/rev2/H/proj/data &&"
	       "echo roots-tmpfs > /tmp/rev2/H/proj/data/WHICH && mount --make-unbindable /tmp/rev2/H/proj");
	int h = open("/tmp/rev2/H", O_PATH | O_DIRECTORY);
	int c = open_tree(h, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | AT_RECURSIVE);
	if (c < 0 || move_mount(c, "", h, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		perror("copy");
		return 1;
	}
	int f = openat(c, "proj/data/WHICH", O_RDONLY);
	read(f, buf, sizeof buf - 1);
	printf("through the copy: %s", buf);
	f = open("/tmp/rev2/H/proj/data/WHICH", O_RDONLY); /* the view, under the copy... */
	memset(buf, 0, sizeof buf);
	return 0;
}
