/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* The [global] settings that travel beyond the config: in the plan (scope, propagation) and in
 * the route of a login (unselected, on_error). Apart from config.h, so that what applies a
 * plan or takes a login somewhere needs nothing of how the config is read. */
#ifndef MNTNS_GLOBAL_H
#define MNTNS_GLOBAL_H

enum mntns_scope { MNTNS_SCOPE_SESSION, MNTNS_SCOPE_USER };
enum mntns_prop { MNTNS_PROP_SLAVE, MNTNS_PROP_PRIVATE };
/* A login of a user that [global] users does not select, opened inside a view the module made
 * (sudo -i in a session): back to the outer view, or left in the caller's. */
enum mntns_unselected { MNTNS_UNSELECTED_OUTER, MNTNS_UNSELECTED_KEEP };
enum mntns_on_error { MNTNS_ON_ERROR_FAIL, MNTNS_ON_ERROR_IGNORE };

#endif
