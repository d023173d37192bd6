/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* scope = user: the registry of a user's namespace and the decision that may end it. Which
 * live namespace a login joins (or none, and it builds one), which entries are kept, which are
 * dropped and what a logout removes is decided here with no system call: the questions it asks
 * the system (is this thread alive, is it in this namespace, is any process left) are passed
 * in (struct mntns_probes; probes.h answers them from /proc), so every case is a unit test. */
#ifndef MNTNS_REGISTRY_H
#define MNTNS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define MNTNS_REGISTRY_MAX 1024 /* entries; beyond that, logins fall back to the /proc pass */
/* Room for a full registry as mntns_registry_format writes it. */
#define MNTNS_REGISTRY_BYTES (MNTNS_REGISTRY_MAX * 64 + 64)

/* One entry of the registry: a thread that runs in the namespace, told apart from a later
 * thread of the same id by its start time (clock ticks after boot, /proc/TID/stat field 22),
 * and the session it opened (TOKEN, random; 0 for a process the /proc pass found). */
struct mntns_session_id {
	pid_t tid;
	unsigned long long start;
	unsigned long long token;
};

/* The registry: "ns INO ID" (the namespace's inode number and, where the kernel gives one,
 * its unique id; both 0 when no namespace is known), then "TID START TOKEN" a line. */
struct mntns_registry {
	unsigned long long ns_ino, ns_id;
	size_t n;
	struct mntns_session_id ids[MNTNS_REGISTRY_MAX];
};

/* Parses a registry as a crash or a torn write may have left it: a malformed line is
 * skipped, a torn last line ignored, and a file without its "ns" line names no namespace. */
void mntns_registry_parse(const char *buf, size_t len, struct mntns_registry *reg);
/* Formats REG into BUF (SIZE >= 64; MNTNS_REGISTRY_BYTES holds any); returns the length. */
size_t mntns_registry_format(const struct mntns_registry *reg, char *buf, size_t size);

/* What the decision asks the system, as user.h's group lookup is passed in. */
struct mntns_probes {
	/* Is thread ID still the one that started at ID->start (its id may be a later
	 * thread's now)? Anything that cannot be told reads as no. */
	bool (*alive)(void *arg, const struct mntns_session_id *id);
	/* If thread ID is still that one and runs in the namespace REG names, opens that
	 * namespace through the thread itself, so that no later thread of its id can answer.
	 * Returns a descriptor or -ENOENT. */
	int (*open_ns_of)(void *arg, const struct mntns_session_id *id,
			  const struct mntns_registry *reg);
	/* Is any process left in the namespace REG names (one pass over /proc)? Opens it
	 * through a thread of the first one found and sets *FOUND to that thread (token 0).
	 * Returns a descriptor, -ENOENT when none is left, or -errno. */
	int (*open_ns_of_any)(void *arg, const struct mntns_registry *reg,
			      struct mntns_session_id *found);
	void *arg;
};

/* Where a registry leads, told apart so that the tests can say which way was taken. */
enum mntns_live_via {
	MNTNS_LIVE_NONE,    /* no live namespace: a login builds one */
	MNTNS_LIVE_SESSION, /* through a registered thread that still runs in it */
	MNTNS_LIVE_PASS,    /* through a process the /proc pass found (a tmux server, say) */
};

struct mntns_live {
	enum mntns_live_via via;
	int ns; /* the probe's descriptor of the namespace; -1 with MNTNS_LIVE_NONE */
	struct mntns_session_id found; /* MNTNS_LIVE_PASS: the thread the pass found */
};

/* Looks for the live namespace REG names, changing nothing: through its registered threads
 * first (O(sessions)), and only when none still runs in it through the /proc pass. The
 * descriptor in LIVE is the caller's. Returns 0, or -errno from the pass (LIVE says none). */
int mntns_live_lookup(const struct mntns_registry *reg, const struct mntns_probes *pr,
		      struct mntns_live *live);

/* A login's decision, applied to REG: through a registered thread, REG stays as it is;
 * through the /proc pass, the entries whose thread has exited are dropped and the thread found
 * is kept (so that the next login need not look again); with none live, REG forgets its
 * namespace (the kernel has freed it) and the login builds a fresh one. Returns the
 * descriptor (the caller's), -ENOENT for none, or -errno from the pass (REG unchanged). */
int mntns_registry_find_live_or_forget(struct mntns_registry *reg, const struct mntns_probes *pr);

/* REG now names the fresh namespace NS_INO / NS_ID: every entry of the old one is dropped. */
void mntns_registry_replace_ns(struct mntns_registry *reg, unsigned long long ns_ino,
			       unsigned long long ns_id);
/* REG names no namespace any more (mntns_registry_replace_ns(REG, 0, 0)). */
void mntns_registry_forget(struct mntns_registry *reg);

/* Drops the entries whose thread has exited, then adds ID, unless REG is full even so (that
 * session is then found by the /proc pass instead). Returns whether ID was added. */
bool mntns_registry_drop_dead_and_add(struct mntns_registry *reg, const struct mntns_session_id *id,
				      const struct mntns_probes *pr);

/* At logout: removes the entry of session ID (its thread and token), and only that one: the
 * entry the /proc pass made for the same thread (token 0) stays while the thread runs.
 * Returns whether there was one (none: a later fresh namespace replaced the registry). */
bool mntns_registry_remove_session(struct mntns_registry *reg, const struct mntns_session_id *id);

#endif
