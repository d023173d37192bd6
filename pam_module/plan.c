/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Selection, expansion, de-duplication and ordering of mounts (see plan.h). */
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "config.h"
#include "strmap.h"
#include "vars.h"

static void op_free(struct mntns_op *op)
{
	free(op->target);
	free(op->source);
	memset(op, 0, sizeof(*op));
}

void mntns_plan_free(struct mntns_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		op_free(&plan->ops[i]);
	free(plan->ops);
	plan->ops = NULL;
	plan->n = 0;
}

static size_t depth_of(const char *path)
{
	size_t d = 0;

	for (; *path; path++)
		d += *path == '/';
	return d;
}

static int cmp_ops(const void *a, const void *b)
{
	const struct mntns_op *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static unsigned mount_attrs(unsigned flags)
{
	return ((flags & MNTNS_F_RDONLY) ? MOUNT_ATTR_RDONLY : 0) |
	       ((flags & MNTNS_F_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
	       ((flags & MNTNS_F_NODEV) ? MOUNT_ATTR_NODEV : 0) |
	       ((flags & MNTNS_F_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
}

/* Says in OP what rule R mounts, and for messages which rule it is. A hide is an empty tmpfs:
 * mode 000, so the user cannot even list it; read-only, so nothing can be put in it, by root's
 * processes in the session neither; without setuid, devices or execution; 4k, the least
 * tmpfs allows. */
static void op_from_rule(const struct mntns_rule *r, struct mntns_op *op)
{
	op->name = r->name;
	op->file = r->file;
	op->optional = r->optional;
	op->create_mode = -1;
	switch (r->type) {
	case MNTNS_BIND:
		op->kind = MNTNS_OP_BIND;
		op->attrs = mount_attrs(r->flags);
		op->recursive = r->recursive;
		op->create_mode = r->create_mode;
		break;
	case MNTNS_TMPFS:
		op->kind = MNTNS_OP_TMPFS;
		op->attrs = mount_attrs(r->flags);
		op->fsdata = r->fsdata;
		break;
	case MNTNS_HIDE:
		op->kind = MNTNS_OP_TMPFS;
		op->attrs =
		    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
		op->fsdata = "mode=000,size=4k";
		break;
	}
}

static int make_op(const struct mntns_rule *r, size_t order, const struct mntns_user *u,
		   struct mntns_op *op, struct mntns_err *err)
{
	struct mntns_err e;

	memset(op, 0, sizeof(*op));
	op_from_rule(r, op);
	op->order = order;
	op->holder = -1;
	if (mntns_expand(r->target, u, &op->target, &e) < 0)
		return mntns_fail(err, -EINVAL, "%s: [%s]: target: %s", r->file, r->name, e.msg);
	if (r->source && mntns_expand(r->source, u, &op->source, &e) < 0) {
		op_free(op);
		return mntns_fail(err, -EINVAL, "%s: [%s]: source: %s", r->file, r->name, e.msg);
	}
	op->depth = depth_of(op->target);
	return 0;
}

/* Finds, for each op, the nearest op mounted on an ancestor of its target. */
static int find_holders(struct mntns_plan *plan, struct mntns_err *err)
{
	struct strmap by_target = { 0 };
	int rc = 0;

	for (size_t i = 0; i < plan->n && rc == 0; i++)
		if (strmap_put(&by_target, plan->ops[i].target, i, NULL) < 0)
			rc = mntns_fail(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		char *p = strdup(plan->ops[i].target), *slash;
		size_t j;

		if (!p) {
			rc = mntns_fail(err, -ENOMEM, "out of memory");
			break;
		}
		while ((slash = strrchr(p, '/')) && slash != p) {
			*slash = '\0';
			if (strmap_get(&by_target, p, &j)) {
				const struct mntns_op *h = &plan->ops[j];

				if (h->kind == MNTNS_OP_TMPFS && !(h->attrs & MOUNT_ATTR_RDONLY))
					plan->ops[i].holder = (ssize_t)j;
				break;
			}
		}
		free(p);
	}
	strmap_free(&by_target);
	return rc;
}

/* Appends the op for rule R (if it selects U), replacing an earlier op on the same target. */
static int add_rule_op(struct mntns_plan *plan, struct strmap *targets, size_t *cap,
		       const struct mntns_rule *r, size_t order, const struct mntns_user *u,
		       struct mntns_err *err)
{
	int replaces, m;
	size_t old;

	if (!mntns_selector_match(&r->users, u))
		return 0;
	if (plan->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct mntns_op *n = realloc(plan->ops, ncap * sizeof(*n));

		if (!n)
			return mntns_fail(err, -ENOMEM, "out of memory");
		plan->ops = n;
		*cap = ncap;
	}
	m = make_op(r, order, u, &plan->ops[plan->n], err);
	if (m < 0)
		return m;
	/* The last rule for a target wins: the earlier op is emptied, compacted away below;
	 * only after the put, since the map still points at its target until then. */
	replaces = strmap_put(targets, plan->ops[plan->n].target, plan->n, &old);
	if (replaces < 0) {
		op_free(&plan->ops[plan->n]);
		return mntns_fail(err, -ENOMEM, "out of memory");
	}
	if (replaces)
		op_free(&plan->ops[old]);
	plan->n++;
	return 0;
}

int mntns_plan_build(const struct mntns_config *cfg, const struct mntns_user *u,
		     struct mntns_plan *plan, struct mntns_err *err)
{
	struct strmap targets = { 0 };
	size_t cap = 0, n = 0;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	plan->scope = cfg->scope;
	plan->propagation = cfg->propagation;
	if (!mntns_selector_match(&cfg->users, u))
		return 0;
	plan->selected = true;
	for (size_t i = 0; i < cfg->n_rules && rc == 0; i++)
		rc = add_rule_op(plan, &targets, &cap, &cfg->rules[i], i, u, err);
	strmap_free(&targets);
	for (size_t i = 0; i < plan->n; i++)
		if (plan->ops[i].target)
			plan->ops[n++] = plan->ops[i];
	plan->n = n;
	if (rc == 0 && plan->n) {
		qsort(plan->ops, plan->n, sizeof(*plan->ops), cmp_ops);
		rc = find_holders(plan, err);
	}
	if (rc < 0)
		mntns_plan_free(plan);
	return rc;
}

const char *mntns_op_kind_name(enum mntns_op_kind kind)
{
	return kind == MNTNS_OP_BIND ? "bind" : "tmpfs";
}

/* The mount flags of ATTRS as mount(8) names them, comma-separated. */
static void attrs_text(unsigned attrs, char *buf, size_t size)
{
	static const struct {
		unsigned attr;
		const char *name;
	} names[] = {{MOUNT_ATTR_RDONLY, "ro"},
		     {MOUNT_ATTR_NOSUID, "nosuid"},
		     {MOUNT_ATTR_NODEV, "nodev"},
		     {MOUNT_ATTR_NOEXEC, "noexec"}};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < size; i++)
		if (attrs & names[i].attr)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
					      names[i].name);
}

void mntns_op_describe(const struct mntns_op *op, char *buf, size_t size)
{
	char flags[64], create[32] = "";

	attrs_text(op->attrs, flags, sizeof(flags));
	if (op->create_mode >= 0)
		snprintf(create, sizeof(create), " create=%04o", (unsigned)op->create_mode);
	snprintf(buf, size, "%s target=%s%s%s%s%s%s%s%s%s%s rule=%s file=%s",
		 mntns_op_kind_name(op->kind), op->target, op->source ? " source=" : "",
		 op->source ? op->source : "", flags[0] ? " flags=" : "", flags,
		 op->fsdata ? " options=" : "", op->fsdata ? op->fsdata : "",
		 op->recursive ? " recursive" : "", create, op->optional ? " optional" : "",
		 op->name, op->file);
}
