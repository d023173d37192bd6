/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Scope-bound cleanup for descriptors and memory, so that every early return of a function
 * that runs inside someone else's process (sshd, login) releases what it took. */
#ifndef MNTNS_CLEANUP_H
#define MNTNS_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void mntns_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void mntns_freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_close_ __attribute__((cleanup(mntns_closep)))
#define _cleanup_free_ __attribute__((cleanup(mntns_freep)))

/* Hands a descriptor over to the caller: the cleanup of the local variable then does nothing. */
static inline int mntns_take_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

static inline void *mntns_take_ptr(void *pp)
{
	void **p = pp;
	void *r = *p;

	*p = NULL;
	return r;
}

#endif
