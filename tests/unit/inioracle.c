/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* See inioracle.h. */
#include "inioracle.h"

#include <iniparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "inicheck.h"

struct listing {
	FILE *f;
	char section[INICHECK_MAX_LINE + 1];
};

static int list_section(void *c, const char *name, unsigned line, struct mntns_err *err)
{
	struct listing *l = c;

	(void)line;
	(void)err;
	snprintf(l->section, sizeof(l->section), "%s", name ? name : "");
	fprintf(l->f, "[%s]\n", l->section);
	return 0;
}

static int list_key(void *c, const char *key, const char *value, unsigned line,
		    struct mntns_err *err)
{
	struct listing *l = c;

	(void)line;
	(void)err;
	fprintf(l->f, "%s:%s = %s\n", l->section, key, value);
	return 0;
}

char *inioracle_scan(const char *buf, size_t len, char *why, size_t why_size)
{
	static const struct inicheck_ops ops = { list_section, list_key, NULL };
	struct listing l = { .f = NULL };
	struct mntns_err err = { "" };
	char *text = NULL;
	size_t n = 0;
	int rc;

	l.f = open_memstream(&text, &n);
	if (!l.f)
		abort();
	rc = inicheck_scan("oracle.conf", buf, len, &ops, &l, &err);
	fclose(l.f);
	if (rc == 0)
		return text;
	snprintf(why, why_size, "%s", err.msg);
	free(text);
	return NULL;
}

static int quiet(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

char *inioracle_iniparser(const char *buf, size_t len)
{
	int fd = memfd_create("oracle.conf", MFD_CLOEXEC);
	char path[64], *text = NULL;
	size_t n = 0;
	dictionary *d;
	FILE *f;

	if (fd < 0 || (len && write(fd, buf, len) != (ssize_t)len))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	iniparser_set_error_callback(quiet);
	d = iniparser_load(path);
	iniparser_set_error_callback(NULL);
	close(fd);
	if (!d)
		return NULL;
	f = open_memstream(&text, &n);
	if (!f)
		abort();
	for (ssize_t i = 0; i < d->size; i++) {
		if (!d->key[i])
			continue;
		if (!strchr(d->key[i], ':'))
			fprintf(f, "[%s]\n", d->key[i]);
		else
			fprintf(f, "%s = %s\n", d->key[i], d->val[i] ? d->val[i] : "(null)");
	}
	fclose(f);
	iniparser_freedict(d);
	return text;
}
