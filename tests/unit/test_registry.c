/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The registry (registry.c): its format, as a crash or a torn write may leave it, and the
 * decision that may end a user's namespace (join, keep, drop), asked of a fake /proc: a list
 * of threads, each with its id, start time and namespace. */
#include "testutil.h"

#include "registry.h"

#include <stdio.h>

static void test_registry_parse(void **state)
{
	struct mntns_registry *reg = malloc(sizeof(*reg));
	const char *text;

	(void)state;
	assert_non_null(reg);
	text = "ns 4026532900 17\n"
	       "101 695532 11\n"
	       "garbage line\n"
	       "\n"
	       "0 5 1\n"	   /* no thread 0 */
	       "102 7 8 extra\n"   /* trailing junk */
	       "-3 9 1\n"	   /* negative */
	       "103 695582 0\n"	   /* token 0: a process the /proc pass found */
	       "99999999999 1 1\n" /* beyond pid_max */
	       "104 1\n"	   /* an old line without its token */
	       "105  2 3\n"	   /* two spaces */
	       "106 3 4";	   /* torn last line: ignored */
	mntns_registry_parse(text, strlen(text), reg);
	assert_true(reg->ns_ino == 4026532900ULL && reg->ns_id == 17);
	assert_int_equal(reg->n, 2);
	assert_int_equal(reg->ids[0].tid, 101);
	assert_true(reg->ids[0].start == 695532ULL && reg->ids[0].token == 11);
	assert_int_equal(reg->ids[1].tid, 103);
	assert_true(reg->ids[1].token == 0);
	/* Without its "ns" line first nothing is known to belong to one namespace. */
	text = "101 695532 11\nns 1 2\n";
	mntns_registry_parse(text, strlen(text), reg);
	assert_true(reg->ns_ino == 0 && reg->n == 0);
	mntns_registry_parse("ns 5 0", 6, reg); /* torn */
	assert_true(reg->ns_ino == 0);
	mntns_registry_parse("", 0, reg);
	assert_true(reg->ns_ino == 0 && reg->n == 0);
	/* A NUL in the file (a torn write) spoils only its line. */
	mntns_registry_parse("ns 5 0\n7 8 9\0\n10 11 12\n", 24, reg);
	assert_true(reg->ns_ino == 5 && reg->n == 1 && reg->ids[0].tid == 10);
	free(reg);
}

/* What is written is what is read back; a full registry stays within the buffer. */
static void test_registry_roundtrip(void **state)
{
	struct mntns_registry *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	size_t size = MNTNS_REGISTRY_BYTES, len;
	char *buf = malloc(size);

	(void)state;
	assert_true(a && b && buf);
	a->ns_ino = 4026531841ULL;
	a->ns_id = 0;
	for (size_t i = 0; i < MNTNS_REGISTRY_MAX; i++) {
		a->ids[i].tid = (pid_t)(4194303 - i);
		a->ids[i].start = 18446744073709551615ULL - i;
		a->ids[i].token = 18446744073709551615ULL;
	}
	a->n = MNTNS_REGISTRY_MAX;
	len = mntns_registry_format(a, buf, size);
	assert_true(len < size);
	mntns_registry_parse(buf, len, b);
	assert_true(b->ns_ino == a->ns_ino && b->n == a->n);
	assert_memory_equal(a->ids, b->ids, sizeof(a->ids));
	/* No namespace: the entries are not written. */
	a->ns_ino = 0;
	len = mntns_registry_format(a, buf, size);
	mntns_registry_parse(buf, len, b);
	assert_true(b->ns_ino == 0 && b->n == 0);
	free(a);
	free(b);
	free(buf);
}

/* ---- a fake /proc ---- */

#define FD_BASE 1000 /* the fake descriptor of a namespace opened through thread TID */
#define NS	50   /* the user's namespace */
#define OTHER	77   /* some other namespace */

struct thread {
	pid_t tid;
	unsigned long long start;
	unsigned long long ns; /* inode number of its mount namespace */
};

struct world {
	struct thread t[MNTNS_REGISTRY_MAX + 8];
	size_t n;
	int passes;  /* calls of open_ns_of_any: the /proc pass */
	int asked;   /* calls of open_ns_of */
	int pass_rc; /* when not 0: what the pass fails with */
};

static const struct thread *find(const struct world *w, const struct mntns_session_id *id)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].tid == id->tid && w->t[i].start == id->start)
			return &w->t[i];
	return NULL;
}

static bool w_alive(void *arg, const struct mntns_session_id *id)
{
	return find(arg, id) != NULL;
}

static int w_open_ns_of(void *arg, const struct mntns_session_id *id,
			const struct mntns_registry *reg)
{
	struct world *w = arg;
	const struct thread *t = find(w, id);

	w->asked++;
	return t && t->ns == reg->ns_ino ? FD_BASE + t->tid : -ENOENT;
}

static int w_open_ns_of_any(void *arg, const struct mntns_registry *reg,
			    struct mntns_session_id *found)
{
	struct world *w = arg;

	w->passes++;
	if (w->pass_rc)
		return w->pass_rc;
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].ns == reg->ns_ino) {
			found->tid = w->t[i].tid;
			found->start = w->t[i].start;
			found->token = 0;
			return FD_BASE + w->t[i].tid;
		}
	return -ENOENT;
}

/* What every case starts from: an empty fake /proc, the probes that ask it, and a registry
 * that names namespace NS with no entry. */
struct fixture {
	struct world w;
	struct mntns_probes pr;
	struct mntns_registry reg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->pr = (struct mntns_probes){.alive = w_alive,
				      .open_ns_of = w_open_ns_of,
				      .open_ns_of_any = w_open_ns_of_any,
				      .arg = &f->w};
	f->reg.ns_ino = NS;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void run(struct world *w, pid_t tid, unsigned long long start, unsigned long long ns)
{
	w->t[w->n++] = (struct thread){.tid = tid, .start = start, .ns = ns};
}

static void exits(struct world *w, pid_t tid)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->t[i].tid == tid)
			w->t[i] = w->t[--w->n];
}

static void add(struct mntns_registry *reg, pid_t tid, unsigned long long start,
		unsigned long long token)
{
	reg->ids[reg->n++] = (struct mntns_session_id){.tid = tid, .start = start, .token = token};
}

static bool has(const struct mntns_registry *reg, pid_t tid, unsigned long long start,
		unsigned long long token)
{
	for (size_t i = 0; i < reg->n; i++)
		if (reg->ids[i].tid == tid && reg->ids[i].start == start &&
		    reg->ids[i].token == token)
			return true;
	return false;
}

/* ---- the decision ---- */

/* A registered session still runs in the namespace: it is joined through that thread, with
 * no /proc pass, and nothing in the registry changes. */
static void test_join_through_session(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_live live;

	add(reg, 101, 5, 11); /* exited */
	add(reg, 102, 6, 12);
	add(reg, 103, 7, 13);
	run(w, 102, 6, NS);
	run(w, 103, 7, NS);
	assert_int_equal(mntns_live_lookup(reg, &f->pr, &live), 0);
	assert_int_equal(live.via, MNTNS_LIVE_SESSION);
	assert_int_equal(live.ns, FD_BASE + 102);
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), FD_BASE + 102);
	assert_int_equal(w->passes, 0);
	assert_true(reg->ns_ino == NS && reg->n == 3); /* the dead entry goes at the register */
}

/* A thread id given to a later thread (same tid, other start time) is not the session's: the
 * namespace is not joined through it, and its entry goes as dead. */
static void test_pid_reuse(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id me = {.tid = 300, .start = 30, .token = 33};
	struct mntns_live live;

	add(reg, 101, 5, 11);
	run(w, 101, 9, NS); /* a later thread with its id, even in the very namespace */
	assert_int_equal(mntns_live_lookup(reg, &f->pr, &live), 0);
	assert_int_equal(live.via, MNTNS_LIVE_PASS); /* live through the pass, not the entry */
	assert_true(live.found.tid == 101 && live.found.start == 9 && live.found.token == 0);
	assert_true(mntns_registry_drop_dead_and_add(reg, &me, &f->pr));
	assert_false(has(reg, 101, 5, 11));
	assert_true(reg->n == 1 && has(reg, 300, 30, 33));
	/* Elsewhere, the reused id keeps nothing alive: the registry forgets the namespace. */
	reg->n = 0;
	add(reg, 101, 5, 11);
	w->t[0].ns = OTHER;
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), -ENOENT);
	assert_true(reg->ns_ino == 0 && reg->ns_id == 0 && reg->n == 0);
}

/* A caller that closed its session (its entry removed) but still runs in the namespace keeps
 * it joinable: the pass finds it, and it is kept, found, in place of the dead entries. */
static void test_closed_but_running(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id sshd = {.tid = 101, .start = 5, .token = 11};

	add(reg, 101, 5, 11);
	add(reg, 102, 6, 12); /* exited */
	run(w, 101, 5, NS);
	assert_true(mntns_registry_remove_session(reg, &sshd));
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), FD_BASE + 101);
	assert_int_equal(w->passes, 1);
	assert_true(reg->ns_ino == NS && reg->n == 1 && has(reg, 101, 5, 0));
}

/* A thread that is alive but has left the namespace (setns elsewhere) is not joined through,
 * but its entry is kept: only an exit ends one. */
static void test_alive_elsewhere(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id me = {.tid = 300, .start = 30, .token = 33};

	add(reg, 101, 5, 11);
	run(w, 101, 5, OTHER);
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), -ENOENT);
	assert_true(reg->ns_ino == 0 && reg->n == 0);
	reg->ns_ino = NS;
	add(reg, 101, 5, 11);
	run(w, 102, 6, NS);
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), FD_BASE + 102);
	assert_true(has(reg, 101, 5, 11) && has(reg, 102, 6, 0) && reg->n == 2);
	assert_true(mntns_registry_drop_dead_and_add(reg, &me, &f->pr));
	assert_true(has(reg, 101, 5, 11) && reg->n == 3);
}

/* A torn last line costs only its entry; a torn "ns" line names no namespace, and the login
 * builds a fresh one without asking /proc anything. */
static void test_torn_last_line(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	const char *text = "ns 50 0\n101 5 11\n102 6 1";

	mntns_registry_parse(text, strlen(text), reg);
	assert_true(reg->ns_ino == NS && reg->n == 1);
	run(w, 102, 6, NS); /* the torn entry's thread: found by the pass */
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), FD_BASE + 102);
	assert_true(reg->n == 1 && has(reg, 102, 6, 0));
	mntns_registry_parse("ns 5", 4, reg);
	w->passes = w->asked = 0;
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), -ENOENT);
	assert_true(w->passes == 0 && w->asked == 0);
}

/* A full registry takes no more entries (those sessions are found by the pass); a dead entry
 * makes room. The pass's find is not kept then either, and the namespace is joined all the
 * same. */
static void test_registry_full(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id me = {.tid = 99999, .start = 1, .token = 7};
	char *buf = malloc(MNTNS_REGISTRY_BYTES);
	size_t len;

	assert_non_null(buf);
	for (pid_t t = 1; t <= MNTNS_REGISTRY_MAX; t++) {
		add(reg, t, 100 + (unsigned long long)t, 1000 + (unsigned long long)t);
		run(w, t, 100 + (unsigned long long)t, OTHER); /* alive, but elsewhere */
	}
	run(w, 50000, 5, NS);
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), FD_BASE + 50000);
	assert_true(reg->n == MNTNS_REGISTRY_MAX && !has(reg, 50000, 5, 0));
	assert_false(mntns_registry_drop_dead_and_add(reg, &me, &f->pr));
	assert_true(reg->n == MNTNS_REGISTRY_MAX && !has(reg, 99999, 1, 7));
	exits(w, 17);
	assert_true(mntns_registry_drop_dead_and_add(reg, &me, &f->pr));
	assert_true(reg->n == MNTNS_REGISTRY_MAX && has(reg, 99999, 1, 7));
	assert_false(has(reg, 17, 117, 1017));
	/* And a full registry is written whole and read back whole. */
	len = mntns_registry_format(reg, buf, MNTNS_REGISTRY_BYTES);
	mntns_registry_parse(buf, len, reg);
	assert_true(reg->n == MNTNS_REGISTRY_MAX && has(reg, 99999, 1, 7));
	free(buf);
}

/* The last logout while tmux runs: the namespace stays joinable, through the /proc pass once,
 * then through the entry the pass left; it goes when tmux exits. */
static void test_last_logout_while_tmux_runs(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id login = {.tid = 101, .start = 5, .token = 11};
	struct mntns_live live;

	/* The first login builds the namespace and registers. */
	mntns_registry_parse("", 0, reg);
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), -ENOENT);
	mntns_registry_replace_ns(reg, NS, 9);
	run(w, 101, 5, NS);
	assert_true(mntns_registry_drop_dead_and_add(reg, &login, &f->pr));
	run(w, 200, 8, NS); /* tmux, started from the session */
	/* The logout, then its thread exits. */
	assert_true(mntns_registry_remove_session(reg, &login));
	assert_true(reg->ns_ino == NS && reg->ns_id == 9 && reg->n == 0);
	exits(w, 101);
	/* The next login finds tmux by the pass and keeps it. */
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), FD_BASE + 200);
	assert_int_equal(w->passes, 1);
	assert_true(reg->n == 1 && has(reg, 200, 8, 0));
	/* The one after that, through tmux's entry. */
	assert_int_equal(mntns_live_lookup(reg, &f->pr, &live), 0);
	assert_int_equal(live.via, MNTNS_LIVE_SESSION);
	assert_int_equal(w->passes, 1);
	/* tmux exits: the namespace is gone, the registry forgets it. */
	exits(w, 200);
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), -ENOENT);
	assert_true(reg->ns_ino == 0 && reg->n == 0);
}

/* A fresh namespace drops every entry of the old one, live or not. */
static void test_fresh_drops_old_entries(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id me = {.tid = 300, .start = 30, .token = 33};

	add(reg, 101, 5, 11);
	add(reg, 102, 6, 0);
	run(w, 101, 5, NS);
	run(w, 102, 6, NS);
	run(w, 300, 30, 60);
	mntns_registry_replace_ns(reg, 60, 4);
	assert_true(mntns_registry_drop_dead_and_add(reg, &me, &f->pr));
	assert_true(reg->ns_ino == 60 && reg->ns_id == 4 && reg->n == 1 && has(reg, 300, 30, 33));
	mntns_registry_forget(reg);
	assert_true(reg->ns_ino == 0 && reg->ns_id == 0 && reg->n == 0);
}

/* A logout removes its own entry only: not the pass's find for the same thread (token 0), not
 * another session of that thread, not the same token on another thread. */
static void test_logout_removes_only_its_token(void **state)
{
	struct fixture *f = *state;
	struct mntns_registry *reg = &f->reg;
	struct mntns_session_id me = {.tid = 101, .start = 5, .token = 11};

	add(reg, 101, 5, 11);
	add(reg, 101, 5, 0);
	add(reg, 101, 5, 12);
	add(reg, 102, 6, 11);
	assert_true(mntns_registry_remove_session(reg, &me));
	assert_true(reg->n == 3 && !has(reg, 101, 5, 11));
	assert_true(has(reg, 101, 5, 0) && has(reg, 101, 5, 12) && has(reg, 102, 6, 11));
	assert_false(mntns_registry_remove_session(reg, &me)); /* not there: nothing to write */
	assert_int_equal(reg->n, 3);
	assert_true(reg->ns_ino == NS);
}

/* A pass that fails says so and forgets nothing: an error is not a namespace that is gone. */
static void test_pass_error_forgets_nothing(void **state)
{
	struct fixture *f = *state;
	struct world *w = &f->w;
	struct mntns_registry *reg = &f->reg;

	add(reg, 101, 5, 11);
	w->pass_rc = -EMFILE;
	assert_int_equal(mntns_registry_find_live_or_forget(reg, &f->pr), -EMFILE);
	assert_true(reg->ns_ino == NS && reg->n == 1 && has(reg, 101, 5, 11));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_registry_parse),
	    cmocka_unit_test(test_registry_roundtrip),
	    cmocka_unit_test_setup_teardown(test_join_through_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pid_reuse, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_closed_but_running, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alive_elsewhere, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_torn_last_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_registry_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_last_logout_while_tmux_runs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fresh_drops_old_entries, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_logout_removes_only_its_token, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pass_error_forgets_nothing, setup, teardown),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
