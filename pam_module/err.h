/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Error reporting shared by every unit: internal functions return 0 or -errno and describe
 * the failure once, with its context, in a caller-supplied buffer; the caller logs it. */
#ifndef MNTNS_ERR_H
#define MNTNS_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* A message holds a file, a rule, a path and a verdict text (MNTNS_VERDICT_TEXT_MAX) in all
 * realistic cases; one with names near PATH_MAX is cut, and ends in "…" (mntns_vformat). */
struct mntns_err {
	char msg[1024];
};

/* vsnprintf into BUF (SIZE bytes), and when the text did not fit, its end replaced by "…", so
 * that a cut name never reads as whole. The one place a message or a log line is cut. */
void mntns_vformat(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Formats into err (if not NULL) and returns rc, so that "return mntns_fail(err, -EINVAL, ...)"
 * reports and propagates in one statement. */
int mntns_fail(struct mntns_err *err, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
