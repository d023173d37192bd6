/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The one formatter behind every error message of the module and of mntns-plan. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mntns_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	static const char more[] = "\xe2\x80\xa6"; /* "…" in UTF-8 */
	int n = vsnprintf(buf, size, fmt, ap);

	if (n >= 0 && (size_t)n >= size && size >= sizeof(more))
		memcpy(buf + size - sizeof(more), more, sizeof(more));
}

int mntns_fail(struct mntns_err *err, int rc, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		mntns_vformat(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return rc;
}
