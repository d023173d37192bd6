/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The caller's log (see log.h). */
#include "log.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

static void log_v(void (*fn)(void *arg, const char *line), void *arg, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void log_v(void (*fn)(void *arg, const char *line), void *arg, const char *fmt, va_list ap)
{
	char line[1024];

	if (!fn)
		return;
	mntns_vformat(line, sizeof(line), fmt, ap);
	fn(arg, line);
}

void mntns_log_step(const struct mntns_log *log, const char *fmt, ...)
{
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	log_v(log->fn, log->arg, fmt, ap);
	va_end(ap);
}

void mntns_log_warn(const struct mntns_log *log, const char *fmt, ...)
{
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	log_v(log->warn, log->arg, fmt, ap);
	va_end(ap);
}

void mntns_log_crit(const struct mntns_log *log, const char *fmt, ...)
{
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	log_v(log->crit ? log->crit : log->warn, log->arg, fmt, ap);
	va_end(ap);
}

const char *mntns_log_printable(const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "(a name with control characters)";
	return s;
}
