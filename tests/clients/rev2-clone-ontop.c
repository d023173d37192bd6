/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>
#include <sys/stat.h>
/* fd of a directory, then a mount stacked on it, then a recursive clone of the fd */
int main(void)
{
	system("mkdir -p /tmp/rev2/w/src /tmp/rev2/w/dst && echo real > /tmp/rev2/w/src/REAL");
	int fd = open("/tmp/rev2/w/src", O_PATH | O_DIRECTORY | O_CLOEXEC);
	system("mount -t tmpfs late /tmp/rev2/w/src && touch /tmp/rev2/w/src/LATE");
	int t = open_tree(fd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | AT_RECURSIVE);
	if (t < 0) { perror("open_tree"); return 1; }
	int d = open("/tmp/rev2/w/dst", O_PATH | O_DIRECTORY);
	if (move_mount(t, "", d, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) { perror("move_mount"); return 1; }
	printf("dst shows: "); fflush(stdout); system("ls /tmp/rev2/w/dst");
	t = open_tree(fd, "", OPEN_TREE_CLONE | AT_EMPTY_PATH);
	system("mkdir -p /tmp/rev2/w/dst2");
	d = open("/tmp/rev2/w/dst2", O_PATH | O_DIRECTORY);
	move_mount(t, "", d, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
	printf("non-recursive dst2 shows: "); fflush(stdout); system("ls /tmp/rev2/w/dst2");
	return 0;
}
