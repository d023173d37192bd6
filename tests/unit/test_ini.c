/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The INI reader against iniparser 4.1: every line form of iniparser's grammar, the shipped
 * config and every seed of the fuzzer must read the same with both (see inioracle.h). */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inicheck.h"
#include "inioracle.h"

/* Reads the same with both, and the reader accepts it. */
static void assert_same(const char *text, size_t len)
{
	char why[1024], *scan = inioracle_scan(text, len, why, sizeof(why)), *ini;

	if (!scan)
		fail_msg("the reader refuses \"%.*s\": %s", (int)len, text, why);
	ini = inioracle_iniparser(text, len);
	assert_non_null(ini);
	if (strcmp(scan, ini) != 0)
		fail_msg("for \"%.*s\"\nthe reader reads:\n%s\niniparser reads:\n%s", (int)len, text,
			 scan, ini);
	free(scan);
	free(ini);
}

static void test_value_forms(void **state)
{
	static const char *const lines[] = {
		"a = plain",
		"a =   spaced  value   ",
		"a\t=\tv\t",
		"a = v\r",
		"a=v",
		"A_Key = MiXed Case",
		"a = value ; comment",
		"a = value#comment",
		"a = \"quoted ; # value\"",
		"a = \"  keep spaces  \"",
		"a = 'single \"q\"'",
		"a = \"'\"",
		"a = '\"'",
		"a = \"unterminated",
		"a = 'unterminated  ",
		"a = \"a\"b ; c",
		"a = x \"y\"",
		"a = \"\"",
		"a = ''",
		"a = \"\" ; empty",
		"a = \"\" trailing",
		"a = '' x",
		"a = \"\"\"\"",
		"a = \"",
		"a = '",
		"a = ;comment",
		"a = #",
		"a =",
		"a=",
		"a==b",
		"a = b = c",
		"a = %h/x,y=z",
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		int n = snprintf(text, sizeof(text), "[s]\n%s\n", lines[i]);

		assert_same(text, (size_t)n);
		assert_same(text, (size_t)n - 1); /* without the last newline */
	}
}

static void test_line_forms(void **state)
{
	static const char *const texts[] = {
		"",
		"\n\n   \n\t\n",
		"# comment\n; comment\n   # indented\n[s]\n",
		"[ Spaced ]\nk = v\n",
		"[MiXeD.Name-1_x]\nK = V\n[other]\n",
		"[a]\r\nk = v\r\n[b]\r\n",
		"[a]\nk1 = 1\nk2 = 2\n\n[b]\nk1 = 3\n",
	};
	char line[4 + INICHECK_MAX_LINE + 1]; /* "[s]\n", the longest line both take, '\n' */

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_same(texts[i], strlen(texts[i]));
	memcpy(line, "[s]\nk = ", 8);
	memset(line + 8, 'x', sizeof(line) - 8);
	line[sizeof(line) - 1] = '\n';
	assert_same(line, sizeof(line));
}

static char *read_all(int dirfd, const char *name, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* A file the module loads (so without repeated sections or keys) reads the same with both. */
static bool check_file(int dirfd, const char *name)
{
	struct mntns_config cfg;
	struct mntns_err err;
	size_t len;
	char *buf = read_all(dirfd, name, &len);
	bool loads;

	mntns_config_init(&cfg);
	loads = mntns_config_add_buffer(&cfg, name, buf, len, &err) == 0;
	mntns_config_free(&cfg);
	if (loads)
		assert_same(buf, len);
	free(buf);
	return loads;
}

static int open_src(const char *path)
{
	const char *top = getenv("srcdir"); /* set by automake's test harness */
	char full[4096];

	snprintf(full, sizeof(full), "%s/%s", top ? top : ".", path);
	return open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void test_shipped_and_seeds(void **state)
{
	int conf = open_src("conf"), corpus = open_src("tests/fuzz/corpus");
	DIR *d;
	struct dirent *de;
	size_t loaded = 0;

	(void)state;
	assert_true(conf >= 0 && corpus >= 0);
	assert_true(check_file(conf, "mntns.conf"));
	d = fdopendir(corpus);
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			loaded += check_file(dirfd(d), de->d_name);
	closedir(d);
	close(conf);
	assert_true(loaded >= 5); /* the seeds are mostly valid configs */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_forms),
		cmocka_unit_test(test_line_forms),
		cmocka_unit_test(test_shipped_and_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
