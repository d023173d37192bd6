/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* scope = user: the one live namespace of a user, found through a process that runs in it.
 * Nothing pins it, so the kernel frees it (and its tmpfs) with its last process. A per-user
 * lock makes concurrent first logins end in one namespace; the registry in the lock file
 * lists the namespace and the sessions opened in it (its format and what a login does with it
 * are registry.h's, the /proc probes probes.h's). The run directory is reached from PID 1's
 * root, so all of this works from any view. */
#ifndef MNTNS_USERSCOPE_H
#define MNTNS_USERSCOPE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "err.h"
#include "log.h"
#include "probes.h"
#include "registry.h"

#ifndef MNTNS_RUN_DIR
#define MNTNS_RUN_DIR "/run/mntns"
#endif

/* How long a login or logout waits for the user's lock before it gives up (and follows
 * on_error). The holder is never a process another user can stop (see mntns_guard), so only
 * a login that is itself slow holds it this long. */
#define MNTNS_LOCK_TIMEOUT_MS 5000

/* One user's state while their lock is held. */
struct mntns_us {
	int dir_fd;  /* the run directory */
	int lock_fd; /* UID.lock, flocked */
	uid_t uid;
	struct mntns_registry *reg; /* as read when the lock was taken */
	char lock[32];
};

/* Opens (creating it, root's 0700, when missing) the run directory: OUTER, that of PID 1's
 * view (reached through /proc/1/root, from any view); else that of the calling thread's own
 * view. It and every directory on the way must be root's and writable by root alone.
 * Returns an O_RDONLY descriptor or -errno. */
int mntns_run_dir_open(bool outer, bool create, struct mntns_err *err);
/* mntns_run_dir_open(true, CREATE, ERR). */
int mntns_us_open_dir(bool create, struct mntns_err *err);
/* Creates directory NAME in DIRFD (a run directory) as root's 0700, whatever the umask, and
 * opens it as open_root_dir does. Returns a descriptor or -errno. */
int mntns_mkdir_root(int dirfd, const char *name, struct mntns_err *err);

/* Opens UID's lock file and reads the registry without taking the lock (a torn write then
 * reads as no namespace, which sends the login to the locked path). Returns 0 or -errno; US
 * must then be released with mntns_us_unlock. */
int mntns_us_peek(struct mntns_us *us, uid_t uid, struct mntns_err *err);
/* Takes the lock of a peeked US and reads the registry again, waiting at most
 * MNTNS_LOCK_TIMEOUT_MS for another login of UID; -ETIMEDOUT then, with the holder's pid in
 * ERR. Logins of other users never wait for it. Returns 0 or -errno. */
int mntns_us_relock(struct mntns_us *us, struct mntns_err *err);
/* Reads the registry of a peeked US again, without the lock. Returns 0 or -errno. */
int mntns_us_reread(struct mntns_us *us, struct mntns_err *err);
/* mntns_us_peek, then mntns_us_relock. */
int mntns_us_lock(struct mntns_us *us, uid_t uid, struct mntns_err *err);
void mntns_us_unlock(struct mntns_us *us);

/* Opens the namespace the registry names, if it is still live: one that a registered thread
 * still runs in, or (only when none does) one a process found by one pass over /proc runs
 * in, which is then registered in place of the entries whose thread has exited. With none
 * live, the registry forgets it. Either change is made in US->reg only, written at the next
 * mntns_us_register (mntns_registry_find_live_or_forget decides). The namespace is owned by
 * the initial user namespace; its record is for the caller to check once in it
 * (mntns_view_is). Returns a descriptor, or -ENOENT when there is none, or -errno. */
int mntns_us_find_live_or_forget(struct mntns_us *us, struct mntns_err *err);

/* For the administrator's tools (the module never forks): is the namespace NS_FD the view of
 * UID, as its record says? Checked in a child that enters it. Returns 0 or -errno. */
int mntns_ns_is_view_of(int ns_fd, uid_t uid);

/* Registers session ID (a thread in the calling thread's namespace), dropping the entries
 * whose thread has exited. FRESH: that namespace is a new one, now UID's, and every old entry
 * goes. Returns 0 or -errno. */
int mntns_us_register(struct mntns_us *us, bool fresh, const struct mntns_session_id *id,
		      struct mntns_err *err);

/* At logout (pam_sm_close_session, as root): removes the entry of session ID, and only that
 * one, from UID's registry, under UID's lock and inside the guard (see mntns_guard). Nothing
 * is dropped: the namespace ends with its last process. Works from any view. Returns 0 or
 * -errno; uids that could not be put back are said through LOG's crit. */
int mntns_us_close_session(uid_t uid, const struct mntns_session_id *id,
			   const struct mntns_log *log, struct mntns_err *err);

/* What mntns-plan reports; read without the lock and without changing anything. */
struct mntns_us_status {
	bool live;
	unsigned long long ns_ino;
	pid_t enter_pid; /* a process in it, for nsenter */
	size_t sessions; /* registered sessions whose thread still runs in it */
	pid_t session_tids[8];
	size_t procs; /* processes in it */
};
int mntns_us_status(uid_t uid, struct mntns_us_status *st, struct mntns_err *err);

/* ---- for the administrator's tool (mntnsctl); nothing here is on a login's path ---- */

/* The uids that have a lock file (UID.lock) in the run directory, in ascending order: the
 * users a login of scope = user was opened for since the directory was made. The directory
 * is read, never NSS: a user who no longer exists is listed too. Sets *UIDS (to be freed) and
 * *N; returns 0 (none when the directory does not exist) or -errno. */
int mntns_us_uids(uid_t **uids, size_t *n, struct mntns_err *err);

/* A user's view as mntnsctl list shows it; read without the lock, changing nothing. */
struct mntns_us_view {
	bool live; /* false: none (V holds nothing else) */
	unsigned long long ns_dev, ns_ino;
	size_t sessions;	  /* registered sessions whose thread still runs in it */
	struct mntns_procs procs; /* every process in it, the logins marked */
};
int mntns_us_view_read(uid_t uid, struct mntns_us_view *v, struct mntns_err *err);

/* With the lock held: the registry names no namespace any more, so that the next login
 * builds a fresh view (mntnsctl reset). Returns 0 or -errno. */
int mntns_us_forget(struct mntns_us *us, struct mntns_err *err);

/* While a user's lock is held, the holder must be a process that no other user can stop:
 * su and sudo keep the real uid of the user who ran them, who may send them SIGSTOP, and a
 * terminal sends SIGTSTP to whatever runs in its foreground. mntns_guard_begin blocks the
 * terminal's stop signals in the calling thread and, in a set-uid caller (real uid not 0,
 * effective uid 0), makes every uid 0, so that the kill(2) permission check fails for the
 * user; mntns_guard_end puts both back as they were. */
struct mntns_guard {
	sigset_t old_mask;
	uid_t ruid, euid, suid;
	bool raised;
	bool masked;
};
void mntns_guard_begin(struct mntns_guard *g);
/* Returns 0, or -errno when the uids could not be put back (the caller must say so). */
int mntns_guard_end(struct mntns_guard *g);

/* Pure helpers, for the unit tests. */
/* Is NAME a lock file of the run directory ("UID.lock", as mntns_us_lock names them)? Sets
 * *UID. */
bool mntns_lock_uid(const char *name, uid_t *uid);
/* The pid that holds an flock on the file MAJ:MIN:INO, from the text of /proc/locks; 0 if
 * none is listed. */
pid_t mntns_locks_holder(const char *locks, unsigned maj, unsigned min, unsigned long ino);

#endif
