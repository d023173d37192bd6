/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Planning: selection, last rule per target, order, holders, what each op mounts, and the
 * printed form. */
#include <stdio.h>
#include <sys/mount.h>

#include "testutil.h"

#include "plan.h"

struct fixture {
	struct mntns_config cfg;
	struct mntns_plan plan;
	struct mntns_err err;
};

static int build(struct fixture *f, const char *text, struct mntns_user *u)
{
	struct mntns_user def = test_user();

	memset(f, 0, sizeof(*f));
	if (load_str(&f->cfg, text, &f->err) != 0)
		fail_msg("config: %s", f->err.msg);
	return mntns_plan_build(&f->cfg, u ? u : &def, &f->plan, &f->err);
}

static void done(struct fixture *f)
{
	mntns_plan_free(&f->plan);
	mntns_config_free(&f->cfg);
}

static void test_not_selected(void **state)
{
	struct fixture f;

	(void)state;
	assert_int_equal(build(&f, "[global]\nusers = * !alice\n[t]\ntype = tmpfs\ntarget = /tmp\n",
			       NULL),
			 0);
	assert_false(f.plan.selected);
	assert_int_equal(f.plan.n, 0);
	done(&f);
	assert_int_equal(build(&f, "[global]\nusers = @staff\n", NULL), 0);
	assert_false(f.plan.selected);
	done(&f);
	assert_int_equal(build(&f, "[global]\nusers = @students\n", NULL), 0);
	assert_true(f.plan.selected);
	done(&f);
}

static void test_order(void **state)
{
	struct fixture f;
	const char *text = "[deep]\ntype = tmpfs\ntarget = /a/b/c\n"
			   "[x11]\ntype = bind\nsource = /tmp/.X11-unix\ntarget = /tmp/.X11-unix\n"
			   "[tmp]\ntype = tmpfs\ntarget = /tmp\n"
			   "[a]\ntype = tmpfs\ntarget = /a\n"
			   "[sib]\ntype = tmpfs\ntarget = /tmpx\n";

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	assert_int_equal(f.plan.n, 5);
	/* Parents before children (depth), then config order. */
	assert_string_equal(f.plan.ops[0].target, "/tmp");
	assert_string_equal(f.plan.ops[1].target, "/a");
	assert_string_equal(f.plan.ops[2].target, "/tmpx");
	assert_string_equal(f.plan.ops[3].target, "/tmp/.X11-unix");
	assert_string_equal(f.plan.ops[4].target, "/a/b/c");
	/* The X11 mount point may be made inside the fresh /tmp; /a/b/c inside /a. */
	assert_int_equal(f.plan.ops[3].holder, 0);
	assert_int_equal(f.plan.ops[4].holder, 1);
	assert_int_equal(f.plan.ops[0].holder, -1);
	assert_int_equal(f.plan.ops[2].holder, -1); /* "/tmpx" is not below "/tmp" */
	done(&f);
}

static void test_holder_only_writable_tmpfs(void **state)
{
	struct fixture f;
	const char *text = "[ro]\ntype = tmpfs\ntarget = /ro\noptions = ro\n"
			   "[h]\ntype = hide\ntarget = /h\n"
			   "[b]\ntype = bind\nsource = /srv\ntarget = /b\n"
			   "[c1]\ntype = tmpfs\ntarget = /ro/x\n"
			   "[c2]\ntype = tmpfs\ntarget = /h/x\n"
			   "[c3]\ntype = tmpfs\ntarget = /b/x\n";

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	assert_int_equal(f.plan.n, 6);
	for (size_t i = 0; i < f.plan.n; i++)
		assert_int_equal(f.plan.ops[i].holder, -1);
	done(&f);
}

static void test_last_rule_per_target_wins(void **state)
{
	struct fixture f;
	const char *text = "[first]\ntype = tmpfs\ntarget = /srv/%u\n"
			   "[mid]\ntype = tmpfs\ntarget = /mid\n"
			   "[second]\ntype = hide\ntarget = /srv/alice\n"
			   "[notme]\ntype = tmpfs\ntarget = /srv/alice\nusers = bob\n";

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	assert_int_equal(f.plan.n, 2);
	assert_string_equal(f.plan.ops[0].name, "mid");
	assert_string_equal(f.plan.ops[1].name, "second");
	done(&f);
}

static void test_rule_selectors(void **state)
{
	struct fixture f;
	const char *text = "[all]\ntype = tmpfs\ntarget = /all\n"
			   "[students]\ntype = tmpfs\ntarget = /st\nusers = @students\n"
			   "[staff]\ntype = tmpfs\ntarget = /staff\nusers = @staff\n"
			   "[notalice]\ntype = tmpfs\ntarget = /na\nusers = * !alice\n";
	struct mntns_user bob = test_user();
	gid_t none[] = { 2000 };
	char *bob_groups[] = { (char *)"bob" };

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	assert_int_equal(f.plan.n, 2);
	assert_string_equal(f.plan.ops[0].name, "all");
	assert_string_equal(f.plan.ops[1].name, "students");
	done(&f);
	bob.name = (char *)"bob";
	bob.gid = 2000;
	bob.gids = none;
	bob.n_gids = 1;
	bob.group_names = bob_groups;
	bob.n_group_names = 1;
	assert_int_equal(build(&f, text, &bob), 0);
	assert_int_equal(f.plan.n, 2);
	assert_string_equal(f.plan.ops[0].name, "all");
	assert_string_equal(f.plan.ops[1].name, "notalice");
	done(&f);
}

static void test_expansion_errors(void **state)
{
	struct fixture f;
	struct mntns_user u = test_user();

	(void)state;
	u.name = (char *)"..";
	assert_true(build(&f, "[v]\ntype = bind\nsource = /var/lib/%u\ntarget = /var/tmp\n", &u) <
		    0);
	assert_non_null(strstr(f.err.msg, "test.conf: [v]: source:"));
	done(&f);
	u = test_user();
	u.home = (char *)"relative";
	assert_true(build(&f, "[h]\ntype = tmpfs\ntarget = %h/x\n", &u) < 0);
	assert_non_null(strstr(f.err.msg, "test.conf: [h]: target: home directory"));
	done(&f);
	/* A rule that does not select the user is not expanded at all. */
	assert_int_equal(build(&f, "[v]\ntype = tmpfs\ntarget = /v/%u\nusers = bob\n", &u), 0);
	done(&f);
	/* Nor is a group that does not exist an error: it selects nobody. */
	assert_int_equal(build(&f, "[v]\ntype = tmpfs\ntarget = /v\nusers = @nosuchgroup\n", NULL),
			 0);
	assert_int_equal(f.plan.n, 0);
	done(&f);
}

/* Issue 9: 10,000 rules with distinct @GROUP selectors cost a login one group lookup per group
 * of the user, not one per selector (formerly 10,000 getgrnam calls, 2.8 s). */
static void test_many_group_selectors(void **state)
{
	enum { N = 10000 };
	struct mntns_user u = test_user();
	struct fixture f;
	struct mntns_err err;
	char *text = malloc((size_t)N * 64 + 1), *p = text;

	(void)state;
	assert_non_null(text);
	for (int i = 0; i < N; i++)
		p += sprintf(p, "[r%d]\ntype = tmpfs\ntarget = /g%d\nusers = @g%d %s\n", i, i, i,
			     i == 77 ? "@students" : "!@sudo");
	u.group_names = NULL;
	u.n_group_names = 0;
	test_lookups = 0;
	assert_int_equal(mntns_user_name_groups(&u, test_group_name, NULL, &err), 0);
	assert_int_equal(test_lookups, 2); /* 100 and 27; 1000 is u.group */
	assert_int_equal(build(&f, text, &u), 0);
	assert_int_equal(test_lookups, 2);
	assert_int_equal(f.plan.n, 1);
	assert_string_equal(f.plan.ops[0].target, "/g77");
	done(&f);
	test_free_group_names(&u);
	free(text);
}

static const struct mntns_op *op_named(const struct fixture *f, const char *name)
{
	for (size_t i = 0; i < f->plan.n; i++)
		if (strcmp(f->plan.ops[i].name, name) == 0)
			return &f->plan.ops[i];
	fail_msg("no op of rule [%s]", name);
	return NULL;
}

/* The op says all that apply needs: what a rule's type, options, create and optional mean. */
static void test_op_fields(void **state)
{
	struct fixture f;
	const struct mntns_op *op;
	const char *text = "[vt]\ntype = bind\nsource = /var/lib/x/%u\ntarget = /var/tmp\n"
			   "create = 0700\noptions = nosuid,nodev\noptional = yes\n"
			   "[ro]\ntype = bind\nsource = /srv\ntarget = /srv\noptions = ro,norbind\n"
			   "[tmp]\ntype = tmpfs\ntarget = /tmp\n"
			   "options = mode=1777,nosuid,size=25%,noexec\n"
			   "[bare]\ntype = tmpfs\ntarget = /bare\n";

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	assert_int_equal(f.plan.n, 4);
	op = op_named(&f, "tmp");
	assert_int_equal(op->kind, MNTNS_OP_TMPFS);
	assert_int_equal(op->attrs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	assert_string_equal(op->fsdata, "mode=1777,size=25%");
	assert_null(op->source);
	assert_false(op->recursive);
	assert_int_equal(op->create_mode, -1);
	assert_false(op->optional);
	assert_string_equal(op->file, "test.conf");
	op = op_named(&f, "bare");
	assert_int_equal(op->attrs, 0);
	assert_null(op->fsdata);
	op = op_named(&f, "vt");
	assert_int_equal(op->kind, MNTNS_OP_BIND);
	assert_string_equal(op->source, "/var/lib/x/alice");
	assert_int_equal(op->attrs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	assert_true(op->recursive);
	assert_int_equal(op->create_mode, 0700);
	assert_true(op->optional);
	assert_null(op->fsdata);
	op = op_named(&f, "ro");
	assert_int_equal(op->attrs, MOUNT_ATTR_RDONLY);
	assert_false(op->recursive);
	assert_int_equal(op->create_mode, -1);
	assert_false(op->optional);
	done(&f);
}

/* A hide is planned as what it mounts: an empty, read-only tmpfs of mode 000, which holds no
 * target of the plan (nothing can be created in it). */
static void test_hide_is_tmpfs(void **state)
{
	struct fixture f;
	const struct mntns_op *op;
	const char *text = "[h]\ntype = hide\ntarget = /srv/secret\noptional = yes\n"
			   "[in]\ntype = tmpfs\ntarget = /srv/secret/in\n";

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	assert_int_equal(f.plan.n, 2);
	op = &f.plan.ops[0];
	assert_string_equal(op->name, "h");
	assert_int_equal(op->kind, MNTNS_OP_TMPFS);
	assert_int_equal(op->attrs, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					MOUNT_ATTR_NOEXEC);
	assert_string_equal(op->fsdata, "mode=000,size=4k");
	assert_null(op->source);
	assert_true(op->optional);
	assert_int_equal(f.plan.ops[1].holder, -1);
	done(&f);
}

static void test_describe(void **state)
{
	struct fixture f;
	char line[512];
	const char *text =
		"[vt]\ntype = bind\nsource = /var/lib/x/%u\ntarget = /var/tmp\ncreate = 0700\n"
		"options = nosuid,nodev\noptional = yes\n"
		"[tmp]\ntype = tmpfs\ntarget = /tmp\noptions = mode=1777\n"
		"[h]\ntype = hide\ntarget = /h\n"
		"[nr]\ntype = bind\nsource = /srv\ntarget = /srv\noptions = norbind,ro\n";

	(void)state;
	assert_int_equal(build(&f, text, NULL), 0);
	mntns_op_describe(&f.plan.ops[0], line, sizeof(line));
	assert_string_equal(line, "tmpfs target=/tmp options=mode=1777 rule=tmp file=test.conf");
	mntns_op_describe(&f.plan.ops[1], line, sizeof(line));
	assert_string_equal(line, "tmpfs target=/h flags=ro,nosuid,nodev,noexec "
				  "options=mode=000,size=4k rule=h file=test.conf");
	mntns_op_describe(&f.plan.ops[2], line, sizeof(line));
	assert_string_equal(line, "bind target=/srv source=/srv flags=ro rule=nr file=test.conf");
	mntns_op_describe(&f.plan.ops[3], line, sizeof(line));
	assert_string_equal(line, "bind target=/var/tmp source=/var/lib/x/alice "
				  "flags=nosuid,nodev recursive create=0700 optional rule=vt "
				  "file=test.conf");
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_selected),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_holder_only_writable_tmpfs),
		cmocka_unit_test(test_last_rule_per_target_wins),
		cmocka_unit_test(test_rule_selectors),
		cmocka_unit_test(test_expansion_errors),
		cmocka_unit_test(test_many_group_selectors),
		cmocka_unit_test(test_op_fields),
		cmocka_unit_test(test_hide_is_tmpfs),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
