/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>
int main(int c, char **v)
{
	int d = open(v[1], O_PATH | O_DIRECTORY);
	int t = open_tree(d, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | AT_RECURSIVE);
	if (t < 0) perror("open_tree(unbindable root)"); else puts("open_tree ok");
	struct mount_attr a = { .propagation = MS_SLAVE };
	mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &a, sizeof a);
	t = open_tree(d, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | AT_RECURSIVE);
	if (t < 0) perror("after mount_setattr slave: open_tree"); else puts("after mount_setattr slave: open_tree ok");
	return 0;
}
