/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* iniparser 4.1 as the oracle of the module's INI reader (inicheck.c): both list a file as
 * "[section]" and "section:key = value" lines, in file order, and the two lists must match.
 * Used by test_ini and by the fuzzer; only for files without repeated sections or keys, which
 * iniparser merges and the module refuses. */
#ifndef MNTNS_INIORACLE_H
#define MNTNS_INIORACLE_H

#include <stddef.h>

/* The reader's listing, or NULL when it finds an error (the message goes to *why). */
char *inioracle_scan(const char *buf, size_t len, char *why, size_t why_size);
/* iniparser's listing, or NULL when iniparser cannot load the bytes. */
char *inioracle_iniparser(const char *buf, size_t len);

#endif
