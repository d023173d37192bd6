/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Config loading: every error class, iniparser's quirks, drop-ins and trust checks. */
#include "testutil.h"

#include "inicheck.h"
#include "path.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const tmp_rule = "[tmp]\ntype = tmpfs\ntarget = /tmp\n";

static void test_minimal(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err;

	(void)state;
	assert_int_equal(load_str(&cfg, tmp_rule, &err), 0);
	assert_int_equal(cfg.n_rules, 1);
	assert_string_equal(cfg.rules[0].name, "tmp");
	assert_int_equal(cfg.rules[0].type, MNTNS_TMPFS);
	assert_string_equal(cfg.rules[0].target, "/tmp");
	assert_int_equal(cfg.scope, MNTNS_SCOPE_SESSION);
	assert_int_equal(cfg.propagation, MNTNS_PROP_SLAVE);
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_FAIL);
	assert_int_equal(cfg.unselected, MNTNS_UNSELECTED_OUTER);
	assert_false(cfg.debug);
	assert_int_equal(cfg.users.n, 1); /* default "*" */
	mntns_config_free(&cfg);
}

static void test_spec_example(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };
	const char *text = "[global]\nusers = * !root\nscope = user\npropagation = private\n"
			   "unselected = keep\n\n"
			   "[tmp]\ntype    = tmpfs\ntarget  = /tmp\n"
			   "options = mode=1777,size=25%,nosuid,nodev\n\n"
			   "[x11]\ntype     = bind\nsource   = /tmp/.X11-unix\n"
			   "target   = /tmp/.X11-unix\noptional = yes\n\n"
			   "[vartmp]\ntype    = bind\nsource  = /var/lib/mntns/vartmp/%u\n"
			   "target  = /var/tmp\ncreate  = 0700\noptions = nosuid,nodev\n\n"
			   "[scratch]\ntype    = bind\nsource  = /srv/scratch/%g\n"
			   "target  = %h/scratch\noptions = ro\nusers   = @students\n";

	(void)state;
	if (load_str(&cfg, text, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.n_rules, 4);
	assert_int_equal(cfg.scope, MNTNS_SCOPE_USER);
	assert_int_equal(cfg.unselected, MNTNS_UNSELECTED_KEEP);
	assert_int_equal(cfg.propagation, MNTNS_PROP_PRIVATE);
	assert_int_equal(cfg.rules[0].flags, MNTNS_F_NOSUID | MNTNS_F_NODEV);
	assert_string_equal(cfg.rules[0].fsdata, "mode=1777,size=25%");
	assert_true(cfg.rules[1].optional);
	assert_true(cfg.rules[1].recursive);
	assert_int_equal(cfg.rules[2].create_mode, 0700);
	assert_int_equal(cfg.rules[3].flags, MNTNS_F_RDONLY);
	assert_int_equal(cfg.need, MNTNS_NEED_GROUPS | MNTNS_NEED_GROUP_NAME);
	mntns_config_free(&cfg);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_config_error("[tmp]\ntype = tmpfs\nthis is not ini\n", "test.conf:3: syntax error");
	assert_config_error("[tmp\ntype = tmpfs\n", "test.conf:1: syntax error");
	assert_config_error("[]\n", "test.conf:1: invalid section name");
	assert_config_error("[a b]\n", "invalid section name");
	assert_config_error("[a:b]\n", "invalid section name");
	assert_config_error("= x\n", "test.conf:1: syntax error");
	assert_config_error("[tmp]\nty pe = tmpfs\n", "invalid key name");
	assert_config_error("type = tmpfs\n", "outside of any section");
	assert_config_error("[tmp]\ntype = tmpfs \\\ntarget = /tmp\n", "line continuation");
	assert_config_error("# comment \\\n[tmp]\n", "line continuation");
}

static void test_structure_errors(void **state)
{
	(void)state;
	assert_config_error("[tmp]\ntype = tmpfs\ntarget = /tmp\nfoo = 1\n",
			    "test.conf:4: [tmp]: unknown key \"foo\"");
	assert_config_error("[global]\nscope = session\ntarget = /tmp\n",
			    "[global]: unknown key \"target\"");
	assert_config_error("[tmp]\ntype = tmpfs\ntarget = /tmp\nTARGET = /var/tmp\n",
			    "test.conf:4: [tmp]: key \"target\" is given twice");
	assert_config_error("[tmp]\ntype = tmpfs\ntarget = /tmp\n[TMP]\ntype = tmpfs\n",
			    "test.conf:4: section [tmp] appears twice");
}

static void test_value_errors(void **state)
{
	(void)state;
	assert_config_error("[a]\ntype = overlay\ntarget = /tmp\n", "[a]: unknown type \"overlay\"");
	assert_config_error("[a]\ntarget = /tmp\n", "[a]: missing required key \"type\"");
	assert_config_error("[a]\ntype = tmpfs\n", "[a]: missing required key \"target\"");
	assert_config_error("[a]\ntype = bind\ntarget = /tmp\n", "missing required key \"source\"");
	assert_config_error("[a]\ntype = tmpfs\ntarget = tmp\n", "[a]: target: path must be absolute");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /a/../etc\n", "canonical");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /\n", "canonical");
	assert_config_error("[a]\ntype = bind\nsource = /x/%q\ntarget = /y\n",
			    "[a]: source: unknown variable %q");
	assert_config_error("[a]\ntype = bind\nsource = /x\ntarget = /y\ncreate = 999\n",
			    "[a]: create: bad mode \"999\"");
	assert_config_error("[a]\ntype = bind\nsource = /x\ntarget = /y\ncreate = rwx\n",
			    "bad mode");
	assert_config_error("[a]\ntype = bind\nsource = /x\ntarget = /y\ncreate = 017777\n",
			    "bad mode");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /y\ncreate = 0700\n",
			    "\"create\" is only valid for type bind");
	assert_config_error("[a]\ntype = tmpfs\nsource = /x\ntarget = /y\n",
			    "\"source\" is only valid for type bind");
	assert_config_error("[a]\ntype = hide\ntarget = /y\noptions = ro\n", "takes no options");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /y\noptions = size=lots\n",
			    "invalid value \"lots\" for tmpfs option size");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /y\noptions = mode=0999\n",
			    "tmpfs option mode");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /y\noptions = norbind\n",
			    "unknown option \"norbind\" for type tmpfs");
	assert_config_error("[a]\ntype = bind\nsource = /x\ntarget = /y\noptions = size=1m\n",
			    "unknown option \"size=1m\" for type bind");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /y\noptional = maybe\n",
			    "optional must be \"yes\" or \"no\"");
	assert_config_error("[a]\ntype = tmpfs\ntarget = /y\nusers = \n", "[a]: users: empty");
	assert_config_error("[global]\nscope = forever\n", "scope must be");
	assert_config_error("[global]\npropagation = shared\n", "propagation must be");
	assert_config_error("[global]\non_error = maybe\n", "on_error must be");
	assert_config_error("[global]\nunselected = leave\n", "unselected must be \"outer\" or \"keep\"");
}

/* tmpfs values as the kernel reads them: nothing mntns-plan accepts fails at login, and no
 * value wraps to 0, which tmpfs takes as "no limit". */
static void test_tmpfs_values(void **state)
{
	static const char *const bad[] = {
		"size=16e", "size=16384p", "size=4503599627370496%", "size=0", "size=010",
		"size=0x10", "size=101%", "size=0%", "size=1kk", "size=%", "size=5g%",
		"nr_inodes=9999999999999999999", "nr_inodes=0", "nr_inodes=18014398509481984",
		"uid=4294967295", "uid=9999999999", "gid=-1", "uid=01", "uid=1k", "mode=8",
	};
	static const char *const good[] = {
		"size=1", "size=1g", "size=1G", "size=10%", "size=100%", "size=4611686018427387904",
		"nr_inodes=1m", "nr_inodes=1000", "uid=0", "uid=4294967294", "gid=100",
		"mode=1777", "mode=0700",
	};
	char text[256];
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[a]\ntype = tmpfs\ntarget = /y\noptions = %s\n",
			 bad[i]);
		assert_config_error(text, "for tmpfs option");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "[a]\ntype = tmpfs\ntarget = /y\noptions = %s\n",
			 good[i]);
		if (load_str(&cfg, text, &err) != 0)
			fail_msg("%s: %s", good[i], err.msg);
		mntns_config_free(&cfg);
	}
}

/* TEXT is refused, with a message containing NEEDLE (unless NULL), and the caller still
 * learns ON_ERROR. */
static void assert_refused_on_error(const char *text, enum mntns_on_error on_error,
				    const char *needle)
{
	struct mntns_config cfg;
	struct mntns_err err;

	assert_true(load_str(&cfg, text, &err) < 0);
	assert_int_equal(cfg.on_error, on_error);
	if (needle && !strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	mntns_config_free(&cfg);
}

static void test_on_error_survives_errors(void **state)
{
	(void)state;
	/* Before and after the broken line: either way "ignore" is known to the caller. */
	assert_refused_on_error("[global]\non_error = ignore\n[a]\nbogus\n", MNTNS_ON_ERROR_IGNORE,
				"test.conf:4");
	assert_refused_on_error("[a]\nbogus\n[global]\non_error = 'ignore'\n",
				MNTNS_ON_ERROR_IGNORE, "test.conf:2");
	/* Not from a key that only looks like it, below a broken header. */
	assert_refused_on_error("[global]\n[glo bal]\non_error = ignore\n", MNTNS_ON_ERROR_FAIL,
				NULL);
	/* A rule that fails to build, not just a broken line: the next section is still read. */
	assert_refused_on_error("[a]\ntarget = /tmp\n[global]\non_error = ignore\n",
				MNTNS_ON_ERROR_IGNORE, "[a]: missing required key \"type\"");
	/* ... and its keys are its own, not those of the section that failed. */
	assert_refused_on_error("[global]\nscope = bogus\n[x]\non_error = ignore\n",
				MNTNS_ON_ERROR_FAIL, "scope must be");
}

/* ---- what a broken config still says (issue 16): trusted, global_ok ---- */

/* Loads TEXT as mntns_config_load loads a main file without drop-ins: finished even when it
 * fails, so that [global] is complete. */
static int load_broken(struct mntns_config *cfg, const char *text, struct mntns_err *err)
{
	struct mntns_err later;
	int rc, r;

	mntns_config_init(cfg);
	rc = mntns_config_add_buffer(cfg, "test.conf", text, strlen(text), err);
	r = mntns_config_finish(cfg, rc < 0 ? &later : err);
	return rc < 0 ? rc : r;
}

/* TEXT fails with a message containing NEEDLE, its files are trusted, and [global] is known
 * (GLOBAL_OK) or not. */
static void expect_broken(const char *text, bool global_ok, const char *needle)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	if (load_broken(&cfg, text, &err) == 0)
		fail_msg("loaded: %s", text);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	assert_true(cfg.trusted);
	if (cfg.global_ok != global_ok)
		fail_msg("global_ok is %d for: %s", cfg.global_ok, text);
	mntns_config_free(&cfg);
}

static void test_broken_rule_keeps_global(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	/* The typo: refused as before, but [global] is known. */
	assert_true(load_broken(&cfg, "[global]\nusers = * !root\nscope = user\n[tmp]\n"
				      "type = tmpfs\ntarget = /tmp\noptoins = size=1m\n",
				&err) < 0);
	assert_non_null(strstr(err.msg, "test.conf:7: [tmp]: unknown key \"optoins\""));
	assert_true(cfg.trusted);
	assert_true(cfg.global_ok);
	assert_int_equal(cfg.users.n, 2);
	assert_true(cfg.users.tok[1].negated);
	assert_string_equal(cfg.users.tok[1].name, "root");
	assert_int_equal(cfg.scope, MNTNS_SCOPE_USER);
	mntns_config_free(&cfg);
	/* A [global] below the broken rule is read whole, @GROUP need included; the error
	 * reported is still the first. */
	assert_true(load_broken(&cfg, "[tmp]\ntype = tmpfs\ntarget = tmp\n[x]\nbogus = 1\n"
				      "[global]\nusers = @staff !root\nscope = user\n"
				      "propagation = private\nunselected = keep\n"
				      "on_error = ignore\n",
				&err) < 0);
	assert_non_null(strstr(err.msg, "test.conf: [tmp]: target: path must be absolute"));
	assert_true(cfg.global_ok);
	assert_int_equal(cfg.users.n, 2);
	assert_int_equal(cfg.users.tok[0].kind, SEL_GROUP);
	assert_string_equal(cfg.users.tok[0].name, "staff");
	assert_true(cfg.need & MNTNS_NEED_GROUPS);
	assert_int_equal(cfg.scope, MNTNS_SCOPE_USER);
	assert_int_equal(cfg.propagation, MNTNS_PROP_PRIVATE);
	assert_int_equal(cfg.unselected, MNTNS_UNSELECTED_KEEP);
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_IGNORE);
	mntns_config_free(&cfg);
	/* No [global] at all: the default users = *. */
	assert_true(load_broken(&cfg, "[tmp]\ntype = tmpfs\n", &err) < 0);
	assert_true(cfg.global_ok);
	assert_int_equal(cfg.users.n, 1);
	assert_int_equal(cfg.users.tok[0].kind, SEL_ALL);
	mntns_config_free(&cfg);
	/* A success says so too. */
	assert_int_equal(load_broken(&cfg, tmp_rule, &err), 0);
	assert_true(cfg.trusted);
	assert_true(cfg.global_ok);
	mntns_config_free(&cfg);
}

static void test_broken_global(void **state)
{
	(void)state;
	/* Errors in a rule section, however they look, leave [global] known. */
	expect_broken("[tmp]\ntype = tmpfs\ntarget = /tmp\ntarget = /var/tmp\n", true,
		      "key \"target\" is given twice");
	expect_broken("[tmp]\nty pe = tmpfs\ntarget = /tmp\n[global]\nusers = *\n", true,
		      "test.conf:2: invalid key name");
	expect_broken("[tmp]\non_error = ignore\n", true, "[tmp]: unknown key \"on_error\"");
	expect_broken("[a]\ntype = tmpfs\ntarget = /a\n[a]\ntype = tmpfs\n[global]\nusers = *\n",
		      true, "test.conf:4: section [a] appears twice");
	/* An error in [global], wherever it stands. */
	expect_broken("[global]\nusers = * !root\nscpoe = user\n", false,
		      "[global]: unknown key \"scpoe\"");
	expect_broken("[global]\nscope = forever\n", false, "scope must be");
	expect_broken("[tmp]\ntype = tmpfs\n[global]\nscope = forever\n", false,
		      "[tmp]: missing required key \"target\"");
	expect_broken("[global]\nusers = * !root\nUSERS = *\n", false, "is given twice");
	expect_broken("[global]\non_error = maybe\n", false, "on_error must be");
	expect_broken("[global]\nusers = \n", false, "[global]: users: empty");
	expect_broken("[global]\nus ers = x\n", false, "invalid key name");
	expect_broken("[global]\nusers = *\n[t]\ntype = tmpfs\ntarget = /t\n[global]\nusers = a\n",
		      false, "section [global] appears twice");
	/* Lines that may have been meant for [global]: a key above every header, and every
	 * line after which the reader cannot tell which section the next ones belong to. */
	expect_broken("users = * !root\n[tmp]\ntype = tmpfs\ntarget = /tmp\n", false,
		      "outside of any section");
	expect_broken("[global]\nusers = * !root\n[tmp dir]\ntype = tmpfs\ntarget = /tmp\n",
		      false, "test.conf:3: invalid section name");
	expect_broken("[tmp]\ntype = tmpfs\ntarget = /tmp\n[global\nusers = alice\n", false,
		      "test.conf:4: syntax error");
	expect_broken("[tmp]\ntype = tmpfs\ntarget = /tmp\nglobal\nusers = alice\n", false,
		      "test.conf:4: syntax error");
	expect_broken("[tmp]\ntype = tmpfs \\\n[global]\nusers = alice\n", false,
		      "line continuation");
	expect_broken("[tmp]\n[global] = x\ntype = tmpfs\ntarget = /tmp\n", false,
		      "invalid key name");
}

static void test_broken_long_line(void **state)
{
	char text[INICHECK_MAX_LINE + 64];
	int n;

	(void)state;
	n = sprintf(text, "[tmp]\ntype = tmpfs\ntarget = /");
	memset(text + n, 'x', INICHECK_MAX_LINE);
	strcpy(text + n + INICHECK_MAX_LINE, "\n");
	expect_broken(text, false, "test.conf:3: line longer than 1022 bytes");
}

/* However long the section name, the message keeps its reason. */
static void test_long_section_message(void **state)
{
	char text[INICHECK_MAX_LINE + 32];

	(void)state;
	text[0] = '[';
	memset(text + 1, 's', 1010);
	snprintf(text + 1011, sizeof(text) - 1011, "]\ntarget = /tmp\n");
	assert_config_error(text, "missing required key \"type\"");
}

static void test_long_lines(void **state)
{
	char *text = malloc(2100);
	struct mntns_config cfg;
	struct mntns_err err;
	int n;

	(void)state;
	/* iniparser 4.1 takes lines of up to 1022 bytes; longer is an error, not a truncation. */
	n = sprintf(text, "[a]\ntype = tmpfs\ntarget = /");
	memset(text + n, 'x', 1022 - 10);
	strcpy(text + n + 1022 - 10, "\n");
	assert_int_equal(load_str(&cfg, text, &err), 0);
	assert_int_equal(strlen(cfg.rules[0].target), 1022 - 10 + 1);
	mntns_config_free(&cfg);
	n = sprintf(text, "[a]\ntype = tmpfs\ntarget = /");
	memset(text + n, 'x', 1022 - 9);
	strcpy(text + n + 1022 - 9, "\n");
	assert_config_error(text, "test.conf:3: line longer than 1022 bytes");
	free(text);
}

static void test_binary(void **state)
{
	static const char bin[] = "[a]\ntype = tmpfs\0\ntarget = /tmp\n";
	struct mntns_config cfg;
	struct mntns_err err;
	unsigned seed = 1;

	(void)state;
	mntns_config_init(&cfg);
	assert_true(mntns_config_add_buffer(&cfg, "bin", bin, sizeof(bin) - 1, &err) < 0);
	assert_non_null(strstr(err.msg, "NUL byte"));
	assert_true(cfg.trusted);
	assert_false(cfg.global_ok); /* nothing of the file was read */
	mntns_config_free(&cfg);
	/* Garbage never crashes and never half-loads: either an error or a valid config. */
	for (int round = 0; round < 200; round++) {
		char buf[512];

		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (char)(seed >> 16);
		}
		mntns_config_init(&cfg);
		(void)mntns_config_add_buffer(&cfg, "garbage", buf, sizeof(buf), &err);
		mntns_config_free(&cfg);
	}
}

static void test_iniparser_quirks(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };
	const char *text = "[A_Rule]\nTYPE = Bind\nSource = \"/srv/a;b#c\"\n"
			   "target = /srv/x ; a comment\nusers = alice # another\n";

	(void)state;
	if (load_str(&cfg, text, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.rules[0].name, "a_rule"); /* lowercased, as iniparser does */
	assert_int_equal(cfg.rules[0].type, MNTNS_BIND);
	assert_string_equal(cfg.rules[0].source, "/srv/a;b#c");
	assert_string_equal(cfg.rules[0].target, "/srv/x");
	assert_string_equal(cfg.rules[0].users.tok[0].name, "alice");
	mntns_config_free(&cfg);
}

static void test_dropin_replaces(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };
	const char *main_text = "[global]\nusers = *\non_error = ignore\n"
				"[tmp]\ntype = tmpfs\ntarget = /tmp\noptions = size=1m\n"
				"[other]\ntype = tmpfs\ntarget = /srv\n";
	const char *dropin = "[global]\nusers = * !root\n"
			     "[tmp]\ntype = tmpfs\ntarget = /tmp\n";

	(void)state;
	mntns_config_init(&cfg);
	assert_int_equal(mntns_config_add_buffer(&cfg, "main", main_text, strlen(main_text), &err),
			 0);
	assert_int_equal(mntns_config_add_buffer(&cfg, "d/10.conf", dropin, strlen(dropin), &err),
			 0);
	assert_int_equal(mntns_config_finish(&cfg, &err), 0);
	assert_int_equal(cfg.n_rules, 2);
	/* Replaced whole (no size= left over), and in the later file's place. */
	assert_string_equal(cfg.rules[0].name, "other");
	assert_string_equal(cfg.rules[1].name, "tmp");
	assert_null(cfg.rules[1].fsdata);
	assert_string_equal(cfg.rules[1].file, "d/10.conf");
	/* [global] merges key by key. */
	assert_int_equal(cfg.users.n, 2);
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_IGNORE);
	mntns_config_free(&cfg);
}

/* [global] debug: yes or no in any case, as optional; the last file that sets it wins; and it
 * is known after an error in a rule, like the rest of [global]. */
static void test_debug(void **state)
{
	static const struct {
		const char *text;
		bool debug;
	} good[] = {
	    {"[global]\ndebug = yes\n", true},	     {"[global]\nDEBUG = YES\n", true},
	    {"[global]\ndebug = \"Yes\"\n", true},   {"[global]\ndebug = no\n", false},
	    {"[global]\ndebug = No ; off\n", false},
	};
	struct mntns_config cfg;
	struct mntns_err err = {""};
	const char *main_text = "[global]\ndebug = yes\n", *dropin = "[global]\ndebug = no\n";

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (load_str(&cfg, good[i].text, &err) != 0)
			fail_msg("%s: %s", good[i].text, err.msg);
		if (cfg.debug != good[i].debug)
			fail_msg("debug is %d for: %s", cfg.debug, good[i].text);
		mntns_config_free(&cfg);
	}
	assert_config_error("[global]\ndebug = 1\n", "debug must be \"yes\" or \"no\", not \"1\"");
	assert_config_error("[global]\ndebug = yes\ndebug = no\n", "key \"debug\" is given twice");
	assert_config_error("[tmp]\ntype = tmpfs\ntarget = /tmp\ndebug = yes\n",
			    "[tmp]: unknown key \"debug\"");
	expect_broken("[global]\ndebug = on\n", false, "debug must be");

	mntns_config_init(&cfg);
	assert_int_equal(mntns_config_add_buffer(&cfg, "main", main_text, strlen(main_text), &err),
			 0);
	assert_true(cfg.debug);
	assert_int_equal(mntns_config_add_buffer(&cfg, "d/10.conf", dropin, strlen(dropin), &err),
			 0);
	assert_int_equal(mntns_config_finish(&cfg, &err), 0);
	assert_false(cfg.debug);
	mntns_config_free(&cfg);

	assert_true(load_broken(&cfg, "[global]\ndebug = yes\n[tmp]\ntype = tmpfs\n", &err) < 0);
	assert_true(cfg.global_ok);
	assert_true(cfg.debug);
	mntns_config_free(&cfg);
}

static void test_many_sections(void **state)
{
	size_t n = 10000, len = 0;
	char *text = malloc(n * 80);
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(text + len, "[r%zu]\ntype = tmpfs\ntarget = /srv/%zu\n", i, i);
	if (load_str(&cfg, text, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.n_rules, n);
	assert_string_equal(cfg.rules[n - 1].target, "/srv/9999");
	mntns_config_free(&cfg);
	free(text);
}

/* ---- files ---- */

/* In the build directory, not /tmp: the loader refuses a config below a directory that
 * others can write to. */
static char dir[4096];

/* Two buffers, used in turn, so that one call may take two paths (symlink). */
static char *path(const char *name)
{
	static char buf[2][4352];
	static int turn;

	turn = !turn;
	snprintf(buf[turn], sizeof(buf[turn]), "%s/%s", dir, name);
	return buf[turn];
}

/* A symbolic link NAME to TARGET that is not root's (a tester's own, or given to uid 1 when
 * the tester is root): never followed. */
static int users_symlink(const char *target, const char *name)
{
	char to[4352];

	snprintf(to, sizeof(to), "%s", path(target));
	if (symlink(to, path(name)) < 0)
		return -1;
	return geteuid() == 0 ? lchown(path(name), 1, 1) : 0;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(path(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path(name), mode), 0);
}

static int setup_dir(void **state)
{
	(void)state;
	const char *home = getenv("HOME");
	struct mntns_trust t = { .uid = geteuid(), .flags = MNTNS_TRUST_STRICT };
	struct mntns_path_verdict v;
	int fd = -1;

	/* The build directory, or else $HOME: the first whose path the loader trusts (a checkout
	 * below /tmp is not). */
	if (getcwd(dir, sizeof(dir) - 32))
		fd = mntns_path_open_trusted(dir, MNTNS_WANT_DIR, &t, &v);
	if (fd < 0 && home && strlen(home) < sizeof(dir) - 32) {
		strcpy(dir, home);
		fd = mntns_path_open_trusted(dir, MNTNS_WANT_DIR, &t, &v);
	}
	if (fd < 0) {
		fprintf(stderr, "neither the build directory nor $HOME is a directory that only "
				"root and uid %u can write to, down from /\n", (unsigned)geteuid());
		return -1;
	}
	close(fd);
	strcat(dir, "/mntns-unit-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	write_file("main.conf", tmp_rule, 0644);
	mkdir(path("d"), 0755);
	write_file("d/20-b.conf", "[b]\ntype = tmpfs\ntarget = /b\n", 0644);
	write_file("d/10-a.conf", "[a]\ntype = tmpfs\ntarget = /a\n", 0644);
	write_file("d/30-ignored.txt", "garbage", 0644);
	write_file("d/.40-hidden.conf", "garbage", 0644);
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[4200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int load_files(const char *main_name, const char *dir_name, uid_t trusted,
		      struct mntns_config *cfg, struct mntns_err *err)
{
	char main_path[4400];

	snprintf(main_path, sizeof(main_path), "%s", path(main_name));
	return mntns_config_load(cfg, main_path, dir_name ? path(dir_name) : NULL, trusted, err);
}

static void test_files_order(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	if (load_files("main.conf", "d", geteuid(), &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.n_rules, 3);
	assert_string_equal(cfg.rules[0].name, "tmp");
	assert_string_equal(cfg.rules[1].name, "a");
	assert_string_equal(cfg.rules[2].name, "b");
	mntns_config_free(&cfg);
	/* A trailing slash names the same directory (it used to read as an empty name: none). */
	if (load_files("main.conf", "d//", geteuid(), &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.n_rules, 3);
	mntns_config_free(&cfg);
	/* A missing drop-in directory is no error. */
	assert_int_equal(load_files("main.conf", "nodir", geteuid(), &cfg, &err), 0);
	mntns_config_free(&cfg);
}

static void expect_file_error(const char *main_name, const char *dir_name, uid_t trusted,
			      const char *needle)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	assert_true(load_files(main_name, dir_name, trusted, &cfg, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	mntns_config_free(&cfg);
}

static void test_files_trust(void **state)
{
	(void)state;
	expect_file_error("missing.conf", NULL, geteuid(), "missing.conf: cannot open");
	expect_file_error("main.conf", NULL, geteuid() + 1, "main.conf: is owned by uid");
	write_file("ww.conf", tmp_rule, 0666);
	expect_file_error("ww.conf", NULL, geteuid(), "ww.conf: is writable by group or others");
	write_file("gw.conf", tmp_rule, 0620);
	expect_file_error("gw.conf", NULL, geteuid(), "writable by group or others (mode 0620)");
	assert_int_equal(users_symlink("main.conf", "link.conf"), 0);
	expect_file_error("link.conf", NULL, geteuid(), "link.conf: is a symbolic link");
	assert_int_equal(mkfifo(path("fifo.conf"), 0644), 0);
	expect_file_error("fifo.conf", NULL, geteuid(), "fifo.conf: not a regular file");
}

/* Root's links where only root can write are followed (issue 19): the main file, a drop-in
 * directory, a drop-in, relative and absolute, ".." among root's directories; a loop is not,
 * nor a root's link below a directory of the tester's. */
static void test_files_root_links(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };
	char to[4352];

	(void)state;
	if (geteuid() != 0)
		skip(); /* links of root's, in directories of root's only */
	assert_int_equal(symlink("main.conf", path("rel.conf")), 0);
	snprintf(to, sizeof(to), "%s", path("main.conf"));
	assert_int_equal(symlink(to, path("abs.conf")), 0);
	mkdir(path("l1"), 0755);
	assert_int_equal(symlink("../d", path("l1/up")), 0); /* ".." among root's directories */
	if (load_files("rel.conf", "l1/up", 0, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.n_rules, 3);
	mntns_config_free(&cfg);
	if (load_files("abs.conf", NULL, 0, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	mntns_config_free(&cfg);
	mkdir(path("ld"), 0755);
	assert_int_equal(symlink(to, path("ld/10-main.conf")), 0);
	if (load_files("main.conf", "ld", 0, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	mntns_config_free(&cfg);
	/* What the link leads to is judged as the file itself is, and named. */
	write_file("ww-target.conf", tmp_rule, 0666);
	assert_int_equal(symlink("ww-target.conf", path("to-ww.conf")), 0);
	expect_file_error("to-ww.conf", NULL, 0, "ww-target.conf is writable by group or others");
	assert_int_equal(symlink("loop2.conf", path("loop1.conf")), 0);
	assert_int_equal(symlink("loop1.conf", path("loop2.conf")), 0);
	expect_file_error("loop1.conf", NULL, 0, "is one symbolic link too many (at most 40");
	/* Below a directory that uid 1 owns, root's own link is not followed. */
	mkdir(path("theirs"), 0755);
	assert_int_equal(chown(path("theirs"), 1, 1), 0);
	assert_int_equal(symlink(to, path("theirs/x.conf")), 0);
	expect_file_error("theirs/x.conf", NULL, 0, "theirs is owned by uid 1, not by uid 0");
}

/* What a reader sees while root rewrites the file in place is refused, not read as "no rules";
 * and a file is trusted only if every directory above it is. */
static void test_files_empty_and_parents(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	write_file("empty.conf", "", 0644);
	expect_file_error("empty.conf", NULL, geteuid(), "empty.conf: no section in the file");
	write_file("comments.conf", "# [global]\n; users = x\n\n", 0644);
	expect_file_error("comments.conf", NULL, geteuid(), "no section in the file");
	mkdir(path("open"), 0755);
	assert_int_equal(chmod(path("open"), 0775), 0);
	write_file("open/main.conf", tmp_rule, 0644);
	expect_file_error("open/main.conf", NULL, geteuid(),
			  "open is writable by group or others (mode 0775)");
	mkdir(path("d7"), 0755);
	write_file("d7/10-empty.conf", "", 0644);
	expect_file_error("main.conf", "d7", geteuid(), "d7/10-empty.conf: no section in the file");
	/* A missing drop-in directory is "none" only below a trusted parent. */
	expect_file_error("main.conf", "open/d", geteuid(), "open is writable by group");
	assert_true(mntns_config_load(&cfg, "main.conf", NULL, geteuid(), &err) < 0);
	assert_non_null(strstr(err.msg, "not an absolute path"));
	mntns_config_free(&cfg);
}

/* Values compare in ASCII whatever the locale (the module runs under the caller's LANG). */
static void test_ascii_values(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	if (load_str(&cfg, "[global]\nON_ERROR = IGNORE\nSCOPE = SESSION\n[t]\nTYPE = TMPFS\n"
			   "TARGET = /t\nOPTIONS = NOSUID,NODEV,RO\nOPTIONAL = YES\n", &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_IGNORE);
	assert_int_equal(cfg.rules[0].type, MNTNS_TMPFS);
	assert_int_equal(cfg.rules[0].flags, MNTNS_F_NOSUID | MNTNS_F_NODEV | MNTNS_F_RDONLY);
	assert_true(cfg.rules[0].optional);
	mntns_config_free(&cfg);
	assert_true(inicheck_eq_nocase("NOSUID", "nosuid"));
	assert_false(inicheck_eq_nocase("nosuid", "nosui"));
	assert_false(inicheck_eq_nocase("\xdd" "d", "id")); /* Latin-5 dotted capital I */
}

static void test_dropin_trust(void **state)
{
	(void)state;
	mkdir(path("d2"), 0755);
	assert_int_equal(users_symlink("main.conf", "d2/10-link.conf"), 0);
	expect_file_error("main.conf", "d2", geteuid(), "d2/10-link.conf: is a symbolic link");
	mkdir(path("d3"), 0755);
	write_file("d3/10-ww.conf", tmp_rule, 0646);
	expect_file_error("main.conf", "d3", geteuid(), "d3/10-ww.conf: is writable by group");
	mkdir(path("d4"), 0777);
	assert_int_equal(chmod(path("d4"), 0777), 0);
	expect_file_error("main.conf", "d4", geteuid(), "d4: is writable by group or others");
	assert_int_equal(users_symlink("d", "d5"), 0);
	expect_file_error("main.conf", "d5", geteuid(), "d5: is a symbolic link");
	mkdir(path("d6"), 0755);
	write_file("d6/10-bad.conf", "[x]\ntype = tmpfs\n", 0644);
	expect_file_error("main.conf", "d6", geteuid(), "d6/10-bad.conf: [x]: missing required");
}

/* Loads MAIN_NAME and DIR_NAME, which fail with NEEDLE; returns the config for more checks. */
static void load_failing(const char *main_name, const char *dir_name, struct mntns_config *cfg,
			 const char *needle)
{
	struct mntns_err err = { "" };

	assert_true(load_files(main_name, dir_name, geteuid(), cfg, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

/* A typo in one file: the others are still read for their [global]. */
static void test_files_broken(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	/* Success: both set. */
	assert_int_equal(load_files("main.conf", "d", geteuid(), &cfg, &err), 0);
	assert_true(cfg.trusted);
	assert_true(cfg.global_ok);
	mntns_config_free(&cfg);
	/* An error in a drop-in's rule, [global] in the main file and in a later drop-in. */
	write_file("g.conf", "[global]\nusers = * !root\n", 0644);
	mkdir(path("b1"), 0755);
	write_file("b1/10-bad.conf", "[x]\ntype = tmpfs\noptoins = ro\ntarget = /x\n", 0644);
	write_file("b1/20-global.conf", "[global]\nscope = user\non_error = ignore\n", 0644);
	load_failing("g.conf", "b1", &cfg, "b1/10-bad.conf:3: [x]: unknown key \"optoins\"");
	assert_true(cfg.trusted);
	assert_true(cfg.global_ok);
	assert_int_equal(cfg.users.n, 2);
	assert_int_equal(cfg.scope, MNTNS_SCOPE_USER);
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_IGNORE); /* read after the error */
	mntns_config_free(&cfg);
	/* An error in the main file's rule, [global] in a drop-in. */
	write_file("badrule.conf", "[global]\non_error = ignore\n[tmp]\ntype = tmpfs\n", 0644);
	mkdir(path("b2"), 0755);
	write_file("b2/10-global.conf", "[global]\nusers = alice\n", 0644);
	load_failing("badrule.conf", "b2", &cfg, "badrule.conf: [tmp]: missing required key");
	assert_true(cfg.global_ok);
	assert_int_equal(cfg.users.n, 1);
	assert_string_equal(cfg.users.tok[0].name, "alice");
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_IGNORE); /* read before the error */
	mntns_config_free(&cfg);
	/* A typo in a later drop-in's [global]. */
	mkdir(path("b3"), 0755);
	write_file("b3/10-global.conf", "[global]\nusers = alice\nscope = forever\n", 0644);
	load_failing("badrule.conf", "b3", &cfg, "badrule.conf: [tmp]: missing required key");
	assert_true(cfg.trusted);
	assert_false(cfg.global_ok);
	mntns_config_free(&cfg);
	/* A drop-in with no section: what [global] it was about to say is unknown. */
	mkdir(path("b4"), 0755);
	write_file("b4/10-empty.conf", "", 0644);
	load_failing("g.conf", "b4", &cfg, "b4/10-empty.conf: no section in the file");
	assert_true(cfg.trusted);
	assert_false(cfg.global_ok);
	mntns_config_free(&cfg);
}

/* A file that cannot be trusted or read refuses every login, even after a typo elsewhere: it
 * is the error reported, and nothing after it is read. */
static void test_files_broken_untrusted(void **state)
{
	struct mntns_config cfg;
	struct mntns_err err = { "" };

	(void)state;
	write_file("ww2.conf", "[global]\nusers = * !root\n", 0666);
	load_failing("ww2.conf", NULL, &cfg, "ww2.conf: is writable by group or others");
	assert_false(cfg.trusted);
	assert_false(cfg.global_ok);
	mntns_config_free(&cfg);
	assert_true(load_files("main.conf", NULL, geteuid() + 1, &cfg, &err) < 0);
	assert_false(cfg.trusted);
	mntns_config_free(&cfg);
	load_failing("missing.conf", "d", &cfg, "missing.conf: cannot open");
	assert_false(cfg.trusted);
	mntns_config_free(&cfg);
	/* A world-writable drop-in after a typo in the main file. */
	write_file("typo.conf", "[global]\nusers = * !root\n[tmp]\ntype = tmpfs\n", 0644);
	mkdir(path("u1"), 0755);
	write_file("u1/10-ww.conf", tmp_rule, 0646);
	write_file("u1/20-ignore.conf", "[global]\non_error = ignore\n", 0644);
	load_failing("typo.conf", "u1", &cfg, "u1/10-ww.conf: is writable by group or others");
	assert_false(cfg.trusted);
	assert_false(cfg.global_ok);
	assert_int_equal(cfg.on_error, MNTNS_ON_ERROR_FAIL); /* 20-ignore.conf is not read */
	mntns_config_free(&cfg);
	/* A symlink in place of a drop-in, and a drop-in directory others can write to. */
	mkdir(path("u2"), 0755);
	assert_int_equal(users_symlink("main.conf", "u2/10-link.conf"), 0);
	load_failing("typo.conf", "u2", &cfg, "u2/10-link.conf: is a symbolic link");
	assert_false(cfg.trusted);
	mntns_config_free(&cfg);
	mkdir(path("u3"), 0777);
	assert_int_equal(chmod(path("u3"), 0777), 0);
	load_failing("typo.conf", "u3", &cfg, "u3: is writable by group or others");
	assert_false(cfg.trusted);
	mntns_config_free(&cfg);
	/* A drop-in that is not a regular file. */
	mkdir(path("u4"), 0755);
	assert_int_equal(mkfifo(path("u4/10-fifo.conf"), 0644), 0);
	load_failing("main.conf", "u4", &cfg, "u4/10-fifo.conf: not a regular file");
	assert_false(cfg.trusted);
	mntns_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_tmpfs_values),
		cmocka_unit_test(test_on_error_survives_errors),
		cmocka_unit_test(test_broken_rule_keeps_global),
		cmocka_unit_test(test_broken_global),
		cmocka_unit_test(test_broken_long_line),
		cmocka_unit_test(test_long_section_message),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_ascii_values),
		cmocka_unit_test(test_iniparser_quirks),
		cmocka_unit_test(test_dropin_replaces),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_many_sections),
		cmocka_unit_test(test_files_order),
		cmocka_unit_test(test_files_trust),
		cmocka_unit_test(test_files_root_links),
		cmocka_unit_test(test_files_empty_and_parents),
		cmocka_unit_test(test_dropin_trust),
		cmocka_unit_test(test_files_broken),
		cmocka_unit_test(test_files_broken_untrusted),
	};

	return cmocka_run_group_tests_name("config", tests, setup_dir, teardown_dir);
}
