/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
/* h2m PATH: as the module, O_PATH open, statx DONT_SYNC, then name_to_handle_at's mount id */
int main(int argc, char **argv)
{
	int fd = open(argv[1], O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct statx sx;
	struct file_handle fh = { .handle_bytes = 0 };
	int id = 0, r;
	if (fd < 0) { perror("open"); return 1; }
	r = statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_MNT_ID, &sx);
	printf("statx: %s\n", r < 0 ? strerror(errno) : "ok");
	r = name_to_handle_at(fd, "", &fh, &id, AT_EMPTY_PATH);
	printf("name_to_handle_at: %s, mount id %d\n", r < 0 ? strerror(errno) : "ok", id);
	return 0;
}
