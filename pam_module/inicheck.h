/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The INI reader: iniparser 4.1's line grammar, read in one pass with line numbers. Every
 * section and key reaches the callbacks with the names and value iniparser would store
 * (tests/unit/test_ini and the fuzzer check that against iniparser). It is stricter than
 * iniparser where iniparser is silent or global: no line continuation, no NUL bytes, names
 * limited to ASCII letters, digits and a few signs, and errors reported here, not through
 * iniparser's process-global callback. iniparser 4.1 itself is not used at login: its loader
 * compares each new key with every key before it, which is quadratic in the size of the file. */
#ifndef MNTNS_INICHECK_H
#define MNTNS_INICHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* The longest line iniparser 4.1 accepts (ASCIILINESZ is 1024, including the newline). */
#define INICHECK_MAX_LINE 1022

/* Once the file has an error, the scan goes on to its end (on_error and [global] must be
 * learnt wherever they stand) but calls these with ERR == NULL: only what the caller keeps
 * of a broken file is built from them. */
struct inicheck_ops {
	/* A section header; NAME is lowercased as iniparser does, or NULL for a broken header. */
	int (*section)(void *ctx, const char *name, unsigned line, struct mntns_err *err);
	/* A key line; KEY lowercased, VALUE exactly as iniparser would store it: a quoted value
	 * without its quotes, anything else up to ';' or '#' with the spaces around it removed. */
	int (*key)(void *ctx, const char *key, const char *value, unsigned line,
		   struct mntns_err *err);
	/* A line the scan refuses by itself (it reports the error), other than a broken header.
	 * IN_SECTION: a "name = value" line with a bad name, which belongs to the current
	 * section. Otherwise it is not even clear what the line was meant to be (a header with a
	 * typo? the start of the next line, joined by a '\'?), so nor is which section the lines
	 * after it belong to; LINE 0 is the whole file. May be NULL. */
	void (*bad_line)(void *ctx, unsigned line, bool in_section);
};

/* Scans BUF; returns 0 or the first error (message "NAME:LINE: reason", or whatever a
 * callback reported). ERR must not be NULL. */
int inicheck_scan(const char *name, const char *buf, size_t len, const struct inicheck_ops *ops,
		  void *ctx, struct mntns_err *err);

/* The dialect's character classes, ASCII whatever the caller's locale (under tr_TR,
 * strcasecmp("NOSUID", "nosuid") is not 0): whitespace, and equality ignoring ASCII case. */
bool inicheck_is_space(char c);
bool inicheck_eq_nocase(const char *a, const char *b);

#endif
