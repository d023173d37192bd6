/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The lines a unit has for the caller's log, when the caller wants them (the PAM glue sends
 * them to pam_syslog; mntnsctl check collects them). */
#ifndef MNTNS_LOG_H
#define MNTNS_LOG_H

struct mntns_log {
	void (*fn)(void *arg, const char *line);   /* debug lines; NULL: none */
	void (*warn)(void *arg, const char *line); /* warnings (a rule skipped); NULL: none */
	void (*crit)(void *arg, const char *line); /* process state not put back; NULL: warn */
	void *arg;
};

/* S as the log may show it: user names come from outside, and a newline in one must not forge
 * a log line. Returns S, or a placeholder when it holds control characters. */
const char *mntns_log_printable(const char *s);

/* A step, for the debug log. LOG may be NULL. */
void mntns_log_step(const struct mntns_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A warning, logged even without debug: the session goes on without something. */
void mntns_log_warn(const struct mntns_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Something of the caller's process could not be put back as it was. */
void mntns_log_crit(const struct mntns_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
