/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Planning: (config, user) -> the ordered list of mounts one login gets. Pure code, no
 * syscalls: the user's groups were looked up before; printed by mntns-plan, applied by
 * apply.c. */
#ifndef MNTNS_PLAN_H
#define MNTNS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "err.h"
#include "select.h"
#include "user.h"

struct mntns_op {
	const struct mntns_rule *rule; /* borrowed from the config */
	char *target; /* expanded */
	char *source; /* expanded; bind only */
	size_t depth; /* components in target */
	size_t order; /* position of the rule in the config */
	/* Index of the earlier op whose fresh, writable tmpfs holds this target, or -1. Only there
	 * may a missing target be created: nobody but this login can reach that tmpfs yet. */
	ssize_t holder;
};

struct mntns_plan {
	bool selected; /* false: [global] users does not select the user; touch nothing */
	enum mntns_scope scope;
	enum mntns_prop propagation;
	struct mntns_op *ops; /* apply order: parents before children, then config order */
	size_t n;
};

/* Selects the rules that apply to U, expands their paths, keeps the last rule per target and
 * orders the result. Messages name the file and section. */
int mntns_plan_build(const struct mntns_config *cfg, const struct mntns_user *u,
		     struct mntns_plan *plan, struct mntns_err *err);
void mntns_plan_free(struct mntns_plan *plan);

/* One line describing OP, as mntns-plan prints it and debug logging shows it. */
void mntns_op_describe(const struct mntns_op *op, char *buf, size_t size);

#endif
