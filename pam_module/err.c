/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The one formatter behind every error message of the module and of mntns-plan. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

int mntns_fail(struct mntns_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}
