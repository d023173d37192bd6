/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Error reporting shared by every unit: internal functions return 0 or -errno and describe
 * the failure once, with its context, in a caller-supplied buffer; the caller logs it. */
#ifndef MNTNS_ERR_H
#define MNTNS_ERR_H

#include <stddef.h>

struct mntns_err {
	char msg[1024];
};

/* Formats into err (if not NULL) and returns rc, so that "return mntns_fail(err, -EINVAL, ...)"
 * reports and propagates in one statement. */
int mntns_fail(struct mntns_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
