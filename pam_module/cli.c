/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Helpers of the administrator's tools (see cli.h). */
#include "cli.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *cli_absolute(const char *path)
{
	char *cwd, *abs;
	size_t size;

	if (path[0] == '/')
		return strdup(path);
	while (strncmp(path, "./", 2) == 0) { /* "/dir/new.conf" reads better in messages */
		path += 2;
		while (*path == '/')
			path++;
	}
	if (strcmp(path, ".") == 0)
		path = "";
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	size = strlen(cwd) + strlen(path) + 2;
	abs = malloc(size);
	if (abs)
		snprintf(abs, size, "%s%s%s", cwd, *path && strcmp(cwd, "/") ? "/" : "", path);
	free(cwd);
	return abs;
}

void cli_put_safe(FILE *f, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		/* C0, DEL, and the C1 controls as UTF-8 (0xc2 0x80-0x9f: CSI is 0xc2 0x9b), which
		 * terminals act on too. */
		if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) {
			fprintf(f, "\\x%02x\\x%02x", c[0], c[1]);
			c++;
		} else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else if (*c == '\\')
			fputs("\\\\", f);
		else
			fputc(*c, f);
	}
}

/* The length of the valid UTF-8 sequence at S (1 to 4), or 0 when it is not one: no overlong
 * forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80	 ? 1
		   : s[0] < 0xc2 ? 0
		   : s[0] < 0xe0 ? 2
		   : s[0] < 0xf0 ? 3
		   : s[0] < 0xf5 ? 4
				 : 0;
	unsigned cp = s[0] & (0x7fU >> n);

	if (n <= 1)
		return n;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fU);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void cli_put_json(FILE *f, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	fputc('"', f);
	while (*c) {
		size_t n = utf8_len(c);

		if (n == 0) {
			fputs("\\ufffd", f);
			c++;
		} else if (*c == '"' || *c == '\\') {
			fprintf(f, "\\%c", *c++);
		} else if (*c < 0x20 || *c == 0x7f) {
			fprintf(f, "\\u%04x", *c++);
		} else {
			fwrite(c, 1, n, f);
			c += n;
		}
	}
	fputc('"', f);
}

int cli_common_option(int c, const char *prog, void (*usage)(FILE *f))
{
	if (c == 'V') {
		printf("%s (%s) %s\n", prog, PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	usage(c == 'h' ? stdout : stderr);
	return c == 'h' ? 0 : 2;
}

char *cli_user_name(uid_t uid)
{
	long max = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = max > 0 ? (size_t)max : 4096;
	struct passwd pw, *res = NULL;
	char *buf, *name = NULL;
	int rc;

	for (;;) {
		buf = malloc(size);
		if (!buf)
			return NULL;
		rc = getpwuid_r(uid, &pw, buf, size, &res);
		if (rc != ERANGE || size >= (1U << 20))
			break;
		free(buf);
		size *= 2;
	}
	if (rc == 0 && res)
		name = strdup(pw.pw_name);
	free(buf);
	return name;
}
