/* A structural pass over an INI file before iniparser reads it. iniparser 4.1 silently keeps
 * the last of two equal keys, accepts keys outside any section, reports syntax errors only
 * through a process-global callback, and rejects long lines; this scanner finds those cases
 * first, with line numbers, so that every message is ours and precise. */
#ifndef MNTNS_INICHECK_H
#define MNTNS_INICHECK_H

#include <stddef.h>

#include "err.h"

/* The longest line iniparser 4.1 accepts (ASCIILINESZ is 1024, including the newline). */
#define INICHECK_MAX_LINE 1022

struct inicheck_ops {
	/* A section header; NAME is lowercased as iniparser does, or NULL for a broken header. */
	int (*section)(void *ctx, const char *name, unsigned line, struct mntns_err *err);
	/* A key line; KEY lowercased, VALUE as iniparser would store it for simple unquoted or
	 * quoted values (used only for on_error, which must be known even if the file is
	 * otherwise broken). */
	int (*key)(void *ctx, const char *key, const char *value, unsigned line,
		   struct mntns_err *err);
};

/* Scans BUF; returns 0 or the first error (message "NAME:LINE: reason", or whatever a
 * callback reported). */
int inicheck_scan(const char *name, const char *buf, size_t len, const struct inicheck_ops *ops,
		  void *ctx, struct mntns_err *err);

#endif
