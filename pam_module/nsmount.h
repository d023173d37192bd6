/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The mounts the namespace code makes that are not rule mounts: the record of a view. */
#ifndef MNTNS_NSMOUNT_H
#define MNTNS_NSMOUNT_H

#include <sys/types.h>

#include "err.h"

/* In a view just built for UID (the calling thread's namespace), mounts its record on the run
 * directory. OUTER_DIR: the outer view's run directory (mntns_us_open_dir), for a view made
 * from PID 1's, which is also listed there; -1 for one made from another view. Returns 0 or
 * -errno. */
int mntns_record_view(uid_t uid, int outer_dir, struct mntns_err *err);

#endif
