/* scope = user: the one namespace of a user, pinned in the run directory; the per-user lock
 * that makes concurrent first logins end in one namespace; and the checks of whether anything
 * still uses it. Everything here works in the outer view, the one the run directory is in. */
#ifndef MNTNS_USERSCOPE_H
#define MNTNS_USERSCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"

#ifndef MNTNS_RUN_DIR
#define MNTNS_RUN_DIR "/run/mntns"
#endif

/* A thread, told apart from a later one with the same id by its start time (clock ticks
 * after boot, /proc/TID/stat field 22). The run directory is on tmpfs, so boots never mix. */
struct mntns_thread_id {
	pid_t tid;
	unsigned long long start;
	bool closed; /* in the registry: its session was closed, the thread may still run */
};

/* One user's state, locked: the run directory, and UID.lock, whose flock serialises every
 * change of that user's namespace and whose contents list the threads that opened a session
 * in it (the registry). The pin is the file UID, an nsfs bind mount while it is live. */
struct mntns_us {
	int dir_fd;
	int lock_fd;
	char pin[24];
	char lock[32];
};

/* Opens (creating it, root's 0700, when missing) the run directory. It must be a directory of
 * root's that no one else may enter. Returns an O_RDONLY descriptor or -errno. */
int mntns_us_open_dir(bool create, struct mntns_err *err);

/* Takes UID's lock, waiting for another login of UID that holds it. Logins of other users
 * never wait for it. Returns 0 or -errno; US must be released with mntns_us_unlock. */
int mntns_us_lock(struct mntns_us *us, uid_t uid, struct mntns_err *err);
void mntns_us_unlock(struct mntns_us *us);

/* Opens UID's pinned namespace if it is live: a registered session's thread is still in it,
 * or (only when none is) a process other than the caller is, found by one pass over /proc;
 * that process is then registered, so the next login need not look again. A pin nothing uses
 * is dropped (its tmpfs freed) and -ENOENT returned. Returns a descriptor or -errno. */
int mntns_us_live(struct mntns_us *us, struct mntns_err *err);

/* Pins namespace NS_FD (newer than the current one) as UID's, making the run directory a
 * private mount first if it is not one. Starts a fresh registry. Returns 0 or -errno. */
int mntns_us_pin(struct mntns_us *us, int ns_fd, struct mntns_err *err);

/* Adds ID to the registry, dropping entries whose thread has ended. Returns 0 or -errno. */
int mntns_us_register(struct mntns_us *us, const struct mntns_thread_id *id,
		      struct mntns_err *err);

/* At logout: marks ID's session closed; then, if no open session is left and nothing runs in
 * the namespace but the caller and the PAM callers of closed sessions, drops the pin. Sets
 * *DROPPED. Returns 0 or -errno. */
int mntns_us_release(struct mntns_us *us, const struct mntns_thread_id *id, bool *dropped,
		     struct mntns_err *err);

/* What mntns-plan reports; read without the lock and without changing anything. */
struct mntns_us_status {
	bool pinned;
	unsigned long long ns_ino;
	size_t sessions; /* registered threads still in the namespace */
	pid_t session_tids[8];
	size_t procs; /* processes in the namespace */
};
int mntns_us_status(uid_t uid, struct mntns_us_status *st, struct mntns_err *err);

/* The calling thread's id. Returns 0 or -errno. */
int mntns_thread_self(struct mntns_thread_id *id);

/* Pure helpers, for the unit tests. */
/* Reads the start time from the text of /proc/TID/stat (the comm field may hold spaces and
 * parentheses). Returns 0 or -EINVAL. */
int mntns_stat_starttime(const char *stat, unsigned long long *start);
/* Parses the registry ("TID START\n" for an open session, "TID START closed\n" for a closed
 * one whose thread may still run; anything else is skipped). Returns the count. */
size_t mntns_registry_parse(const char *buf, size_t len, struct mntns_thread_id *out, size_t max);

#endif
