/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Where a login goes: every combination of origin, config state, root, selected, scope and
 * unselected against a decision table written as the man page says it. The first row that
 * matches decides; every row must decide at least one combination. */
#include "testutil.h"

#include "route.h"

#define ANY (-1)

enum {
	SYS = MNTNS_AT_SYSTEM,
	OURS = MNTNS_AT_OURS,
	LOST = MNTNS_AT_OURS_LOST,
	FOREIGN = MNTNS_AT_FOREIGN,
	UNKNOWN = MNTNS_AT_UNKNOWN
};
enum {
	OK = MNTNS_CONFIG_OK,
	GOK = MNTNS_CONFIG_BROKEN_GLOBAL_OK,
	BROKEN = MNTNS_CONFIG_BROKEN,
	UNTRUSTED = MNTNS_CONFIG_UNTRUSTED
};
enum { SESSION = MNTNS_SCOPE_SESSION, USER = MNTNS_SCOPE_USER };
enum { OUT = MNTNS_UNSELECTED_OUTER, KEEP = MNTNS_UNSELECTED_KEEP };
enum {
	REFUSE = MNTNS_ROUTE_REFUSE,
	STAY = MNTNS_ROUTE_STAY,
	OUTER = MNTNS_ROUTE_OUTER,
	NEW = MNTNS_ROUTE_NEW_VIEW,
	UVIEW = MNTNS_ROUTE_USER_VIEW
};

struct row {
	int where, config, root, selected, scope, unselected; /* ANY: whatever it is */
	int to, why, stranded;
};

static const struct row table[] = {
    /* where the login starts cannot be told: refused before anything else */
    {UNKNOWN, ANY, ANY, ANY, ANY, ANY, REFUSE, MNTNS_WHY_ORIGIN, 0},
    /* a config that cannot be trusted or read refuses every login, root's too */
    {ANY, UNTRUSTED, ANY, ANY, ANY, ANY, REFUSE, MNTNS_WHY_UNTRUSTED, 0},
    /* a broken [global]: root opens unchanged (back to the outer view from ours), anyone
     * else is refused; unselected = keep does not hold */
    {OURS, BROKEN, 1, ANY, ANY, ANY, OUTER, MNTNS_WHY_ROOT, 0},
    {LOST, BROKEN, 1, ANY, ANY, ANY, STAY, MNTNS_WHY_ROOT, 1},
    {ANY, BROKEN, 1, ANY, ANY, ANY, STAY, MNTNS_WHY_ROOT, 0},
    {ANY, BROKEN, 0, ANY, ANY, ANY, REFUSE, MNTNS_WHY_BROKEN, 0},
    /* a broken config whose [global] is clean: root and the users it leaves out are left
     * alone as unselected says; the users it selects are refused */
    {OURS, GOK, 1, ANY, ANY, OUT, OUTER, MNTNS_WHY_ROOT, 0},
    {LOST, GOK, 1, ANY, ANY, OUT, STAY, MNTNS_WHY_ROOT, 1},
    {ANY, GOK, 1, ANY, ANY, ANY, STAY, MNTNS_WHY_ROOT, 0},
    {OURS, GOK, 0, 0, ANY, OUT, OUTER, MNTNS_WHY_BROKEN_UNSELECTED, 0},
    {LOST, GOK, 0, 0, ANY, OUT, STAY, MNTNS_WHY_BROKEN_UNSELECTED, 1},
    {ANY, GOK, 0, 0, ANY, ANY, STAY, MNTNS_WHY_BROKEN_UNSELECTED, 0},
    {ANY, GOK, 0, 1, ANY, ANY, REFUSE, MNTNS_WHY_BROKEN, 0},
    /* a good config, a user it leaves out: back to the outer view from ours unless
     * unselected = keep; a view of ours that does not lead there is stayed in, with a
     * warning; PID 1's view and foreign ones are never left */
    {OURS, OK, ANY, 0, ANY, OUT, OUTER, MNTNS_WHY_UNSELECTED, 0},
    {LOST, OK, ANY, 0, ANY, OUT, STAY, MNTNS_WHY_UNSELECTED, 1},
    {ANY, OK, ANY, 0, ANY, ANY, STAY, MNTNS_WHY_UNSELECTED, 0},
    /* a user it selects (root too): from PID 1's view or ours, a view built from the outer
     * one, or the user's view; from any other, a new view on that one, even with scope =
     * user (with a warning) */
    {SYS, OK, ANY, 1, SESSION, ANY, NEW, MNTNS_WHY_SELECTED, 0},
    {OURS, OK, ANY, 1, SESSION, ANY, NEW, MNTNS_WHY_SELECTED, 0},
    {SYS, OK, ANY, 1, USER, ANY, UVIEW, MNTNS_WHY_SELECTED, 0},
    {OURS, OK, ANY, 1, USER, ANY, UVIEW, MNTNS_WHY_SELECTED, 0},
    {ANY, OK, ANY, 1, SESSION, ANY, NEW, MNTNS_WHY_ON_CALLER, 0},
    {ANY, OK, ANY, 1, USER, ANY, NEW, MNTNS_WHY_ON_CALLER, 1},
};

#define N_ROWS (sizeof(table) / sizeof(table[0]))

static bool fits(int want, int have)
{
	return want == ANY || want == have;
}

static const struct row *decide(const struct mntns_route_in *in)
{
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct row *r = &table[i];

		if (fits(r->where, (int)in->where) && fits(r->config, (int)in->config) &&
		    fits(r->root, in->root) && fits(r->selected, in->selected) &&
		    fits(r->scope, (int)in->scope) && fits(r->unselected, (int)in->unselected))
			return r;
	}
	return NULL;
}

static void test_every_combination(void **state)
{
	static const int wheres[] = {SYS, OURS, LOST, FOREIGN, UNKNOWN};
	static const int configs[] = {OK, GOK, BROKEN, UNTRUSTED};
	bool used[N_ROWS] = {false};
	unsigned n = 0;

	(void)state;
	for (size_t w = 0; w < 5; w++)
		for (size_t c = 0; c < 4; c++)
			for (int bits = 0; bits < 16; bits++) {
				struct mntns_route_in in = {
				    .where = (enum mntns_where)wheres[w],
				    .config = (enum mntns_config_state)configs[c],
				    .root = bits & 1,
				    .selected = bits & 2,
				    .scope = (bits & 4) ? MNTNS_SCOPE_USER : MNTNS_SCOPE_SESSION,
				    .unselected =
					(bits & 8) ? MNTNS_UNSELECTED_KEEP : MNTNS_UNSELECTED_OUTER,
				};
				const struct row *want = decide(&in);
				struct mntns_routing got = mntns_route(&in);

				assert_non_null(want);
				if ((int)got.to != want->to || (int)got.why != want->why ||
				    got.stranded != want->stranded)
					fail_msg(
					    "where %d config %d root %d selected %d scope %d "
					    "unselected %d: got %d/%d/%d, want %d/%d/%d (row %zu)",
					    wheres[w], configs[c], bits & 1, !!(bits & 2),
					    !!(bits & 4), !!(bits & 8), got.to, got.why,
					    got.stranded, want->to, want->why, want->stranded,
					    (size_t)(want - table));
				used[want - table] = true;
				n++;
			}
	assert_int_equal(n, 5 * 4 * 16);
	for (size_t i = 0; i < N_ROWS; i++)
		if (!used[i])
			fail_msg("row %zu decides nothing", i);
}

/* on_error = ignore forgives a refusal, except where it must not: from an origin that cannot be
 * told, or when the thread is stuck, which only mntns_view_enter says (a name service's
 * ENOTRECOVERABLE, passed on by the lookup, is forgiven like any other error: the decision
 * takes no error code). */
static void test_forgiven(void **state)
{
	static const int wheres[] = {SYS, OURS, LOST, FOREIGN, UNKNOWN};

	(void)state;
	for (size_t w = 0; w < 5; w++)
		for (int stuck = 0; stuck < 2; stuck++) {
			bool want = wheres[w] != UNKNOWN && !stuck;

			assert_false(mntns_route_forgiven((enum mntns_where)wheres[w],
							  MNTNS_ON_ERROR_FAIL, stuck));
			assert_int_equal(mntns_route_forgiven((enum mntns_where)wheres[w],
							      MNTNS_ON_ERROR_IGNORE, stuck),
					 want);
		}
}

/* The state of a config, from what loading it returned and left. */
static void test_config_state(void **state)
{
	struct mntns_config cfg = {.trusted = true, .global_ok = true};

	(void)state;
	assert_int_equal(mntns_route_config(0, &cfg), MNTNS_CONFIG_OK);
	assert_int_equal(mntns_route_config(-EINVAL, &cfg), MNTNS_CONFIG_BROKEN_GLOBAL_OK);
	cfg.global_ok = false;
	assert_int_equal(mntns_route_config(-EINVAL, &cfg), MNTNS_CONFIG_BROKEN);
	cfg.trusted = false;
	assert_int_equal(mntns_route_config(-EPERM, &cfg), MNTNS_CONFIG_UNTRUSTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_combination),
	    cmocka_unit_test(test_forgiven),
	    cmocka_unit_test(test_config_state),
	};

	return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
