/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* What the administrator's tools (mntns-plan, mntnsctl) share: paths typed in a shell, and
 * printing what users control (names, commands) without letting it move a terminal's cursor
 * or break a JSON document. Not linked into the module. */
#ifndef MNTNS_CLI_H
#define MNTNS_CLI_H

#include <stdio.h>
#include <sys/types.h>

/* PATH made absolute for the loader, which takes absolute paths only, as the module does: a
 * relative config= would depend on the application's working directory. Here an
 * administrator types the path in a shell, so a relative one means below the current
 * directory. No symlink is resolved: the loader decides on the path as given. Returns a
 * string to free, or NULL with errno set. */
char *cli_absolute(const char *path);

/* Writes S to F, every control byte (and DEL) shown as \xHH, a backslash as \\. */
void cli_put_safe(FILE *f, const char *s);

/* Writes S to F as a JSON string: quoted, with ", \ and control characters escaped, and any
 * byte that is not part of valid UTF-8 written as U+FFFD. */
void cli_put_json(FILE *f, const char *s);

/* The options both tools end on, for getopt's result C: --help ('h': USAGE on stdout, 0),
 * --version ('V': PROG and the package's version, 0), and anything getopt refused (USAGE on
 * stderr, 2). Returns the tool's exit status. */
int cli_common_option(int c, const char *prog, void (*usage)(FILE *f));

/* The name NSS gives UID, to free; NULL when it has none (or on error). */
char *cli_user_name(uid_t uid);

#endif
