/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Where a login starts from. su, sudo and runuser run inside sessions, so a login may start in
 * a view this module made; it must then be built from the outer view that one came from,
 * never layered on it. Every view the module makes carries a record saying so: a small
 * read-only tmpfs on the run directory (which no view shows anything else on), holding the
 * view's namespace and whether it was made from PID 1's. A view made from PID 1's is also
 * listed in the outer view's run directory (views/INO), so that it is still known for ours
 * when its record has been removed from outside. */
#ifndef MNTNS_NESTED_H
#define MNTNS_NESTED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* The record's file, on its tmpfs over the run directory; and the directory of the outer
 * view's run directory that lists the views made from PID 1's. */
#define MNTNS_RECORD_NAME "view"
#define MNTNS_VIEWS_NAME  "views"

enum mntns_where {
	MNTNS_AT_SYSTEM,    /* PID 1's view: the outer view */
	MNTNS_AT_OURS,	    /* a view this module made from PID 1's: that one can be reached */
	MNTNS_AT_OURS_LOST, /* a view this module made from some other view */
	MNTNS_AT_FOREIGN,   /* any other view (a service systemd sandboxed): never left */
	MNTNS_AT_UNKNOWN,   /* it could not be told (out of descriptors, say): refuse the login */
};

struct mntns_origin {
	enum mntns_where where;
	uid_t uid;     /* MNTNS_AT_OURS*: whose view it is */
	bool listed;   /* MNTNS_AT_OURS known from the list alone: its record is gone */
	char why[200]; /* MNTNS_AT_FOREIGN / _LOST / _UNKNOWN: "a view that ...", for the log */
};

/* What a view's record says. */
struct mntns_record {
	uid_t uid;
	unsigned long long ns_dev, ns_ino;   /* the view's namespace */
	unsigned long long sys_dev, sys_ino; /* PID 1's when it was made from there, else 0 */
};

/* Is the namespace NS_FD owned by the initial user namespace (PID 1's)? A user can make
 * mount namespaces of their own inside a user namespace, and mount what they like there.
 * Returns 1, 0, or -errno when it cannot be told. */
int mntns_ns_owned_by_init(int ns_fd);

/* Is the calling thread's namespace the view of UID, as its record says (and owned by the
 * initial user namespace)? Returns 0, or -errno / -EPERM. */
int mntns_view_is(uid_t uid);

/* Finds out where the calling thread is. Only a view without a record, or with one that
 * names another namespace, is foreign; when the record cannot be read or checked it is
 * MNTNS_AT_UNKNOWN: taking a view of ours for foreign would leave root in a user's view. */
void mntns_origin_find(struct mntns_origin *o);

/* Opens PID 1's mount namespace (the outer view). Returns a descriptor or -errno. */
int mntns_outer_open(struct mntns_err *err);

/* Formats REC as the record file says it; returns the length, as snprintf. */
int mntns_record_format(const struct mntns_record *rec, char *buf, size_t size);

/* Opens the list of views (MNTNS_VIEWS_NAME) in RUN_DIR, the outer view's run directory, as
 * an O_PATH descriptor, when it is a directory of root's that only root can write to; its
 * reader and its writer (nsmount.c) judge it alike. Returns a descriptor or -errno (-EPERM: not
 * root's alone). */
int mntns_views_open(int run_dir);

/* The unique id of the mount namespace NS_FD (Linux 6.8 and later), or 0. */
unsigned long long mntns_ns_id(int ns_fd);

#endif
