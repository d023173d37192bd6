/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* Planning: (config, user) -> the ordered list of mounts one login gets. Pure code, no
 * syscalls: the user's groups were looked up before; printed by mntns-plan, applied by
 * apply.c. */
#ifndef MNTNS_PLAN_H
#define MNTNS_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "global.h"
#include "select.h"
#include "user.h"

/* What an op mounts. A rule of type hide is planned as a tmpfs (see plan.c). */
enum mntns_op_kind { MNTNS_OP_BIND, MNTNS_OP_TMPFS };

/* One mount of a login: everything apply needs, and nothing of how the config said it (as
 * systemd's MountEntry). Strings not expanded here (fsdata, name, file) are borrowed from the
 * config or static: the config must outlive the plan. */
struct mntns_op {
	enum mntns_op_kind kind;
	char *target;	 /* expanded, absolute, canonical */
	char *source;	 /* expanded; bind only, else NULL */
	unsigned attrs;	 /* MOUNT_ATTR_* set on the mount (a bind: on every mount of its clone) */
	bool recursive;	 /* bind: the mounts below the source come along ("norbind": false) */
	int create_mode; /* bind: create the source as the user's directory with this mode, or -1 */
	bool optional;	 /* a missing (or planted) source or target skips the op, not the login */
	const char *fsdata; /* tmpfs: "key=value,..." for fsconfig(2), or NULL */
	const char *name;   /* the rule's section name, for messages */
	const char *file;   /* the file that defines the rule, for messages */
	size_t depth;	    /* components in target */
	size_t order;	    /* position of the rule in the config */
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

struct mntns_config; /* config.h */

/* Selects the rules that apply to U, expands their paths, keeps the last rule per target and
 * orders the result. Messages name the file and section. */
int mntns_plan_build(const struct mntns_config *cfg, const struct mntns_user *u,
		     struct mntns_plan *plan, struct mntns_err *err);
void mntns_plan_free(struct mntns_plan *plan);

/* "bind" or "tmpfs". */
const char *mntns_op_kind_name(enum mntns_op_kind kind);

/* One line saying what OP mounts (kind, target, source, flags, options, ...) and which rule
 * asks for it, as mntns-plan prints it and debug logging shows it. */
void mntns_op_describe(const struct mntns_op *op, char *buf, size_t size);

#endif
